/** @jsxRuntime automatic */
/** @jsxImportSource npm:preact@10.29.8 */
/**
 * The compare page: Δ_k of several finished runs overlaid (against k or |D| = k·B) with each run's k* at a
 * common tolerance, and a table of their thresholds.
 * @module
 */
import { useEffect, useMemo, useState } from "npm:preact@10.29.8/hooks";
import type { AnalysisResult, CurveName } from "../lib/analysis/types.ts";
import { api } from "../components/api.ts";
import { ChartCanvas } from "../components/Chart.tsx";
import { compareChart, PALETTE } from "../components/charts.ts";
import { CURVE_LABELS, CURVE_NAMES, datasetLabel, fmt, fmtInt, fmtTime } from "../components/format.ts";
import { curveValues, thresholdFor } from "../components/threshold.ts";
import type { RunSummary } from "../server/types.ts";
import { useHydrated } from "../components/hooks.ts";

export interface CompareViewProps {
  /** Finished runs that can be compared. */
  runs: RunSummary[];
  /** Initially selected run ids. */
  selected: string[];
}

export default function CompareView({ runs, selected: initial }: CompareViewProps) {
  const hydrated = useHydrated();
  const [selected, setSelected] = useState<string[]>(initial.filter((id) => runs.some((r) => r.id === id)));
  const [results, setResults] = useState<Record<string, AnalysisResult>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [curve, setCurve] = useState<CurveName>("empirical");
  const [smoothed, setSmoothed] = useState(true);
  const [bySamples, setBySamples] = useState(false);
  const [logX, setLogX] = useState(true);
  const firstTol = runs.find((r) => r.id === initial[0])?.tolerance ?? runs[0]?.tolerance ?? 0.025;
  const [tol, setTol] = useState(firstTol);

  useEffect(() => {
    for (const id of selected) {
      if (results[id] || errors[id]) continue;
      api.result(id)
        .then((r) => setResults((m) => ({ ...m, [id]: r })))
        .catch((e) => setErrors((m) => ({ ...m, [id]: (e as Error).message })));
    }
    const url = new URL(location.href);
    if (selected.length) url.searchParams.set("ids", selected.join(","));
    else url.searchParams.delete("ids");
    history.replaceState(null, "", url);
  }, [selected]);

  const colorOf = (id: string) => PALETTE[runs.findIndex((r) => r.id === id) % PALETTE.length];
  const rows = useMemo(() =>
    selected.filter((id) => results[id]).map((id) => {
      const r = results[id];
      const th = thresholdFor(r.curves, r.fits, r.config.batchSize, curve, smoothed, tol);
      return { id, r, th, color: colorOf(id) };
    }), [selected, results, curve, smoothed, tol]);
  const spec = useMemo(() =>
    compareChart(
      rows.map(({ id, r, th, color }) => ({
        label: `${datasetLabel(r.config.dataset)} · ${r.config.model} · B ${r.config.batchSize} (${id})`,
        values: curveValues(r.curves, curve, smoothed),
        batchSize: r.config.batchSize,
        kStar: th.kStar,
        color,
      })),
      { bySamples, logX, tolerance: tol },
    ), [rows, bySamples, logX, tol, curve, smoothed]);

  const toggle = (id: string) => setSelected((s) => s.includes(id) ? s.filter((x) => x !== id) : [...s, id]);

  if (runs.length === 0) {
    return (
      <section class="card empty">
        <p>No finished runs to compare yet.</p>
        <p class="muted">
          Runs appear here when they are done. <a href="/">Submit one</a>.
        </p>
      </section>
    );
  }
  return (
    <div class="compare" data-hydrated={hydrated ? "1" : undefined}>
      <div class="grid-side">
        <section class="card">
          <div class="card-title">Runs</div>
          <ul class="pick-list" data-testid="compare-runs">
            {runs.map((r) => (
              <li key={r.id}>
                <label class="check">
                  <input type="checkbox" checked={selected.includes(r.id)} onChange={() => toggle(r.id)} />
                  <span class="swatch" style={{ background: colorOf(r.id) }} />
                  <span>
                    <strong>{datasetLabel(r.config.dataset)}</strong>{" "}
                    <span class="mono">{r.config.model}</span>
                    <span class="sub">
                      B {r.config.batchSize} · d {r.config.d} · K {r.config.samples} · k* {r.kStar ?? "n/r"} ·
                      {" "}
                      {fmtTime(r.createdAt)}
                    </span>
                  </span>
                </label>
                {errors[r.id] ? <span class="form-message">{errors[r.id]}</span> : null}
              </li>
            ))}
          </ul>
        </section>
        <div>
          <section class="card">
            <div class="controls flush">
              <label>
                <span class="field-label">Curve</span>
                <select
                  value={curve}
                  onChange={(e) => setCurve((e.currentTarget as HTMLSelectElement).value as CurveName)}
                >
                  {(["empirical", "theory", "secondOrder"] as const).map((c) => (
                    <option key={c} value={c}>{CURVE_LABELS[c]}</option>
                  ))}
                </select>
              </label>
              <label>
                <span class="field-label">
                  Tolerance Δ<sub>tol</sub>
                </span>
                <input
                  type="number"
                  step="any"
                  min="0"
                  value={tol}
                  class="tol-input"
                  onInput={(e) => {
                    const t = Number((e.currentTarget as HTMLInputElement).value);
                    if (t > 0 && Number.isFinite(t)) setTol(t);
                  }}
                />
              </label>
              <label class="check">
                <input
                  type="checkbox"
                  checked={smoothed}
                  onChange={(e) => setSmoothed((e.currentTarget as HTMLInputElement).checked)}
                />
                smoothed
              </label>
              <label class="check">
                <input
                  type="checkbox"
                  checked={bySamples}
                  onChange={(e) => setBySamples((e.currentTarget as HTMLInputElement).checked)}
                />
                x = samples |D| = k·B
              </label>
              <label class="check">
                <input
                  type="checkbox"
                  checked={logX}
                  onChange={(e) => setLogX((e.currentTarget as HTMLInputElement).checked)}
                />
                log x axis
              </label>
            </div>
          </section>
          <section class="card chart-card">
            <div class="card-title">
              Δ<sub>k</sub> ({smoothed ? "smoothed " : ""}
              {CURVE_NAMES[curve]}) and k* per run
            </div>
            {rows.length
              ? <ChartCanvas name="compare" config={spec} height={420} />
              : (
                <p class="muted placeholder">
                  {selected.length ? "Loading results…" : "Select runs on the left to overlay them."}
                </p>
              )}
          </section>
          {rows.length
            ? (
              <section class="card">
                <table class="runs" data-testid="compare-table">
                  <thead>
                    <tr>
                      <th />
                      <th>Run</th>
                      <th>Dataset</th>
                      <th>Model</th>
                      <th class="num">B</th>
                      <th class="num">d</th>
                      <th class="num">K</th>
                      <th class="num">σ</th>
                      <th class="num">k*</th>
                      <th class="num">|D|</th>
                      <th class="num">predicted |D|</th>
                    </tr>
                  </thead>
                  <tbody>
                    {rows.map(({ id, r, th, color }) => (
                      <tr key={id}>
                        <td>
                          <span class="swatch" style={{ background: color }} />
                        </td>
                        <td class="mono">
                          <a href={`/runs/${encodeURIComponent(id)}`}>{id}</a>
                        </td>
                        <td>{datasetLabel(r.config.dataset)}</td>
                        <td class="mono">{r.config.model}</td>
                        <td class="num">{r.config.batchSize}</td>
                        <td class="num">{r.config.d}</td>
                        <td class="num">{r.config.samples}</td>
                        <td class="num">{fmt(r.config.sigma)}</td>
                        <td class="num strong">{th.kStar === null ? "n/r" : fmtInt(th.kStar)}</td>
                        <td class="num">{fmtInt(th.samples)}</td>
                        <td class="num">
                          {th.predictedSamples === null ? "—" : `≈ ${fmtInt(th.predictedSamples)}`}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </section>
            )
            : null}
        </div>
      </div>
    </div>
  );
}
