/**
 * How sure is k*? Intervals over batch orders and Monte Carlo draws, at almost no cost.
 *
 * The per-batch quantities of a run — loss sums, projected gradients `Pᵀg_j`, projected Hessians `Pᵀh_jP`, and
 * the loss sums at every Monte Carlo point `w* + Pθ_s` — do not depend on the order in which batches are added.
 * Another batch order is therefore a permutation of those arrays: its three Δ_k curves, and their k*, follow
 * without a new forward pass or Hessian-vector product. Each replicate also resamples the Monte Carlo draws
 * (a bootstrap), so the empirical curve's interval holds both sources of variation.
 *
 * For every curve (raw and smoothed) and tolerance the replicates give the distribution of k*: its median, an
 * interval holding `level` of the orderings, and the fraction of orderings that reach the tolerance at all.
 *
 * The interval is the central one, from the `(1 − level)/2` to the `(1 + level)/2` quantile of k* over the
 * orderings (an ordering that does not reach the tolerance counts as k* = ∞). When fewer than `(1 + level)/2`
 * of the orderings reach the tolerance, that upper end would be ∞; the interval is then moved down until its
 * upper end is the largest k* reached, so that it still holds `level` of the orderings. When fewer than `level`
 * of them reach it, there is no such interval (`low` = `high` = null).
 * @module
 */
import { CURVES } from "../config/choices.ts";
import { SymmetricEigenvalues } from "../linalg/dense_eigen.ts";
import { Rng } from "../rng.ts";
import { secondOrderDelta } from "./estimators.ts";
import { movingAverage } from "./thresholds.ts";
import type { CurveName, KStarInterval, Uncertainty } from "./types.ts";

/** Per-batch sums of a run, as the compute pool's projections return them. */
export interface BatchArrays {
  /** Loss sum of each batch at w*, K entries. */
  loss: ArrayLike<number>;
  /** `Pᵀ` (gradient sum) of each batch, K·d. */
  grad: ArrayLike<number>;
  /** `Pᵀ` (Hessian sum) `P` of each batch, K·d·d. */
  hess: ArrayLike<number>;
  /** Loss sum of batch j at `w* + Pθ_s` at `mc[s·K + j]`, S·K. */
  mc: ArrayLike<number>;
}

/** The three raw Δ_k curves of one batch order, k = 1..K−1. */
export type ReplicateCurves = Record<CurveName, Float64Array>;

/**
 * Computes Δ_k curves of reordered batches with reused buffers (one per thread of work).
 */
export class ReplicateWorkspace {
  /** Number of batches K. */
  readonly K: number;
  /** Subspace dimension d. */
  readonly d: number;
  /** Number of Monte Carlo draws S. */
  readonly S: number;
  readonly #B: number;
  readonly #sigma: number;
  readonly #arrays: BatchArrays;
  readonly #loss: Float64Array;
  readonly #grad: Float64Array;
  readonly #hess: Float64Array;
  readonly #eig: Float64Array;
  readonly #eigen: SymmetricEigenvalues;

  /** A workspace for the batches of `arrays` (d directions, batch size B, perturbation scale σ). */
  constructor(arrays: BatchArrays, d: number, batchSize: number, sigma: number) {
    const K = arrays.loss.length;
    this.K = K;
    this.d = d;
    this.S = K ? arrays.mc.length / K : 0;
    this.#B = batchSize;
    this.#sigma = sigma;
    this.#arrays = arrays;
    this.#loss = new Float64Array(K);
    this.#grad = new Float64Array(K * d);
    this.#hess = new Float64Array(K * d * d);
    this.#eig = new Float64Array(K * d);
    this.#eigen = new SymmetricEigenvalues(d);
  }

