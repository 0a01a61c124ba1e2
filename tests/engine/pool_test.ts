import { assert } from "../assert.ts";
import { ComputePool } from "../../lib/engine/pool.ts";
import { setFastKernels } from "../../lib/kernels/ops.ts";
import { initParams, modelLayout } from "../../lib/models/layout.ts";
import type { ModelSpec } from "../../lib/models/spec.ts";
import { Rng } from "../../lib/rng.ts";
import type { Split } from "../../lib/data/dataset.ts";
import { relErr } from "../relative_error.ts";

const B = 8, NB = 6, H = 8, W = 8, C = 3;

function data(seed: number, sparse = false): Split {
  const rng = new Rng(seed);
  const n = B * NB;
  // Sparse: 80% zeros, as in MNIST (the first layer is then kept in CSR form on wasm).
  const images = new Float32Array(n * H * W).map(() => (sparse && rng.uniform() < 0.8 ? 0 : rng.uniform()));
  const labels = new Uint8Array(n).map(() => rng.int(C));
  return { images, labels, n };
}

function unit(size: number, rng: Rng): Float32Array {
  const v = new Float32Array(size).map(() => rng.normal());
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

/** Name, model, sparse inputs, directions d of the brute-force projection test. */
const SPECS: [string, ModelSpec, boolean, number][] = [
  ["mlp", { kind: "mlp", hidden: [7, 5] }, false, 3],
  ["mlp, sparse inputs", { kind: "mlp", hidden: [7, 5] }, true, 3],
  ["cnn", { kind: "cnn", channels: [3, 4], kernel: 3 }, false, 3],
  // Eight channels into the second conv layer (its forward products read the input in place), and
  // d + 1 ≥ k·k·c: the Monte Carlo recomputes the first layer instead of combining its directional outputs.
  ["cnn 8→5, d = 8", { kind: "cnn", channels: [8, 5], kernel: 3 }, false, 8],
];

for (const [name, spec, sparse, dBrute] of SPECS) {
  Deno.test(`pool (${name}): results do not depend on the worker count`, async () => {
    const layout = modelLayout(spec, H, W, C);
    const split = data(1, sparse);
    const w = initParams(layout, 2);
    const rng = new Rng(3);
    const v = unit(layout.size, rng);
    const d = 2;
    const dirs = new Float32Array(d * layout.size);
    for (let i = 0; i < d; i++) dirs.set(unit(layout.size, rng), i * layout.size);
    const thetas = new Float64Array(3 * d).map(() => rng.normal());
    const run = async (workers: number) => {
      const pool = await ComputePool.create({ workers, backend: "wasm", chunkSamples: 16 });
      try {
        await pool.load("train", layout, split, B);
        await pool.setWeights(w);
        return {
          ev: await pool.evaluate("train"),
          g: await pool.gradient("train"),
          h: await pool.hvp("train", v),
          hPart: await pool.hvp("train", v, 3 * B + 5),
          p: await pool.project("train", dirs, d, thetas),
        };
      } finally {
        await pool.close();
      }
    };
    const a = await run(0), b = await run(2);
    const pairs: [string, ArrayLike<number>, ArrayLike<number>][] = [
      ["loss", a.ev.loss, b.ev.loss],
      ["correct", a.ev.correct, b.ev.correct],
      ["gradient", a.g, b.g],
      ["hvp", a.h, b.h],
      ["hvp (first 29 samples)", a.hPart, b.hPart],
      ["projected hessians", a.p.hess, b.p.hess],
      ["projected gradients", a.p.grad, b.p.grad],
      ["monte carlo losses", a.p.mc, b.p.mc],
    ];
    for (const [what, x, y] of pairs) {
      assert(x.length === y.length && x.length > 0, what);
      assert(relErr(x, y) < 1e-6, `${what}: relative difference ${relErr(x, y)} between 0 and 2 workers`);
    }
    assert(relErr(a.h, a.hPart) > 1e-3, "a partial HVP must differ from the full one");
  });

  Deno.test(`pool (${name}): per-batch projections equal brute force from HVPs, gradients and losses`, async () => {
    const layout = modelLayout(spec, H, W, C);
    const split = data(4, sparse);
    const w = initParams(layout, 5);
    const rng = new Rng(6);
    const d = dBrute;
    const dirs = new Float32Array(d * layout.size);
    const E: Float32Array[] = [];
    for (let i = 0; i < d; i++) {
      E.push(unit(layout.size, rng));
      dirs.set(E[i], i * layout.size);
    }
    const S = 2;
    const thetas = new Float64Array(S * d).map(() => 0.3 * rng.normal());
    const pool = await ComputePool.create({ workers: 0, backend: "wasm", chunkSamples: 16 });
    try {
      await pool.load("train", layout, split, B);
      await pool.setWeights(w);
      const p = await pool.project("train", dirs, d, thetas);
      const dot = (x: ArrayLike<number>, y: ArrayLike<number>) => {
        let s = 0;
        for (let i = 0; i < x.length; i++) s += x[i] * y[i];
        return s;
      };
      // Per-batch: differences of prefix sums.
      const hvps: Float64Array[][] = [];
      const grads: Float64Array[] = [];
      for (let j = 0; j <= NB; j++) {
        grads.push(j === 0 ? new Float64Array(layout.size) : await pool.gradient("train", j * B));
        const row: Float64Array[] = [];
        for (let i = 0; i < d; i++) {
          row.push(j === 0 ? new Float64Array(layout.size) : await pool.hvp("train", E[i], j * B));
        }
        hvps.push(row);
      }
      const bruteH: number[] = [], bruteG: number[] = [];
      for (let j = 0; j < NB; j++) {
        for (let i = 0; i < d; i++) {
          bruteG.push(dot(E[i], grads[j + 1]) - dot(E[i], grads[j]));
          for (let m = 0; m < d; m++) bruteH.push(dot(E[m], hvps[j + 1][i]) - dot(E[m], hvps[j][i]));
        }
      }
      assert(relErr(p.hess, bruteH) < 1e-4, `projected Hessians: ${relErr(p.hess, bruteH)}`);
      assert(relErr(p.grad, bruteG) < 1e-4, `projected gradients: ${relErr(p.grad, bruteG)}`);
      // Monte Carlo losses: evaluate at w + Σθ_i e_i directly.
      for (let s = 0; s < S; s++) {
        const ws = Float32Array.from(w);
        for (let i = 0; i < d; i++) for (let q = 0; q < ws.length; q++) ws[q] += thetas[s * d + i] * E[i][q];
        await pool.setWeights(ws);
        const ev = await pool.evaluate("train");
        const got = p.mc.subarray(s * NB, (s + 1) * NB);
        assert(relErr(got, ev.loss) < 1e-5, `MC losses of sample ${s}: ${relErr(got, ev.loss)}`);
      }
      await pool.setWeights(w);
      const ev = await pool.evaluate("train");
      assert(relErr(p.loss, ev.loss) < 1e-6, "losses at w*");
    } finally {
      await pool.close();
    }
  });
}

Deno.test("pool: the wasm fast path and the generic tfjs ops give the same passes (in-process pool)", async () => {
  for (const [name, spec, sparse] of SPECS) {
    const layout = modelLayout(spec, H, W, C);
    const split = data(7, sparse);
    const w = initParams(layout, 8);
    const rng = new Rng(9);
    const v = unit(layout.size, rng);
    const d = 2;
    const dirs = new Float32Array(d * layout.size);
    for (let i = 0; i < d; i++) dirs.set(unit(layout.size, rng), i * layout.size);
    const thetas = new Float64Array(3 * d).map(() => rng.normal());
    const run = async (fast: boolean) => {
      setFastKernels(fast);
      const pool = await ComputePool.create({ workers: 0, backend: "wasm", chunkSamples: 16 });
      try {
        await pool.load("train", layout, split, B);
        await pool.setWeights(w);
        return {
          g: await pool.gradient("train"),
          h: await pool.hvp("train", v),
          p: await pool.project("train", dirs, d, thetas),
        };
      } finally {
        await pool.close();
        setFastKernels(true);
      }
    };
    const [a, b] = [await run(true), await run(false)];
    for (
      const [what, x, y] of [
        ["gradient", a.g, b.g],
        ["hvp", a.h, b.h],
        ["projected hessians", a.p.hess, b.p.hess],
        ["projected gradients", a.p.grad, b.p.grad],
        ["monte carlo losses", a.p.mc, b.p.mc],
      ] as const
    ) {
      assert(relErr(x, y) < 1e-5, `${name} ${what}: fast vs generic ${relErr(x, y)}`);
    }
  }
});

Deno.test("pool: bad worker count is a named error", async () => {
  let msg = "";
  try {
    await ComputePool.create({ workers: -1 });
  } catch (e) {
    msg = (e as Error).message;
  }
  assert(msg.startsWith("workers:"), msg);
});
