/**
 * Whether σ is small enough for the second-order model behind the paper's formula: the mean perturbed loss
 * `E_θ L(w* + Pθ)` against its quadratic prediction `L + σ²/2 · tr Λ` (for θ ~ N(0, σ²I_d), the gradient
 * term vanishes in expectation).
 * @module
 */

/** The outcome of {@link quadraticCheck}. */
export interface QuadraticCheck {
  /** L = L_K(w*), nats. */
  lossAtOptimum: number;
  /** Mean over θ of L_K(w* + Pθ), nats. */
  meanPerturbed: number;
  /** The second-order prediction L + σ²/2 · tr Λ_K, nats. */
  predicted: number;
  /** |meanPerturbed − predicted| relative to the larger of the two changes from L, ≥ 0. */
  relativeError: number;
  /** Whether `relativeError < threshold` (default 0.25): σ is small enough for the quadratic model. */
  ok: boolean;
}

/**
 * Compares the Monte Carlo mean of the perturbed loss with the second-order prediction `L + σ²/2 · tr Λ`.
 *
 * @param loss L(w*)
 * @param meanPerturbed the mean over θ of L(w* + Pθ)
 * @param trace tr Λ = Σ_i e_iᵀ H e_i, the projected Hessian's trace
 * @param sigma σ of θ ~ N(0, σ²I_d)
 * @param threshold the largest relative error that counts as quadratic (default 0.25)
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { quadraticCheck } from "kstar";
 * // An exactly quadratic loss L(θ) = 1 + ½·(2θ₁² + θ₂²): E L = 1 + ½σ²·3 — the check is exact.
 * const q = quadraticCheck(1, 1 + 0.5 * 0.01 * 3, 3, 0.1);
 * assert.ok(q.ok && q.relativeError < 1e-12);
 * // A loss far above its quadratic prediction fails it.
 * assert.equal(quadraticCheck(0.05, 23, 10, 1).ok, false);
 * ```
 */
export function quadraticCheck(
  loss: number,
  meanPerturbed: number,
  trace: number,
  sigma: number,
  threshold = 0.25,
): QuadraticCheck {
  const predicted = loss + (sigma * sigma / 2) * trace;
  const relativeError = Math.abs(meanPerturbed - predicted) /
    Math.max(Math.abs(meanPerturbed - loss), Math.abs(predicted - loss), 1e-12);
  return { lossAtOptimum: loss, meanPerturbed, predicted, relativeError, ok: relativeError < threshold };
}