  /**
   * The three Δ_k curves when the batches come in the order `order` (batch `order[i]` is the (i+1)-th added)
   * and Monte Carlo draw s counts `weights[s]` times (all 1: the run's own draws; bootstrap counts summing to S:
   * a resample). With the identity order and unit weights these are the run's own curves.
   */
  curves(order: ArrayLike<number>, weights: ArrayLike<number>): ReplicateCurves {
    const { K, d, S } = this;
    const B = this.#B, dd = d * d;
    const a = this.#arrays;
    // Running means of the reordered sums (float64).
    let l = 0;
    const g = new Float64Array(d), h = new Float64Array(dd);
    for (let k = 0; k < K; k++) {
      const j = order[k], inv = 1 / ((k + 1) * B);
      l += a.loss[j];
      this.#loss[k] = l * inv;
      for (let i = 0; i < d; i++) {
        g[i] += a.grad[j * d + i];
        this.#grad[k * d + i] = g[i] * inv;
      }
      for (let i = 0; i < dd; i++) {
        h[i] += a.hess[j * dd + i];
        this.#hess[k * dd + i] = h[i] * inv;
      }
      this.#eigen.compute(this.#hess, k * dd, this.#eig, k * d);
    }
    // The paper's formula from the eigenvalue changes.
    const theory = new Float64Array(Math.max(0, K - 1));
    const s4 = this.#sigma ** 4 / 4;
    for (let k = 0; k + 1 < K; k++) {
      let sq = 0, sum = 0;
      for (let i = 0; i < d; i++) {
        const dl = this.#eig[(k + 1) * d + i] - this.#eig[k * d + i];
        sq += dl * dl;
        sum += dl;
      }
      theory[k] = s4 * (2 * sq + sum * sum);
    }
    const secondOrder = secondOrderDelta(this.#loss, this.#grad, this.#hess, d, this.#sigma);
    // Monte Carlo: the weighted mean over draws of (L_{k+1}(θ_s) − L_k(θ_s))².
    const empirical = new Float64Array(Math.max(0, K - 1));
    let total = 0;
    for (let s = 0; s < S; s++) {
      const w = weights[s];
      if (w === 0) continue;
      total += w;
      let acc = 0, prev = 0;
      for (let k = 0; k < K; k++) {
        acc += a.mc[s * K + order[k]];
        const L = acc / ((k + 1) * B);
        if (k > 0) empirical[k - 1] += w * (L - prev) ** 2;
        prev = L;
      }
    }
    if (total > 0) { for (let k = 0; k < empirical.length; k++) empirical[k] /= total; }
    return { empirical, theory, secondOrder };
  }
}

/** Options of {@link orderingReplicates}. */
export interface OrderingOptions {
  /** Number of random batch orders R (≥ 1). */
  orderings: number;
  /** Central interval level in (0, 1), e.g. 0.9. */
  level: number;
  /** Seed of the orders and the draw resamples. */
  seed: number;
  /** The tolerances whose k* distributions are reported exactly. */
  tolerances: readonly number[];
  /** Subspace dimension d. */
  d: number;
  /** Batch size B. */
  batchSize: number;
  /** Perturbation scale σ. */
  sigma: number;
  /** Resample the Monte Carlo draws in each replicate (default true). */
  bootstrapDraws?: boolean;
  /** Also the quantile bands and the tolerance grid (default true); without them only the intervals. */
  summaries?: boolean;
  /** Stops the replicates (the promise rejects with the signal's reason). */
  signal?: AbortSignal;
}

/** The order and draw weights of replicate r (deterministic in the seed). */
export function replicatePlan(
  r: number,
  K: number,
  S: number,
  seed: number,
  bootstrapDraws = true,
): { order: Uint32Array; weights: Float64Array } {
  const rng = new Rng(((seed >>> 0) ^ 0x0bde_5eed) + Math.imul(r + 1, 0x9e3779b1));
  const order = new Uint32Array(K);
  for (let i = 0; i < K; i++) order[i] = i;
  for (let i = K - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  const weights = new Float64Array(S);
  if (bootstrapDraws) { for (let s = 0; s < S; s++) weights[rng.int(S)]++; }
  else weights.fill(1);
  return { order, weights };
}

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

/** What {@link orderingReplicates} returns. */
export interface OrderingReplicates {
  /** The replicates' summary, as stored in a result. */
  uncertainty: Uncertainty;
  /** Per result threshold (tolerance × curve × smoothed, in `thresholdsOf` order): its interval. */
  intervals: KStarInterval[];
}

const GRID_PER_DECADE = 50;

/**
 * R random batch orders (each with a bootstrap resample of the Monte Carlo draws): the distribution of k* for
 * every curve, smoothing and tolerance, quantile bands of every Δ_k curve, and a k*-interval summary on a fine
 * grid of tolerances (for a tolerance control in a browser). The run's own order is not among the replicates.
 */
export async function orderingReplicates(
  arrays: BatchArrays,
  o: OrderingOptions,
): Promise<OrderingReplicates> {
  const t0 = performance.now();
  const ws = new ReplicateWorkspace(arrays, o.d, o.batchSize, o.sigma);
  const { K, S } = ws;
  const R = o.orderings;
  const n = Math.max(0, K - 1);
  // Per (curve, smoothed): the R replicate curves and their suffix maxima.
  const keys = CURVES.flatMap((curve) => [true, false].map((smoothed) => ({ curve, smoothed })));
  const curves = keys.map(() => new Float64Array(R * n));
  const maxima = keys.map(() => new Float64Array(R * n));
  let yielded = performance.now();
  for (let r = 0; r < R; r++) {
    if (performance.now() - yielded > 50) {
      await new Promise((res) => setTimeout(res, 0)); // let an abort (and progress) through
      yielded = performance.now();
      if (o.signal?.aborted) throw o.signal.reason ?? new DOMException("aborted", "AbortError");
    }
    const { order, weights } = replicatePlan(r, K, S, o.seed, o.bootstrapDraws ?? true);
    const c = ws.curves(order, weights);
    keys.forEach(({ curve, smoothed }, i) => {
      const values = smoothed ? movingAverage(c[curve]) : c[curve];
      curves[i].set(values, r * n);
      maxima[i].set(suffixMax(values), r * n);
    });
  }
  const lo = Number(((1 - o.level) / 2).toFixed(12)), hi = Number(((1 + o.level) / 2).toFixed(12));
  const quantiles = [lo, 0.5, hi];
  const kStarsAt = (i: number, tol: number) => {
    const ks = new Int32Array(R);
    for (let r = 0; r < R; r++) ks[r] = kStarFromSuffixMax(maxima[i].subarray(r * n, (r + 1) * n), tol);
    return ks;
  };
  const summaries = o.summaries ?? true;
  const bands: Uncertainty["bands"] = !summaries ? [] : keys.map(({ curve, smoothed }, i) => ({
    curve,
    smoothed,
    values: quantiles.map((p) => quantileCurve(curves[i], R, n, p)),
  }));
  const intervals: KStarInterval[] = [];
  const kStars: Uncertainty["kStars"] = [];
  for (const tolerance of o.tolerances) {
    keys.forEach(({ curve, smoothed }, i) => {
      const ks = kStarsAt(i, tolerance);
      intervals.push(kStarInterval(ks, o.level));
      kStars.push({ curve, smoothed, tolerance, values: Array.from(ks, (k) => (k > 0 ? k : null)) });
    });
  }
  const grid: Uncertainty["grid"] = !summaries ? [] : keys.map(({ curve, smoothed }, i) => {
    // Outside [smallest last value, largest first value] every ordering answers alike: not reached below,
    // k* = 1 above.
    let min = Infinity, max = 0;
    for (let r = 0; r < R; r++) {
      const m = maxima[i].subarray(r * n, (r + 1) * n);
      if (m[n - 1] > 0 && m[n - 1] < min) min = m[n - 1];
      if (Number.isFinite(m[0]) && m[0] > max) max = m[0];
    }
    const tolerances: number[] = [];
    if (Number.isFinite(min) && max > 0) {
      const a = Math.floor(Math.log10(min) * GRID_PER_DECADE),
        b = Math.ceil(Math.log10(max) * GRID_PER_DECADE);
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
  return {
    intervals,
    uncertainty: {
      orderings: R,
      level: o.level,
      seed: o.seed,
      drawsResampled: o.bootstrapDraws ?? true,
      quantiles,
      bands,
      kStars,
      grid,
      seconds: (performance.now() - t0) / 1000,
    },
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
