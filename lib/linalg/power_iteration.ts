/**
 * Top-k eigenpairs by power iteration with deflation: the comparison method of the original
 * "top Hessian eigenvectors" authors, kept to measure how many operator calls Lanczos saves.
 * @module
 */

import { checkChoice, checkInt, checkNumber, ConfigError } from "../errors.ts";
import { Rng } from "../rng.ts";
import { checkOperator, type EigenpairResult, relativeResidual, type SymmetricOperator } from "./operator.ts";
import { axpy, dot, orthogonalize } from "./vectors.ts";
import { symmetricEigen } from "./dense_eigen.ts";
import { WHICH, type Which } from "./lanczos.ts";

/** Progress reported by {@link powerIteration} after every iteration. */
export interface PowerIterationInfo {
  /** Index (0-based) of the eigenpair being computed. */
  vector: number;
  /** Iteration on this eigenpair (1-based). */
  iteration: number;
  /** Operator calls so far, in total. */
  operatorCalls: number;
  /** Current Rayleigh quotient `vᵀ A v`. */
  value: number;
  /** Its relative residual `‖A v − λ v‖ / max(|λ|, floor)`. */
  residual: number;
  /** The shift in use. */
  shift: number;
}

/** Options for {@link powerIteration}. */
export interface PowerIterationOptions {
  /** Number of eigenpairs wanted, an integer in `[1, dim]`; default 10. */
  k?: number;
  /** Which eigenvalues to find; default `"largest-algebraic"`. */
  which?: Which;
  /** Relative residual tolerance `‖A v − λ v‖ ≤ tol · |λ|`, > 0; default `1e-4`. */
  tol?: number;
  /** Iteration limit per eigenpair, an integer ≥ 1; default 1000. */
  maxIterPerVector?: number;
  /**
   * Iterate on `A + shift · I` (a finite number), or `"auto"` (default): no shift until an eigenpair
   * comes out negative while `"largest-algebraic"` is wanted, then redo it with `shift = ‖A‖`
   * (estimated), which makes the deflated operator positive semi-definite. Ignored as `"auto"` for
   * `"largest-magnitude"` (no shift).
   */
  shift?: number | "auto";
  /** Seed of the random start vectors; default 0. */
  seed?: number;
  /** Called after every iteration. */
  onIteration?: (info: PowerIterationInfo) => void;
  /** Aborts between operator calls (the promise rejects with `signal.reason`). */
  signal?: AbortSignal;
}

/** Eigenvalues smaller than this times `‖A‖` are measured against it in relative residuals. */
const FLOOR = 1e-10;

/**
 * The top `k` eigenpairs by power iteration with deflation: for `i = 1..k`, iterate
 * `v ← (A + σ I − Σ_{j<i} (λ_j + σ) u_j u_jᵀ) v / ‖·‖` from a random start until the residual
 * `‖P A v − λ v‖ ≤ tol · max(|λ|, 1e-10 ‖A‖)` with `λ = vᵀ A v` and `P` the projection away from the
 * found `u_j` (the criterion of {@link lanczos} on the deflated operator; it uses the same operator
 * call), or `maxIterPerVector` iterations. Deflation is done by projecting the found `u_j` out of
 * every iterate, which equals the Hotelling form above in exact arithmetic and keeps the vectors
 * orthogonal. Finally a Rayleigh–Ritz step on the span of the `k` vectors (from the products already
 * computed, no extra calls) removes the error that deflating against inexact earlier vectors leaves
 * in later ones; the reported `residuals` are exact `‖A v − λ v‖ / max(|λ|, floor)` of the results.
 *
 * Plain power iteration (`σ = 0`) converges to the eigenvalue largest in *magnitude*, at the rate
 * `|λ_{i+1} / λ_i|`: slow where the spectrum decays slowly, and wrong for `"largest-algebraic"` when
 * a negative eigenvalue is larger in magnitude than the wanted positive one; the `shift` option
 * handles the latter (at the price of a slower rate `(λ_{i+1} + σ) / (λ_i + σ)`). Eigenvalues `±λ` of
 * equal magnitude never separate without a shift.
 *
 * Returns the same shape as {@link lanczos}: `values` descending, unit `vectors`, relative
 * `residuals`, total `iterations` (= `operatorCalls`), and `converged` when every pair met `tol`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { diagonalOperator, powerIteration } from "kstar";
 * const op = diagonalOperator([10, 5, 1, 0.5, 0.1]);
 * const { values, operatorCalls, converged } = await powerIteration(op, { k: 2 });
 * assert.ok(converged && Math.abs(values[0] - 10) < 1e-3 && Math.abs(values[1] - 5) < 1e-3);
 * assert.ok(operatorCalls < 100);
 * ```
 */
