/**
 * The three Δ_k estimators, from per-batch sums: empirical (Monte Carlo along all d directions), the paper's
 * eigenvalue formula, and the exact second-order closed form. All running means are float64.
 * @module
 */
import { symmetricEigen } from "../linalg/dense_eigen.ts";

/**
 * Running means over the first k batches: `out[(k−1)·w + i] = Σ_{j<k} sums[j·w + i] / (k·B)` for k = 1..K,
 * where each batch contributes a block of `w` values (sums over its B samples).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runningMeans } from "kstar";
 * // two batches of size 2, one value each: loss sums 2 and 4
 * assert.deepEqual(Array.from(runningMeans([2, 4], 1, 2)), [1, 1.5]);
 * ```
 */
export function runningMeans(sums: ArrayLike<number>, width: number, batchSize: number): Float64Array {
  const K = sums.length / width;
  const out = new Float64Array(sums.length);
  const acc = new Float64Array(width);
  for (let k = 0; k < K; k++) {
    for (let i = 0; i < width; i++) {
      acc[i] += sums[k * width + i];
      out[k * width + i] = acc[i] / ((k + 1) * batchSize);
    }
  }
  return out;
}

/** Monte Carlo Δ_k: mean and standard error over samples of (L_{k+1}(θ_s) − L_k(θ_s))², k = 1..K−1. */
export interface EmpiricalDelta {
  /** `mean[k−1]` = Δ_k: mean over samples of (L_{k+1} − L_k)², ≥ 0; K − 1 entries (k = 1..K−1). */
  mean: Float64Array;
  /** `se[k−1]`: standard error of `mean[k−1]` (sample standard deviation / √samples), ≥ 0; K − 1 entries. */
  se: Float64Array;
  /** Mean over samples of L_k(w* + Pθ_s), k = 1..K. */
  meanLoss: Float64Array;
}

/**
 * Empirical Δ_k from per-batch loss sums at perturbed weights: `mc[s·K + j]` = Σ loss over batch j at
 * `w* + Pθ_s`. Uses Welford's algorithm over samples in float64.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { empiricalDelta } from "kstar";
 * // two draws, three batches of size 1
 * const r = empiricalDelta(new Float64Array([1, 2, 3, 1, 1, 1]), 2, 1);
 * assert.deepEqual(Array.from(r.mean), [0.125, 0.125]); // ((1.5−1)² + 0) / 2, ((2−1.5)² + 0) / 2
 * ```
 */
export function empiricalDelta(mc: ArrayLike<number>, samples: number, batchSize: number): EmpiricalDelta {
  const K = mc.length / samples;
  const mean = new Float64Array(K - 1), m2 = new Float64Array(K - 1), meanLoss = new Float64Array(K);
  for (let s = 0; s < samples; s++) {
    let acc = 0, prev = 0;
    for (let j = 0; j < K; j++) {
      acc += mc[s * K + j];
      const L = acc / ((j + 1) * batchSize);
      meanLoss[j] += (L - meanLoss[j]) / (s + 1);
      if (j > 0) {
        const x = (L - prev) ** 2;
        const delta = x - mean[j - 1];
        mean[j - 1] += delta / (s + 1);
        m2[j - 1] += delta * (x - mean[j - 1]);
      }
      prev = L;
    }
  }
  const se = m2.map((v) => Math.sqrt(v / (samples - 1) / samples));
  return { mean, se, meanLoss };
}

/**
 * The paper's estimate `σ⁴/4 · (2 Σ_i δ_i² + (Σ_i δ_i)²)` with `δ_i = λ_{k+1,i} − λ_{k,i}`, for k = 1..K−1,
 * from eigenvalues sorted descending (`eigs[k−1]` holds the d values of H_k).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { theoryDelta } from "kstar";
 * assert.deepEqual(Array.from(theoryDelta([[2, 1], [1, 1]], 1)), [0.75]); // (2·1 + 1) / 4
 * ```
 */
export function theoryDelta(eigs: ArrayLike<number>[], sigma: number): Float64Array {
  const d = eigs[0]?.length ?? 0;
  const flat = new Float64Array(eigs.length * d);
  eigs.forEach((e, k) => flat.set(e, k * d));
  return theoryDeltaFlat(flat, eigs.length, d, sigma);
}

/** {@link theoryDelta} from `K` rows of `d` eigenvalues stored one after another in `eig` (row k at `k·d`). */
export function theoryDeltaFlat(eig: ArrayLike<number>, K: number, d: number, sigma: number): Float64Array {
  const out = new Float64Array(Math.max(0, K - 1));
  const s4 = sigma ** 4 / 4;
  for (let k = 0; k + 1 < K; k++) {
    let sq = 0, sum = 0;
    for (let i = 0; i < d; i++) {
      const dl = eig[(k + 1) * d + i] - eig[k * d + i];
      sq += dl * dl;
      sum += dl;
    }
    out[k] = s4 * (2 * sq + sum * sum);
  }
  return out;
}

