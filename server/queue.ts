/**
 * The run queue: {@link RunQueue} is the interface the API uses (a distributed, Redis-backed queue with
 * workers on several machines can implement it); {@link LocalRunQueue} runs up to `concurrency` runs at once
 * in this process through an {@link Executor}, keeps at most `capacity` waiting, records progress and
 * outcomes in the {@link RunStore} and publishes them as {@link RunEvents}.
 * @module
 */
import type { AnalysisConfig, ProgressEvent } from "../lib/analysis/types.ts";
import type { RunEvents } from "./events.ts";
import type { Execution, Executor } from "./executor.ts";
import type { RunOutcome, RunStore } from "./store.ts";
import type { RunProgress, RunSummary } from "./types.ts";

/** The queue is full: the client should retry later (HTTP 429). */
export class QueueFullError extends Error {
  readonly capacity: number;
  constructor(capacity: number) {
    super(`the queue is full (${capacity} runs waiting); retry when a run has finished`);
    this.name = "QueueFullError";
    this.capacity = capacity;
  }
}

/** Queue occupancy. */
export interface QueueStats {
  queued: number;
  running: number;
  concurrency: number;
  capacity: number;
}

/** Accepts runs, executes them and cancels them. */
export interface RunQueue {
  /**
   * Queues a stored run (status `queued`). Throws {@link QueueFullError} when `capacity` runs already wait,
   * unless `force` (used to requeue waiting runs after a restart).
   */
  enqueue(id: string, config: AnalysisConfig, opts?: { force?: boolean }): Promise<void>;
  /** Throws {@link QueueFullError} when a run could not be queued now. */
  checkCapacity(): Promise<void>;
  /**
   * Cancels a queued or running run: it is marked `cancelled` at once and its computation is stopped.
   * Returns the updated run, or null when the run was not queued or running here.
   */
  cancel(id: string): Promise<RunSummary | null>;
  stats(): Promise<QueueStats>;
  /** Stops every execution; running runs are marked `interrupted`, waiting ones stay `queued`. */
  close(): Promise<void>;
}

/** Options of {@link LocalRunQueue}. */
export interface LocalQueueOptions {
  store: RunStore;
  events: RunEvents;
  executor: Executor;
  /** Runs executing at once (default 1). */
  concurrency?: number;
  /** Runs allowed to wait (default 16). */
  capacity?: number;
}

interface Slot {
  exec: Execution | null;
  cancelled: boolean;
  settled: Promise<void>;
}

/** An in-process {@link RunQueue}. */
export class LocalRunQueue implements RunQueue {
  readonly #store: RunStore;
  readonly #events: RunEvents;
  readonly #executor: Executor;
  readonly concurrency: number;
  readonly capacity: number;
  readonly #waiting: { id: string; config: AnalysisConfig }[] = [];
  readonly #running = new Map<string, Slot>();
  #closed = false;

  constructor(opts: LocalQueueOptions) {
    this.#store = opts.store;
    this.#events = opts.events;
    this.#executor = opts.executor;
    this.concurrency = Math.max(1, Math.floor(opts.concurrency ?? 1));
    this.capacity = Math.max(0, Math.floor(opts.capacity ?? 16));
  }

  checkCapacity(): Promise<void> {
    if (this.#closed) return Promise.reject(new Error("the queue is closed"));
    // A run that can start at once does not wait.
    const free = this.concurrency - this.#running.size;
    if (this.#waiting.length - free >= this.capacity) {
      return Promise.reject(new QueueFullError(this.capacity));
    }
    return Promise.resolve();
  }

  async enqueue(id: string, config: AnalysisConfig, opts: { force?: boolean } = {}): Promise<void> {
    if (!opts.force) await this.checkCapacity();
    this.#waiting.push({ id, config });
    this.#pump();
  }

  stats(): Promise<QueueStats> {
    return Promise.resolve({
      queued: this.#waiting.length,
      running: this.#running.size,
      concurrency: this.concurrency,
      capacity: this.capacity,
    });
  }

  #pump(): void {
    while (!this.#closed && this.#running.size < this.concurrency && this.#waiting.length > 0) {
      const next = this.#waiting.shift()!;
      this.#start(next.id, next.config);
    }
  }

