/**
 * Reading k* off replicate curves: k* from suffix maxima, the interval of a sample of k*, and the summary of a
 * set of replicates (per curve and smoothing: quantile bands, k* per replicate at the configured tolerances, and
 * intervals on a fine tolerance grid), and the interval at any tolerance from a stored summary (for a tolerance
 * control in a browser). Browser-safe.
 *
 * The interval is the central one, from the `(1 − level)/2` to the `(1 + level)/2` quantile of k* over the
 * replicates (one that does not reach the tolerance counts as k* = ∞). When fewer than `(1 + level)/2` of them
 * reach the tolerance, that upper end would be ∞; the interval is then moved down until its upper end is the
 * largest k* reached, so that it still holds `level` of the replicates. When fewer than `level` of them reach it,
 * there is no such interval (`low` = `high` = null).
 * @module
 */
import { CURVES } from "../config/choices.ts";
import type { CurveName, KStarInterval, Uncertainty } from "./types.ts";

/** The (curve, smoothed) pairs of a replicate set, in the order of a result's thresholds per tolerance. */
export const REPLICATE_KEYS: readonly { curve: CurveName; smoothed: boolean }[] = CURVES.flatMap((curve) =>
  [true, false].map((smoothed) => ({ curve, smoothed }))
);

/** Tolerances per decade of the stored interval grid. */
export const GRID_PER_DECADE = 50;

/** `out[k] = max(values[k..])`: the largest value from k on (non-increasing in k). */
export function suffixMax(values: ArrayLike<number>): Float64Array {
  const out = new Float64Array(values.length);
  let m = -Infinity;
  for (let i = values.length - 1; i >= 0; i--) {
    const v = values[i];
    m = Number.isFinite(v) ? Math.max(m, v) : Infinity;
    out[i] = m;
  }
  return out;
}

/**
 * k* from a curve's suffix maxima: the first k whose suffix maximum is below `tol` (the same k* as `kStar` on the
 * curve itself), or 0 when not reached. Binary search: O(log K).
 */
export function kStarFromSuffixMax(m: Float64Array, tol: number): number {
  const n = m.length;
  if (n === 0 || !(m[n - 1] < tol)) return 0;
  let lo = 0, hi = n - 1; // m[hi] < tol
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (m[mid] < tol) hi = mid;
    else lo = mid + 1;
  }
  return lo + 1;
}

/**
 * The interval of a sample of k* values (0 = not reached), as described in the module doc.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { kStarInterval } from "kstar";
 * const ks = Array.from({ length: 100 }, (_, i) => i + 1); // k* = 1..100, all reached
 * assert.deepEqual(kStarInterval(ks, 0.9), { level: 0.9, low: 5, median: 50, high: 95, reached: 1 });
 * // 92 of 100 reach it: the interval holds 90 of them and ends at the largest k* reached
 * const some = ks.map((k) => (k > 92 ? 0 : k));
 * assert.deepEqual(kStarInterval(some, 0.9), { level: 0.9, low: 3, median: 50, high: 92, reached: 0.92 });
 * assert.deepEqual(kStarInterval(ks.map((k) => (k > 80 ? 0 : k)), 0.9).high, null);
 * ```
 */
export function kStarInterval(values: ArrayLike<number>, level: number): KStarInterval {
  const R = values.length;
  const reachedValues = Array.from(values).filter((k) => k > 0).sort((a, b) => a - b);
  const n = reachedValues.length;
  // The p-quantile of all R values with "not reached" as +∞: the ⌈pR⌉-th smallest.
  const q = (p: number) => {
    const rank = Math.max(1, Math.ceil(p * R - 1e-9));
    return rank <= n ? reachedValues[rank - 1] : null;
  };
  const need = Math.max(1, Math.ceil(level * R - 1e-9));
  let low: number | null = null, high: number | null = null;
  if (n >= need) {
    high = q((1 + level) / 2);
    low = q((1 - level) / 2);
    if (high === null) {
      high = reachedValues[n - 1];
      low = reachedValues[n - need];
    }
  }
  return { level, low, median: q(0.5), high, reached: R ? n / R : 0 };
}

