/**
 * The contract between whoever queues runs on Redis (the server, `deno task sweep --redis`) and the workers:
 * the queue's name, a job's data (a run id and a config — no code, and no path but a dataset's, relative to
 * the data root), the progress a worker reports, the outcome it returns, and cancellation (a Redis key the
 * worker checks when it takes a job, and a pub/sub message it watches while the run executes, since BullMQ
 * cannot cancel an active job).
 * @module
 */
import type { AnalysisConfig, AnalysisResult, ProgressEvent } from "../lib/analysis/types.ts";
import { resolveConfig } from "../lib/config/resolve.ts";
import { BUILTIN_DATASETS } from "../lib/config/choices.ts";
import { ConfigError } from "../lib/errors.ts";
import { isAbsolute } from "../lib/data/paths.ts";
import { locateDataset } from "../lib/data/locate.ts";
import type { JobsOptions, QueueOptions } from "./queue_deps.ts";
import type { RunError } from "./types.ts";

/** The BullMQ queue every kstar server, worker and sweep client uses. */
export const QUEUE_NAME = "kstar-runs";
/** The pub/sub channel cancellations are announced on (the message is the run id). */
export const CANCEL_CHANNEL = "kstar:cancel";
/** How long a cancellation is remembered for a job a worker has not taken yet (seconds). */
export const CANCEL_TTL_S = 24 * 3600;

/** How long a finished job is kept on Redis (seconds). */
const KEEP_FINISHED_S = 7 * 24 * 3600;

/**
 * The options of a queue that runs are added to: the event stream holds results and partial curves, so it is
 * kept short (reconciliation covers the rest).
 */
export function queueOptions(connection: QueueOptions["connection"]): QueueOptions {
  return { connection, streams: { events: { maxLen: 500 } } };
}

/**
 * The options of run `id`'s job: `attempts` executions with exponential backoff; a finished job is kept a week
 * (and, with `keep`, at most that many finished jobs).
 */
export function jobOptions(id: string, attempts: number, keep?: number): JobsOptions {
  const retention = () => ({ age: KEEP_FINISHED_S, ...(keep === undefined ? {} : { count: keep }) });
  return {
    jobId: id,
    attempts,
    backoff: { type: "exponential", delay: 2000 },
    removeOnComplete: retention(),
    removeOnFail: retention(),
  };
}

/** The key that marks run `id` cancelled. */
export function cancelKey(id: string): string {
  return `kstar:cancel:${id}`;
}

/** A job's data. */
export interface RunJobData {
  /** The format (1). */
  v: 1;
  /** The run id (also the job id). */
  runId: string;
  /** The run's config; a folder dataset is a path relative to the data root. */
  config: AnalysisConfig;
}

/** What a worker reports through `job.updateProgress`. */
export interface RunJobProgress {
  /** The attempt (BullMQ's `attemptsStarted`): a report of an older attempt is stale. */
  attempt: number;
  /** The worker's name. */
  worker: string;
  /** A progress event of the run; absent in the first report, which says the run has started. */
  event?: ProgressEvent;
}

/** What a worker's job returns: the run's outcome. */
export type RunJobOutcome =
  | { status: "done"; result: AnalysisResult }
  | { status: "failed"; error: RunError }
  | { status: "cancelled" };

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;

/**
 * The config as it travels in a job: a folder dataset named relative to the data root (its path as
 * `locateDataset` shows it under `dataRoot`); a built-in dataset as it is.
 */
export async function jobConfig(config: AnalysisConfig, dataRoot: string | null): Promise<AnalysisConfig> {
  if (isBuiltin(config.dataset)) return config;
  const loc = await locateDataset(config.dataset, dataRoot);
  return "display" in loc ? { ...config, dataset: loc.display } : config;
}

/** True for a built-in dataset name. */
export function isBuiltin(dataset: string): boolean {
  return (BUILTIN_DATASETS as readonly string[]).includes(dataset);
}

/**
 * Reads a job's data as a worker must: a job in Redis is input like any other. The config is validated again
 * by the run specification, and a dataset must be a built-in or a relative path without `..` (it is resolved
 * under the worker's data root).
 *
 * @throws {ConfigError} naming the job field (`job.runId`, `job.config`, or the config field)
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readJobData } from "./job.ts";
 * const j = readJobData({ v: 1, runId: "a1", config: { d: 3 } });
 * assert.equal(j.config.d, 3);
 * assert.throws(() => readJobData({ v: 1, runId: "a1", config: { dataset: "/etc" } }), /job\.config\.dataset/);
 * ```
 */
export function readJobData(data: unknown): RunJobData {
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    throw new ConfigError("job", data, "an object { v: 1, runId, config }");
  }
  const d = data as Record<string, unknown>;
  if (d.v !== 1) throw new ConfigError("job.v", d.v, "1 (this worker's job format)");
  if (typeof d.runId !== "string" || !RUN_ID.test(d.runId)) {
    throw new ConfigError("job.runId", d.runId, "a run id: letters, digits and _ . : - (at most 128)");
  }
  let config: AnalysisConfig;
  try {
    config = resolveConfig(d.config as Record<string, unknown>);
  } catch (e) {
    if (e instanceof ConfigError) throw e.renamed(`job.config.${e.field}`);
    throw e;
  }
  if (!isBuiltin(config.dataset)) {
    const parts = config.dataset.split(/[\\/]+/);
    if (isAbsolute(config.dataset) || parts.includes("..")) {
      throw new ConfigError(
        "job.config.dataset",
        config.dataset,
        "a built-in dataset, or a folder relative to the data root (no absolute path, no ..)",
      );
    }
  }
  return { v: 1, runId: d.runId, config };
}

/** Reads a worker's progress report; null when it is not one. */
export function readJobProgress(data: unknown): RunJobProgress | null {
  if (data === null || typeof data !== "object") return null;
  const p = data as Partial<RunJobProgress>;
  if (typeof p.attempt !== "number" || typeof p.worker !== "string") return null;
  if (p.event !== undefined && (typeof p.event !== "object" || typeof p.event?.stage !== "string")) {
    return null;
  }
  return { attempt: p.attempt, worker: p.worker, ...(p.event ? { event: p.event } : {}) };
}

/** Reads a job's return value as an outcome; a value that is not one is a failure saying so. */
export function readJobOutcome(value: unknown): RunJobOutcome {
  const v = value as Partial<RunJobOutcome> | null;
  if (v?.status === "done" && typeof (v as { result?: unknown }).result === "object") {
    return v as RunJobOutcome;
  }
  if (v?.status === "failed" && typeof (v as { error?: unknown }).error === "object") {
    return v as RunJobOutcome;
  }
  if (v?.status === "cancelled") return { status: "cancelled" };
  return {
    status: "failed",
    error: { name: "WorkerError", message: "the worker returned something that is not a run outcome" },
  };
}

/** Marks run `id` cancelled and tells the workers (the one running it stops its run process). */
export async function requestCancel(
  redis: {
    set(...a: unknown[]): Promise<unknown>;
    publish(channel: string, message: string): Promise<unknown>;
  },
  id: string,
): Promise<void> {
  await redis.set(cancelKey(id), "1", "EX", CANCEL_TTL_S);
  await redis.publish(CANCEL_CHANNEL, id);
}
