/**
 * Lanczos and power iteration on a real network's Hessian (exact HVPs through the compute pool) against the
 * dense eigendecomposition of the explicitly assembled Hessian.
 */
import { assert } from "../assert.ts";
import { networkHessian } from "../../lib/curvature/hessian.ts";
import { ComputePool } from "../../lib/engine/pool.ts";
import { symmetricEigen } from "../../lib/linalg/dense_eigen.ts";
import { lanczos } from "../../lib/linalg/lanczos.ts";
import { countingOperator } from "../../lib/linalg/operator.ts";
import { powerIteration } from "../../lib/linalg/power_iteration.ts";
import { initParams, modelLayout } from "../../lib/models/layout.ts";
import { Rng } from "../../lib/rng.ts";
import { train } from "../../lib/train.ts";
import { initBackend } from "../../lib/backend.ts";

Deno.test("Lanczos on a 1,108-parameter MLP's Hessian matches the dense eigendecomposition", async () => {
  const rng = new Rng(11);
  const n = 256, C = 4;
  const images = new Float32Array(n * 64).map(() => rng.uniform());
  const labels = new Uint8Array(n).map((_, i) => (i * 7 + (images[i * 64] > 0.5 ? 1 : 0)) % C);
  const split = { images, labels, n };
  const layout = modelLayout({ kind: "mlp", hidden: [16] }, 8, 8, C);
  assert(layout.size === 1108 && layout.size <= 2000);
  await initBackend("wasm");
  const w = await train(layout, split, initParams(layout, 1), { epochs: 5, batchSize: 32 });
  const pool = await ComputePool.create({ workers: 0, backend: "wasm" });
  try {
    await pool.load("train", layout, split, 32);
    await pool.setWeights(w);
    const H = networkHessian(pool, { dataset: "train", dim: layout.size, samples: n });
    // Assemble the Hessian column by column, then symmetrise away float32 rounding.
    const P = layout.size;
    const M = new Float64Array(P * P);
    const e = new Float64Array(P);
    for (let j = 0; j < P; j++) {
      e.fill(0);
      e[j] = 1;
      const col = await H.apply(e);
      for (let i = 0; i < P; i++) M[i * P + j] = col[i];
    }
    const dense = symmetricEigen(M, P);
    const op = countingOperator(H);
    const lz = await lanczos(op, { k: 10, tol: 1e-5, seed: 3 });
    assert(lz.converged);
    for (let i = 0; i < 10; i++) {
      const rel = Math.abs(lz.values[i] - dense.values[i]) / Math.abs(dense.values[i]);
      assert(rel < 1e-4, `λ_${i + 1}: Lanczos ${lz.values[i]} vs dense ${dense.values[i]} (rel ${rel})`);
      const gapLo = i > 0 ? dense.values[i - 1] - dense.values[i] : Infinity;
      const gapHi = dense.values[i] - dense.values[i + 1];
      if (Math.min(gapLo, gapHi) > 1e-3 * Math.abs(dense.values[0])) {
        let c = 0;
        for (let q = 0; q < P; q++) c += lz.vectors[i][q] * dense.vectors[i][q];
        assert(Math.abs(c) >= 0.999, `eigenvector ${i + 1}: |cos| = ${Math.abs(c)}`);
      }
    }
    const pw = await powerIteration(countingOperator(H), {
      k: 10,
      tol: 1e-5,
      seed: 3,
      maxIterPerVector: 3000,
    });
    for (let i = 0; i < 10; i++) {
      const rel = Math.abs(pw.values[i] - dense.values[i]) / Math.abs(dense.values[i]);
      assert(rel < 1e-3, `power iteration λ_${i + 1}: ${pw.values[i]} vs ${dense.values[i]}`);
    }
    console.log(`Lanczos ${op.calls} HVPs vs power iteration ${pw.operatorCalls}`);
    assert(pw.operatorCalls >= 3 * op.calls, "Lanczos needs far fewer HVPs");
  } finally {
    await pool.close();
  }
});
