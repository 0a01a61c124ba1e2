/**
 * The {@link RunQueue} on BullMQ: a submitted run becomes a job (id = the run id) on the Redis queue
 * `kstar-runs`, and workers on any machine (`deno task worker`) execute it. The server stays the record: it
 * follows the jobs through BullMQ's QueueEvents (active, progress, completed, failed, stalled, waiting,
 * delayed) and, for each, reads the job's state from Redis and brings the stored run in line with it — so that
 * handling an event twice, late, or after a restart changes nothing (a result is stored once: `finish` only
 * moves a run that has not ended). The same reconciliation runs over every unfinished run at start (results
 * that arrived while the server was down are stored), after Redis comes back, and every few seconds.
 *
 * Cancellation: a queued job is removed; an active one is announced on the cancel channel (`job.ts`) and its
 * worker kills the run process. While Redis is unreachable, submissions answer 503, stored runs are still
 * served and `stats()` says the queue is unavailable; the clients reconnect with backoff.
 * @module
 */
import type { AnalysisConfig } from "../lib/analysis/types.ts";
import type { RunEvents } from "./events.ts";
import {
  jobConfig,
  jobOptions,
  QUEUE_NAME,
  queueOptions,
  readJobOutcome,
  readJobProgress,
  requestCancel,
  type RunJobData,
} from "./job.ts";
import { progressRecorder } from "./progress_recorder.ts";
import { Job, Queue, QueueEvents, type Redis } from "./queue_deps.ts";
import { QueueFullError, type QueueStats, QueueUnavailableError, type RunQueue } from "./queue.ts";
import { checkRedis, hidePassword, redisClient, type RedisTarget } from "./redis_connection.ts";
import type { RunStore } from "./store.ts";
import { isFinal, type RunRetry, type RunSummary } from "./types.ts";

/** Options of {@link RedisRunQueue.open}. */
export interface RedisQueueOptions {
  store: RunStore;
  events: RunEvents;
  target: RedisTarget;
  /** Runs allowed to wait (default 1024). */
  capacity?: number;
  /** Executions a run gets before a failing one (its run process crashed) is marked failed (default 3). */
  attempts?: number;
  /** The server's data root: folder datasets travel relative to it. */
  dataRoot: string | null;
  /** Milliseconds between reconciliations of every unfinished run (default 10 s). */
  reconcileEveryMs?: number;
  /** Milliseconds to wait for Redis at start (default 5 s). */
  connectTimeoutMs?: number;
}

/** BullMQ states in which a job waits for a worker. */
const WAITING_STATES = ["waiting", "delayed", "prioritized", "waiting-children", "paused"];

/** The RunQueue on BullMQ (see the module documentation). */
export class RedisRunQueue implements RunQueue {
  readonly engine = "redis" as const;
  readonly capacity: number;
  readonly #store: RunStore;
  readonly #events: RunEvents;
  readonly #target: RedisTarget;
  readonly #attempts: number;
  readonly #dataRoot: string | null;
  readonly #client: Redis;
  readonly #queue: Queue;
  readonly #queueEvents: QueueEvents;
  readonly #eventsClient: Redis;
  /** One chain of work per run, so that its events are handled in order. */
  readonly #chains = new Map<string, Promise<void>>();
  readonly #recorders = new Map<string, ReturnType<typeof progressRecorder>>();
  #available = true;
  #error: string | undefined;
  #closed = false;
  #timer: ReturnType<typeof setInterval> | undefined;

