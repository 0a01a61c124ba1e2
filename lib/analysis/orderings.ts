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
 * interval holding `level` of the orderings, and the fraction of orderings that reach the tolerance at all (see
 * `intervals.ts` for how an interval is read).
 *
 * What the interval means: where k* falls when the same data come in another order, with the Monte Carlo error
 * of the empirical curve included. It is not an interval over new datasets (another sample of the population)
 * nor over training seeds (w* itself); `--seeds` covers the latter.
 * @module
 */
import { SymmetricEigenvalues } from "../linalg/dense_eigen.ts";
import { Rng } from "../rng.ts";
import { secondOrderDelta, theoryDeltaFlat } from "./estimators.ts";
import { movingAverage } from "./thresholds.ts";
import { REPLICATE_KEYS, summarizeReplicates } from "./intervals.ts";
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
    const theory = theoryDeltaFlat(this.#eig, K, d, this.#sigma);
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
  const order = rng.permutation(K);
  const weights = new Float64Array(S);
  if (bootstrapDraws) { for (let s = 0; s < S; s++) weights[rng.int(S)]++; }
  else weights.fill(1);
  return { order, weights };
}

/** What {@link orderingReplicates} returns. */
export interface OrderingReplicates {
  /** The replicates' summary, as stored in a result. */
  uncertainty: Uncertainty;
  /** Per result threshold (tolerance × curve × smoothed, in `thresholdsOf` order): its interval. */
  intervals: KStarInterval[];
}

/**
 * R random batch orders (each with a bootstrap resample of the Monte Carlo draws) and their summary (see
 * `summarizeReplicates`): the distribution of k* for every curve, smoothing and tolerance, quantile bands of every
 * Δ_k curve, and a k*-interval summary on a fine grid of tolerances. The run's own order is not among them.
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
  const sets = REPLICATE_KEYS.map(({ curve, smoothed }) => ({
    curve,
    smoothed,
    values: new Float64Array(R * n),
  }));
  let yielded = performance.now();
  for (let r = 0; r < R; r++) {
    if (performance.now() - yielded > 50) {
      await new Promise((res) => setTimeout(res, 0)); // let an abort (and progress) through
      yielded = performance.now();
      o.signal?.throwIfAborted();
    }
    const { order, weights } = replicatePlan(r, K, S, o.seed, o.bootstrapDraws ?? true);
    const c = ws.curves(order, weights);
    for (const set of sets) set.values.set(set.smoothed ? movingAverage(c[set.curve]) : c[set.curve], r * n);
  }
  const summary = summarizeReplicates(sets, R, n, o);
  return {
    intervals: summary.intervals,
    uncertainty: {
      orderings: R,
      level: o.level,
      seed: o.seed,
      drawsResampled: o.bootstrapDraws ?? true,
      quantiles: summary.quantiles,
      bands: summary.bands,
      kStars: summary.kStars,
      grid: summary.grid,
      seconds: (performance.now() - t0) / 1000,
    },
  };
}
