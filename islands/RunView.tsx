/** @jsxRuntime automatic */
/** @jsxImportSource npm:preact@10.29.8 */
/**
 * The run page's live view: progress while it runs ({@link useRunStream}), then the threshold card with its
 * tolerance control, the figures (the same figure specs the report renders), the fits and the run's details.
 * @module
 */
import { useEffect, useMemo, useState } from "npm:preact@10.29.8/hooks";
import { CURVES } from "../lib/config/choices.ts";
import type { FieldInfo } from "../lib/config/fields.ts";
import { tolerancesOf } from "../lib/config/resolve.ts";
import {
  defaultView,
  figureSource,
  type FigureView,
  runFigures,
  viewThresholds,
} from "../lib/present/figures.ts";
import { fmt, fmtDuration, fmtInt, fmtTime, plural } from "../lib/present/format.ts";
import { datasetLabel } from "../lib/present/labels.ts";
import { FigureBox } from "../lib/present/components/FigureBox.tsx";
import { FitsTable } from "../lib/present/components/FitsTable.tsx";
import { api } from "../components/api.ts";
import { ChartCanvas } from "../components/Chart.tsx";
import { useHydrated } from "../components/hooks.ts";
import { StatusBadge } from "../components/StatusBadge.tsx";
import { DetailsCards } from "../components/run/DetailsCards.tsx";
import { ErrorCard } from "../components/run/ErrorCard.tsx";
import { OverviewCard } from "../components/run/OverviewCard.tsx";
import { ProgressCard } from "../components/run/ProgressCard.tsx";
import { ThresholdCard } from "../components/run/ThresholdCard.tsx";
import { useRunStream } from "../components/run/useRunStream.ts";
import { isFinal, type RunDetail } from "../server/types.ts";

/** Props of the run view. */
export interface RunViewProps {
  run: RunDetail;
  /** The tolerance field (for the tolerance box's range). */
  tolerance: Pick<FieldInfo, "min" | "max">;
}

