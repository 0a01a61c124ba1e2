/**
 * The kstar web app: a Hono app serving the JSON API, the server-rendered pages with their islands and the
 * static files, over a {@link RunStore} and a {@link RunQueue}.
 *
 * ```ts ignore
 * import { createApp } from "./server/app.ts";
 * const { app, close } = await createApp({ dataDir: ".kstar" });
 * const server = Deno.serve({ port: 0, hostname: "127.0.0.1" }, app.fetch);
 * // …
 * await server.shutdown();
 * await close();
 * ```
 * @module
 */
import { Hono } from "npm:hono@4.13.19";
import { bodyLimit } from "npm:hono@4.13.19/body-limit";
import { csrf } from "npm:hono@4.13.19/csrf";
import { logger } from "npm:hono@4.13.19/logger";
import { secureHeaders } from "npm:hono@4.13.19/secure-headers";
import type { AnalysisConfig } from "../lib/analysis/types.ts";
import { resolvePath } from "../lib/data/paths.ts";
import type { AppContext, ResolvedAppOptions, SubmitOptions } from "./context.ts";
import { LocalRunEvents, type RunEvents } from "./events.ts";
import { type Executor, ProcessExecutor, WorkerExecutor } from "./executor.ts";
import { ApiError, apiError, errorResponse, headWithLength, tokenAuth, tooLarge } from "./http.ts";
import { LocalRunQueue, type RunQueue } from "./queue.ts";
import type { RedisTarget } from "./redis_url.ts";
import { PAGE_CSP } from "./render.tsx";
import { newRunId } from "./ids.ts";
import { mountRoutes } from "./routes.ts";
import { serveStatic } from "./static.ts";
import { type RunStore, SqliteRunStore } from "./store.ts";
import { notFound } from "../routes/_404.tsx";

/** Options of {@link createApp}. */
export interface AppOptions {
  /** Folder of the store (`kstar.db`); `":memory:"` for a throwaway store. */
  dataDir: string;
  /** Folder datasets must lie under; null/undefined: only the built-in datasets are accepted. */
  dataRoot?: string | null;
  /** Cache folder for built-in datasets (default: the library's, `$KSTAR_CACHE` or `~/.cache/kstar`). */
  cacheDir?: string | null;
  /** Runs executing at once (default 1). */
  concurrency?: number;
  /** Runs allowed to wait in the queue; more are refused with 429 (default 16). */
  maxQueue?: number;
  /** Largest request body in bytes (default 64 KiB); larger ones get 413. */
  maxBodyBytes?: number;
  /**
   * Where runs execute: `process` (default), a `deno run` subprocess per run, killed on cancellation; or
   * `worker`, a Deno Worker per run (see `executor.ts`).
   */
  runner?: "process" | "worker";
  /** The run entry module (default `server/run_process.ts` or `server/run_worker.ts`); for tests. */
  runnerModule?: string | URL;
  /** Milliseconds between progress events within a stage (default 250). */
  progressIntervalMs?: number;
  /** Print what run processes write to stdout/stderr (other than their messages), prefixed with the run id. */
  logRunOutput?: boolean;
  /** With `runner: "worker"`: how long a cancelled run may take to stop before its worker is terminated. */
  cancelGraceMs?: number;
  /** Replaces the SQLite store (e.g. a networked one). */
  store?: RunStore;
  /** Replaces the in-process events. */
  events?: RunEvents;
  /** Replaces the worker executor. */
  executor?: Executor;
  /** Log each request to the console. */
  logRequests?: boolean;
  /**
   * Host names the server answers to (the Host header, without port); others get 421. `serve` sets the
   * loopback names when bound to loopback, which stops DNS-rebinding pages from reaching the API. Default: any.
   */
  allowedHosts?: string[] | null;
  /** A secret every request must carry (`Authorization: Bearer …`, or the cookie `?token=` sets). */
  token?: string | null;
  /** Submitted runs estimated to need more memory than this are refused (bytes); default 8 GiB. */
  memoryLimitBytes?: number;
  /**
   * Queue runs on BullMQ on this Redis instead of the embedded queue: workers (`deno task worker`) execute
   * them, on this machine or others.
   */
  redis?: RedisTarget | null;
  /** With `redis`: executions a run gets before a crashing one is failed (default 3). */
  maxAttempts?: number;
  /** With `redis`: milliseconds between reconciliations of the unfinished runs with their jobs (default 10 s). */
  reconcileEveryMs?: number;
}

