/**
 * Training on micro-batches: the gradient each micro-batch gives against the float64 reference, one Adam step
 * against its float64 formula, and identical weights whether the micro-batches run in this realm or in a pool
 * of one or two workers.
 */
import assert from "node:assert/strict";
import { initBackend } from "../../lib/backend.ts";
import { ComputePool } from "../../lib/engine/pool.ts";
import { initParams, modelLayout } from "../../lib/models/layout.ts";
import { disposeLayers, layerTensors } from "../../lib/models/network.ts";
import { Rng } from "../../lib/rng.ts";
import { localGradients, MICRO_BATCH, microBatchGradients, train } from "../../lib/train.ts";
import { grad64, loss64 } from "../reference/net64.ts";
import type { ModelSpec } from "../../lib/models/spec.ts";
import { relErr } from "../relative_error.ts";

const H = 6, W = 6, C = 3;
const SPECS: [string, ModelSpec][] = [
  ["mlp", { kind: "mlp", hidden: [7, 5] }],
  ["cnn", { kind: "cnn", channels: [8, 5], kernel: 3 }],
];

function split(n: number, seed: number) {
  const rng = new Rng(seed);
  const images = new Float32Array(n * H * W).map(() => (rng.uniform() < 0.7 ? 0 : rng.uniform()));
  const labels = new Uint8Array(n).map(() => rng.int(C));
  return { images, labels, n };
}

for (const [name, spec] of SPECS) {
  Deno.test(`train (${name}): a micro-batch's gradient and loss match float64`, async () => {
    await initBackend("wasm");
    const layout = modelLayout(spec, H, W, C);
    const s = split(MICRO_BATCH, 1);
    const w = initParams(layout, 2);
    const params = layerTensors(layout, w);
    const [r] = await microBatchGradients(layout, params, [{ pixels: s.images, labels: s.labels, n: s.n }]);
    disposeLayers(params);
    const [x, labels, w64] = [Float64Array.from(s.images), Array.from(s.labels), Float64Array.from(w)];
    const eGrad = relErr(r.grad, grad64(layout, w64, x, labels));
    const eLoss = Math.abs(r.loss - loss64(layout, w64, x, labels).lossSum) / r.loss;
    assert.ok(eGrad < 1e-5 && eLoss < 1e-5, `gradient ${eGrad}, loss ${eLoss}`);
  });

  Deno.test(`train (${name}): one Adam step is w − lr·√(1−β₂)/(1−β₁)·m/(√v + ε) of the float64 gradient`, async () => {
    await initBackend("wasm");
    const layout = modelLayout(spec, H, W, C);
    const s = split(100, 3); // two micro-batches: 64 + 36
    const w0 = initParams(layout, 4);
    const lr = 0.01;
    const w1 = await train(layout, s, w0, { steps: 1, batchSize: 100, learningRate: lr });
    // The step's mini-batch is the whole split (in some order: the mean gradient does not depend on it).
    const g = grad64(layout, Float64Array.from(w0), Float64Array.from(s.images), Array.from(s.labels));
    const want = Float64Array.from(w0, (wi, i) => {
      const gi = g[i] / s.n, m = 0.1 * gi, v = 0.001 * gi * gi;
      return wi - (lr * Math.sqrt(0.001) / 0.1) * m / (Math.sqrt(v) + 1e-8);
    });
    const step = Float64Array.from(w1, (x, i) => x - w0[i]), wantStep = want.map((x, i) => x - w0[i]);
    assert.ok(relErr(step, wantStep) < 1e-4, `Adam step: relative error ${relErr(step, wantStep)}`);
  });

  Deno.test(`train (${name}): identical weights in this realm and in pools of 1 and 2 workers`, async () => {
    await initBackend("wasm");
    const layout = modelLayout(spec, H, W, C);
    const s = split(300, 5);
    const w0 = initParams(layout, 6);
    const opts = { epochs: 2, batchSize: 130, learningRate: 0.01 }; // 3 micro-batches per full step
    const local = await train(layout, s, w0, { ...opts, engine: localGradients });
    for (const workers of [1, 2]) {
      const pool = await ComputePool.create({ workers, backend: "wasm" });
      try {
        const w = await train(layout, s, w0, { ...opts, engine: pool });
        assert.deepEqual(w, local, `${workers} worker(s): weights differ from this realm's`);
      } finally {
        await pool.close();
      }
    }
    assert.ok(relErr(local, w0) > 1e-3, "training did not move the weights");
  });
}
