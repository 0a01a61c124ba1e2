/** @jsxRuntime automatic */
/** @jsxImportSource npm:preact@10.29.8 */
/**
 * The compare page: Δ_k of several finished runs overlaid (against k or |D| = k·B) with each run's k* at a
 * common tolerance, and a table of their thresholds.
 * @module
 */
import { useEffect, useMemo, useState } from "npm:preact@10.29.8/hooks";
import type { AnalysisResult, CurveName } from "../lib/analysis/types.ts";
import type { FieldInfo } from "../lib/config/fields.ts";
import { api } from "../components/api.ts";
import { ChartCanvas } from "../components/Chart.tsx";
import { CURVES } from "../lib/config/choices.ts";
import { compareFigure, figureSource, viewThresholds } from "../lib/present/figures.ts";
import { fmt, fmtTime } from "../lib/present/format.ts";
import { CURVE_LABELS, datasetLabel } from "../lib/present/labels.ts";
import { seriesColor } from "../lib/present/palette.ts";
import { KStarCells, ThresholdValue } from "../lib/present/components/ThresholdValue.tsx";
import { FigureBox } from "../lib/present/components/FigureBox.tsx";
import { parseTolerance } from "../components/tolerance.ts";
import type { RunSummary } from "../server/types.ts";
import { useHydrated } from "../components/hooks.ts";

export interface CompareViewProps {
  /** Finished runs that can be compared. */
  runs: RunSummary[];
  /** Initially selected run ids. */
  selected: string[];
  /** Requested ids that are not finished runs here (unknown, or not done). */
  missing: string[];
  /** The tolerance field (for the tolerance box's range). */
  tolerance: Pick<FieldInfo, "min" | "max">;
}

export default function CompareView(
  { runs, selected: initial, missing, tolerance: tolField }: CompareViewProps,
) {
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
  const [tolText, setTolText] = useState(String(firstTol));
  const [tolError, setTolError] = useState<string | null>(null);

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

  const rows = useMemo(() =>
    selected.filter((id) => results[id]).map((id) => {
      const r = results[id];
      const th = viewThresholds(figureSource(r), {
        curve,
        smoothed,
        tolerances: [tol],
        logX,
      })[0];
      return { id, r, th };
    }), [selected, results, curve, smoothed, tol]);
  const spec = useMemo(() =>
    compareFigure(
      rows.map(({ id, r, th }) => ({
        label: `${datasetLabel(r.config.dataset)} · ${r.config.model} · B ${r.config.batchSize} (${id})`,
        values: (smoothed ? r.curves.smoothed?.[curve] : r.curves[curve]) ?? [],
        batchSize: r.config.batchSize,
        kStar: th.kStar,
      })),
      {
        bySamples,
        logX,
        tolerance: tol,
        curveName: `${smoothed ? "smoothed " : ""}${CURVE_LABELS[curve].toLowerCase()}`,
      },
    ), [rows, bySamples, logX, tol, curve, smoothed]);
  const colorOf = (id: string) => seriesColor(rows.findIndex((x) => x.id === id));

  const toggle = (id: string) => setSelected((s) => s.includes(id) ? s.filter((x) => x !== id) : [...s, id]);

  const missingNote = missing.length
    ? (
      <p class="form-message" data-testid="compare-missing">
        Not shown: {missing.join(", ")} — no finished run with{" "}
        {missing.length === 1 ? "that id" : "those ids"}.
      </p>
    )
    : null;

  if (runs.length === 0) {
    return (
      <section class="card empty">
        {missingNote}
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
                      B {r.config.batchSize} · d {r.config.d} · {r.config.mcDraws} draws · k*{" "}
                      <ThresholdValue threshold={r.headline} /> · {fmtTime(r.createdAt)}
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
                  {CURVES.map((c) => <option key={c} value={c}>{CURVE_LABELS[c]}</option>)}
                </select>
              </label>
              <label>
                <span class="field-label">
                  Tolerance Δ<sub>tol</sub>
                </span>
                <input
                  type="text"
                  inputMode="decimal"
                  value={tolText}
                  class={`tol-input${tolError ? " invalid" : ""}`}
                  aria-invalid={tolError ? "true" : undefined}
                  onInput={(e) => {
                    const v = (e.currentTarget as HTMLInputElement).value;
                    setTolText(v);
                    const p = parseTolerance(v, tolField);
                    if (p.ok) {
                      setTol(p.value);
                      setTolError(null);
                    } else setTolError(p.error);
                  }}
                />
                {tolError ? <span class="field-error" role="alert">{tolError}</span> : null}
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
          {missingNote}
          <section class="card chart-card">
            {rows.length
              ? (
                <FigureBox figure={spec}>
                  <ChartCanvas figure={spec} height={420} />
                </FigureBox>
              )
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
                      <th class="num">draws</th>
                      <th class="num">σ</th>
                      <th class="num">k*</th>
                      <th class="num">|D|</th>
                    </tr>
                  </thead>
                  <tbody>
                    {rows.map(({ id, r, th }) => (
                      <tr key={id}>
                        <td>
                          <span class="swatch" style={{ background: colorOf(id) }} />
                        </td>
                        <td class="mono">
                          <a href={`/runs/${encodeURIComponent(id)}`}>{id}</a>
                        </td>
                        <td>{datasetLabel(r.config.dataset)}</td>
                        <td class="mono">{r.config.model}</td>
                        <td class="num">{r.config.batchSize}</td>
                        <td class="num">{r.config.d}</td>
                        <td class="num">{r.config.mcDraws}</td>
                        <td class="num">{fmt(r.config.sigma)}</td>
                        <KStarCells threshold={th} />
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