/** The names a loopback-bound server answers to. */
export const LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "[::1]"];

/** The host name of a Host header (`[::1]:8000` → `[::1]`, `Example.org:80` → `example.org`). */
export function hostName(header: string): string {
  const h = header.trim().toLowerCase();
  if (h.startsWith("[")) return h.slice(0, h.indexOf("]") + 1);
  const i = h.lastIndexOf(":");
  return i < 0 ? h : h.slice(0, i);
}

/** A created app. */
export interface KstarApp {
  app: Hono;
  ctx: AppContext;
  /** What executes the runs (tests look at its live processes or workers). */
  executor: Executor;
  /**
   * Runs marked interrupted and runs requeued when the store was opened, the runs on Redis followed again,
   * and a warning about runs this queue cannot follow.
   */
  recovered: { interrupted: string[]; queued: string[]; remote: string[]; warning: string | null };
  /** Stops the queue (running runs become interrupted) and closes the store. */
  close(): Promise<void>;
}

/** A folder's real path (symbolic links resolved, as dataset paths are), or the path itself if it is missing. */
function realFolder(path: string): string {
  try {
    return Deno.realPathSync(path);
  } catch {
    return path;
  }
}

function positiveInt(name: string, v: number | undefined, fallback: number, max: number): number {
  const x = v ?? fallback;
  if (!Number.isInteger(x) || x < 0 || x > max) {
    throw new RangeError(`${name}: expected an integer in [0, ${max}], got ${x}`);
  }
  return x;
}

