/**
 * Running a list of configs through the Redis queue from the command line (`deno task sweep --redis`,
 * `deno task analyze --preset paper-table --redis`): each becomes a job on the queue the workers
 * (`deno task worker`) take runs from, and the outcomes come back as the jobs' return values. No server is
 * involved (and none records these runs); the jobs are removed once their outcomes are read. Ctrl-C cancels
 * every job that has not ended (the workers kill their run processes).
 * @module
 */
import type { AnalysisConfig, AnalysisResult } from "../lib/analysis/types.ts";
import { ConfigError } from "../lib/errors.ts";
import {
  isBuiltin,
  jobConfig,
  jobOptions,
  QUEUE_NAME,
  queueOptions,
  readJobOutcome,
  readJobProgress,
  requestCancel,
  type RunJobData,
} from "../server/job.ts";
import { Job, Queue, QueueEvents } from "../server/queue_deps.ts";
import { checkRedis, redisClient } from "../server/redis_connection.ts";
import type { RedisTarget } from "../server/redis_url.ts";
import type { RunError } from "../server/types.ts";

/** How one config's run ended. */
export interface RemoteOutcome {
  id: string;
  status: "done" | "failed" | "cancelled";
  result: AnalysisResult | null;
  error: RunError | null;
  /** The worker that ran it (last). */
  worker: string | null;
  /** Executions started (more than 1: retried). */
  attempts: number;
  /** Seconds from the first start to the outcome. */
  duration: number | null;
}

/** Options of {@link runOnRedis}. */
export interface RemoteRunOptions {
  target: RedisTarget;
  /** Job ids are `<prefix>-<index>` (default `cli-<time>`). */
  prefix?: string;
  /** Folder datasets travel relative to this folder (workers resolve them under their own data root). */
  dataRoot?: string | null;
  /** Executions a run gets before one whose process keeps crashing is failed (default 3). */
  attempts?: number;
  /** Told when a run starts on a worker and when it ends. */
  onUpdate?: (
    index: number,
    what: "started" | "ended",
    info: { worker: string | null; outcome?: RemoteOutcome },
  ) => void;
  signal?: AbortSignal;
  /** Milliseconds between polls of the jobs' states (besides the events; default 2 s). */
  pollMs?: number;
}

/** The config as a job carries it: a folder dataset relative to the data root. */
async function portable(config: AnalysisConfig, dataRoot: string | null): Promise<AnalysisConfig> {
  if (isBuiltin(config.dataset) || dataRoot) return await jobConfig(config, dataRoot);
  throw new ConfigError(
    "--data-root",
    undefined,
    "the folder the dataset lies under",
    `a run through --redis names its folder dataset relative to a data root, which every worker has too ("${config.dataset}")`,
  );
}

/** Runs every config on the queue and resolves with their outcomes, in order. */
export async function runOnRedis(
  configs: readonly AnalysisConfig[],
  o: RemoteRunOptions,
): Promise<RemoteOutcome[]> {
  await checkRedis(o.target);
  const jobsConfigs = await Promise.all(configs.map((c) => portable(c, o.dataRoot ?? null)));
  const prefix = o.prefix ?? `cli-${Date.now().toString(36)}`;
  const ids = configs.map((_, i) => `${prefix}-${i}`);
  const client = redisClient(o.target, { name: "kstar-sweep" });
  const eventsClient = redisClient(o.target, { name: "kstar-sweep-events" });
  for (const c of [client, eventsClient]) c.on("error", () => {}); // they reconnect; the polls report
  const queue = new Queue(QUEUE_NAME, queueOptions(client));
  const events = new QueueEvents(QUEUE_NAME, { connection: eventsClient });
  const outcomes: (RemoteOutcome | null)[] = configs.map(() => null);
  const started: (number | null)[] = configs.map(() => null);
  const workers: (string | null)[] = configs.map(() => null);
  let wake: () => void = () => {};
  const index = new Map(ids.map((id, i) => [id, i]));

  const check = async (i: number) => {
    if (outcomes[i]) return;
    const job = await Job.fromId(queue, ids[i]);
    if (!job) return;
    const state = await job.getState();
    if (state === "active" && started[i] === null) {
      started[i] = Date.now();
      workers[i] = job.processedBy ?? workers[i];
      o.onUpdate?.(i, "started", { worker: workers[i] });
    }
    if (state !== "completed" && state !== "failed") return;
    const out = state === "completed" ? readJobOutcome(job.returnvalue) : {
      status: "failed" as const,
      error: { name: "RunFailed", message: `failed ${job.attemptsMade} time(s): ${job.failedReason}` },
    };
    const outcome: RemoteOutcome = {
      id: ids[i],
      status: out.status,
      result: out.status === "done" ? out.result : null,
      error: out.status === "failed" ? out.error : null,
      worker: job.processedBy ?? workers[i],
      attempts: job.attemptsStarted,
      duration: job.processedOn && job.finishedOn
        ? (job.finishedOn - job.processedOn) / 1000
        : started[i] === null
        ? null
        : (Date.now() - started[i]!) / 1000,
    };
    outcomes[i] = outcome;
    o.onUpdate?.(i, "ended", { worker: outcome.worker, outcome });
    await job.remove().catch(() => {});
    wake();
  };
  const follow = (e: { jobId: string }) => {
    const i = index.get(e.jobId);
    if (i !== undefined) check(i).catch(() => {});
  };
  events.on("active", follow);
  events.on("completed", follow);
  events.on("failed", follow);
  events.on("progress", ({ jobId, data }: { jobId: string; data: unknown }) => {
    const i = index.get(jobId);
    const p = readJobProgress(data);
    if (i !== undefined && p && started[i] === null) {
      started[i] = Date.now();
      workers[i] = p.worker;
      o.onUpdate?.(i, "started", { worker: p.worker });
    }
  });
  const cancelAll = async () => {
    for (const [i, id] of ids.entries()) {
      if (outcomes[i]) continue;
      await requestCancel(client, id).catch(() => {});
      const job = await Job.fromId(queue, id).catch(() => undefined);
      await job?.remove().catch(() => {});
    }
  };
  const onAbort = () => wake();
  try {
    await events.waitUntilReady();
    for (const [i, id] of ids.entries()) {
      const data: RunJobData = { v: 1, runId: id, config: jobsConfigs[i] };
      await queue.add("run", data, jobOptions(id, o.attempts ?? 3));
    }
    o.signal?.addEventListener("abort", onAbort, { once: true });
    while (outcomes.some((x) => x === null) && !o.signal?.aborted) {
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, o.pollMs ?? 2000);
      });
      for (let i = 0; i < ids.length; i++) await check(i).catch(() => {});
    }
    if (o.signal?.aborted) {
      await cancelAll();
      throw o.signal.reason;
    }
    return outcomes as RemoteOutcome[];
  } finally {
    o.signal?.removeEventListener("abort", onAbort);
    await Promise.allSettled([events.close(), queue.close()]);
    client.disconnect();
    eventsClient.disconnect();
  }
}
