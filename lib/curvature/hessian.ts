/**
 * The network's Hessian as an operator `v ↦ Hv`: exact Hessian-vector products (Pearlmutter's R-operator,
 * `lib/models/network.ts`) summed over a dataset held by a {@link ComputePool}, with the reduction explicit —
 * `"mean"` for the Hessian of the mean loss `L_k` (what the method uses), `"sum"` for the summed loss. The
 * eigensolvers of `lib/linalg/` see only this operator.
 * @module
 */
import type { ComputePool } from "../engine/pool.ts";
import type { SymmetricOperator } from "../linalg/operator.ts";

/** Options of {@link networkHessian}. */
export interface NetworkHessianOptions {
  /** The dataset's name in the pool. */
  dataset: string;
  /** The parameter count (the operator's dimension). */
  dim: number;
  /** Use the first `samples` samples of the dataset (whole batches in order). */
  samples: number;
  /** `"mean"`: the Hessian of the mean loss over those samples; `"sum"`: of their summed loss. Default `"mean"`. */
  reduction?: "mean" | "sum";
}

/**
 * The Hessian of the loss over the first `samples` samples of a dataset loaded into `pool`, at the pool's
 * current weights. Each `apply` is one full pass (float32 on the workers, summed in float64).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ComputePool, initParams, lanczos, modelLayout, networkHessian, parseModelSpec } from "kstar";
 * const layout = modelLayout(parseModelSpec("mlp:3"), 2, 2, 2); // 2×2 images, 2 classes: 23 parameters
 * const images = Float32Array.from({ length: 8 * 4 }, (_, i) => (i % 5) / 4);
 * const split = { images, labels: Uint8Array.from({ length: 8 }, (_, i) => i % 2), n: 8 };
 * const pool = await ComputePool.create({ workers: 0, backend: "cpu" });
 * try {
 *   await pool.load("train", layout, split, 4);
 *   await pool.setWeights(initParams(layout, 0));
 *   const mean = networkHessian(pool, { dataset: "train", dim: layout.size, samples: 8 });
 *   const sum = networkHessian(pool, { dataset: "train", dim: layout.size, samples: 8, reduction: "sum" });
 *   const v = new Float64Array(layout.size).fill(1);
 *   const [hm, hs] = [await mean.apply(v), await sum.apply(v)];
 *   assert.ok(Math.abs(hs[0] - 8 * hm[0]) <= 1e-9 * Math.abs(hs[0]));
 *   const { values } = await lanczos(mean, { k: 2 });
 *   assert.ok(values[0] >= values[1]);
 * } finally {
 *   await pool.close();
 * }
 * ```
 */
export function networkHessian(pool: ComputePool, opts: NetworkHessianOptions): SymmetricOperator {
  const { dataset, dim, samples } = opts;
  const scale = (opts.reduction ?? "mean") === "mean" ? 1 / samples : 1;
  return {
    dim,
    async apply(v: Float64Array): Promise<Float64Array> {
      const h = await pool.hvp(dataset, Float32Array.from(v), samples);
      if (scale !== 1) { for (let i = 0; i < h.length; i++) h[i] *= scale; }
      return h;
    },
  };
}
