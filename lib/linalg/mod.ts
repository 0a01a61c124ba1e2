/**
 * Generic symmetric eigensolvers in float64 that know nothing about networks: they see a matrix only
 * through a {@link SymmetricOperator} `v ↦ A v`. Lanczos with full reorthogonalisation (the method kstar
 * uses), power iteration with deflation (for comparison), and dense / tridiagonal decompositions.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { denseOperator, lanczos } from "kstar";
 * const op = denseOperator(new Float64Array([2, 1, 0, 1, 2, 1, 0, 1, 2]), 3);
 * const { values } = await lanczos(op, { k: 1 });
 * assert.ok(Math.abs(values[0] - (2 + Math.SQRT2)) < 1e-9);
 * ```
 * @module
 */

export {
  type CountingOperator,
  countingOperator,
  denseOperator,
  diagonalOperator,
  type EigenpairResult,
  type SymmetricOperator,
} from "./operator.ts";
export {
  type SymmetricEigen,
  symmetricEigen,
  type SymmetricEigenOptions,
  SymmetricEigenvalues,
} from "./dense_eigen.ts";
export { type TridiagonalEigen, tridiagonalEigen, type TridiagonalEigenOptions } from "./tridiagonal.ts";
export {
  lanczos,
  type LanczosIterationInfo,
  type LanczosOptions,
  warmStartVector,
  WHICH,
  type Which,
} from "./lanczos.ts";
export { powerIteration, type PowerIterationInfo, type PowerIterationOptions } from "./power_iteration.ts";
