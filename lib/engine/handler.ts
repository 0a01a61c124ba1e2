/**
 * The request handler behind a compute worker: named shards and the operations on them. The same handler
 * serves in-process ("inline") pools, so both paths run identical code.
 * @module
 */
import {
  type BackendName,
  type BackendRequest,
  currentAdapter,
  initBackend,
  releaseBackend,
} from "../backend.ts";
import type { ModelLayout } from "../models/layout.ts";
import { Shard, type ShardData } from "./shard.ts";
import { localGradients, type MicroBatch } from "../train.ts";

/** A request to a compute worker. */
export type Request =
  | { op: "init"; backend: BackendRequest }
  | ({ op: "load"; name: string } & ShardData)
  | { op: "unload"; name: string }
  | { op: "setWeights"; w: Float32Array }
  | { op: "evaluate"; name: string }
  | { op: "gradient"; name: string; limit: number }
  | { op: "hvp"; name: string; v: Float32Array; limit: number }
  | { op: "project"; name: string; dirs: Float32Array; d: number; thetas: Float64Array | null }
  | { op: "microGradients"; layout: ModelLayout; w: Float32Array; micros: MicroBatch[] };

/** Holds the shards of one realm and answers {@link Request}s. */
export class Handler {
  readonly #shards = new Map<string, Shard>();
  #w: Float32Array | null = null;
  backend: BackendName | null = null;

  #shard(name: string): Shard {
    const s = this.#shards.get(name);
    if (!s) throw new Error(`no dataset "${name}" loaded in this worker`);
    return s;
  }

  /** Answers one request. */
  async handle(req: Request): Promise<unknown> {
    switch (req.op) {
      case "init":
        this.backend = await initBackend(req.backend);
        return { backend: this.backend, adapter: currentAdapter() };
      case "load": {
        this.#shards.get(req.name)?.dispose();
        const s = new Shard(req);
        if (this.#w) s.setWeights(this.#w);
        this.#shards.set(req.name, s);
        return s.batches;
      }
      case "unload":
        this.#shards.get(req.name)?.dispose();
        this.#shards.delete(req.name);
        return null;
      case "setWeights":
        this.#w = req.w;
        for (const s of this.#shards.values()) s.setWeights(req.w);
        return null;
      case "evaluate":
        return await this.#shard(req.name).evaluate();
      case "gradient":
        return await this.#shard(req.name).gradient(req.limit);
      case "hvp":
        return await this.#shard(req.name).hvp(req.v, req.limit);
      case "project":
        return await this.#shard(req.name).project(req.dirs, req.d, req.thetas);
      case "microGradients":
        return await localGradients.microGradients(req.layout, req.w, req.micros);
    }
  }

  /** Frees every shard. */
  dispose(): void {
    for (const s of this.#shards.values()) s.dispose();
    this.#shards.clear();
  }

  /** Frees every shard and this realm's backend (its WebAssembly memory, its WebGPU device). */
  async shutdown(): Promise<void> {
    this.dispose();
    await releaseBackend();
  }
}
