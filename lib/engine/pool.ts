/**
 * A pool of compute workers, each holding a contiguous share of every loaded dataset, so that the full-data
 * passes (losses, gradients, Hessian-vector products, projections) use every core. Results are combined in
 * float64 in batch order; chunk boundaries do not depend on the number of workers, so the results differ
 * between worker counts by float64 summation order only.
 * @module
 */
import type { AdapterInfo, BackendName, BackendRequest } from "../backend.ts";
import { checkInt } from "../errors.ts";
import type { ModelLayout } from "../models/layout.ts";
import type { Split } from "../data/dataset.ts";
import { spawnWorker } from "./channel.ts";
import { Handler, type Request } from "./handler.ts";
import type { MicroBatch, MicroResult } from "../train.ts";
import { type BatchEval, type BatchProjection, emptyProjection, MAX_TENSOR_FLOATS } from "./shard.ts";

/** Options of {@link ComputePool.create}. */
export interface PoolOptions {
  /** Worker count; 0 runs everything in this realm. Default: the number of cores (at most 8). */
  workers?: number;
  /** Backend for every worker. Default `auto`. */
  backend?: BackendRequest;
  /** Samples per tensor chunk. Default 8192 (keeps WebGPU buffers under 128 MiB). */
  chunkSamples?: number;
}

interface Endpoint {
  /** Sends a request; `transfer` lists buffers to move rather than copy (the caller no longer uses them). */
  call<R>(req: Request, transfer?: ArrayBuffer[]): Promise<R>;
  close(): Promise<void>;
}

function inlineEndpoint(): Endpoint {
  const h = new Handler();
  let queue: Promise<unknown> = Promise.resolve();
  return {
    call<R>(req: Request): Promise<R> {
      const run = queue.then(() => h.handle(req));
      queue = run.catch(() => {});
      return run as Promise<R>;
    },
    close: () => {
      h.dispose();
      return Promise.resolve();
    },
  };
}

/** A worker thread answering requests; it holds the process open only while a reply is awaited. */
async function workerEndpoint(): Promise<Endpoint> {
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let next = 0;
  let dead: Error | null = null;
  const fail = (e: Error) => {
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  };
  const channel = await spawnWorker(new URL("./worker.ts", import.meta.url), {
    message(data) {
      const m = data as { id: number; result?: unknown; error?: string };
      const p = pending.get(m.id);
      pending.delete(m.id);
      if (pending.size === 0) channel.unref();
      if (!p) return;
      if (m.error !== undefined) p.reject(new Error(m.error));
      else p.resolve(m.result);
    },
    failure(reason) {
      dead = new Error(`compute worker crashed: ${reason}`);
      fail(dead);
    },
  });
  let closing: Promise<void> | null = null;
  return {
    call<R>(req: Request, transfer: ArrayBuffer[] = []): Promise<R> {
      if (dead) return Promise.reject(dead);
      if (closing) return Promise.reject(new Error("compute pool closed"));
      const id = next++;
      return new Promise<R>((resolve, reject) => {
        if (pending.size === 0) channel.ref();
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        channel.post({ id, req }, transfer);
      });
    },
    close: () =>
      closing ??= (async () => {
        fail(new Error("compute pool closed"));
        await channel.terminate({ message: { stop: true }, graceMs: 2000 });
      })(),
  };
}

/** The product of a shape's extents: its element count. */
const prod = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * Samples per chunk: at most `requested`, a multiple of the batch size, and small enough that no single tensor
 * exceeds MAX_TENSOR_FLOATS (WebGPU binds at most 128 MiB) and that ten directional derivatives of every
 * activation fit in 256 MiB (what the per-batch projections hold at d = 10).
 */
export function chunkSize(layout: ModelLayout, batchSize: number, requested: number): number {
  const acts = layout.layers.reduce((a, l) => a + prod(l.outShape), 0);
  const widest = Math.max(
    ...layout.layers.flatMap((l) => [prod(l.inShape), prod(l.outShape)]),
    layout.classes + layout.layers.slice(1).reduce((a, l) => a + prod(l.inShape), 0),
  );
  const cap = Math.min(
    requested,
    Math.floor(MAX_TENSOR_FLOATS / widest),
    Math.floor((1 << 26) / (10 * acts)),
  );
  return Math.max(1, Math.floor(cap / batchSize)) * batchSize;
}

interface Placement {
  /** First sample of each worker's share, and the share's size. */
  start: number[];
  count: number[];
  batchSize: number;
  batches: number;
}