/**
 * The exact E(L_{k+1} − L_k)² under θ ~ N(0, σ²I_d) for the second-order model
 * `L_k(w* + Pθ) ≈ L_k + g_kᵀθ + ½θᵀΛ_kθ`: with a = ΔL, c = Δg, A = ΔΛ,
 * `a² + aσ² tr A + σ²‖c‖² + σ⁴/4 · (2 tr A² + (tr A)²)`, for k = 1..K−1.
 * `loss` has K entries, `grad` K·d, `hess` K·d·d (running means).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { secondOrderDelta } from "kstar";
 * // d = 1, no loss or gradient change, curvature 1 → 2: σ⁴/4·(2 + 1)
 * assert.deepEqual(Array.from(secondOrderDelta([0, 0], [0, 0], [1, 2], 1, 1)), [0.75]);
 * ```
 */
export function secondOrderDelta(
  loss: ArrayLike<number>,
  grad: ArrayLike<number>,
  hess: ArrayLike<number>,
  d: number,
  sigma: number,
): Float64Array {
  const K = loss.length;
  const out = new Float64Array(Math.max(0, K - 1));
  const s2 = sigma * sigma, s4 = s2 * s2;
  for (let k = 0; k + 1 < K; k++) {
    const a = loss[k + 1] - loss[k];
    let c2 = 0;
    for (let i = 0; i < d; i++) c2 += (grad[(k + 1) * d + i] - grad[k * d + i]) ** 2;
    let tr = 0, tr2 = 0;
    const o0 = k * d * d, o1 = (k + 1) * d * d;
    for (let i = 0; i < d; i++) {
      tr += hess[o1 + i * d + i] - hess[o0 + i * d + i];
      for (let m = 0; m < d; m++) {
        const aim = hess[o1 + i * d + m] - hess[o0 + i * d + m];
        const ami = hess[o1 + m * d + i] - hess[o0 + m * d + i];
        tr2 += aim * ami;
      }
    }
    out[k] = a * a + a * s2 * tr + s2 * c2 + (s4 / 4) * (2 * tr2 + tr * tr);
  }
  return out;
}

/**
 * Eigenvalues (descending) of each d×d block of `hess` (K·d·d running means).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { blockEigenvalues } from "kstar";
 * // K = 2 blocks of 2×2: diag(2, 1) and [[3, 1], [1, 3]]
 * const [a, b] = blockEigenvalues([2, 0, 0, 1, 3, 1, 1, 3], 2);
 * assert.deepEqual(a, [2, 1]);
 * assert.ok(Math.abs(b[0] - 4) < 1e-12 && Math.abs(b[1] - 2) < 1e-12);
 * ```
 */
export function blockEigenvalues(hess: ArrayLike<number>, d: number): number[][] {
  const K = hess.length / (d * d);
  const out: number[][] = [];
  for (let k = 0; k < K; k++) {
    const block = Array.prototype.slice.call(hess, k * d * d, (k + 1) * d * d) as number[];
    out.push(Array.from(symmetricEigen(block, d, { vectors: false }).values));
  }
  return out;
}

/** Everything the Δ_k curves are made of, from one pass of per-batch projections. */
export interface DeltaCurves {
  /** L_k(w*), k = 1..K. */
  loss: Float64Array;
  /** Pᵀ∇L_k(w*), K·d. */
  grad: Float64Array;
  /** Λ_k = PᵀH_kP, K·d·d. */
  hess: Float64Array;
  /** Eigenvalues of each Λ_k, descending. */
  eigenvalues: number[][];
  /** Monte Carlo Δ_k (mean, standard error) and mean perturbed losses. */
  empirical: EmpiricalDelta;
  /** The paper's eigenvalue formula, k = 1..K−1. */
  theory: Float64Array;
  /** The second-order closed form, k = 1..K−1. */
  secondOrder: Float64Array;
}

/**
 * The three Δ_k estimates from per-batch sums (`loss` K, `grad` K·d, `hess` K·d·d, `mc` S·K, as returned by
 * the compute pool's projections) with batch size B.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { deltaCurves } from "kstar";
 * // d = 1, two Monte Carlo draws, three batches of size 1
 * const c = deltaCurves(
 *   { loss: [0, 0, 0], grad: [0, 0, 0], hess: [1, 2, 3], mc: [1, 2, 3, 1, 1, 1] },
 *   1,
 *   1,
 *   1,
 * );
 * assert.deepEqual(Array.from(c.empirical.mean), [0.125, 0.125]);
 * assert.deepEqual(Array.from(c.theory), [0.1875, 0.1875]); // Λ_k = 1, 1.5, 2: δλ = 0.5, 0.5
 * ```
 */
export function deltaCurves(
  proj: { loss: ArrayLike<number>; grad: ArrayLike<number>; hess: ArrayLike<number>; mc: ArrayLike<number> },
  d: number,
  batchSize: number,
  sigma: number,
): DeltaCurves {
  const K = proj.loss.length;
  const loss = runningMeans(proj.loss, 1, batchSize);
  const grad = runningMeans(proj.grad, d, batchSize);
  const hess = runningMeans(proj.hess, d * d, batchSize);
  const eigenvalues = blockEigenvalues(hess, d);
  return {
    loss,
    grad,
    hess,
    eigenvalues,
    empirical: empiricalDelta(proj.mc, proj.mc.length / K, batchSize),
    theory: theoryDelta(eigenvalues, sigma),
    secondOrder: secondOrderDelta(loss, grad, hess, d, sigma),
  };
}
