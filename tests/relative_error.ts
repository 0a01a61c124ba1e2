/**
 * The relative error `‖a − b‖ / ‖b‖` the numerical tests (and `bench/gpu_check.ts`) compare results with,
 * accumulated in float64.
 * @module
 */

/**
 * `‖a − b‖₂ / ‖b‖₂` with `b` the reference. Throws on a length mismatch. Against an all-zero reference it is 0
 * when `a` is all zeros too and `Infinity` otherwise, so no bound passes by accident.
 */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`relErr: lengths differ (${a.length} vs ${b.length})`);
  let num = 0, den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  if (den === 0) return num === 0 ? 0 : Infinity;
  return Math.sqrt(num / den);
}
