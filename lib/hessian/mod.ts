/**
 * Top eigenpairs of curvature operators: Lanczos (with full reorthogonalisation), power iteration
 * with deflation for comparison, and dense / tridiagonal symmetric eigensolvers in float64.
 *
 * The solvers know nothing about networks; they see a {@link SymmetricOperator}.
 *
 * @example
 * ```ts
 * import { denseOperator, lanczos } from "./mod.ts";
 * const op = denseOperator(new Float64Array([2, 1, 0, 1, 2, 1, 0, 1, 2]), 3);
 * const { values } = await lanczos(op, { k: 1 });
 * console.log(values); // ≈ [3.414]
 * ```
 * @module
 */

export {
  axpy,
  type CountingOperator,
  countingOperator,
  denseOperator,
  diagonalOperator,
  dot,
  type EigenpairResult,
  orthogonalize,
  type SymmetricOperator,
} from "./operator.ts";
export { type SymmetricEigen, symmetricEigen, type SymmetricEigenOptions } from "./dense_eigen.ts";
export {
  descendingOrder,
  implicitQl,
  type TridiagonalEigen,
  tridiagonalEigen,
  type TridiagonalEigenOptions,
} from "./tridiagonal.ts";
export {
  checkOperator,
  lanczos,
  type LanczosIterationInfo,
  type LanczosOptions,
  relativeResidual,
  warmStartVector,
  WHICH,
  type Which,
} from "./lanczos.ts";
export { powerIteration, type PowerIterationInfo, type PowerIterationOptions } from "./power_iteration.ts";