  private constructor(opts: RedisQueueOptions) {
    this.#store = opts.store;
    this.#events = opts.events;
    this.#target = opts.target;
    this.capacity = opts.capacity ?? 1024;
    this.#attempts = Math.max(1, opts.attempts ?? 3);
    this.#dataRoot = opts.dataRoot;
    this.#client = redisClient(opts.target, { failFast: true, name: "kstar-server" });
    this.#client.on("error", (e: Error) => this.#down(e));
    this.#client.on("close", () => this.#down(new Error("connection closed")));
    this.#client.on("ready", () => {
      const was = this.#available;
      this.#available = true;
      this.#error = undefined;
      if (!was && !this.#closed) {
        console.log(`queue: Redis at ${opts.target.display} is back; reconciling`);
        this.reconcileAll().catch(() => {});
      }
    });
    this.#queue = new Queue(QUEUE_NAME, queueOptions(this.#client));
    this.#queue.on("error", (e: Error) => this.#down(e));
    this.#eventsClient = redisClient(opts.target, { name: "kstar-server-events" });
    this.#eventsClient.on("error", () => {}); // reported through the queue's client
    this.#queueEvents = new QueueEvents(QUEUE_NAME, { connection: this.#eventsClient });
    this.#queueEvents.on("error", (e: Error) => this.#down(e));
    const follow = (name: string, why?: string) =>
      this.#queueEvents.on(name as "active", ({ jobId }: { jobId: string }) => this.#sync(jobId, why));
    follow("active");
    follow("completed");
    follow("failed");
    follow("stalled", "stalled");
    follow("waiting");
    follow("delayed");
    this.#queueEvents.on(
      "progress",
      ({ jobId, data }: { jobId: string; data: unknown }) => this.#progress(jobId, data),
    );
  }

  /**
   * Connects (failing with an error naming `--redis`/`KSTAR_REDIS` when Redis cannot be reached) and starts
   * following the queue's events.
   *
   * @throws {ConfigError} on the flag the URL came from
   */
  static async open(opts: RedisQueueOptions): Promise<RedisRunQueue> {
    await checkRedis(opts.target, opts.connectTimeoutMs ?? 5000);
    const q = new RedisRunQueue(opts);
    await q.#queue.waitUntilReady();
    await q.#queueEvents.waitUntilReady();
    q.#timer = setInterval(() => q.reconcileAll().catch(() => {}), opts.reconcileEveryMs ?? 10_000);
    return q;
  }

  #down(e: Error): void {
    if (this.#closed) return;
    const msg = hidePassword(e?.message ?? String(e));
    if (this.#available) console.error(`queue: Redis at ${this.#target.display} is unavailable: ${msg}`);
    this.#available = false;
    this.#error = msg;
  }

  #unavailable(): QueueUnavailableError {
    return new QueueUnavailableError(
      `the run queue is unavailable: Redis at ${this.#target.display} cannot be reached${
        this.#error ? ` (${this.#error})` : ""
      }; stored runs are still served — retry when it is back`,
    );
  }

  /** Runs `fn` after the work already chained for run `id`. */
  #chain(id: string, fn: () => Promise<void>): Promise<void> {
    const next = (this.#chains.get(id) ?? Promise.resolve()).then(fn).catch((e) => {
      if (!this.#closed) console.error(`queue: run ${id}:`, hidePassword((e as Error)?.message ?? String(e)));
    });
    this.#chains.set(id, next);
    next.then(() => {
      if (this.#chains.get(id) === next) this.#chains.delete(id);
    });
    return next;
  }

  #publish(run: RunSummary | null): void {
    if (run) this.#events.publish(run.id, { type: "status", run });
  }

  async checkCapacity(count = 1): Promise<void> {
    if (this.#closed) throw new Error("the queue is closed");
    if (!this.#available) throw this.#unavailable();
    let waiting: number;
    try {
      const c = await this.#queue.getJobCounts("waiting", "delayed", "prioritized", "paused");
      waiting = Object.values(c).reduce((a, b) => a + b, 0);
    } catch {
      throw this.#unavailable();
    }
    if (waiting + count > this.capacity) {
      throw new QueueFullError(this.capacity, this.capacity - waiting, count);
    }
  }

  async enqueue(id: string, config: AnalysisConfig, opts: { force?: boolean } = {}): Promise<void> {
    if (!opts.force) await this.checkCapacity();
    const data: RunJobData = { v: 1, runId: id, config: await jobConfig(config, this.#dataRoot) };
    await this.#store.assign(id, { engine: "redis" });
    try {
      await this.#queue.add("run", data, jobOptions(id, this.#attempts, 5000));
    } catch (e) {
      this.#down(e as Error);
      throw this.#unavailable();
    }
  }

  cancel(id: string): Promise<RunSummary | null> {
    let out: RunSummary | null = null;
    return this.#chain(id, async () => {
      const run = await this.#store.get(id);
      if (!run || run.engine !== "redis" || isFinal(run.status)) return;
      out = await this.#store.finish(id, {
        status: "cancelled",
        error: { name: "Cancelled", message: "cancelled by request" },
      });
      this.#publish(out);
      try {
        // Announce first: a worker that takes the job from now on sees the key and does not run it.
        await requestCancel(this.#client, id);
        const job = await Job.fromId(this.#queue, id);
        if (job && WAITING_STATES.includes(await job.getState())) await job.remove().catch(() => {});
      } catch (e) {
        // The run is cancelled in the store; its worker's result will not be stored.
        console.error(`queue: run ${id}: could not reach Redis to stop it:`, (e as Error).message);
      }
    }).then(() => out);
  }

  async forget(id: string): Promise<void> {
    try {
      const job = await Job.fromId(this.#queue, id);
      await job?.remove();
    } catch { /* locked (still active) or Redis unreachable: its retention removes it later */ }
  }

  async reattach(ids: string[]): Promise<string | null> {
    for (const id of ids) await this.#sync(id);
    return null;
  }

  /** Brings every unfinished run on Redis in line with its job. */
  async reconcileAll(): Promise<void> {
    if (this.#closed || !this.#available) return;
    const runs = await this.#store.list({ status: ["queued", "running"], limit: 10_000 });
    for (const r of runs) if (r.engine === "redis") await this.#sync(r.id);
  }

  /** Handles a progress report of a worker. */
  #progress(id: string, data: unknown): void {
    const p = readJobProgress(data);
    if (!p) return;
    this.#chain(id, async () => {
      let run = await this.#store.get(id);
      if (!run || run.engine !== "redis" || isFinal(run.status)) return;
      if (p.attempt < run.attempts) return; // a report of an attempt that was handed on
      if (run.status === "running" && p.attempt > run.attempts) {
        await this.#store.markRetrying(id, this.#handedOn(run, await Job.fromId(this.#queue, id)));
        run = (await this.#store.get(id))!;
      }
      if (run.status === "queued") {
        await this.#store.markRunning(id, { worker: p.worker, attempt: p.attempt });
        this.#recorders.delete(id);
        this.#publish(await this.#store.get(id));
      } else if (run.worker !== p.worker) {
        await this.#store.assign(id, { worker: p.worker });
        this.#publish(await this.#store.get(id));
      }
      if (!p.event) return;
      let rec = this.#recorders.get(id);
      if (!rec) this.#recorders.set(id, rec = progressRecorder(this.#store, this.#events, id));
      rec.push(p.event);
      await rec.flushed();
    });
  }

  /** Why a running run's job is waiting again or was taken by another attempt, as its job tells. */
  #handedOn(run: RunSummary, job: Job | undefined, why?: string): RunRetry {
    const what = why === "stalled" || (job && job.stalledCounter > stalls(run))
      ? "stopped responding (killed, or its machine was lost)"
      : job?.failedReason && job.attemptsMade > 0
      ? `failed (attempt ${job.attemptsMade} of ${this.#attempts}: ${job.failedReason})`
      : "stopped and handed the run back";
    return this.#retry(run, what);
  }

  #retry(run: RunSummary, what: string): RunRetry {
    return {
      at: new Date().toISOString(),
      worker: run.worker,
      reason: `${run.worker ? `worker ${run.worker}` : "its worker"} ${what}`,
    };
  }

  /** Reads job `id` from Redis and brings the stored run in line with it. */
  #sync(id: string, why?: string): Promise<void> {
    return this.#chain(id, async () => {
      if (this.#closed) return;
      const run = await this.#store.get(id);
      if (!run || run.engine !== "redis" || isFinal(run.status)) return;
      // The state first, then the job: a job read after it reached a final state holds its outcome (read before,
      // it might not yet).
      const state = await this.#queue.getJobState(id);
      const job = state === "unknown" ? undefined : await Job.fromId(this.#queue, id);
      if (!job) {
        // Redis lost the job (restarted without persistence, or flushed): queue the run again.
        if (run.status === "running") {
          await this.#store.markRetrying(id, this.#retry(run, "had it, but Redis no longer holds its job"));
        }
        await this.enqueue(id, run.config, { force: true });
        this.#publish(await this.#store.get(id));
        return;
      }
      if (state === "completed") {
        const o = readJobOutcome(job.returnvalue);
        await this.#recorders.get(id)?.flushed();
        this.#recorders.delete(id);
        this.#publish(
          await this.#store.finish(
            id,
            o.status === "cancelled"
              ? { status: "cancelled", error: { name: "Cancelled", message: "cancelled by request" } }
              : o,
          ),
        );
      } else if (state === "failed") {
        this.#recorders.delete(id);
        this.#publish(
          await this.#store.finish(id, {
            status: "failed",
            error: { name: "RunFailed", message: failureReason(job, run) },
          }),
        );
      } else if (state === "active") {
        const attempt = job.attemptsStarted || run.attempts + 1;
        const worker = job.processedBy ?? null;
        if (run.status === "running" && attempt > run.attempts) {
          await this.#store.markRetrying(id, this.#handedOn(run, job, why));
        }
        if (run.status === "queued" || attempt > run.attempts) {
          await this.#store.markRunning(id, { worker, attempt });
          this.#recorders.delete(id);
          this.#publish(await this.#store.get(id));
        }
      } else if (WAITING_STATES.includes(state) && run.status === "running") {
        this.#publish(await this.#store.markRetrying(id, this.#handedOn(run, job, why)));
      }
    });
  }

  async stats(): Promise<QueueStats> {
    const base: QueueStats = {
      engine: this.engine,
      available: this.#available && !this.#closed,
      queued: 0,
      running: 0,
      concurrency: 0,
      capacity: this.capacity,
      workers: [],
    };
    if (!base.available) return { ...base, error: this.#error ?? "closed" };
    try {
      const c = await this.#queue.getJobCounts("waiting", "delayed", "prioritized", "paused", "active");
      const workers = await this.#queue.getWorkers();
      return {
        ...base,
        queued: c.waiting + c.delayed + c.prioritized + c.paused,
        running: c.active,
        workers: workers.map((w) => {
          const raw = String((w as Record<string, unknown>).rawname ?? "");
          const at = raw.indexOf(":w:");
          return at < 0 ? "(unnamed)" : raw.slice(at + 3);
        }),
      };
    } catch (e) {
      this.#down(e as Error);
      return { ...base, available: false, error: this.#error };
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    await Promise.allSettled([...this.#chains.values()]);
    await Promise.allSettled([this.#queueEvents.close(), this.#queue.close()]);
    this.#client.disconnect();
    this.#eventsClient.disconnect();
  }
}

/** How many times a run went back to the queue because its worker stopped responding. */
function stalls(run: RunSummary): number {
  return run.retries.filter((r) => r.reason.includes("stopped responding")).length;
}

/** Why a job failed for good, in words. */
function failureReason(job: Job, run: RunSummary): string {
  const reason = hidePassword(job.failedReason ?? "unknown");
  if (/stalled more than allowable limit/.test(reason)) {
    const stopped = run.retries.filter((r) => r.reason.includes("stopped responding") && r.worker);
    const last = stopped.at(-1)?.worker ?? run.worker;
    return `its worker stopped before finishing ${job.stalledCounter} time(s)${
      last ? ` (the last: ${last})` : ""
    } — killed, or its machine was lost; given up (BullMQ: ${reason})`;
  }
  return `it failed ${job.attemptsMade} time(s)${
    run.worker ? ` (the last on ${run.worker})` : ""
  }: ${reason}`;
}
