/** @jsxRuntime automatic */
/** @jsxImportSource npm:preact@10.29.8 */
/**
 * The run page's live view: stage and progress (Server-Sent Events), the threshold card with a tolerance
 * control that moves k* and the chart markers in the browser, the Δ_k charts, the power-law fits and the
 * run's details and downloads.
 * @module
 */
import { Fragment } from "npm:preact@10.29.8";
import { useEffect, useMemo, useState } from "npm:preact@10.29.8/hooks";
import type { AnalysisResult, CurveName, Stage } from "../lib/analysis/types.ts";
import { api } from "../components/api.ts";
import { ChartCanvas } from "../components/Chart.tsx";
import { deltaChart, eigenChart, scaledChart, spectrumChart } from "../components/charts.ts";
import {
  CURVE_LABELS,
  CURVE_NAMES,
  datasetLabel,
  fmt,
  fmtDuration,
  fmtInt,
  fmtPercent,
  fmtTime,
  STAGE_LABELS,
} from "../components/format.ts";
import { StatusBadge } from "../components/StatusBadge.tsx";
import { curveValues, fitOf, thresholdFor, toleranceRange } from "../components/threshold.ts";
import { isFinal, type RunDetail, type RunEvent, type RunRecord } from "../server/types.ts";
import { useHydrated } from "../components/hooks.ts";

export interface RunViewProps {
  run: RunDetail;
}

const CURVES: CurveName[] = ["empirical", "theory", "secondOrder"];

function defaultTolerance(run: RunRecord, result: AnalysisResult | null): number {
  return result?.thresholds[0]?.tolerance ?? run.config.tolerances?.[0] ??
    (run.config.dataset === "fashion-mnist" ? 0.03 : 0.025);
}

function round3(x: number): number {
  return Number(x.toPrecision(3));
}

function Progress({ run }: { run: RunRecord }) {
  const p = run.progress;
  const stages: Stage[] = ["load", "train", "eigensolve", "project"];
  if (run.config.eigenMode === "exact") stages.push("exact");
  stages.push("thresholds");
  const at = p ? stages.indexOf(p.stage) : -1;
  const overall = run.status === "done" ? 1 : p?.overall ?? 0;
  return (
    <section class="card progress-card" data-testid="progress">
      <div class="progress-head">
        <div>
          <div class="eyebrow">{run.status === "queued" ? "Waiting in the queue" : "Stage"}</div>
          <div class="progress-stage" data-testid="stage">
            {run.status === "queued" ? "Queued" : p ? STAGE_LABELS[p.stage] ?? p.stage : "Starting"}
          </div>
        </div>
        <div class="progress-percent" data-testid="percent" data-overall={overall}>{fmtPercent(overall)}</div>
      </div>
      <div
        class="bar"
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(overall * 100)}
      >
        <div class="bar-fill" style={{ width: `${(overall * 100).toFixed(1)}%` }} />
      </div>
      <ol class="stages">
        {stages.map((s, i) => (
          <li key={s} class={i < at ? "done" : i === at ? "current" : ""}>
            <span class="dot" />
            {STAGE_LABELS[s]}
            {i === at && p ? <span class="stage-frac">{fmtPercent(p.fraction)}</span> : null}
          </li>
        ))}
      </ol>
      <p class="progress-message mono">
        {p?.message ?? (run.status === "queued" ? "Waiting for a free worker…" : "")}
      </p>
    </section>
  );
}

