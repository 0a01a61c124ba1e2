/**
 * Float64 vector kernels shared by the eigensolvers: dot products, `axpy`, normalisation and
 * Gram–Schmidt orthogonalisation. Internal to `lib/linalg/` (not part of the public API).
 * @module
 */

/**
 * The dot product `aᵀ b` of two float64 vectors of equal length.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dot } from "./vectors.ts";
 * assert.equal(dot(new Float64Array([1, 2]), new Float64Array([3, 4])), 11);
 * ```
 */
export function dot(a: Float64Array, b: Float64Array): number {
  let s0 = 0;
  let s1 = 0;
  const n = a.length;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    s0 += a[i] * b[i];
    s1 += a[i + 1] * b[i + 1];
  }
  if (i < n) s0 += a[i] * b[i];
  return s0 + s1;
}

/**
 * In place `y ← y + alpha · x`; returns `y`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { axpy } from "./vectors.ts";
 * assert.deepEqual(Array.from(axpy(2, new Float64Array([1, 1]), new Float64Array([0, 1]))), [2, 3]);
 * ```
 */
export function axpy(alpha: number, x: Float64Array, y: Float64Array): Float64Array {
  for (let i = 0; i < y.length; i++) y[i] += alpha * x[i];
  return y;
}

/**
 * Classical Gram–Schmidt of `w` against the (orthonormal) vectors of every list in `bases`, repeated
 * `passes` times ("twice is enough"); `w` is modified in place. Returns the summed coefficients
 * `vᵀ w` per vector, in the order the vectors were visited (lists in order, each front to back).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { orthogonalize } from "./vectors.ts";
 * const w = new Float64Array([1, 1]);
 * assert.deepEqual(orthogonalize(w, [[new Float64Array([1, 0])]]), [1]);
 * assert.deepEqual(Array.from(w), [0, 1]);
 * ```
 */
export function orthogonalize(
  w: Float64Array,
  bases: readonly (readonly Float64Array[])[],
  passes = 2,
): number[] {
  const all = bases.flat();
  const total = new Array<number>(all.length).fill(0);
  const h = new Float64Array(all.length);
  for (let pass = 0; pass < passes; pass++) {
    for (let j = 0; j < all.length; j++) h[j] = dot(all[j], w);
    for (let j = 0; j < all.length; j++) {
      axpy(-h[j], all[j], w);
      total[j] += h[j];
    }
  }
  return total;
}

/**
 * Scales `v` to unit length in place (a zero vector stays zero); returns its norm before scaling.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { scaleToUnit } from "./vectors.ts";
 * const v = new Float64Array([3, 4]);
 * assert.equal(scaleToUnit(v), 5);
 * assert.deepEqual(Array.from(v), [0.6, 0.8]);
 * ```
 */
export function scaleToUnit(v: Float64Array): number {
  const norm = Math.sqrt(dot(v, v));
  if (norm > 0) { for (let i = 0; i < v.length; i++) v[i] /= norm; }
  return norm;
}