/** What {@link summarizeReplicates} returns. */
export interface ReplicateSummary {
  /** Per tolerance × (curve, smoothed) in `REPLICATE_KEYS` order: the interval. */
  intervals: KStarInterval[];
  /** The quantiles of the bands. */
  quantiles: number[];
  /** Quantile bands per curve and smoothing (empty without `summaries`). */
  bands: Uncertainty["bands"];
  /** The k* of every replicate at each tolerance, per curve and smoothing. */
  kStars: Uncertainty["kStars"];
  /** Intervals on a tolerance grid per curve and smoothing (empty without `summaries`). */
  grid: Uncertainty["grid"];
}

/**
 * Summarises R replicate curves of n points per (curve, smoothed) (`values[r·n + k − 1]`): the interval at each
 * tolerance, the k* of every replicate there, and (unless `summaries` is false) the quantile bands and the
 * interval grid.
 */
export function summarizeReplicates(
  sets: readonly { curve: CurveName; smoothed: boolean; values: Float64Array }[],
  R: number,
  n: number,
  o: { level: number; tolerances: readonly number[]; summaries?: boolean },
): ReplicateSummary {
  const maxima = sets.map((set) => {
    const m = new Float64Array(R * n);
    for (let r = 0; r < R; r++) m.set(suffixMax(set.values.subarray(r * n, (r + 1) * n)), r * n);
    return m;
  });
  const lo = Number(((1 - o.level) / 2).toFixed(12)), hi = Number(((1 + o.level) / 2).toFixed(12));
  const quantiles = [lo, 0.5, hi];
  const kStarsAt = (i: number, tol: number) => {
    const ks = new Int32Array(R);
    for (let r = 0; r < R; r++) ks[r] = kStarFromSuffixMax(maxima[i].subarray(r * n, (r + 1) * n), tol);
    return ks;
  };
  const summaries = o.summaries ?? true;
  const bands: Uncertainty["bands"] = !summaries ? [] : sets.map(({ curve, smoothed, values }) => ({
    curve,
    smoothed,
    values: quantiles.map((p) => quantileCurve(values, R, n, p)),
  }));
  const intervals: KStarInterval[] = [];
  const kStars: Uncertainty["kStars"] = [];
  for (const tolerance of o.tolerances) {
    sets.forEach(({ curve, smoothed }, i) => {
      const ks = kStarsAt(i, tolerance);
      intervals.push(kStarInterval(ks, o.level));
      kStars.push({ curve, smoothed, tolerance, values: Array.from(ks, (k) => (k > 0 ? k : null)) });
    });
  }
  const grid: Uncertainty["grid"] = !summaries ? [] : sets.map(({ curve, smoothed }, i) => {
    // Outside [smallest last value, largest first value] every replicate answers alike: not reached below,
    // k* = 1 above.
    let min = Infinity, max = 0;
    for (let r = 0; r < R; r++) {
      const m = maxima[i].subarray(r * n, (r + 1) * n);
      if (m[n - 1] > 0 && m[n - 1] < min) min = m[n - 1];
      if (Number.isFinite(m[0]) && m[0] > max) max = m[0];
    }
    const tolerances: number[] = [];
    if (Number.isFinite(min) && max > 0) {
      const a = Math.floor(Math.log10(min) * GRID_PER_DECADE);
      const b = Math.ceil(Math.log10(max) * GRID_PER_DECADE);
      for (let e = a; e <= b + 1 && tolerances.length < 12 * GRID_PER_DECADE; e++) {
        tolerances.push(round(10 ** (e / GRID_PER_DECADE)));
      }
    }
    const rows = tolerances.map((t) => kStarInterval(kStarsAt(i, t), o.level));
    return {
      curve,
      smoothed,
      tolerances,
      low: rows.map((x) => x.low),
      median: rows.map((x) => x.median),
      high: rows.map((x) => x.high),
      reached: rows.map((x) => round(x.reached)),
    };
  });
  return { intervals, quantiles, bands, kStars, grid };
}