  #publishStatus(run: RunSummary | null): void {
    if (run) this.#events.publish(run.id, { type: "status", run });
  }

  #start(id: string, config: AnalysisConfig): void {
    let resolveSettled!: () => void;
    const settled = new Promise<void>((r) => resolveSettled = r);
    // Reserve the slot before the first await so that concurrency holds.
    const slot: Slot = { exec: null, cancelled: false, settled };
    this.#running.set(id, slot);
    (async () => {
      try {
        if (!(await this.#store.markRunning(id))) return; // cancelled or deleted while waiting
        const run = await this.#store.get(id);
        if (run) this.#publishStatus(run);
        if (this.#closed || slot.cancelled) return;
        let writes = Promise.resolve();
        let last: { stage: string; message?: string } = { stage: "" };
        const exec = this.#executor.start(id, config, (e: ProgressEvent) => {
          // An event without a message keeps the stage's last one ("epoch 2/5: …" while training goes on).
          const message = e.message ?? (e.stage === last.stage ? last.message : undefined);
          last = { stage: e.stage, message };
          const progress: RunProgress = {
            stage: e.stage,
            fraction: e.fraction,
            overall: e.overall,
            ...(message !== undefined ? { message } : {}),
            at: new Date().toISOString(),
          };
          // Writes stay in order; the event goes out at once.
          writes = writes.then(() => this.#store.saveProgress(id, progress, e.partial)).catch((err) =>
            console.error(`run ${id}: could not save progress:`, err)
          );
          this.#events.publish(id, {
            type: "progress",
            progress,
            percent: Math.round(progress.overall * 1000) / 10,
            ...(e.partial ? { partial: e.partial } : {}),
          });
        });
        slot.exec = exec;
        const outcome = await exec.done;
        await writes;
        if (this.#closed && outcome.status === "cancelled") return; // close() marks it interrupted
        const stored: RunOutcome = outcome.status === "cancelled"
          ? { status: "cancelled", error: { name: "Cancelled", message: "cancelled by request" } }
          : outcome;
        this.#publishStatus(await this.#store.finish(id, stored));
      } catch (err) {
        console.error(`run ${id}: queue error:`, err);
        try {
          this.#publishStatus(
            await this.#store.finish(id, {
              status: "failed",
              error: { name: "ServerError", message: (err as Error)?.message ?? String(err) },
            }),
          );
        } catch { /* the store is gone */ }
      } finally {
        this.#running.delete(id);
        resolveSettled();
        this.#pump();
      }
    })();
  }

  async cancel(id: string): Promise<RunSummary | null> {
    const w = this.#waiting.findIndex((x) => x.id === id);
    if (w >= 0) this.#waiting.splice(w, 1);
    const slot = this.#running.get(id);
    if (w < 0 && !slot) return null;
    const run = await this.#store.finish(id, {
      status: "cancelled",
      error: { name: "Cancelled", message: "cancelled by request" },
    });
    this.#publishStatus(run);
    if (slot) {
      slot.cancelled = true;
      slot.exec?.cancel();
    }
    return run;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#waiting.length = 0;
    const slots = [...this.#running.entries()];
    for (const [, s] of slots) {
      s.cancelled = true;
      s.exec?.cancel();
    }
    await Promise.all(slots.map(([, s]) => s.settled));
    for (const [id] of slots) {
      try {
        await this.#store.finish(id, {
          status: "interrupted",
          error: {
            name: "Interrupted",
            message: "the server stopped while this run was executing; resubmit it to run it again",
          },
        });
      } catch { /* the store may already be closed */ }
    }
  }
}
