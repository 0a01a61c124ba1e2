/**
 * Smoothing, the threshold k*, and the power-law tail fit with its extrapolation.
 * @module
 */
import { CURVES } from "../config/choices.ts";
import { REPLICATE_KEYS } from "./intervals.ts";
import type { AnalysisResult, CurveName, PowerFit, Threshold } from "./types.ts";

/**
 * The headline threshold of a result: empirical, smoothed, at `tolerance` (default: the first tolerance).
 * Undefined when the result has no such threshold.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { headlineThreshold, thresholdsOf } from "kstar";
 * const curves = { loss: [1, 0.8, 0.7, 0.65], empirical: [0.3, 0.02, 0.01] };
 * const thresholds = thresholdsOf(curves, [], 64, [0.025]);
 * const t = headlineThreshold({ thresholds })!;
 * assert.deepEqual([t.curve, t.smoothed, t.tolerance], ["empirical", true, 0.025]);
 * ```
 */
export function headlineThreshold(
  r: Pick<AnalysisResult, "thresholds">,
  tolerance: number | undefined = r.thresholds[0]?.tolerance,
): Threshold | undefined {
  return tolerance === undefined ? undefined : findThreshold(r, tolerance) ?? undefined;
}

/**
 * The threshold of a curve, smoothing and tolerance in a result, or null.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { findThreshold, thresholdsOf } from "kstar";
 * const thresholds = thresholdsOf({ loss: [1, 1, 1, 1], theory: [0.5, 0.05, 0.01] }, [], 32, [0.1]);
 * assert.equal(findThreshold({ thresholds }, 0.1, "theory", false)?.kStar, 2);
 * assert.equal(findThreshold({ thresholds }, 0.2), null);
 * ```
 */
export function findThreshold(
  r: Pick<AnalysisResult, "thresholds">,
  tolerance: number,
  curve: CurveName = "empirical",
  smoothed = true,
): Threshold | null {
  return r.thresholds.find((t) =>
    t.curve === curve && t.smoothed === smoothed && t.tolerance === tolerance
  ) ?? null;
}

/**
 * The paper's smoothing: a centred moving average over `window` points (default 5), edges replicated.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { movingAverage } from "kstar";
 * assert.deepEqual(movingAverage([0, 0, 5, 0, 0]), [1, 1, 1, 1, 1]);
 * assert.deepEqual(movingAverage([1, 2, 3]).map((x) => +x.toFixed(12)), [1.6, 2, 2.4]); // edges replicated
 * ```
 */
export function movingAverage(values: ArrayLike<number>, window = 5): number[] {
  const n = values.length, h = Math.floor(window / 2);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = i - h; j <= i + h; j++) s += values[Math.min(n - 1, Math.max(0, j))];
    out.push(s / (2 * h + 1));
  }
  return out;
}

/**
 * `k* = inf{k : Δ_k' < tol for all k' ≥ k}` for `delta[k−1] = Δ_k`; null when the last value is not below
 * `tol` (the data end first). Non-finite values count as "not below".
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { kStar } from "kstar";
 * assert.equal(kStar([0.5, 0.01, 0.2, 0.01, 0.005], 0.1), 4);
 * assert.equal(kStar([0.5, 0.2], 0.1), null);
 * ```
 */
export function kStar(delta: ArrayLike<number>, tol: number): number | null {
  let k: number | null = null;
  for (let i = delta.length - 1; i >= 0; i--) {
    if (Number.isFinite(delta[i]) && delta[i] < tol) k = i + 1;
    else break;
  }
  return k;
}

/** A least-squares fit of log Δ_k = log C − α log k. */
export interface PowerLaw {
  /** The prefactor C > 0 (the fitted Δ at k = 1). */
  C: number;
  /** The decay exponent α: Δ_k ≈ C·k^(−α); > 0 for a decaying curve. */
  alpha: number;
  /** Coefficient of determination of the log–log fit, in [0, 1]. */
  r2: number;
  /** First k (1-based, inclusive) of the fitted range. */
  fromK: number;
  /** Last k (inclusive) of the fitted range. */
  toK: number;
}

/**
 * Fits `Δ_k ≈ C·k^(−α)` on k in [fromK, toK] (default: the last three quarters of the curve), skipping
 * non-positive values. Null when fewer than 3 usable points.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fitPowerLaw } from "kstar";
 * const f = fitPowerLaw([1, 2, 3, 4, 5, 6, 7, 8].map((k) => 3 / k ** 2), 1)!;
 * assert.deepEqual([f.alpha.toFixed(3), f.C.toFixed(3), f.r2.toFixed(3)], ["2.000", "3.000", "1.000"]);
 * ```
 */
export function fitPowerLaw(
  delta: ArrayLike<number>,
  fromK = Math.max(1, Math.floor(delta.length / 4) + 1),
  toK = delta.length,
): PowerLaw | null {
  const xs: number[] = [], ys: number[] = [];
  for (let k = fromK; k <= toK; k++) {
    const v = delta[k - 1];
    if (Number.isFinite(v) && v > 0) {
      xs.push(Math.log(k));
      ys.push(Math.log(v));
    }
  }
  const n = xs.length;
  if (n < 3) return null;
  const mx = xs.reduce((a, b) => a + b) / n, my = ys.reduce((a, b) => a + b) / n;
  let sxx = 0, sxy = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (xs[i] - mx) ** 2;
    sxy += (xs[i] - mx) * (ys[i] - my);
    syy += (ys[i] - my) ** 2;
  }
  if (sxx === 0) return null;
  const slope = sxy / sxx;
  const r2 = syy === 0 ? 1 : (sxy * sxy) / (sxx * syy);
  return { C: Math.exp(my - slope * mx), alpha: -slope, r2, fromK, toK };
}

