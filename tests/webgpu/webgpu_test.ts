/**
 * The `webgpu` backend must give the same losses, gradients, Hessian-vector products and projections as
 * `wasm`, to float32 tolerance, both in-process and in a compute worker, and datasets larger than one
 * WebGPU buffer binding (128 MiB) must work when uploaded in chunks.
 *
 * On a machine without a GPU, Debian's `mesa-vulkan-drivers` (lavapipe) gives a software adapter; see
 * `scripts/webgpu_probe.ts`. Without any adapter every test here is registered as ignored, under a name that
 * says so; with `KSTAR_REQUIRE_WEBGPU=1` (set in CI) a missing adapter is a failure instead.
 *
 * Known traps checked here: `dataSync()` throws on webgpu under Deno (everything reads with `await data()`),
 * and a tensor bound to a shader above `maxStorageBufferBindingSize` does not throw: the op yields zeros
 * (or stale memory) and only a `GPUDevice` "uncapturederror" event says why.
 */
import assert from "node:assert/strict";
import { tf } from "../../lib/deps.ts";
import { type BackendName, initBackend, read } from "../../lib/backend.ts";
import { ComputePool } from "../../lib/engine/pool.ts";
import { initParams, type ModelLayout, modelLayout } from "../../lib/models/layout.ts";
import { parseModelSpec } from "../../lib/models/spec.ts";
import {
  backward,
  disposeLayers,
  disposeState,
  forward,
  gradientFlat,
  hvpFlat,
  layerTensors,
  prepareInput,
} from "../../lib/models/network.ts";
import type { Split } from "../../lib/data/dataset.ts";
import type { BatchEval, BatchProjection } from "../../lib/engine/shard.ts";
import { Rng } from "../../lib/rng.ts";
import { relErr } from "../relative_error.ts";

/** Relative tolerance between the two backends (‖a − b‖ / ‖b‖). */
const TOL = 1e-5;

// ---------------------------------------------------------------------------------------------------------
// Adapter detection and test registration.

interface AdapterFacts {
  description: string;
  fallback: boolean;
  maxBinding: number;
}

async function findAdapter(): Promise<AdapterFacts | null> {
  // deno-lint-ignore no-explicit-any
  const gpu = (globalThis.navigator as any)?.gpu;
  if (!gpu?.requestAdapter) return null;
  try {
    const a = await gpu.requestAdapter();
    if (!a) return null;
    return {
      description: a.info?.description || a.info?.vendor || "unknown adapter",
      fallback: !!(a.info?.isFallbackAdapter ?? a.isFallbackAdapter),
      maxBinding: a.limits.maxStorageBufferBindingSize,
    };
  } catch {
    return null;
  }
}

function envFlag(name: string): boolean {
  try {
    return Deno.env.get(name) === "1";
  } catch {
    return false;
  }
}

const ADAPTER = await findAdapter();
const NO_ADAPTER = "webgpu: no adapter (install mesa-vulkan-drivers)";

if (ADAPTER) {
  console.log(`webgpu adapter: ${ADAPTER.description}${ADAPTER.fallback ? " (software fallback)" : ""}`);
} else if (envFlag("KSTAR_REQUIRE_WEBGPU")) {
  Deno.test(`${NO_ADAPTER}, but KSTAR_REQUIRE_WEBGPU=1`, () => {
    throw new Error(
      "navigator.gpu.requestAdapter() gave no adapter. Install mesa-vulkan-drivers (software Vulkan) and " +
        "run `deno run -A scripts/webgpu_probe.ts` to see what Deno finds.",
    );
  });
}

/** Registers a webgpu test, or an ignored placeholder naming the missing adapter. */
function gpuTest(name: string, fn: () => Promise<void>): void {
  if (ADAPTER) Deno.test({ name: `webgpu: ${name}`, fn });
  else Deno.test({ name: `${NO_ADAPTER}: ${name}`, ignore: true, fn });
}

// ---------------------------------------------------------------------------------------------------------
// Helpers.

/** ‖a − b‖ / ‖b‖. */

function fmt(x: number): string {
  return x.toExponential(2);
}

/** Asserts each named pair agrees to {@link TOL} and logs the errors on one line. */
function expectClose(label: string, pairs: Record<string, [ArrayLike<number>, ArrayLike<number>]>): void {
  const errs = Object.entries(pairs).map(([k, [a, b]]) => [k, relErr(a, b)] as const);
  console.log(`  ${label}: ${errs.map(([k, e]) => `${k} ${fmt(e)}`).join(", ")}`);
  for (const [k, e] of errs) assert(e <= TOL, `${label}: ${k} differs from wasm by ${e} (rel)`);
}