/** Creates the app, opens its store and requeues the runs that were waiting when it last stopped. */
export async function createApp(opts: AppOptions): Promise<KstarApp> {
  const options: ResolvedAppOptions = {
    dataDir: opts.dataDir,
    dataRoot: opts.dataRoot ? realFolder(resolvePath(opts.dataRoot)) : null,
    cacheDir: opts.cacheDir ? resolvePath(opts.cacheDir) : null,
    concurrency: Math.max(1, positiveInt("concurrency", opts.concurrency, 1, 64)),
    maxQueue: positiveInt("maxQueue", opts.maxQueue, 16, 100_000),
    maxBodyBytes: Math.max(1024, positiveInt("maxBodyBytes", opts.maxBodyBytes, 64 * 1024, 64 * 1024 * 1024)),
    memoryLimitBytes: opts.memoryLimitBytes ?? 8 * 1024 ** 3,
    cores: Math.min(8, Math.max(1, navigator.hardwareConcurrency ?? 1)),
  };
  const store = opts.store ?? await SqliteRunStore.open(opts.dataDir);
  const events = opts.events ?? new LocalRunEvents();
  const executor = opts.executor ?? (opts.runner === "worker"
    ? new WorkerExecutor({
      workerUrl: opts.runnerModule,
      dataRoot: options.dataRoot ?? undefined,
      cacheDir: options.cacheDir ?? undefined,
      progressIntervalMs: opts.progressIntervalMs,
      cancelGraceMs: opts.cancelGraceMs,
    })
    : new ProcessExecutor({
      script: opts.runnerModule,
      dataRoot: options.dataRoot ?? undefined,
      cacheDir: options.cacheDir ?? undefined,
      progressIntervalMs: opts.progressIntervalMs,
      onOutput: opts.logRunOutput ? (id, line) => console.error(`[run ${id}] ${line}`) : undefined,
    }));
  let queue: RunQueue;
  try {
    queue = opts.redis
      ? await (await import("./redis_queue.ts")).RedisRunQueue.open({
        store,
        events,
        target: opts.redis,
        capacity: options.maxQueue,
        attempts: opts.maxAttempts,
        dataRoot: options.dataRoot,
        reconcileEveryMs: opts.reconcileEveryMs,
      })
      : new LocalRunQueue({
        store,
        events,
        executor,
        concurrency: options.concurrency,
        capacity: options.maxQueue,
      });
  } catch (e) {
    if (!opts.store) store.close();
    throw e;
  }

  const ctx: AppContext = {
    store,
    queue,
    events,
    options,
    stopping: new AbortController(),
    async submit(config: AnalysisConfig, o = {}): Promise<string> {
      const { resubmittedFrom = null, sweepId = null, sweepIndex = null, force = false }: SubmitOptions = o;
      if (!force) await queue.checkCapacity();
      const id = newRunId();
      await store.create({ id, config, resubmittedFrom, engine: queue.engine, sweepId, sweepIndex });
      try {
        await queue.enqueue(id, config, { force });
      } catch (e) {
        await store.delete(id);
        throw e;
      }
      return id;
    },
  };

  // Runs that were executing here are interrupted; runs that were waiting wait again (on this queue); runs on
  // Redis are followed again.
  const found = await store.recover();
  for (const id of found.queued) {
    const run = await store.get(id);
    if (run) await queue.enqueue(id, run.config, { force: true });
  }
  const recovered = { ...found, warning: await queue.reattach(found.remote) };

  const app = new Hono();
  if (opts.logRequests) app.use(logger());
  const allowedHosts = opts.allowedHosts ? new Set(opts.allowedHosts.map((h) => h.toLowerCase())) : null;
  // The Host allow-list (no Hono middleware does this): stops DNS-rebinding pages from reaching the API.
  app.use(async (c, next) => {
    if (allowedHosts && !allowedHosts.has(hostName(c.req.header("host") ?? ""))) {
      throw new ApiError(421, {
        error: "this server does not answer to that host name",
        field: "host",
        value: c.req.header("host") ?? null,
        allowed: [...allowedHosts].join(", "),
      });
    }
    await next();
  });
  if (opts.token) app.use(tokenAuth(opts.token));
  app.use(secureHeaders({
    overwrite: false, // a response that sets its own policy (the sandboxed report download) keeps it
    contentSecurityPolicy: PAGE_CSP,
    referrerPolicy: "same-origin",
    xFrameOptions: "SAMEORIGIN",
    strictTransportSecurity: false,
    crossOriginOpenerPolicy: false,
  }));
  // Cross-site writes from browsers: Hono's csrf refuses every form-like or body-less write whose Origin (or
  // Sec-Fetch-Site) is not this server's — `Origin: null` from a sandboxed frame included; JSON bodies and DELETE
  // need a CORS preflight this server never grants. Requests without either header come from scripts, not pages.
  const browserWrites = csrf();
  app.use((c, next) =>
    c.req.header("origin") !== undefined || c.req.header("sec-fetch-site") !== undefined
      ? browserWrites(c, next)
      : next()
  );
  app.use(
    "/api/*",
    bodyLimit({ maxSize: options.maxBodyBytes, onError: () => tooLarge(options.maxBodyBytes) }),
  );
  app.use(headWithLength());

  mountRoutes(app, ctx);
  app.get("/static/*", async (c) => {
    const rel = new URL(c.req.url).pathname.slice("/static/".length);
    return await serveStatic(c, rel) ?? c.text("not found", 404);
  });
  app.get("/favicon.ico", (c) => c.redirect("/static/favicon.svg", 301));

  app.notFound((c) => {
    if (new URL(c.req.url).pathname.startsWith("/api/")) {
      return apiError(c, 404, { error: "no such API route" });
    }
    return notFound(c);
  });
  app.onError((err, c) => errorResponse(c, err, options.dataRoot));

  let closed = false;
  return {
    app,
    ctx,
    executor,
    recovered,
    async close() {
      if (closed) return;
      closed = true;
      ctx.stopping.abort();
      await queue.close();
      store.close();
    },
  };
}