/**
 * Extrapolates the k at which the fitted curve falls below `tol`: `⌈(C/tol)^(1/α)⌉`. Null when the fit does not
 * decay (α ≤ 0) or explains too little (r² < 0.5), since then any number would be made up.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { predictKStar } from "kstar";
 * const fit = { C: 4, alpha: 2, r2: 0.99, fromK: 5, toK: 20 };
 * assert.equal(predictKStar(fit, 0.01), 20); // (4 / 0.01)^(1/2)
 * assert.equal(predictKStar({ ...fit, alpha: -0.5 }, 0.01), null);
 * ```
 */
export function predictKStar(fit: PowerLaw | null, tol: number): number | null {
  if (!fit || !(fit.alpha > 0) || fit.r2 < 0.5) return null;
  const k = Math.ceil((fit.C / tol) ** (1 / fit.alpha));
  return Number.isFinite(k) ? Math.max(k, 1) : null;
}

/**
 * The threshold on one curve (raw or smoothed) at one tolerance: k*, |D| = k*·B, L_k at k*, and when the data
 * end first, the k* extrapolated from `fit`. Not reached means Δ_{K−1} ≥ tol, so a prediction is at least K.
 * The analysis and the dashboard's tolerance control both use this.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { thresholdOf } from "kstar";
 * const curves = { loss: [1, 0.5, 0.4, 0.3], empirical: [0.5, 0.05, 0.01], smoothed: { empirical: [0.3, 0.2, 0.1] } };
 * const raw = thresholdOf(curves, null, 64, "empirical", false, 0.1);
 * assert.deepEqual([raw.kStar, raw.samples, raw.lossAtK], [2, 128, 0.5]);
 * assert.equal(thresholdOf(curves, null, 64, "empirical", true, 0.1).kStar, null); // smoothed: 0.1 is not < 0.1
 * ```
 */
export function thresholdOf(
  curves: CurveValues,
  fit: PowerLaw | null,
  batchSize: number,
  curve: CurveName,
  smoothed: boolean,
  tolerance: number,
): Threshold {
  const raw = curves[curve] ?? [];
  const values = smoothed ? curves.smoothed?.[curve] ?? movingAverage(raw) : raw;
  const k = values.length ? kStar(values, tolerance) : null;
  const predicted = k === null ? predictKStar(fit, tolerance) : null;
  const pred = predicted === null ? null : Math.max(predicted, values.length + 1);
  return {
    curve,
    smoothed,
    tolerance,
    kStar: k,
    samples: k === null ? null : k * batchSize,
    lossAtK: k === null ? null : curves.loss[k - 1] ?? null,
    predictedKStar: pred,
    predictedSamples: pred === null ? null : pred * batchSize,
    interval: null,
  };
}

/** The curves a threshold or a fit is read from (a result's, a partial result's, or hand-made). */
export type CurveValues = Pick<AnalysisResult["curves"], "loss"> & Partial<Record<CurveName, number[]>> & {
  smoothed?: Partial<Record<CurveName, number[]>>;
};

/**
 * The power-law tail fits of the three curves, for those whose tails allow one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fitsOf } from "kstar";
 * const empirical = Array.from({ length: 40 }, (_, i) => 2 / (i + 1) ** 2);
 * const [fit] = fitsOf({ loss: [], empirical });
 * assert.equal(fit.curve, "empirical");
 * assert.ok(Math.abs(fit.alpha - 2) < 1e-9);
 * ```
 */
export function fitsOf(curves: CurveValues): PowerFit[] {
  const out: PowerFit[] = [];
  for (const curve of CURVES) {
    const f = fitPowerLaw(curves[curve] ?? []);
    if (f) out.push({ curve, ...f });
  }
  return out;
}

/**
 * Every threshold of a run: one per tolerance × curve (`empirical`, `theory`, `secondOrder`) × smoothed
 * (true, false), in that order, each with its extrapolation when not reached.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { thresholdsOf } from "kstar";
 * const curves = { loss: [1, 0.5, 0.4, 0.3], empirical: [0.5, 0.05, 0.01], theory: [1, 1, 1], secondOrder: [0, 0, 0] };
 * const ts = thresholdsOf(curves, [], 64, [0.1]);
 * assert.equal(ts.length, 6);
 * assert.deepEqual([ts[1].curve, ts[1].smoothed, ts[1].kStar, ts[1].samples], ["empirical", false, 2, 128]);
 * ```
 */
export function thresholdsOf(
  curves: CurveValues,
  fits: readonly PowerFit[],
  batchSize: number,
  tolerances: readonly number[],
): Threshold[] {
  // Per tolerance in the order of REPLICATE_KEYS, which the intervals over batch orders follow too.
  return tolerances.flatMap((tolerance) =>
    REPLICATE_KEYS.map(({ curve, smoothed }) =>
      thresholdOf(curves, fits.find((f) => f.curve === curve) ?? null, batchSize, curve, smoothed, tolerance)
    )
  );
}