export async function powerIteration(
  op: SymmetricOperator,
  options: PowerIterationOptions = {},
): Promise<EigenpairResult> {
  const n = checkOperator(op);
  const k = checkInt("k", options.k ?? 10, 1, n);
  const which = checkChoice("which", options.which ?? "largest-algebraic", WHICH);
  const tol = checkNumber("tol", options.tol ?? 1e-4, 0, Number.POSITIVE_INFINITY, true);
  const maxIter = checkInt("maxIterPerVector", options.maxIterPerVector ?? 1000, 1);
  const shiftOption = options.shift ?? "auto";
  if (shiftOption !== "auto" && !(typeof shiftOption === "number" && Number.isFinite(shiftOption))) {
    throw new ConfigError("shift", shiftOption, 'a finite number or "auto"');
  }
  const auto = shiftOption === "auto";
  let shift = auto ? 0 : shiftOption;
  const rng = new Rng(checkInt("seed", options.seed ?? 0, 0, 0xffffffff));

  const vectors: Float64Array[] = [];
  const products: Float64Array[] = []; // A u_j for the found u_j, for the final Rayleigh–Ritz step
  let calls = 0;
  let normEst = 0;
  for (let i = 0; i < k; i++) {
    let value = 0;
    let v: Float64Array = new Float64Array(n);
    let av: Float64Array = new Float64Array(n);
    for (let attempt = 0; attempt < 2; attempt++) {
      v = randomUnitOrthogonal(rng, n, vectors);
      for (let it = 1; it <= maxIter; it++) {
        options.signal?.throwIfAborted();
        const w = await op.apply(v);
        calls++;
        if (!(w instanceof Float64Array) || w.length !== n) {
          throw new Error(
            `powerIteration: op.apply returned ${w?.length} entries, expected a Float64Array(${n})`,
          );
        }
        normEst = Math.max(normEst, Math.sqrt(dot(w, w)));
        av = w.slice();
        value = dot(v, w);
        // Deflate: project the found vectors out of A v (v is orthogonal to them already).
        orthogonalize(w, [vectors]);
        let r2 = 0;
        for (let t = 0; t < n; t++) {
          const d = w[t] - value * v[t];
          r2 += d * d;
        }
        const residual = relativeResidual(Math.sqrt(r2), value, FLOOR * normEst);
        if (!Number.isFinite(residual)) {
          throw new Error("powerIteration: op.apply returned non-finite values");
        }
        options.onIteration?.({ vector: i, iteration: it, operatorCalls: calls, value, residual, shift });
        if (residual <= tol) break;
        // Next iterate: the deflated (A + σI) v, normalised.
        for (let t = 0; t < n; t++) w[t] += shift * v[t];
        const norm = Math.sqrt(dot(w, w));
        if (!(norm > 0)) break; // v is an exact eigenvector of the shifted deflated operator with eigenvalue 0
        for (let t = 0; t < n; t++) w[t] /= norm;
        v = w;
      }
      // A negative pair while the largest algebraic are wanted: negative eigenvalues dominate in
      // magnitude what is left, so shift the spectrum up by ‖A‖ and redo this pair.
      if (auto && which === "largest-algebraic" && shift === 0 && value < 0) {
        shift = normEst;
        continue;
      }
      break;
    }
    vectors.push(v);
    products.push(av);
  }
  return {
    ...rayleighRitz(vectors, products, tol, FLOOR * normEst),
    iterations: calls,
    operatorCalls: calls,
  };
}

/**
 * Rayleigh–Ritz on the span of the found vectors `U` with their products `A U` (no operator calls):
 * removes the error that deflation against inexact earlier vectors leaves in later ones. Returns the
 * Ritz pairs (descending) with exact relative residuals.
 */
function rayleighRitz(
  vectors: Float64Array[],
  products: Float64Array[],
  tol: number,
  floor: number,
): Omit<EigenpairResult, "iterations" | "operatorCalls"> {
  const k = vectors.length;
  const n = vectors[0].length;
  const h = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) h[i * k + j] = dot(vectors[i], products[j]);
  }
  const { values, vectors: s } = symmetricEigen(h, k); // symmetrises H
  const out: Float64Array[] = [];
  const residuals: number[] = [];
  for (let i = 0; i < k; i++) {
    const u = new Float64Array(n);
    const au = new Float64Array(n);
    for (let j = 0; j < k; j++) {
      axpy(s[i][j], vectors[j], u);
      axpy(s[i][j], products[j], au);
    }
    let r2 = 0;
    for (let t = 0; t < n; t++) r2 += (au[t] - values[i] * u[t]) ** 2;
    out.push(u);
    residuals.push(relativeResidual(Math.sqrt(r2), values[i], floor));
  }
  return {
    values: Array.from(values),
    vectors: out,
    residuals,
    converged: residuals.every((r) => r <= tol),
  };
}

function randomUnitOrthogonal(rng: Rng, n: number, found: Float64Array[]): Float64Array {
  for (let attempt = 0; attempt < 3; attempt++) {
    const v = rng.fillNormal(new Float64Array(n));
    orthogonalize(v, [found]);
    const norm = Math.sqrt(dot(v, v));
    if (norm > 1e-8) {
      for (let t = 0; t < n; t++) v[t] /= norm;
      return v;
    }
  }
  throw new Error("powerIteration: no start vector orthogonal to the pairs found");
}
