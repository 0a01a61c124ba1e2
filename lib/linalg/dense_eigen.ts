/**
 * Dense symmetric eigen-decomposition in float64: Householder tridiagonalisation followed by
 * implicit QL with Wilkinson shifts. `O(n³)`; n = 2,000 takes seconds. Used as the reference for
 * the iterative solvers and for small curvature matrices formed explicitly.
 * @module
 */

import { ConfigError } from "../errors.ts";
import { descendingOrder, implicitQl } from "./tridiagonal.ts";

/** A symmetric eigen-decomposition; see {@link symmetricEigen}. */
export interface SymmetricEigen {
  /** Eigenvalues in descending order. */
  values: Float64Array;
  /**
   * Unit eigenvectors as an array of columns: `vectors[i]` (length `n`) belongs to `values[i]`.
   * Empty when `options.vectors` was `false`.
   */
  vectors: Float64Array[];
}

/** Options for {@link symmetricEigen}. */
export interface SymmetricEigenOptions {
  /** Whether to compute eigenvectors; default `true`. Eigenvalues alone cost about a third. */
  vectors?: boolean;
}

/**
 * Eigenvalues (descending) and orthonormal eigenvectors of the symmetric `n × n` matrix stored
 * row-major in `matrix`. The input is not modified; it is symmetrised as `(A + Aᵀ) / 2`, so a
 * slightly asymmetric input (rounding) is fine.
 *
 * Accuracy: `‖A v − λ v‖ ≲ n ε ‖A‖` and `|vᵢ·vⱼ − δᵢⱼ| ≲ n ε`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { symmetricEigen } from "kstar";
 * const { values, vectors } = symmetricEigen(new Float64Array([2, 1, 1, 2]), 2);
 * assert.deepEqual(Array.from(values).map((v) => +v.toFixed(12)), [3, 1]);
 * assert.ok(Math.abs(Math.abs(vectors[0][0]) - Math.SQRT1_2) < 1e-12); // ± [0.7071, 0.7071]
 * ```
 */
export function symmetricEigen(
  matrix: ArrayLike<number>,
  n: number,
  options: SymmetricEigenOptions = {},
): SymmetricEigen {
  if (!Number.isInteger(n) || n < 1) throw new ConfigError("n", n, "an integer ≥ 1");
  if (matrix.length !== n * n) throw new ConfigError("matrix", matrix.length, `n² = ${n * n} entries`);
  const wantVectors = options.vectors ?? true;
  const a = new Float64Array(n * n);
  symmetrise(matrix, 0, n, a, true);
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  const tau = new Float64Array(n);
  householderTridiagonalize(a, n, d, e, tau);
  let w: Float64Array = new Float64Array(0);
  if (wantVectors) w = accumulateTransposed(a, n, tau);
  implicitQl(d, e, w, wantVectors ? n : 0);
  const order = descendingOrder(d);
  const values = new Float64Array(n);
  const vectors: Float64Array[] = [];
  for (let r = 0; r < n; r++) {
    const i = order[r];
    values[r] = d[i];
    if (wantVectors) vectors.push(w.slice(i * n, i * n + n));
  }
  return { values, vectors };
}

/**
 * Eigenvalues of many small symmetric matrices of one size without allocating: the same Householder reduction
 * and implicit QL as {@link symmetricEigen}, with the buffers kept between calls. For the thousands of d × d
 * matrices of the ordering replicates.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SymmetricEigenvalues } from "kstar";
 * const eig = new SymmetricEigenvalues(2);
 * const out = new Float64Array(4);
 * // two 2×2 matrices back to back: [[2, 1], [1, 2]] and diag(1, 5)
 * eig.compute(new Float64Array([2, 1, 1, 2, 1, 0, 0, 5]), 4, out, 2);
 * assert.deepEqual(Array.from(out).map((v) => +v.toFixed(12)), [0, 0, 5, 1]);
 * eig.compute(new Float64Array([2, 1, 1, 2]), 0, out, 0);
 * assert.deepEqual(Array.from(out.subarray(0, 2)).map((v) => +v.toFixed(12)), [3, 1]);
 * ```
 */
export class SymmetricEigenvalues {
  readonly #n: number;
  readonly #a: Float64Array;
  readonly #d: Float64Array;
  readonly #e: Float64Array;
  readonly #tau: Float64Array;
  readonly #p: Float64Array;
  readonly #v: Float64Array;
  static readonly #none = new Float64Array(0);

  /** A workspace for `n × n` matrices. */
  constructor(n: number) {
    if (!Number.isInteger(n) || n < 1) throw new ConfigError("n", n, "an integer ≥ 1");
    this.#n = n;
    this.#a = new Float64Array(n * n);
    this.#d = new Float64Array(n);
    this.#e = new Float64Array(n);
    this.#tau = new Float64Array(n);
    this.#p = new Float64Array(n);
    this.#v = new Float64Array(n);
  }

  /**
   * Writes the eigenvalues, descending, of the symmetric matrix at `matrix[offset .. offset + n²)` (row-major,
   * symmetrised as `(A + Aᵀ) / 2`) to `out[outOffset .. outOffset + n)`.
   */
  compute(matrix: ArrayLike<number>, offset: number, out: Float64Array, outOffset: number): void {
    const n = this.#n, a = this.#a, d = this.#d;
    symmetrise(matrix, offset, n, a, false);
    householderTridiagonalize(a, n, d, this.#e, this.#tau, this.#p, this.#v);
    implicitQl(d, this.#e, SymmetricEigenvalues.#none, 0);
    // Insertion sort, descending (n is small).
    for (let i = 1; i < n; i++) {
      const x = d[i];
      let j = i - 1;
      for (; j >= 0 && d[j] < x; j--) d[j + 1] = d[j];
      d[j + 1] = x;
    }
    out.set(d, outOffset);
  }
}

/**
 * Writes `(A + Aᵀ) / 2` of the `n × n` matrix A at `matrix[offset .. offset + n²)` (row-major) to `a`; with
 * `finite`, a non-finite entry of the result is an error naming the field `matrix`.
 */
function symmetrise(
  matrix: ArrayLike<number>,
  offset: number,
  n: number,
  a: Float64Array,
  finite: boolean,
): void {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const x = 0.5 * (matrix[offset + i * n + j] + matrix[offset + j * n + i]);
      if (finite && !Number.isFinite(x)) throw new ConfigError("matrix", x, "finite entries");
      a[i * n + j] = x;
      a[j * n + i] = x;
    }
  }
}

