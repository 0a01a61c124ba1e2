/**
 * Symmetric linear operators known only through their action `v ↦ A v`: the eigensolvers of this
 * module see a matrix only through products, so the same code serves a dense test matrix and a
 * network's Hessian (whose products are Hessian-vector products computed in workers; see
 * `lib/curvature/`).
 * @module
 */

import { checkInt, ConfigError } from "../errors.ts";

/**
 * A symmetric linear map `v ↦ A v` on `R^dim`, known only through its action.
 *
 * `apply` is asynchronous because real curvature products run on tensors or in workers. It must
 * not modify its argument and must return a fresh float64 array of length `dim` that the caller
 * may keep and modify.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { diagonalOperator } from "kstar";
 * const op = diagonalOperator([3, 1]);
 * assert.deepEqual(Array.from(await op.apply(new Float64Array([1, 1]))), [3, 1]);
 * ```
 */
export interface SymmetricOperator {
  /** The dimension `n` of the space the operator acts on. */
  readonly dim: number;
  /** Returns `A v` as a new float64 array; `v` (length `dim`) is left unchanged. */
  apply(v: Float64Array): Promise<Float64Array>;
}

/**
 * The result shape shared by the iterative eigensolvers (`lanczos`, `powerIteration`).
 *
 * `values[i]` belongs to `vectors[i]`; values are sorted in descending algebraic order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { diagonalOperator, type EigenpairResult, lanczos } from "kstar";
 * const r: EigenpairResult = await lanczos(diagonalOperator([5, 4, 3, 2, 1]), { k: 2 });
 * assert.deepEqual(r.values.map((v) => +v.toFixed(9)), [5, 4]);
 * assert.equal(r.vectors.length, 2);
 * ```
 */
export interface EigenpairResult {
  /** Eigenvalue estimates, descending. */
  values: number[];
  /** Unit-norm, mutually orthogonal eigenvector estimates (float64), one per value. */
  vectors: Float64Array[];
  /**
   * Relative residuals `‖A v − λ v‖ / max(|λ|, floor)`, one per value; see each solver for how
   * they are obtained and what `floor` is.
   */
  residuals: number[];
  /** Iterations performed (in total, over all sub-runs). */
  iterations: number;
  /** Calls to `op.apply`. */
  operatorCalls: number;
  /** Whether every returned pair met the residual tolerance. */
  converged: boolean;
}

function checkVector(v: Float64Array, dim: number): void {
  if (!(v instanceof Float64Array) || v.length !== dim) {
    throw new ConfigError(
      "v",
      v instanceof Float64Array ? `Float64Array(${v.length})` : typeof v,
      `a Float64Array of length ${dim}`,
    );
  }
}

/**
 * A {@link SymmetricOperator} for a dense symmetric matrix stored row-major in `matrix`
 * (`n × n`). The matrix is used as given (not copied, not symmetrised), so it should be symmetric.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { denseOperator } from "kstar";
 * const op = denseOperator(new Float64Array([2, 1, 1, 2]), 2);
 * assert.deepEqual(Array.from(await op.apply(new Float64Array([1, 0]))), [2, 1]);
 * ```
 */
export function denseOperator(matrix: Float64Array, n: number): SymmetricOperator {
  if (!Number.isInteger(n) || n < 1) throw new ConfigError("n", n, "an integer ≥ 1");
  if (!(matrix instanceof Float64Array) || matrix.length !== n * n) {
    throw new ConfigError("matrix", matrix?.length, `a Float64Array of length n² = ${n * n}`);
  }
  return {
    dim: n,
    apply(v: Float64Array): Promise<Float64Array> {
      checkVector(v, n);
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const row = i * n;
        let s = 0;
        for (let j = 0; j < n; j++) s += matrix[row + j] * v[j];
        out[i] = s;
      }
      return Promise.resolve(out);
    },
  };
}

/**
 * A {@link SymmetricOperator} for the diagonal matrix `diag(d)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { diagonalOperator } from "kstar";
 * const op = diagonalOperator([2, -1]);
 * assert.deepEqual(Array.from(await op.apply(new Float64Array([1, 1]))), [2, -1]);
 * ```
 */
export function diagonalOperator(diag: ArrayLike<number>): SymmetricOperator {
  const d = Float64Array.from(diag);
  if (d.length < 1) throw new ConfigError("diag", d.length, "at least one entry");
  return {
    dim: d.length,
    apply(v: Float64Array): Promise<Float64Array> {
      checkVector(v, d.length);
      const out = new Float64Array(d.length);
      for (let i = 0; i < d.length; i++) out[i] = d[i] * v[i];
      return Promise.resolve(out);
    },
  };
}

/** A {@link SymmetricOperator} that counts its products; see {@link countingOperator}. */
export interface CountingOperator extends SymmetricOperator {
  /** Number of `apply` calls since creation or the last `reset()`. */
  readonly calls: number;
  /** Sets `calls` back to zero. */
  reset(): void;
}

/**
 * Wraps `op` so that every `apply` call is counted in `.calls`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { countingOperator, diagonalOperator } from "kstar";
 * const op = countingOperator(diagonalOperator([1, 2]));
 * await op.apply(new Float64Array(2));
 * assert.equal(op.calls, 1);
 * op.reset();
 * assert.equal(op.calls, 0);
 * ```
 */
export function countingOperator(op: SymmetricOperator): CountingOperator {
  let calls = 0;
  return {
    dim: op.dim,
    get calls() {
      return calls;
    },
    reset() {
      calls = 0;
    },
    apply(v: Float64Array): Promise<Float64Array> {
      calls++;
      return op.apply(v);
    },
  };
}

/**
 * Validates `op` (an object with `apply` and an integer `dim ≥ 1`, else a `ConfigError`) and returns
 * its dimension.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkOperator, diagonalOperator } from "./operator.ts";
 * assert.equal(checkOperator(diagonalOperator([1, 2, 3])), 3);
 * ```
 */
export function checkOperator(op: SymmetricOperator): number {
  if (typeof op !== "object" || op === null || typeof op.apply !== "function") {
    throw new ConfigError("op", typeof op, "an object with dim and apply(v)");
  }
  return checkInt("dim", op.dim, 1);
}

/**
 * `residual / max(|value|, floor)`, and 0 for a zero residual (so an exactly zero operator is
 * converged rather than NaN).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { relativeResidual } from "./operator.ts";
 * assert.equal(relativeResidual(1e-3, -10, 1e-9), 1e-4);
 * assert.equal(relativeResidual(0, 0, 0), 0);
 * ```
 */
export function relativeResidual(residual: number, value: number, floor: number): number {
  return residual === 0 ? 0 : residual / Math.max(Math.abs(value), floor);
}
