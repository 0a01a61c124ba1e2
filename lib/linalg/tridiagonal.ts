/**
 * Eigen-decomposition of a symmetric tridiagonal matrix in float64 by implicit QL with Wilkinson
 * shifts, as used for the Ritz values and vectors of Lanczos and after Householder reduction in
 * {@link symmetricEigen}.
 * @module
 */

import { ConfigError } from "../errors.ts";

/** The eigen-decomposition of a symmetric tridiagonal matrix; see {@link tridiagonalEigen}. */
export interface TridiagonalEigen {
  /** Eigenvalues in descending order. */
  values: Float64Array;
  /**
   * Unit eigenvectors, `vectors[i]` for `values[i]` (length `n` each); empty when
   * `options.vectors` was `false`.
   */
  vectors: Float64Array[];
  /**
   * The last component of each unit eigenvector (`lastComponents[i]` for `values[i]`), always
   * computed; Lanczos residual estimates are `|β_m · lastComponents[i]|`.
   */
  lastComponents: Float64Array;
}

/** Options for {@link tridiagonalEigen}. */
export interface TridiagonalEigenOptions {
  /** Whether to compute all eigenvectors (`O(n³)`); default `true`. Without them the cost is `O(n²)`. */
  vectors?: boolean;
}

/**
 * Eigenvalues and eigenvectors of the symmetric tridiagonal matrix with diagonal `alpha` (length
 * `n`) and off-diagonal `beta` (`beta[i]` couples rows `i` and `i + 1`; entries from index `n − 1`
 * on are ignored, so a Lanczos `beta` with its trailing residual norm may be passed as is).
 *
 * Implicit QL with Wilkinson shifts in float64; eigenvalues are accurate to about
 * `ε · max|T_ij|` and eigenvectors are orthonormal to working precision.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tridiagonalEigen } from "kstar";
 * const { values, vectors } = tridiagonalEigen([2, 2], [1]);
 * assert.deepEqual(Array.from(values).map((v) => +v.toFixed(12)), [3, 1]);
 * assert.ok(Math.abs(Math.abs(vectors[0][1]) - Math.SQRT1_2) < 1e-12); // ± [0.7071, 0.7071]
 * ```
 */
export function tridiagonalEigen(
  alpha: ArrayLike<number>,
  beta: ArrayLike<number>,
  options: TridiagonalEigenOptions = {},
): TridiagonalEigen {
  const n = alpha.length;
  if (n < 1) throw new ConfigError("alpha", n, "at least one diagonal entry");
  if (beta.length < n - 1) throw new ConfigError("beta", beta.length, `at least n − 1 = ${n - 1} entries`);
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    d[i] = alpha[i];
    if (i < n - 1) e[i] = beta[i];
    if (!Number.isFinite(d[i]) || !Number.isFinite(e[i])) {
      throw new ConfigError(
        Number.isFinite(d[i]) ? "beta" : "alpha",
        Number.isFinite(d[i]) ? e[i] : d[i],
        "finite numbers",
      );
    }
  }
  const wantVectors = options.vectors ?? true;
  const cols = wantVectors ? n : 1;
  const w = new Float64Array(n * cols);
  if (wantVectors) { for (let i = 0; i < n; i++) w[i * n + i] = 1; }
  else w[n - 1] = 1; // tracks the last component of every eigenvector (row i ↔ eigenvector i)
  implicitQl(d, e, w, cols);
  const order = descendingOrder(d);
  const values = new Float64Array(n);
  const lastComponents = new Float64Array(n);
  const vectors: Float64Array[] = [];
  for (let r = 0; r < n; r++) {
    const i = order[r];
    values[r] = d[i];
    lastComponents[r] = w[i * cols + cols - 1];
    if (wantVectors) vectors.push(w.slice(i * n, i * n + n));
  }
  return { values, vectors, lastComponents };
}

/**
 * Indices of `values` sorted so that the values descend (stable).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { descendingOrder } from "./tridiagonal.ts";
 * assert.deepEqual(descendingOrder([1, 3, 2]), [1, 2, 0]);
 * ```
 */
export function descendingOrder(values: ArrayLike<number>): number[] {
  const order = Array.from({ length: values.length }, (_, i) => i);
  order.sort((a, b) => values[b] - values[a] || a - b);
  return order;
}

/**
 * Low-level implicit QL with Wilkinson shifts on a symmetric tridiagonal matrix, in place.
 *
 * On entry `d` (length `n`) holds the diagonal and `e[i]` (`i < n − 1`) the coupling of rows `i`
 * and `i + 1` (`e.length ≥ n`; `e[n − 1]` is ignored). On exit `d` holds the eigenvalues (unsorted)
 * and `e` is destroyed. Every plane rotation `G` of the iteration is applied to the rows of `w`
 * (`n` rows of `cols` entries, row-major): starting from `w = I` row `i` ends as the eigenvector of
 * `d[i]`; starting from `w = Qᵀ` it ends as row `i` of `(Q Z)ᵀ`, an eigenvector of `Q T Qᵀ`.
 * Pass `cols = 0` for eigenvalues only. Throws an `Error` after 60 iterations on one eigenvalue.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { implicitQl } from "./tridiagonal.ts";
 * const d = new Float64Array([1, 1]);
 * implicitQl(d, new Float64Array([1, 0]), new Float64Array(0), 0);
 * assert.deepEqual(Array.from(d).sort((a, b) => a - b).map((v) => +v.toFixed(12)), [0, 2]);
 * ```
 */
