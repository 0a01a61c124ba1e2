/**
 * `deno task serve`: starts the kstar server (JSON API, dashboard, run and compare pages).
 *
 * ```sh
 * deno run -A main.ts serve --port 8000 --data-dir .kstar --data-root ./datasets
 * deno run -A server/main.ts --port 0          # the same, without the CLI
 * ```
 *
 * Start-up is careful with a store another server may be using: the data folder is locked first (a second server
 * on it refuses to start and touches nothing), then the port is bound (a port in use is an error before the store
 * is opened), then the store is opened and recovered. A stop (SIGINT, SIGTERM, or the end of the process that
 * started the server, e.g. `npx`/`deno task` killed by its PID) closes every event stream, stops the running runs
 * (they come back `interrupted` with their partial results) and exits within seconds.
 * @module
 */
import { type FlagSpec, helpFlag, parseArgs } from "../cli/flags.ts";
import { ConfigError } from "../lib/errors.ts";
import { createApp, type KstarApp, LOOPBACK_HOSTS } from "./app.ts";
import { ensureClientBuild } from "./client_build.ts";
import {
  checkRanges,
  envValue,
  flagMaker,
  MAX_MEMORY_RANGE,
  maxMemoryFlag,
  type Range,
  runMain,
  runUntilStopped,
  usage,
} from "./command.ts";
import type { ResolvedAppOptions } from "./context.ts";
import { lockDataDir } from "./lock.ts";
import { parseRedisUrl, type RedisTarget } from "./redis_url.ts";

/** Options of {@link serve}. */
export interface ServeOptions extends
  Pick<
    ResolvedAppOptions,
    "dataDir" | "dataRoot" | "cacheDir" | "concurrency" | "maxQueue" | "maxBodyBytes"
  > {
  /** Port (default 8000; 0 picks a free one). */
  port: number;
  /** Address to bind (default 127.0.0.1). */
  host: string;
  /** Submitted runs estimated to need more memory than this many GiB are refused. */
  maxMemoryGb: number;
  /** The access token every request must carry (`$KSTAR_TOKEN`); required when the host is not loopback. */
  token: string | null;
  /** Skip building the browser bundle. */
  noBuild: boolean;
  /** Log each request (and what run processes print). */
  logRequests: boolean;
  /** Where runs execute: a subprocess per run (default) or a Deno Worker. */
  runner: "process" | "worker";
  /** Queue runs on BullMQ on this Redis (`$KSTAR_REDIS`); workers execute them. Null: the embedded queue. */
  redis: string | null;
  /** Where `redis` came from, for errors: `--redis` or `KSTAR_REDIS`. */
  redisFrom: string;
  /** With `redis`: executions a run gets before one whose run process keeps crashing is failed. */
  maxAttempts: number;
}

const flag = flagMaker<ServeOptions & { help: boolean }>("Server");

/** The serve flags (parsed by the CLI's one parser, `cli/flags.ts`). */
export const SERVE_FLAGS: FlagSpec[] = [
  flag("port", "port", "integer", "port (0 = any free port)", "an integer in [0, 65535]"),
  flag("host", "host", "string", "address to bind; a non-loopback address needs --token"),
  flag("data-dir", "dataDir", "string", "store folder (env KSTAR_DATA_DIR)"),
  flag("data-root", "dataRoot", "string", "folder datasets must lie under (env KSTAR_DATA_ROOT)"),
  flag("cache-dir", "cacheDir", "string", "dataset cache folder (env KSTAR_CACHE)"),
  flag("concurrency", "concurrency", "integer", "runs executing at once", "an integer in [1, 64]"),
  flag("max-queue", "maxQueue", "integer", "runs allowed to wait (more → 429)", "an integer in [0, 100000]"),
  flag(
    "max-body",
    "maxBodyBytes",
    "integer",
    "largest request body in bytes",
    "an integer in [1024, 67108864]",
  ),
  maxMemoryFlag("Server"),
  flag("token", "token", "string", "access token every request must carry (env KSTAR_TOKEN)"),
  flag("runner", "runner", "choice", "where runs execute", 'one of "process", "worker"'),
  flag(
    "redis",
    "redis",
    "string",
    "queue runs on BullMQ on this Redis; `deno task worker` executes them (env KSTAR_REDIS)",
    "redis://[:password@]host[:port][/db] or rediss://…",
  ),
  flag(
    "max-attempts",
    "maxAttempts",
    "integer",
    "with --redis: executions a run gets before one whose process keeps crashing is failed",
    "an integer in [1, 100]",
  ),
  flag("no-build", "noBuild", "boolean", "do not build the browser bundle"),
  flag("log", "logRequests", "boolean", "log every request and the runs' output"),
  helpFlag("Server"),
];