/**
 * Workers holding shares of named datasets, with float64 reductions of their results. Create one with
 * {@link ComputePool.create}, load datasets under names, set the weights, then ask for losses, gradients,
 * Hessian-vector products or projections; `close()` it when done.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ComputePool, initParams, modelLayout, parseModelSpec } from "kstar";
 * const layout = modelLayout(parseModelSpec("mlp:3"), 2, 2, 2); // 2×2 images, 2 classes
 * const images = Float32Array.from({ length: 8 * 4 }, (_, i) => (i % 5) / 4);
 * const split = { images, labels: Uint8Array.from({ length: 8 }, (_, i) => i % 2), n: 8 };
 * const pool = await ComputePool.create({ workers: 0, backend: "cpu" }); // 0 workers: in this realm
 * try {
 *   assert.equal(await pool.load("train", layout, split, 4), 2); // 2 batches
 *   await pool.setWeights(initParams(layout, 0));
 *   const { loss, correct } = await pool.evaluate("train"); // per-batch sums, Float64Array(2) each
 *   const g = await pool.gradient("train"); // Σ ∇loss over all 8 samples
 *   assert.equal(loss.length, 2);
 *   assert.ok(correct.every((c) => c >= 0 && c <= 4));
 *   assert.equal(g.length, layout.size);
 * } finally {
 *   await pool.close();
 * }
 * ```
 */
export class ComputePool {
  readonly #ends: Endpoint[];
  readonly #chunkSamples: number;
  readonly #placements = new Map<string, Placement>();
  #closed: Promise<void> | null = null;
  /** The backend the workers run on. */
  readonly backend: BackendName;
  /** The WebGPU adapter the workers run on (and whether it is a software one), or null on wasm and cpu. */
  readonly adapter: AdapterInfo | null;

  private constructor(
    ends: Endpoint[],
    backend: BackendName,
    adapter: AdapterInfo | null,
    chunkSamples: number,
  ) {
    this.#ends = ends;
    this.backend = backend;
    this.adapter = adapter;
    this.#chunkSamples = chunkSamples;
    globalThis.addEventListener?.("beforeunload", this.#onExit);
  }

  /** Starts the workers (or the inline handler) and their backend. */
  static async create(opts: PoolOptions = {}): Promise<ComputePool> {
    const cores = Math.min(8, Math.max(1, navigator.hardwareConcurrency ?? 1));
    const n = checkInt("workers", opts.workers ?? cores, 0, 64);
    const chunk = checkInt("chunkSamples", opts.chunkSamples ?? 8192, 1, 1 << 20);
    const ends = n === 0 ? [inlineEndpoint()] : await Promise.all(Array.from({ length: n }, workerEndpoint));
    try {
      const inits = await Promise.all(
        ends.map((e) =>
          e.call<{ backend: BackendName; adapter: AdapterInfo | null }>({
            op: "init",
            backend: opts.backend ?? "auto",
          })
        ),
      );
      return new ComputePool(ends, inits[0].backend, inits[0].adapter, chunk);
    } catch (e) {
      await Promise.all(ends.map((x) => x.close()));
      throw e;
    }
  }

  /** Number of shares each dataset is split into. */
  get size(): number {
    return this.#ends.length;
  }

  /**
   * Loads the first `batches × batchSize` samples of a split into the workers under `name`, whole chunks per
   * worker. A trailing partial batch is not loaded.
   */
  async load(name: string, layout: ModelLayout, split: Split, batchSize: number): Promise<number> {
    const batches = Math.floor(split.n / batchSize);
    const chunk = chunkSize(layout, batchSize, this.#chunkSamples);
    const chunks = Math.ceil((batches * batchSize) / chunk);
    const W = this.#ends.length;
    const start: number[] = [], count: number[] = [];
    const inputSize = prod(layout.inputShape);
    const total = batches * batchSize;
    for (let w = 0; w < W; w++) {
      const c0 = Math.floor((w * chunks) / W), c1 = Math.floor(((w + 1) * chunks) / W);
      const s = Math.min(total, c0 * chunk), e = Math.min(total, c1 * chunk);
      start.push(s);
      count.push(e - s);
    }
    // Keep per-sample forward state cached between passes at the same weights when it fits comfortably: the
    // input (and on wasm a conv input's patch matrix), every activation and output gradient but the first
    // (see trimState; off wasm, transposes of the activations too). Off wasm only for dense first layers.
    const fast = this.backend === "wasm";
    const first = layout.layers[0];
    const patches = first.kind === "conv" ? prod(first.outShape.slice(0, 2)) * first.wSize / first.bSize : 0;
    const perSample = fast
      ? inputSize + patches + layout.layers.reduce((a, l) => a + 2 * prod(l.outShape), 0) -
        prod(first.outShape) + layout.classes
      : layout.layers.reduce((a, l) => a + 4 * prod(l.outShape), 0);
    const cacheState = (perSample * 4 * total) / W < 1.5e9 && (fast || first.kind === "dense");
    await Promise.all(this.#ends.map((e, w) => {
      if (count[w] === 0) return e.call({ op: "unload", name });
      const s = start[w], m = count[w];
      return e.call({
        op: "load",
        name,
        layout,
        images: split.images.slice(s * inputSize, (s + m) * inputSize),
        labels: split.labels.slice(s, s + m),
        n: m,
        batchSize,
        chunkSamples: chunk,
        cacheState,
      });
    }));
    this.#placements.set(name, { start, count, batchSize, batches });
    return batches;
  }