export default function RunView({ run: initial, tolerance: tolField }: RunViewProps) {
  const hydrated = useHydrated();
  const { run, result, notice, setRun, setNotice } = useRunStream(initial);
  const live = !isFinal(run.status);
  const cfg = run.config;
  // What the reader chose; the tolerances are the run's own: the result's once it is in, else the configured.
  const [choice, setChoice] = useState<Omit<FigureView, "tolerances">>({
    curve: "empirical",
    smoothed: true,
    logX: true,
  });
  const tolerances = useMemo(
    () => (result ? defaultView(result).tolerances : tolerancesOf(cfg)),
    [result, cfg],
  );
  const view: FigureView = { ...choice, tolerances };
  // A tolerance the reader picked; until then the figures show the run's own, as the report does.
  const [picked, setPicked] = useState<number | null>(null);
  const tol = picked ?? tolerances[0];
  const [now, setNow] = useState(() =>
    Date.parse(initial.finishedAt ?? initial.startedAt ?? initial.createdAt)
  );
  useEffect(() => {
    if (run.status !== "running") return;
    setNow(Date.now());
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [run.status]);

  const partial = run.partial;
  const curves = result?.curves ?? partial?.curves ?? null;
  const src = useMemo(() => {
    if (!curves?.empirical?.length) return null;
    const base = result ?? { ...partial, curves, config: cfg };
    return figureSource(base as Parameters<typeof figureSource>[0]);
  }, [result, curves, cfg]);
  const shown: FigureView = picked === null ? view : { ...view, tolerances: [picked] };
  const figs = useMemo(() => (src ? runFigures(src, shown) : null), [src, choice, tolerances, picked]);
  const one: FigureView = { ...view, tolerances: [tol] };
  // k* at the tolerance on every curve (the fits table); the view's curve is the threshold card's.
  const atTol = useMemo(
    () => (src ? CURVES.map((c) => viewThresholds(src, { ...one, curve: c })[0]) : []),
    [src, choice, tol],
  );
  const threshold = atTol[CURVES.indexOf(view.curve)] ?? null;

  const act = (f: () => Promise<void>) => async () => {
    try {
      await f();
    } catch (e) {
      setNotice((e as Error).message);
    }
  };
  const cancel = act(async () => {
    await api.remove(run.id);
    const { result: _r, ...rest } = await api.get(run.id);
    setRun(rest);
  });
  const resubmit = act(async () => {
    const r = await api.resubmit(run.id);
    location.assign(`/runs/${encodeURIComponent(r.id)}`);
  });
  const remove = act(async () => {
    if (!confirm(`Delete run ${run.id} and its result?`)) return;
    await api.remove(run.id);
    location.assign("/");
  });

  const started = run.startedAt ? Date.parse(run.startedAt) : null;
  const elapsed = run.status === "running" && started !== null
    ? Math.max(0, (now - started) / 1000)
    : run.duration;
  const id = encodeURIComponent(run.id);
  const K = curves ? curves.k?.length ?? curves.empirical.length + 1 : 0;

  return (
    <div class="run-view" data-status={run.status} data-hydrated={hydrated ? "1" : undefined}>
      <div class="page-head">
        <div>
          <div class="crumbs">
            <a href="/">Runs</a> / {run.sweepId
              ? (
                <>
                  <a href={`/sweeps/${encodeURIComponent(run.sweepId)}`} data-testid="sweep-link">
                    sweep <span class="mono">{run.sweepId}</span>
                  </a>{" "}
                  /{" "}
                </>
              )
              : null}
            <span class="mono">{run.id}</span>
          </div>
          <h1>
            {datasetLabel(cfg.dataset)} <span class="muted">·</span> <span class="mono">{cfg.model}</span>
          </h1>
          <div class="meta-line">
            <StatusBadge status={run.status} />
            <span>d = {cfg.d}</span>
            <span>{plural(cfg.mcDraws, "draw")}</span>
            <span>σ = {fmt(cfg.sigma)}</span>
            <span>B = {cfg.batchSize}</span>
            <span>{cfg.limit === null ? "all samples" : `${fmtInt(cfg.limit)} samples`}</span>
            <span>{plural(cfg.epochs, "epoch")}</span>
            <span class="muted">submitted {fmtTime(run.createdAt)}</span>
            {run.worker
              ? (
                <span data-testid="worker">
                  on worker <span class="mono">{run.worker}</span>
                </span>
              )
              : null}
            {run.attempts > 1 || run.retries.length
              ? <span data-testid="attempts">attempt {run.attempts}</span>
              : null}
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
      {run.retries.length
        ? (
          <section class="card notice" data-testid="retries">
            <div class="card-title">
              Retried {run.retries.length === 1 ? "once" : `${run.retries.length} times`}
            </div>
            <ul>
              {run.retries.map((r, i) => <li key={i}>{fmtTime(r.at)}: {r.reason}</li>)}
            </ul>
          </section>
        )
        : null}
      {live ? <ProgressCard run={run} /> : null}
      <ErrorCard run={run} onResubmit={resubmit} />

      {src && threshold
        ? (
          <div class="grid-2">
            <ThresholdCard
              threshold={threshold}
              fit={src.fits.find((f) => f.curve === view.curve) ?? null}
              batchSize={cfg.batchSize}
              batches={K}
              values={(view.smoothed ? curves!.smoothed?.[view.curve] : curves![view.curve]) ?? []}
              tolerances={tolerances}
              field={tolField}
              curve={view.curve}
              smoothed={view.smoothed}
              partial={live}
              orderings={src.uncertainty?.orderings}
              onTolerance={setPicked}
              onCurve={(c) => setChoice((v) => ({ ...v, curve: c }))}
              onSmoothed={(s) => setChoice((v) => ({ ...v, smoothed: s }))}
            />
            <OverviewCard run={run} result={result} />
          </div>
        )
        : live
        ? (
          <section class="card placeholder">
            <p>
              The Δ<sub>k</sub> curves and k* appear when the projection stage finishes.
            </p>
          </section>
        )
        : null}

      {figs
        ? (
          <>
            <div class="chart-toolbar">
              <h2>Curves</h2>
              <label class="check">
                <input
                  type="checkbox"
                  checked={view.logX}
                  onChange={(e) =>
                    setChoice((v) => ({ ...v, logX: (e.currentTarget as HTMLInputElement).checked }))}
                />
                log k axis
              </label>
            </div>
            <section class="card chart-card wide">
              <FigureBox figure={figs.delta} wide>
                <ChartCanvas figure={figs.delta} height={380} />
              </FigureBox>
            </section>
            <div class="grid-2">
              <section class="card chart-card">
                <FigureBox figure={figs.scaled}>
                  <ChartCanvas figure={figs.scaled} />
                </FigureBox>
              </section>
              <section class="card chart-card">
                <FigureBox figure={figs.eigen}>
                  <ChartCanvas figure={figs.eigen} />
                </FigureBox>
              </section>
              {figs.spectrum
                ? (
                  <section class="card chart-card">
                    <FigureBox figure={figs.spectrum}>
                      <ChartCanvas figure={figs.spectrum} height={260} />
                    </FigureBox>
                  </section>
                )
                : null}
              {figs.kStarHistogram
                ? (
                  <section class="card chart-card" data-testid="kstar-histogram">
                    <FigureBox figure={figs.kStarHistogram}>
                      <ChartCanvas figure={figs.kStarHistogram} height={260} />
                    </FigureBox>
                  </section>
                )
                : null}
              {figs.learningCurve
                ? (
                  <section class="card chart-card" data-testid="learning-curve">
                    <FigureBox figure={figs.learningCurve}>
                      <ChartCanvas figure={figs.learningCurve} height={260} />
                    </FigureBox>
                  </section>
                )
                : null}
              <section class="card">
                <div class="card-title">
                  Power-law fits Δ<sub>k</sub> ≈ C·k<sup>−α</sup> and k* at Δ<sub>tol</sub> = {fmt(tol)}
                </div>
                <FitsTable fits={src!.fits} at={atTol} />
              </section>
            </div>
          </>
        )
        : null}
      {result ? <DetailsCards result={result} id={id} /> : null}
    </div>
  );
}
