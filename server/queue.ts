/**
 * The run queue: {@link RunQueue} is the interface the API uses. {@link LocalRunQueue} (the embedded default)
 * runs up to `concurrency` runs at once in this process through an {@link Executor}, keeps at most `capacity`
 * waiting, records progress and outcomes in the {@link RunStore} and publishes them as {@link RunEvents}; the
 * BullMQ-backed `RedisRunQueue` (`redis_queue.ts`) hands runs to workers on any number of machines instead.
 * @module
 */
import type { AnalysisConfig } from "../lib/analysis/types.ts";
import type { RunEvents } from "./events.ts";
import type { Execution, Executor } from "./executor.ts";
import { progressRecorder } from "./progress_recorder.ts";
import type { RunOutcome, RunStore } from "./store.ts";
import type { RunEngine, RunSummary } from "./types.ts";

/**
 * The queue is full: the client should retry later (HTTP 429). `count` runs (default 1) were to be queued and
 * there is room for `room` more (a negative room is none).
 */
export class QueueFullError extends Error {
  readonly capacity: number;
  constructor(capacity: number, room = 0, count = 1) {
    super(
      count > 1
        ? `the queue has room for ${
          Math.max(0, room)
        } more runs, not ${count} (--max-queue ${capacity}); retry later or raise --max-queue`
        : `the queue is full (${capacity} runs waiting); retry when a run has finished`,
    );
    this.name = "QueueFullError";
    this.capacity = capacity;
  }
}

/** The queue cannot be reached now (Redis is down): the client should retry later (HTTP 503). */
export class QueueUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "QueueUnavailableError";
  }
}

/** Queue occupancy. */
export interface QueueStats {
  /** Which queue: the embedded one, or BullMQ on Redis. */
  engine: RunEngine;
  /** False while the queue cannot be reached (Redis down); stored runs are still served. */
  available: boolean;
  /** Why it is not available. */
  error?: string;
  queued: number;
  running: number;
  /** Runs executing at once (embedded); on Redis, the workers' total is theirs to set (0 here). */
  concurrency: number;
  capacity: number;
  /** The names of the workers connected now (Redis). */
  workers?: string[];
}

/** Accepts runs, executes them and cancels them. */
export interface RunQueue {
  /** Which queue this is (stored with each run). */
  readonly engine: RunEngine;
  /**
   * Queues a stored run (status `queued`). Throws {@link QueueFullError} when `capacity` runs already wait,
   * unless `force` (used to requeue waiting runs after a restart).
   */
  enqueue(id: string, config: AnalysisConfig, opts?: { force?: boolean }): Promise<void>;
  /**
   * Throws {@link QueueFullError} when `count` more runs (default 1) could not be queued now, or
   * {@link QueueUnavailableError} when the queue cannot be reached.
   */
  checkCapacity(count?: number): Promise<void>;
  /**
   * Cancels a queued or running run: it is marked `cancelled` at once and its computation is stopped.
   * Returns the updated run, or null when the run was not queued or running here.
   */
  cancel(id: string): Promise<RunSummary | null>;
  /** A finished run was deleted: the queue drops what it still holds of it (its job on Redis). */
  forget(id: string): Promise<void>;
  /**
   * After a restart, the runs the store lists as on Redis and not ended: the Redis queue follows them again
   * (results that arrived meanwhile are stored); the embedded queue cannot reach them and leaves them as they
   * are (returns a warning).
   */
  reattach(ids: string[]): Promise<string | null>;
  stats(): Promise<QueueStats>;
  /**
   * Stops this server's part. Embedded: every execution stops; running runs are marked `interrupted`, waiting
   * ones stay `queued`. Redis: the connections close; workers go on, and the next start re-attaches.
   */
  close(): Promise<void>;
}

/**
 * Cancels run `id`: through the queue, or — when the queue does not hold it — in the store alone. Returns the
 * updated run, or null when it had already ended.
 */
export async function cancelRun(
  ctx: { queue: RunQueue; store: RunStore },
  id: string,
): Promise<RunSummary | null> {
  return await ctx.queue.cancel(id) ??
    await ctx.store.finish(id, {
      status: "cancelled",
      error: { name: "Cancelled", message: "cancelled by request" },
    });
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
  readonly engine = "embedded" as const;
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

  checkCapacity(count = 1): Promise<void> {
    if (this.#closed) return Promise.reject(new Error("the queue is closed"));
    // A run that can start at once does not wait.
    const free = this.concurrency - this.#running.size;
    if (this.#waiting.length + count - 1 - free >= this.capacity) {
      return Promise.reject(
        new QueueFullError(this.capacity, this.capacity + free - this.#waiting.length, count),
      );
    }
    return Promise.resolve();
  }

  forget(_id: string): Promise<void> {
    return Promise.resolve();
  }

  reattach(ids: string[]): Promise<string | null> {
    return Promise.resolve(
      ids.length
        ? `${ids.length} run(s) are on the Redis queue (${
          ids.join(", ")
        }); start the server with --redis to follow them`
        : null,
    );
  }

  async enqueue(id: string, config: AnalysisConfig, opts: { force?: boolean } = {}): Promise<void> {
    if (!opts.force) await this.checkCapacity();
    this.#waiting.push({ id, config });
    this.#pump();
  }

  stats(): Promise<QueueStats> {
    return Promise.resolve({
      engine: this.engine,
      available: !this.#closed,
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
        const recorder = progressRecorder(this.#store, this.#events, id);
        const exec = this.#executor.start(id, config, recorder.push);
        slot.exec = exec;
        const outcome = await exec.done;
        await recorder.flushed();
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