const RANGES: Partial<Record<keyof ServeOptions, Range>> = {
  port: [0, 65535, true],
  concurrency: [1, 64, true],
  maxQueue: [0, 100_000, true],
  maxBodyBytes: [1024, 64 * 1024 * 1024, true],
  maxMemoryGb: MAX_MEMORY_RANGE,
  maxAttempts: [1, 100, true],
};

/** The defaults, with `KSTAR_DATA_DIR`, `KSTAR_DATA_ROOT` and `KSTAR_TOKEN` from the environment. */
export function defaultServeOptions(): ServeOptions {
  let total = 16 * 1024 ** 3;
  try {
    total = Deno.systemMemoryInfo().total;
  } catch { /* not permitted: assume 16 GiB */ }
  return {
    port: 8000,
    host: "127.0.0.1",
    dataDir: envValue("KSTAR_DATA_DIR") ?? ".kstar",
    dataRoot: envValue("KSTAR_DATA_ROOT") ?? null,
    cacheDir: null,
    concurrency: 1,
    maxQueue: 16,
    maxBodyBytes: 64 * 1024,
    maxMemoryGb: Math.round(Math.min(8, total / 2 / 1024 ** 3) * 10) / 10,
    token: envValue("KSTAR_TOKEN") ?? null,
    noBuild: false,
    logRequests: false,
    runner: "process",
    redis: envValue("KSTAR_REDIS") ?? null,
    redisFrom: "KSTAR_REDIS",
    maxAttempts: 3,
  };
}

/** The usage text. */
export function serveHelp(): string {
  return usage(
    "kstar serve — the dashboard and JSON API\n\nUsage: deno task serve [flags]",
    SERVE_FLAGS,
    defaultServeOptions(),
  );
}

/** Parses serve flags. @throws {ConfigError} naming the flag */
export function parseServeArgs(args: string[]): ServeOptions & { help: boolean } {
  const { values, given } = parseArgs(args, SERVE_FLAGS);
  const o = { ...defaultServeOptions(), help: false, ...values } as ServeOptions & { help: boolean };
  if (given.includes("--redis")) o.redisFrom = "--redis";
  // Workers drain a Redis queue, so far more runs may wait there (a sweep is up to 256).
  if (o.redis !== null && !given.includes("--max-queue")) o.maxQueue = 1024;
  if (o.redis !== null) parseRedisUrl(o.redis, o.redisFrom);
  checkRanges(o, RANGES, SERVE_FLAGS);
  if (o.runner !== "process" && o.runner !== "worker") {
    throw new ConfigError("--runner", o.runner, '"process" or "worker"');
  }
  if (!isLoopback(o.host) && !o.token) {
    throw new ConfigError(
      "--token",
      undefined,
      "a secret (or KSTAR_TOKEN) when --host is not a loopback address",
      `anyone who can reach ${o.host} could submit runs`,
    );
  }
  return o;
}

/** True for the loopback addresses and `localhost`. */
export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** A running server. */
export interface RunningServer {
  /** The address, e.g. `http://127.0.0.1:8000/`. */
  url: string;
  port: number;
  /** The Redis the queue is on (checked at start), or null for the embedded queue. */
  redis: RedisTarget | null;
  kstar: KstarApp;
  /** Resolves when the server has stopped. */
  finished: Promise<void>;
  /** Closes every event stream, stops the running runs (interrupted), closes the store; within seconds. */
  shutdown(): Promise<void>;
}