/** Correct-prediction counts may differ only where two logits tie to float32 precision: at most one. */
function expectCounts(label: string, a: Float64Array, b: Float64Array): void {
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff += Math.abs(a[i] - b[i]);
  assert(diff <= 1, `${label}: correct counts differ by ${diff}`);
}

const MLP = () => modelLayout(parseModelSpec("mlp:7,5"), 3, 4, 3); // 12-7-5-3
const CNN = () => modelLayout({ kind: "cnn", channels: [3, 4], kernel: 3 }, 8, 8, 3); // 8×8, [3,4] → 3
const MODELS: { name: string; layout: () => ModelLayout }[] = [
  { name: "mlp 12-7-5-3", layout: MLP },
  { name: "cnn 8×8 [3,4]→3", layout: CNN },
];

function inputSize(layout: ModelLayout): number {
  return layout.inputShape.reduce((a, b) => a * b, 1);
}

/** Seeded weights (with non-zero biases), inputs, labels and directions. */
interface Problem {
  layout: ModelLayout;
  split: Split;
  w: Float32Array;
  /** `nDirs` directions, row-major (`nDirs × size`), scaled to unit-ish length. */
  dirs: Float32Array;
  nDirs: number;
}

function makeProblem(layout: ModelLayout, seed: number, n: number, nDirs: number): Problem {
  const rng = new Rng(seed);
  const w = initParams(layout, seed + 1);
  for (const l of layout.layers) for (let i = 0; i < l.bSize; i++) w[l.bOffset + i] = 0.1 * rng.normal();
  const images = rng.fillNormal(new Float32Array(n * inputSize(layout)));
  const labels = Uint8Array.from({ length: n }, () => rng.int(layout.classes));
  const dirs = rng.fillNormal(new Float32Array(nDirs * layout.size), 1 / Math.sqrt(layout.size));
  return { layout, split: { images, labels, n }, w, dirs, nDirs };
}

function dir(p: Problem, i: number): Float32Array {
  return p.dirs.subarray(i * p.layout.size, (i + 1) * p.layout.size);
}

/** Per-sample losses, the gradient sum and `H d_i` for every direction, straight from `network.ts`. */
async function netEval(
  p: Problem,
): Promise<{ loss: Float32Array; grad: Float32Array; hvps: Float32Array[] }> {
  const { layout, split } = p;
  const xt = tf.tensor(split.images, [split.n, ...layout.inputShape]);
  // int32 oneHot + cast, as the shard does (wasm's OneHot ignores a float32 dtype).
  const y = tf.tidy(() =>
    tf.cast(tf.oneHot(tf.tensor1d(Int32Array.from(split.labels), "int32"), layout.classes), "float32")
  );
  const params = layerTensors(layout, p.w);
  const xp = prepareInput(layout, xt);
  const st = forward(layout, params, xp, y, split.n);
  backward(layout, params, st, y);
  const g = gradientFlat(layout, st);
  const out = { loss: await read(st.loss), grad: await read(g), hvps: [] as Float32Array[] };
  for (let i = 0; i < p.nDirs; i++) {
    const v = layerTensors(layout, dir(p, i));
    const hv = hvpFlat(layout, params, st, v);
    out.hvps.push(await read(hv));
    hv.dispose();
    disposeLayers(v);
  }
  tf.dispose([g, xt, y]);
  disposeState(st);
  xp.dispose();
  disposeLayers(params);
  return out;
}

/** Everything the pool computes on a loaded problem. */
interface PoolResults {
  evaluate: BatchEval;
  gradient: Float64Array;
  gradientPart: Float64Array;
  hvp: Float64Array;
  hvpPart: Float64Array;
  project: BatchProjection;
}

/** Runs every pool operation on `p` (batch size `B`; `part` samples for the partial sums). */
async function poolEval(pool: ComputePool, p: Problem, B: number, part: number): Promise<PoolResults> {
  await pool.load("t", p.layout, p.split, B);
  await pool.setWeights(p.w);
  const d = p.nDirs;
  const rng = new Rng(99);
  const thetas = Float64Array.from({ length: 3 * d }, () => 0.3 * rng.normal());
  return {
    evaluate: await pool.evaluate("t"),
    gradient: await pool.gradient("t"),
    gradientPart: await pool.gradient("t", part),
    hvp: await pool.hvp("t", dir(p, 0)),
    hvpPart: await pool.hvp("t", dir(p, 1), part),
    project: await pool.project("t", p.dirs, d, thetas),
  };
}

