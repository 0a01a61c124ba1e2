/**
 * `deno task worker`: a worker that takes runs from the server's Redis queue and executes each in its own
 * subprocess. Run it on any machine that can reach Redis, with the repository checked out and the folder
 * datasets at the same paths under its `--data-root`.
 *
 * ```sh
 * deno task worker --redis redis://queue-host:6379 --name gpu1 --concurrency 2
 * ```
 *
 * A stop (SIGINT, SIGTERM, or the end of the `npx`/`deno task` that started it) kills its run processes, hands
 * their runs back to the queue for another worker and exits within seconds.
 * @module
 */
import { type FlagSpec, helpFlag, parseArgs } from "../cli/flags.ts";
import { ConfigError } from "../lib/errors.ts";
import * as command from "./command.ts";
import { QueueWorker } from "./queue_worker.ts";
import { checkRedis, parseRedisUrl } from "./redis_connection.ts";

/** Options of the worker command. */
export interface WorkerCommandOptions {
  /** The Redis URL (`$KSTAR_REDIS`). */
  redis: string | null;
  /** Where the URL came from: `--redis` or `KSTAR_REDIS`. */
  redisFrom: string;
  /** The worker's name (default `<hostname>-<pid>`). */
  name: string;
  concurrency: number;
  /** Folder datasets must lie under (`$KSTAR_DATA_ROOT`). */
  dataRoot: string | null;
  cacheDir: string | null;
  /** Milliseconds a job's lock lasts without renewal. */
  lockDuration: number;
  /** Milliseconds between stalled-job checks. */
  stalledInterval: number;
  /** Hand-ons of a run from a stopped worker before it is failed. */
  maxStalled: number;
  /** GiB a run may be estimated to need. */
  maxMemoryGb: number;
  log: boolean;
  help: boolean;
}

const flag = command.flagMaker<WorkerCommandOptions>("Worker");

/** The worker flags. */
export const WORKER_FLAGS: FlagSpec[] = [
  flag(
    "redis",
    "redis",
    "string",
    "the Redis URL the server queues on (env KSTAR_REDIS)",
    "redis://[:password@]host[:port][/db] or rediss://…",
  ),
  flag(
    "name",
    "name",
    "string",
    "this worker's name, shown on each run it executes",
    "letters, digits, _ . - (at most 64)",
  ),
  flag("concurrency", "concurrency", "integer", "runs executing at once", "an integer in [1, 64]"),
  flag("data-root", "dataRoot", "string", "folder the folder datasets lie under (env KSTAR_DATA_ROOT)"),
  flag("cache-dir", "cacheDir", "string", "dataset cache folder (env KSTAR_CACHE)"),
  flag(
    "lock-duration",
    "lockDuration",
    "integer",
    "ms a run's lock lasts unrenewed: a killed worker's run is handed on after it",
    "an integer in [1000, 3600000]",
  ),
  flag(
    "stalled-interval",
    "stalledInterval",
    "integer",
    "ms between this worker's checks for runs whose worker stopped",
    "an integer in [500, 3600000]",
  ),
  flag(
    "max-stalled",
    "maxStalled",
    "integer",
    "times a run is handed on from a stopped worker before it is failed",
    "an integer in [0, 100]",
  ),
  command.maxMemoryFlag("Worker"),
  flag("log", "log", "boolean", "print what run processes write"),
  helpFlag("Worker"),
];

const RANGES: Partial<Record<keyof WorkerCommandOptions, command.Range>> = {
  concurrency: [1, 64, true],
  lockDuration: [1000, 3_600_000, true],
  stalledInterval: [500, 3_600_000, true],
  maxStalled: [0, 100, true],
  maxMemoryGb: command.MAX_MEMORY_RANGE,
};

/** The defaults, with `KSTAR_REDIS` and `KSTAR_DATA_ROOT` from the environment. */
export function defaultWorkerOptions(): WorkerCommandOptions {
  let host = "worker";
  try {
    host = Deno.hostname().split(".")[0].replace(/[^A-Za-z0-9_.-]/g, "-") || host;
  } catch { /* not permitted */ }
  return {
    redis: command.envValue("KSTAR_REDIS") ?? null,
    redisFrom: "KSTAR_REDIS",
    name: `${host}-${Deno.pid}`,
    concurrency: 1,
    dataRoot: command.envValue("KSTAR_DATA_ROOT") ?? null,
    cacheDir: null,
    lockDuration: 30_000,
    stalledInterval: 15_000,
    maxStalled: 2,
    maxMemoryGb: 8,
    log: false,
    help: false,
  };
}

/** The usage text. */
export function workerHelp(): string {
  return command.usage(
    `kstar worker — executes runs from the server's Redis queue

Usage: deno task worker --redis redis://HOST:6379 [flags]

A run whose worker is killed is handed to another worker within about --lock-duration + 2 × --stalled-interval.`,
    WORKER_FLAGS,
    defaultWorkerOptions(),
    { name: "<hostname>-<pid>" },
  );
}

/** Parses the worker flags. @throws {ConfigError} naming the flag */
export function parseWorkerArgs(args: string[]): WorkerCommandOptions {
  const { values, given } = parseArgs(args, WORKER_FLAGS);
  const o = { ...defaultWorkerOptions(), ...values } as WorkerCommandOptions;
  if (o.help) return o;
  command.checkRanges(o, RANGES, WORKER_FLAGS);
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(o.name)) {
    throw new ConfigError("--name", o.name, WORKER_FLAGS[1].allowed!);
  }
  if (o.redis === null) {
    throw new ConfigError("--redis", undefined, "the Redis URL the server queues on (or set KSTAR_REDIS)");
  }
  // The URL is checked now, naming where it came from.
  o.redisFrom = given.includes("--redis") ? "--redis" : "KSTAR_REDIS";
  parseRedisUrl(o.redis, o.redisFrom);
  return o;
}

/** The `worker` subcommand: runs until SIGINT/SIGTERM or the end of its launcher; returns the exit code. */
export async function workerCommand(args: string[]): Promise<number> {
  const o = parseWorkerArgs(args);
  if (o.help) {
    console.log(workerHelp());
    return 0;
  }
  const target = parseRedisUrl(o.redis!, o.redisFrom);
  await checkRedis(target);
  if (o.dataRoot) {
    try {
      if (!Deno.statSync(o.dataRoot).isDirectory) throw new Error("not a folder");
    } catch (e) {
      throw new ConfigError("--data-root", o.dataRoot, "an existing folder", (e as Error).message);
    }
  }
  const worker = await QueueWorker.start({
    target,
    name: o.name,
    concurrency: o.concurrency,
    dataRoot: o.dataRoot,
    cacheDir: o.cacheDir,
    lockDurationMs: o.lockDuration,
    stalledIntervalMs: o.stalledInterval,
    maxStalledCount: o.maxStalled,
    memoryLimitBytes: o.maxMemoryGb * 1024 ** 3,
    logRunOutput: o.log,
  });
  console.log(
    `kstar worker ${o.name}: taking runs from ${target.display} (concurrency ${o.concurrency}${
      o.dataRoot ? `, data root ${o.dataRoot}` : ", built-in datasets only"
    })`,
  );
  let stopping: Promise<void> | null = null;
  const stop = () => stopping ??= worker.stop();
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => resolveDone = r);
  await command.runUntilStopped(
    `kstar worker ${o.name}`,
    "handing running runs back and stopping",
    () => stop().then(resolveDone),
    done,
    "the process that started the worker",
  );
  console.log(`kstar worker ${o.name}: stopped`);
  return 0;
}

if (import.meta.main) await command.runMain(workerCommand);
