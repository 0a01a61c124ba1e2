/** @jsxRuntime automatic */
/** @jsxImportSource npm:preact@10.29.8 */
/**
 * The headline of a threshold: k* and |D| = k*·B with L_k at k*, or "not reached" with what the tail fit
 * predicts. The report's threshold cards and the dashboard's threshold card show this.
 * @module
 */
import type { JSX } from "npm:preact@10.29.8";
import type { PowerFit, Threshold } from "../../analysis/types.ts";
import { fmt, fmtInt, fmtShareDown, fmtTolerance } from "../format.ts";
import { intervalCell, thresholdCell } from "../threshold_view.ts";

/** Props of {@link ThresholdHeadline}. */
export interface ThresholdHeadlineProps {
  /** The threshold shown (with its interval over batch orders, when the run has one). */
  threshold: Threshold;
  /** The fit the prediction comes from (the threshold's curve). */
  fit: PowerFit | null;
  /** B. */
  batchSize: number;
  /** K, the batches analysed. */
  batches: number;
  /** The number of batch orders behind the interval, for its sentence. */
  orderings?: number;
}

/** The interval of k* over batch orders, in one line (nothing when the run has none). */
export function IntervalLine(
  { threshold: t, batchSize, orderings }: Pick<
    ThresholdHeadlineProps,
    "threshold" | "batchSize" | "orderings"
  >,
): JSX.Element | null {
  const iv = t.interval;
  if (!iv) return null;
  const cell = intervalCell(iv, batchSize, orderings);
  return (
    <p class="interval" data-testid="interval" title={cell.note}>
      <span class="eyebrow">{cell.heading}</span> {iv.low !== null
        ? (
          <>
            k* <strong data-testid="interval-k">{fmtInt(iv.low)}–{fmtInt(iv.high)}</strong>, |D|{" "}
            {cell.samples} · median {fmtInt(iv.median)}
            {iv.reached < 1 ? ` · ${fmtShareDown(iv.reached)} of orders reach it` : ""}
          </>
        )
        : <strong data-testid="interval-k">{cell.k}</strong>}
      {orderings ? <span class="muted">({fmtInt(orderings)} batch orders)</span> : null}
    </p>
  );
}

/** k*, |D| and L_k at k*, or the prediction when not reached. */
export function ThresholdHeadline(
  { threshold: t, fit, batchSize, batches, orderings }: ThresholdHeadlineProps,
): JSX.Element {
  const interval = <IntervalLine threshold={t} batchSize={batchSize} orderings={orderings} />;
  const cell = thresholdCell(t);
  if (cell.kind === "reached") {
    return (
      <div class="headline reached">
        <div class="headline-numbers">
          <div>
            <div class="eyebrow">k*</div>
            <div class="kstar" data-testid="kstar">{cell.k}</div>
          </div>
          <div>
            <div class="eyebrow">|D| = k*·B</div>
            <div class="kstar-samples" data-testid="samples">
              {cell.samples} <span class="unit">samples</span>
            </div>
          </div>
        </div>
        <dl class="stats">
          <dt>
            L<sub>k</sub> at k*
          </dt>
          <dd>{fmt(t.lossAtK, 4)}</dd>
          <dt>batch size B</dt>
          <dd>{fmtInt(batchSize)}</dd>
        </dl>
        {interval}
      </div>
    );
  }
  return (
    <div class="headline not-reached">
      <div class="headline-numbers">
        <div>
          <div class="eyebrow">k*</div>
          <div class="kstar miss" data-testid="kstar">not reached</div>
        </div>
        <div>
          <div class="eyebrow">|D| = k*·B</div>
          <div class="kstar-samples" data-testid="samples">
            {cell.kind === "predicted"
              ? <span class="predicted" title={cell.note}>{cell.samples}</span>
              : <span class="muted">n/a</span>} <span class="unit">samples</span>
          </div>
        </div>
      </div>
      <p class="prediction" data-testid="prediction">
        Δ<sub>k</sub> stays above {fmtTolerance(t.tolerance)} within the {fmtInt(batches)} analysed batches.
        {" "}
        {cell.kind === "predicted" && fit
          ? (
            <>
              The tail fit Δ<sub>k</sub> ≈ {fmt(fit.C)}·k<sup>−{fmt(fit.alpha)}</sup> (r²{" "}
              {fmt(fit.r2, 2)}) predicts k* ≈ <strong>{fmtInt(t.predictedKStar)}</strong>{" "}
              (power-law extrapolation), about <strong>{fmtInt(t.predictedSamples)}</strong>{" "}
              samples ({fmt(t.predictedKStar! / batches, 2)}× the data used).
            </>
          )
          : "The tail does not fit a decaying power law (no decay or r² < 0.5), so no size is predicted."}
      </p>
      {interval}
    </div>
  );
}