function comparePool(label: string, a: PoolResults, b: PoolResults): void {
  expectClose(label, {
    "losses": [a.evaluate.loss, b.evaluate.loss],
    "gradient": [a.gradient, b.gradient],
    "gradient(part)": [a.gradientPart, b.gradientPart],
    "HVP": [a.hvp, b.hvp],
    "HVP(part)": [a.hvpPart, b.hvpPart],
    "proj.loss": [a.project.loss, b.project.loss],
    "proj.grad": [a.project.grad, b.project.grad],
    "proj.hess": [a.project.hess, b.project.hess],
    "proj.mc": [a.project.mc, b.project.mc],
  });
  expectCounts(label, a.evaluate.correct, b.evaluate.correct);
}

async function withPool<R>(
  opts: { workers: number; backend: BackendName; chunkSamples?: number },
  f: (pool: ComputePool) => Promise<R>,
): Promise<R> {
  const pool = await ComputePool.create(opts);
  try {
    assert.equal(pool.backend, opts.backend);
    return await f(pool);
  } finally {
    await pool.close();
  }
}

/** Runs `f` on webgpu with tfjs's CPU forwarding of small CPU-resident inputs on or off. */
async function onWebGpu<R>(gpuOnly: boolean, f: () => Promise<R>): Promise<R> {
  assert.equal(await initBackend("webgpu"), "webgpu");
  const flag = "WEBGPU_CPU_FORWARD";
  const before = tf.env().getBool(flag);
  tf.env().set(flag, !gpuOnly);
  try {
    return await f();
  } finally {
    tf.env().set(flag, before);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Tests.

gpuTest("backend starts; read() works where dataSync() does not", async () => {
  assert.equal(await initBackend("webgpu"), "webgpu");
  // deno-lint-ignore no-explicit-any
  const device = (tf.backend() as any).device as GPUDevice;
  assert(device, "the webgpu backend has no GPUDevice");
  console.log(`  maxStorageBufferBindingSize ${device.limits.maxStorageBufferBindingSize}`);
  const vals = Float32Array.from({ length: 2048 }, (_, i) => i % 5);
  const a = tf.tensor2d(vals, [32, 64]);
  const s = tf.sum(a, 0);
  const want = new Float32Array(64);
  vals.forEach((x, i) => (want[i % 64] += x));
  // A fresh result lives on the GPU only: dataSync() needs an OffscreenCanvas 'webgpu' context, which
  // Deno lacks. (After `await data()` the values are cached on the CPU and dataSync() would succeed.)
  const gpuOnly = tf.add(s, 0);
  let sync: string;
  try {
    gpuOnly.dataSync();
    sync = "works";
  } catch (e) {
    sync = `throws (${(e as Error).message})`;
  }
  console.log(`  dataSync() on a GPU-resident tensor: ${sync}`);
  assert.deepEqual(await read(s), want);
  assert.deepEqual(await read(gpuOnly), want);
  tf.dispose([a, s, gpuOnly]);
});

for (const m of MODELS) {
  gpuTest(`${m.name}: network.ts losses, gradient and HVPs match wasm (rel ≤ 1e-5)`, async () => {
    const p = makeProblem(m.layout(), 1, 32, 3);
    await initBackend("wasm");
    const ref = await netEval(p);
    for (const gpuOnly of [false, true]) {
      const got = await onWebGpu(gpuOnly, () => netEval(p));
      const label = `${m.name} (P=${p.layout.size}) ${gpuOnly ? "GPU kernels only" : "default flags"}`;
      const pairs: Record<string, [ArrayLike<number>, ArrayLike<number>]> = {
        "per-sample loss": [got.loss, ref.loss],
        "gradient": [got.grad, ref.grad],
      };
      got.hvps.forEach((h, i) => (pairs[`HVP${i}`] = [h, ref.hvps[i]]));
      expectClose(label, pairs);
    }
  });
}

for (const m of MODELS) {
  gpuTest(`${m.name}: in-process pool (3 chunks, per-sample batches) matches wasm`, async () => {
    // batch size 1: per-batch sums are per-sample values; 96 samples in chunks of 32; partial sums on 50.
    const p = makeProblem(m.layout(), 2, 96, 3);
    const opts = { workers: 0, chunkSamples: 32 };
    const ref = await withPool({ ...opts, backend: "wasm" }, (pool) => poolEval(pool, p, 1, 50));
    for (const gpuOnly of [false, true]) {
      const got = await onWebGpu(
        gpuOnly,
        () => withPool({ ...opts, backend: "webgpu" }, (pool) => poolEval(pool, p, 1, 50)),
      );
      comparePool(`${m.name} ${gpuOnly ? "GPU kernels only" : "default flags"}`, got, ref);
    }
  });
}

gpuTest("worker pool (workers: 1) on 384 samples in 6 chunks matches wasm", async () => {
  for (const m of MODELS) {
    const p = makeProblem(m.layout(), 3, 384, 2);
    const ref = await withPool(
      { workers: 0, backend: "wasm", chunkSamples: 64 },
      (pool) => poolEval(pool, p, 8, 200),
    );
    const t0 = performance.now();
    const got = await withPool(
      { workers: 1, backend: "webgpu", chunkSamples: 64 },
      (pool) => poolEval(pool, p, 8, 200),
    );
    comparePool(`${m.name} worker (${((performance.now() - t0) / 1000).toFixed(1)} s)`, got, ref);
  }
});

gpuTest("a dataset larger than 128 MiB is uploaded in chunks and matches wasm", async () => {
  // 44,032 MNIST-sized samples: 138 MB of float32 pixels, more than one buffer binding may hold (128 MiB).
  const layout = modelLayout(parseModelSpec("mlp:16"), 28, 28, 10);
  const n = 44_032, B = 64;
  const rng = new Rng(4);
  const images = new Float32Array(n * 784);
  for (let i = 0; i < images.length; i++) images[i] = rng.uniform();
  const split: Split = { images, labels: Uint8Array.from({ length: n }, () => rng.int(10)), n };
  assert(images.byteLength > 128 * 2 ** 20, "the dataset must exceed 128 MiB");
  if (images.byteLength <= ADAPTER!.maxBinding) {
    console.log(`  note: this adapter binds up to ${ADAPTER!.maxBinding} bytes, so one buffer would do here`);
  }
  const w = initParams(layout, 5);
  const v = rng.fillNormal(new Float32Array(layout.size), 1 / Math.sqrt(layout.size));
  const run = (pool: ComputePool) =>
    (async () => {
      await pool.load("big", layout, split, B);
      await pool.setWeights(w);
      return {
        evaluate: await pool.evaluate("big"),
        gradient: await pool.gradient("big"),
        hvp: await pool.hvp("big", v),
      };
    })();
  const t0 = performance.now();
  const ref = await withPool({ workers: 0, backend: "wasm" }, run);
  const t1 = performance.now();
  // Default chunkSamples (8192): six chunks of at most 25.7 MB each.
  const got = await withPool({ workers: 1, backend: "webgpu" }, run);
  const t2 = performance.now();
  expectClose(
    `${(images.byteLength / 2 ** 20).toFixed(1)} MiB in chunks (wasm ${((t1 - t0) / 1000).toFixed(1)} s, ` +
      `webgpu worker ${((t2 - t1) / 1000).toFixed(1)} s)`,
    {
      "batch losses": [got.evaluate.loss, ref.evaluate.loss],
      "gradient": [got.gradient, ref.gradient],
      "HVP": [got.hvp, ref.hvp],
    },
  );
  expectCounts("large dataset", got.evaluate.correct, ref.evaluate.correct);
});

gpuTest(
  "trap: a shader binding over maxStorageBufferBindingSize becomes an error from read(), not a wrong number",
  async () => {
    assert.equal(await initBackend("webgpu"), "webgpu");
    // deno-lint-ignore no-explicit-any
    const device = (tf.backend() as any).device as GPUDevice;
    const limit = device.limits.maxStorageBufferBindingSize;
    if (limit > 256 * 2 ** 20) {
      console.log(`  skipped: this device binds up to ${limit} bytes`);
      return;
    }
    const errors: string[] = [];
    const listener = (e: Event) => errors.push((e as GPUUncapturedErrorEvent).error.message);
    device.addEventListener("uncapturederror", listener);
    const n = limit / 4 + 1024 * 1024; // 4 MiB over the limit
    const x = tf.tensor1d(new Float32Array(n).fill(1));
    const s = tf.sum(x);
    try {
      // lib/backend.ts's guard turns the silent failure into an error from read(); a device that can bind it
      // returns the right sum instead. Never a wrong number without an error.
      let total: number | null = null, thrown = "";
      try {
        total = (await read(s))[0];
      } catch (e) {
        thrown = (e as Error).message;
      }
      await new Promise((r) => setTimeout(r, 50)); // let the error events arrive
      console.log(
        `  sum of ${n} ones: ${total ?? `threw "${thrown.slice(0, 120)}"`}; uncaptured: ${
          errors[0] ?? "none"
        }`,
      );
      assert(total === n || /webgpu error/.test(thrown), `wrong sum ${total} and no error`);
      const after = tf.sum(tf.ones([4]));
      assert.equal((await read(after))[0], 4, "the backend stays usable after the error");
      after.dispose();
    } finally {
      device.removeEventListener("uncapturederror", listener);
      tf.dispose([x, s]);
    }
  },
);
