/**
 * k* in the browser: the threshold for any tolerance, curve and smoothing, computed from a result's curves
 * (same definitions as the analysis: `lib/analysis/thresholds.ts`), so the tolerance control needs no
 * recomputation on the server.
 * @module
 */
import { fitPowerLaw, movingAverage, thresholdOf } from "../lib/analysis/thresholds.ts";
import type { AnalysisResult, CurveName, PowerFit, Threshold } from "../lib/analysis/types.ts";

/** The curves a threshold can be read from (a result's, or a partial result's). */
export type Curves = AnalysisResult["curves"];

/** A threshold as the browser shows it: the analysis's {@link Threshold} with its fit and curve length. */
export interface ThresholdView extends Threshold {
  fit: PowerFit | null;
  /** Number of Δ values (K − 1). */
  points: number;
}

/** The Δ values of a curve (smoothed or raw). */
export function curveValues(curves: Curves, curve: CurveName, smoothed: boolean): number[] {
  const raw = curves[curve] ?? [];
  if (!smoothed) return raw;
  return curves.smoothed?.[curve] ?? movingAverage(raw);
}

/** The power-law fit of a curve: the result's, else fitted here (partial results have none). */
export function fitOf(curves: Curves, fits: PowerFit[] | undefined, curve: CurveName): PowerFit | null {
  const f = fits?.find((x) => x.curve === curve);
  if (f) return f;
  const g = fitPowerLaw(curves[curve] ?? []);
  return g ? { curve, ...g } : null;
}

/** The threshold for a tolerance on a curve. */
export function thresholdFor(
  curves: Curves,
  fits: PowerFit[] | undefined,
  batchSize: number,
  curve: CurveName,
  smoothed: boolean,
  tolerance: number,
): ThresholdView {
  const fit = fitOf(curves, fits, curve);
  return {
    ...thresholdOf(curves, fit, batchSize, curve, smoothed, tolerance),
    fit,
    points: curveValues(curves, curve, smoothed).length,
  };
}

/** A log-scale slider range [lo, hi] (powers of ten) that covers a curve's positive values and `tol`. */
export function toleranceRange(values: number[], tol: number): [number, number] {
  const pos = values.filter((v) => Number.isFinite(v) && v > 0);
  const min = Math.min(tol, ...pos), max = Math.max(tol, ...pos);
  return [10 ** Math.floor(Math.log10(min)), 10 ** Math.ceil(Math.log10(max) + 1e-9)];
}
