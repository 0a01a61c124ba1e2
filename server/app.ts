/**
 * The kstar web app: a Hono app serving the JSON API, the server-rendered pages with their islands and the
 * static files, over a {@link RunStore} and a {@link RunQueue}.
 *
 * ```ts
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
import type { AnalysisConfig } from "../lib/analysis/types.ts";
import { resolvePath } from "../lib/data/paths.ts";
import type { AppContext, ResolvedAppOptions } from "./context.ts";
import { LocalRunEvents, type RunEvents } from "./events.ts";
import { type Executor, ProcessExecutor, WorkerExecutor } from "./executor.ts";
import { apiError, tooLarge } from "./http.ts";
import { LocalRunQueue, QueueFullError, type RunQueue } from "./queue.ts";
import { renderPage } from "./render.tsx";
import { API_ROUTES, PAGE_ROUTES } from "./routes.ts";
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
  /** Runs marked interrupted and runs requeued when the store was opened. */
  recovered: { interrupted: string[]; queued: string[] };
  /** Stops the queue (running runs become interrupted) and closes the store. */
  close(): Promise<void>;
}

/** A new run id: time-ordered, with random bits (`lq3k9x2a-3f9c1b`). */
export function newRunId(): string {
  const rnd = crypto.getRandomValues(new Uint8Array(3));
  return `${Date.now().toString(36)}-${[...rnd].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
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
    dataRoot: opts.dataRoot ? resolvePath(opts.dataRoot) : null,
    cacheDir: opts.cacheDir ? resolvePath(opts.cacheDir) : null,
    concurrency: Math.max(1, positiveInt("concurrency", opts.concurrency, 1, 64)),
    maxQueue: positiveInt("maxQueue", opts.maxQueue, 16, 100_000),
    maxBodyBytes: Math.max(1024, positiveInt("maxBodyBytes", opts.maxBodyBytes, 64 * 1024, 64 * 1024 * 1024)),
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
  const queue: RunQueue = new LocalRunQueue({
    store,
    events,
    executor,
    concurrency: options.concurrency,
    capacity: options.maxQueue,
  });

  const ctx: AppContext = {
    store,
    queue,
    events,
    options,
    async submit(config: AnalysisConfig, resubmittedFrom: string | null = null): Promise<string> {
      await queue.checkCapacity();
      const id = newRunId();
      await store.create({ id, config, resubmittedFrom });
      try {
        await queue.enqueue(id, config);
      } catch (e) {
        await store.delete(id);
        throw e;
      }
      return id;
    },
  };

  // Runs that were executing are interrupted; runs that were waiting wait again.
  const recovered = await store.recover();
  for (const id of recovered.queued) {
    const run = await store.get(id);
    if (run) await queue.enqueue(id, run.config, { force: true });
  }

  const app = new Hono();
  if (opts.logRequests) {
    app.use(async (c, next) => {
      const t = performance.now();
      await next();
      console.log(
        `${c.req.method} ${new URL(c.req.url).pathname} ${c.res.status} ${
          (performance.now() - t).toFixed(1)
        } ms`,
      );
    });
  }
  const allowedHosts = opts.allowedHosts ? new Set(opts.allowedHosts.map((h) => h.toLowerCase())) : null;
  app.use(async (c, next) => {
    if (allowedHosts && !allowedHosts.has(hostName(c.req.header("host") ?? ""))) {
      return apiError(c, 421, {
        error: "this server does not answer to that host name",
        field: "host",
        value: c.req.header("host") ?? null,
        allowed: [...allowedHosts].join(", "),
      });
    }
    // Cross-site writes are refused: a browser sends Origin with every non-GET request.
    if (!["GET", "HEAD", "OPTIONS"].includes(c.req.method)) {
      const origin = c.req.header("origin");
      if (origin && origin !== "null") {
        let host = "";
        try {
          host = new URL(origin).host;
        } catch { /* not a URL */ }
        if (host !== c.req.header("host")) {
          return apiError(c, 403, {
            error: "cross-origin requests are not accepted",
            field: "origin",
            value: origin,
          });
        }
      }
    }
    await next();
    c.res.headers.set("X-Content-Type-Options", "nosniff");
    c.res.headers.set("Referrer-Policy", "same-origin");
    if (!c.res.headers.has("X-Frame-Options")) c.res.headers.set("X-Frame-Options", "SAMEORIGIN");
  });
  // Bodies are read only by handlers that need one, with the limit counted while streaming (http.ts); a
  // declared length over the limit is refused before any handler runs.
  app.use("/api/*", async (c, next) => {
    if (Number(c.req.header("content-length") ?? "0") > options.maxBodyBytes) {
      return tooLarge(c, options.maxBodyBytes);
    }
    await next();
  });

  for (const route of API_ROUTES) {
    const methods = Object.keys(route.handler) as (keyof typeof route.handler)[];
    for (const m of methods) {
      const h = route.handler[m]!;
      app.on(m, route.path, (c) => h(c, ctx));
    }
    app.all(
      route.path,
      (c) =>
        apiError(c, 405, {
          error: `${c.req.method} is not allowed on ${route.path}`,
          allowed: methods.join(", "),
        }, {
          Allow: methods.join(", "),
        }),
    );
  }
  for (const page of PAGE_ROUTES) {
    app.get(page.path, async (c) => {
      const out = await page.handler(c, ctx);
      if (out instanceof Response) return out;
      return renderPage(c, page.component, out.data, out.title);
    });
  }
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
  app.onError((err, c) => {
    if (err instanceof QueueFullError) {
      return apiError(c, 429, { error: err.message, capacity: err.capacity });
    }
    console.error(`${c.req.method} ${c.req.url}:`, err);
    return apiError(c, 500, { error: `internal error: ${err.message}` });
  });

  let closed = false;
  return {
    app,
    ctx,
    executor,
    recovered,
    async close() {
      if (closed) return;
      closed = true;
      await queue.close();
      store.close();
    },
  };
}