  /** Frees a dataset's tensors in every worker; a name that is not loaded is ignored. */
  async unload(name: string): Promise<void> {
    await Promise.all(this.#ends.map((e) => e.call({ op: "unload", name })));
    this.#placements.delete(name);
  }

  #place(name: string): Placement {
    const p = this.#placements.get(name);
    if (!p) throw new Error(`dataset "${name}" is not loaded`);
    return p;
  }

  /** Sets the weights of every worker. */
  async setWeights(w: Float32Array): Promise<void> {
    await Promise.all(this.#ends.map((e) => e.call({ op: "setWeights", w })));
  }

  #active(p: Placement): number[] {
    return this.#ends.map((_, w) => w).filter((w) => p.count[w] > 0);
  }

  /** Per-batch loss sums and correct counts over a dataset, in batch order. */
  async evaluate(name: string): Promise<BatchEval> {
    const p = this.#place(name);
    const ws = this.#active(p);
    const parts = await Promise.all(ws.map((w) => this.#ends[w].call<BatchEval>({ op: "evaluate", name })));
    const loss = new Float64Array(p.batches), correct = new Float64Array(p.batches);
    ws.forEach((w, i) => {
      loss.set(parts[i].loss, p.start[w] / p.batchSize);
      correct.set(parts[i].correct, p.start[w] / p.batchSize);
    });
    return { loss, correct };
  }

  async #sum(
    name: string,
    limit: number | undefined,
    req: (w: number, lim: number) => Request,
  ): Promise<Float64Array> {
    const p = this.#place(name);
    const lim = limit ?? p.batches * p.batchSize;
    const ws = this.#active(p).filter((w) => lim > p.start[w]);
    const parts = await Promise.all(
      ws.map((w) => this.#ends[w].call<Float64Array>(req(w, Math.min(p.count[w], lim - p.start[w])))),
    );
    const out = new Float64Array(parts[0].length);
    for (const v of parts) for (let i = 0; i < v.length; i++) out[i] += v[i];
    return out;
  }

  /** Σ ∇loss over the first `limit` samples of a dataset (default all). */
  gradient(name: string, limit?: number): Promise<Float64Array> {
    return this.#sum(name, limit, (_, lim) => ({ op: "gradient", name, limit: lim }));
  }

  /** Σ ∇²loss · v over the first `limit` samples of a dataset (default all). */
  hvp(name: string, v: Float32Array, limit?: number): Promise<Float64Array> {
    return this.#sum(name, limit, (_, lim) => ({ op: "hvp", name, v, limit: lim }));
  }

  /** Per-batch projections onto `d` directions, and per-batch losses at `w* + Pθ_s` (see `Shard.project`). */
  async project(
    name: string,
    dirs: Float32Array,
    d: number,
    thetas: Float64Array | null,
  ): Promise<BatchProjection> {
    const p = this.#place(name);
    const ws = this.#active(p);
    const parts = await Promise.all(
      ws.map((w) => this.#ends[w].call<BatchProjection>({ op: "project", name, dirs, d, thetas })),
    );
    const nb = p.batches;
    const S = thetas ? thetas.length / d : 0;
    const out = emptyProjection(nb, d, S);
    ws.forEach((w, i) => {
      const b0 = p.start[w] / p.batchSize;
      const part = parts[i];
      const m = part.loss.length;
      out.loss.set(part.loss, b0);
      out.grad.set(part.grad, b0 * d);
      out.hess.set(part.hess, b0 * d * d);
      for (let s = 0; s < S; s++) out.mc.set(part.mc.subarray(s * m, (s + 1) * m), s * nb + b0);
    });
    return out;
  }

  /**
   * Micro-batch gradients for {@link train} (the pool is a `GradientEngine`): micro-batch m goes to worker
   * ⌊m·W/M⌋ (contiguous shares), results come back in micro-batch order.
   */
  async microGradients(layout: ModelLayout, w: Float32Array, micros: MicroBatch[]): Promise<MicroResult[]> {
    const W = this.#ends.length, M = micros.length;
    const parts = await Promise.all(this.#ends.map((e, k) => {
      const mine = micros.slice(Math.floor((k * M) / W), Math.floor(((k + 1) * M) / W));
      if (mine.length === 0) return Promise.resolve([] as MicroResult[]);
      return e.call<MicroResult[]>(
        { op: "microGradients", layout, w, micros: mine },
        mine.map((m) => m.pixels.buffer as ArrayBuffer),
      );
    }));
    return parts.flat();
  }

  /**
   * Stops the workers and frees their tensors; resolves once every worker thread has stopped. Idempotent. A
   * pool that is never closed does not keep the process alive while idle, but close it (or use
   * `await using pool = await ComputePool.create()`) to free its memory.
   */
  close(): Promise<void> {
    globalThis.removeEventListener?.("beforeunload", this.#onExit);
    this.#closed ??= Promise.all(this.#ends.map((e) => e.close())).then(() => {});
    return this.#closed;
  }

  /**
   * A pool left open when the program runs out of work is closed then: `beforeunload` fires when the event loop
   * is empty, and the close keeps it going until every worker has stopped, so none is torn down by the exit.
   */
  readonly #onExit = () => void this.close();

  /** `await using pool = await ComputePool.create(…)` closes the pool at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