/** Starts the server: lock the data folder, bind the port, then open the store. */
export async function serve(partial: Partial<ServeOptions> = {}): Promise<RunningServer> {
  const o = { ...defaultServeOptions(), ...partial };
  const redis = o.redis === null ? null : parseRedisUrl(o.redis, o.redisFrom);
  const lock = await lockDataDir(o.dataDir);
  let app: KstarApp | null = null;
  let server: Deno.HttpServer<Deno.NetAddr> | undefined;
  try {
    // Redis unreachable at start is a clear error naming --redis (KSTAR_REDIS), before anything is opened.
    if (redis) await (await import("./redis_connection.ts")).checkRedis(redis);
    let resolveListening!: (addr: Deno.NetAddr) => void;
    const listening = new Promise<Deno.NetAddr>((r) => resolveListening = r);
    try {
      server = Deno.serve({
        port: o.port,
        hostname: o.host,
        onListen: (addr) => resolveListening(addr as Deno.NetAddr),
      }, (req, info) => app ? app.app.fetch(req, info) : new Response("starting", { status: 503 }));
    } catch (e) {
      if (e instanceof Deno.errors.AddrInUse) {
        throw new ConfigError("--port", o.port, "a free port", `${o.host}:${o.port} is already in use`);
      }
      throw e;
    }
    const addr = await listening;
    if (!o.noBuild) {
      const m = await ensureClientBuild({ log: (l) => console.log(`client: ${l}`) });
      console.log(`client: bundle ${m.hash.slice(0, 12)} (${m.islands.join(", ")})`);
    }
    app = await createApp({
      dataDir: o.dataDir,
      dataRoot: o.dataRoot,
      cacheDir: o.cacheDir,
      concurrency: o.concurrency,
      maxQueue: o.maxQueue,
      maxBodyBytes: o.maxBodyBytes,
      memoryLimitBytes: o.maxMemoryGb * 1024 ** 3,
      token: o.token,
      logRequests: o.logRequests,
      logRunOutput: o.logRequests,
      runner: o.runner,
      redis,
      maxAttempts: o.maxAttempts,
      allowedHosts: isLoopback(o.host)
        ? [...LOOPBACK_HOSTS, o.host.includes(":") && !o.host.startsWith("[") ? `[${o.host}]` : o.host]
        : null,
    });
    const kstar = app;
    const { interrupted, queued } = kstar.recovered;
    if (interrupted.length) {
      console.log(`store: ${interrupted.length} run(s) marked interrupted: ${interrupted.join(", ")}`);
    }
    if (queued.length) console.log(`store: ${queued.length} queued run(s) requeued`);
    if (kstar.recovered.remote.length && redis) {
      console.log(`queue: re-attached to ${kstar.recovered.remote.length} run(s) on Redis`);
    }
    if (kstar.recovered.warning) console.log(`queue: ${kstar.recovered.warning}`);
    const host = addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname;
    const http = server;
    let stopping: Promise<void> | null = null;
    const shutdown = () =>
      stopping ??= (async () => {
        kstar.ctx.stopping.abort(); // event streams end, so the HTTP server can finish its requests
        await Promise.all([http.shutdown(), kstar.close()]);
        await lock.release();
      })();
    return {
      url: `http://${host}:${addr.port}/`,
      port: addr.port,
      redis,
      kstar,
      finished: http.finished.then(() => stopping ?? undefined),
      shutdown,
    };
  } catch (e) {
    await server?.shutdown().catch(() => {});
    await app?.close();
    await lock.release();
    throw e;
  }
}

/** The `serve` subcommand: runs until SIGINT/SIGTERM or the end of its launcher; returns the exit code. */
export async function serveCommand(args: string[]): Promise<number> {
  const o = parseServeArgs(args);
  if (o.help) {
    console.log(serveHelp());
    return 0;
  }
  const s = await serve(o);
  console.log(
    `kstar: listening on ${s.url} (store ${o.dataDir}/kstar.db${
      o.dataRoot ? `, data root ${o.dataRoot}` : ""
    }${s.redis ? `, queue on ${s.redis.display}` : ""})`,
  );
  if (o.token) {
    console.log(`kstar: open ${s.url}?token=… in a browser once; API clients send Authorization: Bearer …`);
  }
  await runUntilStopped(
    "kstar",
    "shutting down",
    s.shutdown,
    s.finished,
    "the process that started the server",
  );
  await s.shutdown();
  return 0;
}

if (import.meta.main) await runMain(serveCommand);