export default function RunView({ run: initial }: RunViewProps) {
  const hydrated = useHydrated();
  const { result: initialResult, ...initialRun } = initial;
  const [run, setRun] = useState<RunRecord>(initialRun);
  const [result, setResult] = useState<AnalysisResult | null>(initialResult);
  const [tol, setTol] = useState(() => defaultTolerance(initialRun, initialResult));
  const [tolText, setTolText] = useState(() => String(defaultTolerance(initialRun, initialResult)));
  const [curve, setCurve] = useState<CurveName>("empirical");
  const [smoothed, setSmoothed] = useState(true);
  const [logX, setLogX] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [now, setNow] = useState(() =>
    Date.parse(initial.finishedAt ?? initial.startedAt ?? initial.createdAt)
  );

  const live = !isFinal(run.status);

  // Live updates: the events stream sends the current state, then progress and status changes.
  useEffect(() => {
    if (!live) return;
    const es = new EventSource(`/api/runs/${encodeURIComponent(run.id)}/events`);
    const finish = async () => {
      es.close();
      try {
        const d = await api.get(run.id);
        const { result: r, ...rest } = d;
        setRun(rest);
        if (r) {
          setResult(r);
          const t = defaultTolerance(rest, r);
          setTol(t);
          setTolText(String(t));
        }
      } catch (e) {
        setNotice(`Could not load the result: ${(e as Error).message}`);
      }
    };
    es.addEventListener("state", (e) => {
      const s = JSON.parse((e as MessageEvent).data) as RunRecord;
      setRun(s);
      if (isFinal(s.status)) finish();
    });
    es.addEventListener("progress", (e) => {
      const ev = JSON.parse((e as MessageEvent).data) as Extract<RunEvent, { type: "progress" }>;
      setRun((r) => ({
        ...r,
        status: "running",
        progress: ev.progress,
        partial: ev.partial ? { ...r.partial, ...ev.partial } : r.partial,
      }));
    });
    es.addEventListener("status", (e) => {
      const ev = JSON.parse((e as MessageEvent).data) as Extract<RunEvent, { type: "status" }>;
      setRun((r) => ({ ...r, ...ev.run }));
      if (isFinal(ev.run.status)) finish();
    });
    return () => es.close();
  }, [live, run.id]);

  useEffect(() => {
    if (run.status !== "running") return;
    setNow(Date.now());
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [run.status]);

  const curves = result?.curves ?? run.partial?.curves ?? null;
  const fits = result?.fits ?? run.partial?.fits;
  const B = run.config.batchSize;
  const th = useMemo(
    () => curves && curves.empirical?.length ? thresholdFor(curves, fits, B, curve, smoothed, tol) : null,
    [curves, fits, B, curve, smoothed, tol],
  );
  const values = useMemo(() => curves ? curveValues(curves, curve, smoothed) : [], [curves, curve, smoothed]);
  const [lo, hi] = toleranceRange(values, tol);
  const charts = useMemo(() => {
    if (!curves || !curves.empirical?.length) return null;
    return {
      delta: deltaChart(curves, {
        curve,
        smoothed,
        tolerance: tol,
        kStar: th?.kStar ?? null,
        fit: th?.fit ?? null,
        logX,
      }),
      scaled: scaledChart(curves, logX, th?.kStar ?? null),
      eigen: eigenChart(curves, logX, th?.kStar ?? null),
    };
  }, [curves, curve, smoothed, tol, th, logX]);
  const spectrum = result?.spectrum ?? run.partial?.spectrum ?? null;
  const spectrumSpec = useMemo(() => spectrum ? spectrumChart(spectrum) : null, [spectrum]);

  const applyTol = (t: number) => {
    if (!(t > 0) || !Number.isFinite(t)) return;
    setTol(t);
    setTolText(String(t));
  };

  const cancel = async () => {
    try {
      await api.remove(run.id);
      const d = await api.get(run.id);
      const { result: _r, ...rest } = d;
      setRun(rest);
    } catch (e) {
      setNotice((e as Error).message);
    }
  };
  const resubmit = async () => {
    try {
      const r = await api.resubmit(run.id);
      location.assign(`/runs/${encodeURIComponent(r.id)}`);
    } catch (e) {
      setNotice((e as Error).message);
    }
  };
  const remove = async () => {
    if (!confirm(`Delete run ${run.id} and its result?`)) return;
    try {
      await api.remove(run.id);
      location.assign("/");
    } catch (e) {
      setNotice((e as Error).message);
    }
  };

  const started = run.startedAt ? Date.parse(run.startedAt) : null;
  const elapsed = run.status === "running" && started !== null
    ? Math.max(0, (now - started) / 1000)
    : run.duration;
  const cfg = run.config;
  const id = encodeURIComponent(run.id);
  const K = curves ? curves.k?.length ?? (curves.empirical.length + 1) : null;

  return (
    <div class="run-view" data-status={run.status} data-hydrated={hydrated ? "1" : undefined}>
      <div class="page-head">
        <div>
          <div class="crumbs">
            <a href="/">Runs</a> / <span class="mono">{run.id}</span>
          </div>
          <h1>
            {datasetLabel(cfg.dataset)} <span class="muted">·</span> <span class="mono">{cfg.model}</span>
          </h1>
          <div class="meta-line">
            <StatusBadge status={run.status} />
            <span>d = {cfg.d}</span>
            <span>K = {cfg.samples}</span>
            <span>σ = {fmt(cfg.sigma)}</span>
            <span>B = {cfg.batchSize}</span>
            <span>{cfg.limit === null ? "all samples" : `${fmtInt(cfg.limit)} samples`}</span>
            <span>{cfg.epochs} epoch{cfg.epochs === 1 ? "" : "s"}</span>
            <span class="muted">submitted {fmtTime(run.createdAt)}</span>
            <span class="muted" data-testid="elapsed">{elapsed === null ? "" : fmtDuration(elapsed)}</span>
          </div>
        </div>
        <div class="head-actions">
          {live
            ? (
              <button type="button" class="btn btn-danger" onClick={cancel} data-testid="cancel">
                Cancel run
              </button>
            )
            : (
              <>
                <button type="button" class="btn btn-secondary" onClick={resubmit}>
                  {run.status === "done" ? "Run again" : "Resubmit"}
                </button>
                <button type="button" class="btn btn-ghost" onClick={remove}>Delete</button>
              </>
            )}
        </div>
      </div>

      {notice ? <p class="form-message">{notice}</p> : null}
      {live ? <Progress run={run} /> : null}
      {run.error && run.status !== "done"
        ? (
          <section class={`card alert alert-${run.status}`} data-testid="run-error">
            <strong>
              {run.status === "failed"
                ? "The run failed"
                : run.status === "interrupted"
                ? "The run was interrupted"
                : "The run was cancelled"}
            </strong>
            <p class="mono">{run.error.field ? `${run.error.field}: ` : ""}{run.error.message}</p>
            {run.error.allowed ? <p class="muted">Allowed: {run.error.allowed}</p> : null}
            {run.progress
              ? (
                <p class="muted">
                  It had reached “{STAGE_LABELS[run.progress.stage] ?? run.progress.stage}” ({fmtPercent(
                    run.progress.overall,
                  )}).
                </p>
              )
              : null}
            <button type="button" class="btn btn-secondary btn-sm" onClick={resubmit}>
              Resubmit with the same config
            </button>
          </section>
        )
        : null}

      {th
        ? (
          <div class="grid-2">
            <section class="card threshold-card" data-testid="threshold-card">
              <div class="card-title">
                Threshold {live ? <span class="badge badge-partial">partial</span> : null}
              </div>
              <div class="threshold-main">
                <div>
                  <div class="eyebrow">k*</div>
                  <div class={`kstar${th.kStar === null ? " not-reached" : ""}`} data-testid="kstar">
                    {th.kStar === null ? "not reached" : fmtInt(th.kStar)}
                  </div>
                </div>
                <div>
                  <div class="eyebrow">|D| = k*·B</div>
                  <div class="kstar-samples" data-testid="samples">
                    {th.samples !== null
                      ? fmtInt(th.samples)
                      : th.predictedSamples !== null
                      ? (
                        <span class="predicted" title="predicted by the power-law fit">
                          ≈ {fmtInt(th.predictedSamples)}
                        </span>
                      )
                      : <span class="muted">n/a</span>}
                    <span class="unit">samples</span>
                  </div>
                </div>
              </div>
              <dl class="stats">
                <dt>
                  L<sub>k</sub> at k*
                </dt>
                <dd>{fmt(th.lossAtK, 4)}</dd>
                <dt>
                  Tolerance Δ<sub>tol</sub>
                </dt>
                <dd data-testid="tolerance">{fmt(th.tolerance)}</dd>
                <dt>Curve</dt>
                <dd>{smoothed ? "smoothed " : ""}{CURVE_NAMES[curve]}</dd>
                <dt>Data used</dt>
                <dd>
                  {K === null ? "—" : `${fmtInt(K)} batches × ${B} = ${fmtInt(K * B)} samples`}
                </dd>
              </dl>
              {th.kStar === null
                ? (
                  <div class="prediction" data-testid="prediction">
                    <strong>Tolerance not reached</strong> within the {fmtInt(th.points)}{" "}
                    values of Δ<sub>k</sub>. {th.predictedKStar !== null && th.fit
                      ? (
                        <>
                          The power-law fit Δ<sub>k</sub> ≈ {fmt(th.fit.C)}·k<sup>−{fmt(th.fit.alpha)}</sup>
                          {" "}
                          (R² {fmt(th.fit.r2, 2)}) predicts k* ≈{" "}
                          <strong>{fmtInt(th.predictedKStar)}</strong>, i.e. about{" "}
                          <strong>{fmtInt(th.predictedSamples)}</strong> samples
                          {K ? ` (${fmt(th.predictedKStar / K, 2)}× the data used)` : ""}.
                        </>
                      )
                      : "The power-law fit is not usable for a prediction (no decay or R² < 0.5)."}
                  </div>
                )
                : null}
              <div class="controls">
                <label class="control-wide">
                  <span class="field-label">
                    Tolerance Δ<sub>tol</sub>
                  </span>
                  <div class="tol-row">
                    <input
                      type="range"
                      min={Math.log10(lo)}
                      max={Math.log10(hi)}
                      step="0.01"
                      value={Math.log10(tol)}
                      aria-label="tolerance (log scale)"
                      data-testid="tol-slider"
                      onInput={(e) =>
                        applyTol(round3(10 ** Number((e.currentTarget as HTMLInputElement).value)))}
                    />
                    <input
                      type="number"
                      class="tol-input"
                      step="any"
                      min="0"
                      value={tolText}
                      data-testid="tol-input"
                      onInput={(e) => {
                        const v = (e.currentTarget as HTMLInputElement).value;
                        setTolText(v);
                        const t = Number(v);
                        if (t > 0 && Number.isFinite(t)) setTol(t);
                      }}
                    />
                  </div>
                </label>
                <label>
                  <span class="field-label">Curve</span>
                  <select
                    value={curve}
                    onChange={(e) => setCurve((e.currentTarget as HTMLSelectElement).value as CurveName)}
                  >
                    {CURVES.map((c) => <option key={c} value={c}>{CURVE_LABELS[c]}</option>)}
                  </select>
                </label>
                <label class="check">
                  <input
                    type="checkbox"
                    checked={smoothed}
                    onChange={(e) => setSmoothed((e.currentTarget as HTMLInputElement).checked)}
                  />
                  smoothed (5-point moving average)
                </label>
                <div class="chips">
                  {(result?.thresholds
                    ? [...new Set(result.thresholds.map((t) => t.tolerance))]
                    : cfg.tolerances ?? [])
                    .map((t) => (
                      <button
                        key={t}
                        type="button"
                        class={`chip${t === tol ? " active" : ""}`}
                        onClick={() => applyTol(t)}
                      >
                        {fmt(t)}
                      </button>
                    ))}
                </div>
              </div>
            </section>
            <Overview run={run} result={result} />
          </div>
        )
        : (!live ? null : (
          <section class="card placeholder">
            <p>
              The Δ<sub>k</sub> curves and k* appear when the projection stage finishes.
            </p>
          </section>
        ))}

      {charts
        ? (
          <>
            <div class="chart-toolbar">
              <h2>Curves</h2>
              <label class="check">
                <input
                  type="checkbox"
                  checked={logX}
                  onChange={(e) => setLogX((e.currentTarget as HTMLInputElement).checked)}
                />
                log k axis
              </label>
            </div>
            <section class="card chart-card wide">
              <div class="card-title">
                Δ<sub>k</sub>: empirical (±2 SE) vs theoretical bound vs second order
              </div>
              <ChartCanvas name="delta" config={charts.delta} height={360} />
            </section>
            <div class="grid-2">
              <section class="card chart-card">
                <div class="card-title">
                  Δ<sub>k</sub>·k² (flat when Δ<sub>k</sub> = O(1/k²))
                </div>
                <ChartCanvas name="scaled" config={charts.scaled} />
              </section>
              <section class="card chart-card">
                <div class="card-title">
                  Eigenvalue trajectories λ<sub>k</sub>
                  <sup>(i)</sup>
                </div>
                <ChartCanvas name="eigen" config={charts.eigen} />
              </section>
            </div>
          </>
        )
        : null}
      {spectrumSpec || (curves && fits)
        ? (
          <div class="grid-2">
            {spectrumSpec
              ? (
                <section class="card chart-card">
                  <div class="card-title">Top-d spectrum of the full-data Hessian at w*</div>
                  <ChartCanvas name="spectrum" config={spectrumSpec} height={260} />
                  {result
                    ? (
                      <p class="muted small">
                        Lanczos: {result.spectrum.iterations} iterations, {fmtInt(result.spectrum.hvps)}{" "}
                        Hessian-vector products, {result.spectrum.converged ? "converged" : "not converged"}.
                      </p>
                    )
                    : null}
                </section>
              )
              : null}
            {curves ? <Fits run={run} curves={curves} fits={fits} tol={tol} /> : null}
          </div>
        )
        : null}
      {result ? <Details result={result} id={id} /> : null}
    </div>
  );
}

function Overview({ run, result }: { run: RunRecord; result: AnalysisResult | null }) {
  const r = result;
  return (
    <section class="card">
      <div class="card-title">Run</div>
      <dl class="stats">
        <dt>Dataset</dt>
        <dd>
          {datasetLabel(run.config.dataset)}
          {r
            ? (
              <span class="muted">
                {" · "}
                {r.dataset.height}×{r.dataset.width}, {r.dataset.classes} classes
              </span>
            )
            : null}
        </dd>
        <dt>Model</dt>
        <dd>
          <span class="mono">{r?.model.spec ?? run.config.model}</span>
          {r ? <span class="muted">{` · ${fmtInt(r.model.parameters)} parameters`}</span> : null}
        </dd>
        {r
          ? (
            <>
              <dt>Training</dt>
              <dd>
                train acc {fmtPercent(r.training.trainAccuracy, 1)}, test acc{" "}
                {fmtPercent(r.training.testAccuracy, 1)}
              </dd>
              <dt>Loss L(w*)</dt>
              <dd>train {fmt(r.training.trainLoss, 4)}, test {fmt(r.training.testLoss, 4)}</dd>
              <dt>Compute</dt>
              <dd>
                {r.backend}, {r.workers} worker{r.workers === 1 ? "" : "s"}, {fmtDuration(r.timings.total)}
              </dd>
              <dt>Quadratic regime</dt>
              <dd class={r.quadraticCheck.ok ? "ok" : "warn"}>
                {r.quadraticCheck.ok ? "ok" : "violated"} (relative error{" "}
                {fmtPercent(r.quadraticCheck.relativeError)})
              </dd>
            </>
          )
          : null}
        <dt>Seed</dt>
        <dd>{run.config.seed}</dd>
      </dl>
      {r && r.thresholds.length
        ? (
          <>
            <div class="card-title sub-title">Thresholds computed by the analysis (smoothed curves)</div>
            <table class="fits compact" data-testid="analysis-thresholds">
              <thead>
                <tr>
                  <th>Curve</th>
                  <th class="num">
                    Δ<sub>tol</sub>
                  </th>
                  <th class="num">k*</th>
                  <th class="num">|D|</th>
                </tr>
              </thead>
              <tbody>
                {r.thresholds.filter((t) => t.smoothed).map((t) => (
                  <tr key={`${t.curve}-${t.tolerance}`}>
                    <td>{CURVE_LABELS[t.curve]}</td>
                    <td class="num">{fmt(t.tolerance)}</td>
                    <td class="num">
                      {t.kStar !== null
                        ? fmtInt(t.kStar)
                        : t.predictedKStar !== null
                        ? <span title="not reached; predicted by the fit">≈ {fmtInt(t.predictedKStar)}</span>
                        : "n/r"}
                    </td>
                    <td class="num">
                      {t.samples !== null
                        ? fmtInt(t.samples)
                        : t.predictedSamples !== null
                        ? (
                          <span title="not reached; predicted by the fit">
                            ≈ {fmtInt(t.predictedSamples)}
                          </span>
                        )
                        : "—"}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )
        : null}
    </section>
  );
}

function Fits(
  { run, curves, fits, tol }: {
    run: RunRecord;
    curves: AnalysisResult["curves"];
    fits: AnalysisResult["fits"] | undefined;
    tol: number;
  },
) {
  return (
    <section class="card">
      <div class="card-title">
        Power-law fits Δ<sub>k</sub> ≈ C·k<sup>−α</sup> and data need at Δ<sub>tol</sub> = {fmt(tol)}
      </div>
      <table class="fits" data-testid="fits">
        <thead>
          <tr>
            <th>Curve</th>
            <th class="num">C</th>
            <th class="num">α</th>
            <th class="num">R²</th>
            <th class="num">k range</th>
            <th class="num">k* (smoothed)</th>
            <th class="num">|D|</th>
          </tr>
        </thead>
        <tbody>
          {CURVES.map((c) => {
            const f = fitOf(curves, fits, c);
            const t = thresholdFor(curves, fits, run.config.batchSize, c, true, tol);
            return (
              <tr key={c}>
                <td>{CURVE_LABELS[c]}</td>
                <td class="num">{fmt(f?.C)}</td>
                <td class="num">{fmt(f?.alpha)}</td>
                <td class="num">{fmt(f?.r2, 2)}</td>
                <td class="num">{f ? `${f.fromK}–${f.toK}` : "—"}</td>
                <td class="num">
                  {t.kStar !== null
                    ? fmtInt(t.kStar)
                    : t.predictedKStar !== null
                    ? <span title="predicted by the fit">≈ {fmtInt(t.predictedKStar)}</span>
                    : "n/r"}
                </td>
                <td class="num">
                  {t.samples !== null
                    ? fmtInt(t.samples)
                    : t.predictedSamples !== null
                    ? <span title="predicted by the fit">≈ {fmtInt(t.predictedSamples)}</span>
                    : "—"}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <p class="muted small">≈: not reached within the data; extrapolated k ≈ ⌈(C/Δ_tol)^(1/α)⌉.</p>
    </section>
  );
}

function Details({ result, id }: { result: AnalysisResult; id: string }) {
  return (
    <div class="grid-2">
      <section class="card">
        <div class="card-title">Timings</div>
        <dl class="stats">
          {Object.entries(result.timings).map(([k, v]) => (
            <Fragment key={k}>
              <dt>{k === "total" ? <strong>total</strong> : STAGE_LABELS[k] ?? k}</dt>
              <dd>{fmtDuration(v)}</dd>
            </Fragment>
          ))}
        </dl>
      </section>
      <section class="card">
        <div class="card-title">Downloads</div>
        <div class="downloads">
          <a class="btn btn-secondary" href={`/api/runs/${id}/result.json`} download>result.json</a>
          <a class="btn btn-secondary" href={`/api/runs/${id}/curves.csv`} download>curves.csv</a>
          <a class="btn btn-secondary" href={`/api/runs/${id}/report.html`} download>report.html</a>
          <a
            class="btn btn-ghost"
            href={`/api/runs/${id}/report.html?inline=1`}
            target="_blank"
            rel="noopener"
          >
            view report
          </a>
        </div>
        {result.warnings.length
          ? (
            <>
              <div class="card-title warn-title">Warnings</div>
              <ul class="warnings">{result.warnings.map((w, i) => <li key={i}>{w}</li>)}</ul>
            </>
          )
          : <p class="muted small">No warnings.</p>}
      </section>
    </div>
  );
}
