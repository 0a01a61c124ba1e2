/** @jsxRuntime automatic */
/** @jsxImportSource npm:preact@10.29.8 */
/**
 * The threshold card: k* and |D| (or the prediction) for the tolerance, curve and smoothing the reader picks.
 * k*, the chart markers and the fits table move in the browser; nothing is recomputed on the server. A typed
 * tolerance that is not one is an error next to the box, and the shown k* stays with the last valid one. The
 * interval over batch orders moves with the tolerance too, read from the stored replicates.
 * @module
 */
import { useState } from "npm:preact@10.29.8/hooks";
import type { PowerFit, Threshold } from "../../lib/analysis/types.ts";
import { type CurveName, CURVES } from "../../lib/config/choices.ts";
import type { FieldInfo } from "../../lib/config/fields.ts";
import { fmt, fmtTolerance } from "../../lib/present/format.ts";
import { CURVE_DESCRIPTIONS, CURVE_LABELS } from "../../lib/present/labels.ts";
import { ThresholdHeadline } from "../../lib/present/components/ThresholdHeadline.tsx";
import { parseTolerance, toleranceRange } from "../tolerance.ts";

/** Props of {@link ThresholdCard}. */
export interface ThresholdCardProps {
  threshold: Threshold;
  fit: PowerFit | null;
  batchSize: number;
  batches: number;
  /** The values of the chosen curve (for the slider's range). */
  values: number[];
  /** The tolerances the run was configured with (shown as chips). */
  tolerances: number[];
  /** The tolerance field (its range checks the box). */
  field: Pick<FieldInfo, "min" | "max">;
  curve: CurveName;
  smoothed: boolean;
  partial: boolean;
  /** Batch orders behind the threshold's interval (when the run has them). */
  orderings?: number;
  onTolerance(t: number): void;
  onCurve(c: CurveName): void;
  onSmoothed(s: boolean): void;
}

const round3 = (x: number) => Number(x.toPrecision(3));

/** The card. */
export function ThresholdCard(p: ThresholdCardProps) {
  const tol = p.threshold.tolerance;
  const [text, setText] = useState(String(tol));
  const [error, setError] = useState<string | null>(null);
  const [lo, hi] = toleranceRange(p.values, tol);
  const apply = (t: number) => {
    setText(String(t));
    setError(null);
    p.onTolerance(t);
  };
  return (
    <section class="card threshold-card" data-testid="threshold-card">
      <div class="card-title">
        Threshold {p.partial ? <span class="badge badge-partial">partial</span> : null}
      </div>
      <ThresholdHeadline
        threshold={p.threshold}
        fit={p.fit}
        batchSize={p.batchSize}
        batches={p.batches}
        orderings={p.orderings}
      />
      <dl class="stats">
        <dt>
          Tolerance Δ<sub>tol</sub>
        </dt>
        <dd data-testid="tolerance">{fmt(tol)}</dd>
        <dt>Curve</dt>
        <dd title={CURVE_DESCRIPTIONS[p.curve]}>
          {p.smoothed ? "smoothed " : ""}
          {CURVE_LABELS[p.curve].toLowerCase()}
        </dd>
      </dl>
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
              onInput={(e) => apply(round3(10 ** Number((e.currentTarget as HTMLInputElement).value)))}
            />
            <input
              type="text"
              inputMode="decimal"
              class={`tol-input${error ? " invalid" : ""}`}
              value={text}
              aria-invalid={error ? "true" : undefined}
              data-testid="tol-input"
              onInput={(e) => {
                const v = (e.currentTarget as HTMLInputElement).value;
                setText(v);
                const r = parseTolerance(v, p.field);
                if (r.ok) {
                  setError(null);
                  p.onTolerance(r.value);
                } else setError(r.error);
              }}
            />
          </div>
          {error ? <span class="field-error" role="alert" data-testid="tol-error">{error}</span> : null}
        </label>
        <label>
          <span class="field-label">Curve</span>
          <select
            value={p.curve}
            onChange={(e) => p.onCurve((e.currentTarget as HTMLSelectElement).value as CurveName)}
          >
            {CURVES.map((c) => <option key={c} value={c}>{CURVE_LABELS[c]}</option>)}
          </select>
        </label>
        <label class="check">
          <input
            type="checkbox"
            checked={p.smoothed}
            onChange={(e) => p.onSmoothed((e.currentTarget as HTMLInputElement).checked)}
          />
          smoothed (5-point moving average)
        </label>
        <div class="chips">
          {p.tolerances.map((t) => (
            <button
              key={t}
              type="button"
              class={`chip${t === tol ? " active" : ""}`}
              onClick={() => apply(t)}
            >
              {fmtTolerance(t)}
            </button>
          ))}
        </div>
      </div>
    </section>
  );
}