/**
 * The interval of k* at any tolerance from a stored summary: exact at a configured tolerance (from the k* of
 * every replicate), else from the grid at the largest grid tolerance not above it (so k* is never understated);
 * above the grid every replicate has k* = 1, below it none reaches the tolerance. Null when the summary has
 * nothing for the curve.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { intervalAt } from "kstar";
 * import type { Uncertainty } from "kstar";
 * const u: Pick<Uncertainty, "level" | "kStars" | "grid"> = {
 *   level: 0.5,
 *   kStars: [{ curve: "empirical", smoothed: true, tolerance: 0.1, values: [3, 4, 5, 6] }],
 *   grid: [{ curve: "empirical", smoothed: true, tolerances: [0.01, 0.1], low: [8, 4], median: [9, 4], high: [10, 5], reached: [1, 1] }],
 * };
 * assert.deepEqual(intervalAt(u, "empirical", true, 0.1)?.interval, { level: 0.5, low: 3, median: 4, high: 5, reached: 1 });
 * assert.deepEqual(intervalAt(u, "empirical", true, 0.05), { interval: { level: 0.5, low: 8, median: 9, high: 10, reached: 1 }, exact: false, gridTolerance: 0.01 });
 * assert.equal(intervalAt(u, "empirical", true, 1)?.interval.low, 1);
 * assert.equal(intervalAt(u, "empirical", true, 0.001)?.interval.reached, 0);
 * ```
 */
export function intervalAt(
  u: Pick<Uncertainty, "level" | "kStars" | "grid">,
  curve: CurveName,
  smoothed: boolean,
  tolerance: number,
): { interval: KStarInterval; exact: boolean; gridTolerance: number | null } | null {
  const configured = u.kStars.find((x) =>
    x.curve === curve && x.smoothed === smoothed && x.tolerance === tolerance
  );
  if (configured) {
    return {
      interval: kStarInterval(configured.values.map((k) => k ?? 0), u.level),
      exact: true,
      gridTolerance: null,
    };
  }
  const g = u.grid.find((x) => x.curve === curve && x.smoothed === smoothed);
  if (!g || g.tolerances.length === 0) return null;
  const level = u.level;
  if (tolerance > g.tolerances[g.tolerances.length - 1]) {
    return { interval: { level, low: 1, median: 1, high: 1, reached: 1 }, exact: false, gridTolerance: null };
  }
  if (tolerance < g.tolerances[0]) {
    return {
      interval: { level, low: null, median: null, high: null, reached: 0 },
      exact: false,
      gridTolerance: null,
    };
  }
  let i = 0;
  while (i + 1 < g.tolerances.length && g.tolerances[i + 1] <= tolerance) i++;
  return {
    interval: { level, low: g.low[i], median: g.median[i], high: g.high[i], reached: g.reached[i] },
    exact: g.tolerances[i] === tolerance,
    gridTolerance: g.tolerances[i],
  };
}

/** The p-quantile at each k of R curves of n points (`values[r·n + k]`), linear interpolation; 6 digits. */
function quantileCurve(values: Float64Array, R: number, n: number, p: number): number[] {
  const out: number[] = new Array(n);
  const col = new Float64Array(R);
  for (let k = 0; k < n; k++) {
    for (let r = 0; r < R; r++) col[r] = values[r * n + k];
    col.sort();
    const x = p * (R - 1), i = Math.floor(x), f = x - i;
    out[k] = round(i + 1 < R ? col[i] + f * (col[i + 1] - col[i]) : col[i]);
  }
  return out;
}

/** Six significant digits (the stored bands and grid need no more). */
function round(x: number): number {
  return Number.isFinite(x) && x !== 0 ? Number(x.toPrecision(6)) : x;
}