export function implicitQl(d: Float64Array, e: Float64Array, w: Float64Array, cols: number): void {
  const n = d.length;
  if (n === 0) return;
  e[n - 1] = 0;
  const eps = Number.EPSILON;
  let norm = 0;
  for (let i = 0; i < n; i++) {
    norm = Math.max(norm, Math.abs(d[i]) + Math.abs(e[i]) + (i > 0 ? Math.abs(e[i - 1]) : 0));
  }
  // Off-diagonals below this are treated as zero even when the neighbouring diagonal is ~0.
  const floor = eps * eps * norm;
  const rc = new Float64Array(n);
  const rs = new Float64Array(n);
  for (let l = 0; l < n; l++) {
    let iter = 0;
    let m: number;
    do {
      for (m = l; m < n - 1; m++) {
        const ae = Math.abs(e[m]);
        if (ae <= eps * (Math.abs(d[m]) + Math.abs(d[m + 1])) || ae <= floor) break;
      }
      if (m === l) break;
      if (++iter > 60) throw new Error(`implicitQl: no convergence for eigenvalue ${l} of ${n}`);
      // Wilkinson shift from the leading 2×2 block.
      let g = (d[l + 1] - d[l]) / (2 * e[l]);
      let r = Math.hypot(g, 1);
      g = d[m] - d[l] + e[l] / (g + (g >= 0 ? r : -r));
      let s = 1;
      let c = 1;
      let p = 0;
      let i: number;
      let underflow = false;
      for (i = m - 1; i >= l; i--) {
        const f = s * e[i];
        const b = c * e[i];
        r = Math.hypot(f, g);
        e[i + 1] = r;
        if (r === 0) {
          // Recover from underflow: deflate and restart the sweep.
          d[i + 1] -= p;
          e[m] = 0;
          underflow = true;
          break;
        }
        s = f / r;
        c = g / r;
        g = d[i + 1] - p;
        r = (d[i] - g) * s + 2 * c * b;
        p = s * r;
        d[i + 1] = g + p;
        g = c * r - b;
        rc[i] = c;
        rs[i] = s;
      }
      // The rotations of this sweep, for rows (m−1, m), (m−2, m−1), …, (i+1, i+2), in that order.
      if (cols > 0) applyRotations(w, cols, rc, rs, m - 1, i + 1);
      if (underflow) continue;
      d[l] -= p;
      e[l] = g;
      e[m] = 0;
    } while (m !== l);
  }
}

/**
 * Applies the plane rotations `(rc[i], rs[i])` for `i = hi, hi − 1, …, lo` (in that order) to the
 * row pairs `(i, i + 1)` of `w`: `w_{i+1} ← s w_i + c w_{i+1}`, `w_i ← c w_i − s w_{i+1}`. Four
 * consecutive rotations are fused into one pass over the columns, which saves most of the loads and
 * stores (the cost of dense eigenvectors is dominated by this loop).
 */
function applyRotations(
  w: Float64Array,
  cols: number,
  rc: Float64Array,
  rs: Float64Array,
  hi: number,
  lo: number,
) {
  let i = hi;
  for (; i - 3 >= lo; i -= 4) {
    const c1 = rc[i], s1 = rs[i], c2 = rc[i - 1], s2 = rs[i - 1];
    const c3 = rc[i - 2], s3 = rs[i - 2], c4 = rc[i - 3], s4 = rs[i - 3];
    const o0 = (i - 3) * cols, o1 = o0 + cols, o2 = o1 + cols, o3 = o2 + cols, o4 = o3 + cols;
    for (let t = 0; t < cols; t++) {
      let x = w[o4 + t];
      let y = w[o3 + t];
      w[o4 + t] = s1 * y + c1 * x;
      x = c1 * y - s1 * x;
      y = w[o2 + t];
      w[o3 + t] = s2 * y + c2 * x;
      x = c2 * y - s2 * x;
      y = w[o1 + t];
      w[o2 + t] = s3 * y + c3 * x;
      x = c3 * y - s3 * x;
      y = w[o0 + t];
      w[o1 + t] = s4 * y + c4 * x;
      w[o0 + t] = c4 * y - s4 * x;
    }
  }
  for (; i >= lo; i--) {
    const c = rc[i], s = rs[i];
    const oi = i * cols, oj = oi + cols;
    for (let t = 0; t < cols; t++) {
      const f = w[oj + t];
      const x = w[oi + t];
      w[oj + t] = s * x + c * f;
      w[oi + t] = c * x - s * f;
    }
  }
}