/**
 * Reduces the symmetric matrix whose upper triangle is stored row-major in `a` to tridiagonal form
 * `T = Qᵀ A Q` with `Q = H₀ H₁ ⋯ H_{n−3}`, `H_k = I − τ_k v_k v_kᵀ` acting on indices `k+1..n−1`.
 * Writes the diagonal to `d`, the off-diagonal to `e` (`e[k]` couples `k` and `k+1`), `τ_k` to
 * `tau`, and `v_k` (with `v_k[0] = 1`) into row `k` of `a` from column `k + 1` on. Only the upper
 * triangle is read or written.
 */
function householderTridiagonalize(
  a: Float64Array,
  n: number,
  d: Float64Array,
  e: Float64Array,
  tau: Float64Array,
  p: Float64Array = new Float64Array(n),
  v: Float64Array = new Float64Array(n),
) {
  for (let k = 0; k < n - 2; k++) {
    const row = k * n;
    const len = n - k - 1; // size of the trailing block
    const x0 = a[row + k + 1];
    let sigma = 0;
    for (let j = k + 2; j < n; j++) sigma += a[row + j] * a[row + j];
    d[k] = a[row + k];
    if (sigma === 0) {
      // Column already reduced: H_k = I.
      e[k] = x0;
      tau[k] = 0;
      a[row + k + 1] = 1;
      continue;
    }
    const mu = Math.sqrt(x0 * x0 + sigma);
    const beta = x0 <= 0 ? mu : -mu;
    const scale = 1 / (x0 - beta);
    e[k] = beta;
    const t = (beta - x0) / beta;
    tau[k] = t;
    v[0] = 1;
    for (let j = 1; j < len; j++) v[j] = a[row + k + 1 + j] * scale;
    a[row + k + 1] = 1;
    for (let j = 1; j < len; j++) a[row + k + 1 + j] = v[j];
    // p = A₂₂ v from the upper triangle: row i contributes to p[i] and (by symmetry) to p[j > i].
    p.fill(0, 0, len);
    for (let i = 0; i < len; i++) {
      const ri = (k + 1 + i) * n + k + 1;
      const vi = v[i];
      let s = a[ri + i] * vi;
      for (let j = i + 1; j < len; j++) {
        const x = a[ri + j];
        s += x * v[j];
        p[j] += x * vi;
      }
      p[i] += s;
    }
    // p ← τ p; w = p − (τ pᵀv / 2) v (kept in p); then A₂₂ −= v wᵀ + w vᵀ on the upper triangle.
    let pv = 0;
    for (let i = 0; i < len; i++) {
      p[i] *= t;
      pv += p[i] * v[i];
    }
    const kk = 0.5 * t * pv;
    for (let i = 0; i < len; i++) p[i] -= kk * v[i];
    for (let i = 0; i < len; i++) {
      const ri = (k + 1 + i) * n + k + 1;
      const vi = v[i];
      const wi = p[i];
      for (let j = i; j < len; j++) a[ri + j] -= vi * p[j] + wi * v[j];
    }
  }
  if (n >= 2) {
    d[n - 2] = a[(n - 2) * n + n - 2];
    e[n - 2] = a[(n - 2) * n + n - 1];
  }
  d[n - 1] = a[n * n - 1];
  e[n - 1] = 0;
}

/**
 * Forms `Qᵀ = H_{n−3} ⋯ H₀` (row-major) from the reflectors stored by
 * {@link householderTridiagonalize}, as `R ← R H_k` for `k = n−3, …, 0` starting from `R = I`.
 * Each row of `R` is independent, so a block of reflectors is applied row by row while the row stays
 * in cache.
 */
function accumulateTransposed(a: Float64Array, n: number, tau: Float64Array): Float64Array {
  const r = new Float64Array(n * n);
  for (let i = 0; i < n; i++) r[i * n + i] = 1;
  const block = 16;
  for (let hi = n - 3; hi >= 0; hi -= block) {
    const lo = Math.max(0, hi - block + 1);
    // Rows above lo + 1 are still unit rows that these reflectors (nonzero from index lo + 1) miss.
    for (let row = lo + 1; row < n; row++) {
      const ro = row * n;
      for (let k = hi; k >= lo; k--) {
        const t = tau[k];
        if (t === 0) continue;
        const vo = k * n; // v_k[j] lives at a[vo + j] for j ≥ k + 1 (v_k[k + 1] = 1)
        let s0 = 0;
        let s1 = 0;
        let j = k + 1;
        for (; j + 1 < n; j += 2) {
          s0 += r[ro + j] * a[vo + j];
          s1 += r[ro + j + 1] * a[vo + j + 1];
        }
        if (j < n) s0 += r[ro + j] * a[vo + j];
        const f = t * (s0 + s1);
        if (f === 0) continue;
        for (j = k + 1; j < n; j++) r[ro + j] -= f * a[vo + j];
      }
    }
  }
  return r;
}
