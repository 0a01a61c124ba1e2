/**
 * Helpers for the server tests: an app on a free loopback port with its own store, JSON calls, waiting for a
 * run's status, reading Server-Sent Events, and run configs of known duration.
 * @module
 */
import type { AnalysisConfig } from "../../lib/analysis/types.ts";
import { type AppOptions, createApp, type KstarApp } from "../../server/app.ts";
import type { RunDetail, RunStatus, RunSummary } from "../../server/types.ts";

export { assert, assertEquals, assertMatch } from "../assert.ts";

/**
 * A run that ends in a few seconds (16 batches of 32 MNIST samples, in-process). The test configs pin the
 * wasm backend so that they behave the same with or without a WebGPU adapter.
 */
export const TINY: Partial<AnalysisConfig> = {
  dataset: "mnist",
  backend: "wasm",
  limit: 512,
  batchSize: 32,
  epochs: 1,
  d: 3,
  mcDraws: 8,
  workers: 0,
};

/** A run that trains for minutes (in-process): stopped by cancellation or a kill long before it ends. */
export const LONG_TRAIN: Partial<AnalysisConfig> = {
  dataset: "mnist",
  backend: "wasm",
  limit: 8192,
  batchSize: 64,
  epochs: 200,
  d: 3,
  mcDraws: 8,
  workers: 0,
};

/**
 * A run whose eigensolve stage takes a minute or more on two compute workers (a 235k-parameter MLP, d = 20):
 * cancelling it there must stop the nested compute workers too.
 */
export const LONG_EIGENSOLVE: Partial<AnalysisConfig> = {
  dataset: "mnist",
  backend: "wasm",
  model: "mlp:256,128",
  limit: 8192,
  batchSize: 64,
  epochs: 1,
  d: 20,
  mcDraws: 8,
  workers: 2,
};

/** A test server. */
export interface TestServer {
  base: string;
  kstar: KstarApp;
  dataDir: string;
  close(): Promise<void>;
}

/** Starts the app on 127.0.0.1 with a fresh store folder (unless given). */
export async function startServer(opts: Partial<AppOptions> = {}): Promise<TestServer> {
  const dataDir = opts.dataDir ?? await Deno.makeTempDir({ prefix: "kstar-test-" });
  const kstar = await createApp({ progressIntervalMs: 100, ...opts, dataDir });
  let resolve!: (port: number) => void;
  const listening = new Promise<number>((r) => resolve = r);
  const ac = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen: (a) => resolve((a as Deno.NetAddr).port) },
    kstar.app.fetch,
  );
  const port = await listening;
  return {
    base: `http://127.0.0.1:${port}`,
    kstar,
    dataDir,
    async close() {
      ac.abort();
      await server.finished;
      await kstar.close();
    },
  };
}

/** A JSON call; returns the status, the body and the headers. */
export async function call<T = Record<string, unknown>>(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: T; headers: Headers }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? headers : { "Content-Type": "application/json", ...headers },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch { /* not JSON */ }
  return { status: res.status, body: parsed as T, headers: res.headers };
}

/** Submits a run; fails the test unless it is accepted. */
export async function submit(base: string, config: Partial<AnalysisConfig>): Promise<RunSummary> {
  const r = await call<RunSummary>(base, "POST", "/api/runs", config);
  if (r.status !== 201) throw new Error(`submit: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/** Polls `GET /api/runs/:id` until `pred` holds (default timeout 60 s). */
export async function waitRun(
  base: string,
  id: string,
  pred: (r: RunDetail) => boolean,
  timeoutMs = 60_000,
): Promise<RunDetail> {
  const end = Date.now() + timeoutMs;
  let last: RunDetail | null = null;
  while (Date.now() < end) {
    const r = await call<RunDetail>(base, "GET", `/api/runs/${id}?result=0`);
    if (r.status === 200) {
      last = r.body;
      if (pred(last)) return (await call<RunDetail>(base, "GET", `/api/runs/${id}`)).body;
    }
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(
    `run ${id}: condition not met in ${timeoutMs} ms; last: ${JSON.stringify(last)?.slice(0, 500)}`,
  );
}

/** Waits for a final status. */
export function waitFinal(base: string, id: string, timeoutMs = 60_000): Promise<RunDetail> {
  const final: RunStatus[] = ["done", "failed", "cancelled", "interrupted"];
  return waitRun(base, id, (r) => final.includes(r.status), timeoutMs);
}

/** One Server-Sent Event. */
export interface SseEvent {
  event: string;
  data: string;
  id?: string;
}

/** Reads Server-Sent Events until `stop` returns true for one, the stream ends, or the timeout. */
export async function readEvents(
  url: string,
  stop: (e: SseEvent, all: SseEvent[]) => boolean,
  timeoutMs = 60_000,
): Promise<{ events: SseEvent[]; ended: boolean }> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), timeoutMs);
  const events: SseEvent[] = [];
  let ended = false;
  try {
    const res = await fetch(url, { signal: ac.signal, headers: { Accept: "text/event-stream" } });
    if (!res.ok || !res.body) throw new Error(`events: ${res.status}`);
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buf = "";
    try {
      outer: while (true) {
        const { value, done } = await reader.read();
        if (done) {
          ended = true;
          break;
        }
        buf += value;
        let i: number;
        while ((i = buf.indexOf("\n\n")) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const e: SseEvent = { event: "message", data: "" };
          const data: string[] = [];
          for (const line of block.split("\n")) {
            if (line.startsWith(":")) continue;
            const c = line.indexOf(":");
            const field = c < 0 ? line : line.slice(0, c);
            const v = c < 0 ? "" : line.slice(c + 1).replace(/^ /, "");
            if (field === "event") e.event = v;
            else if (field === "data") data.push(v);
            else if (field === "id") e.id = v;
          }
          if (data.length === 0) continue;
          e.data = data.join("\n");
          events.push(e);
          if (stop(e, events)) break outer;
        }
      }
    } finally {
      await reader.cancel().catch(() => {});
    }
  } catch (e) {
    if (!ac.signal.aborted) throw e;
  } finally {
    clearTimeout(timer);
  }
  return { events, ended };
}

/** Sleeps. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

const SERVER_MAIN = new URL("../../server/main.ts", import.meta.url);
const ROOT = new URL("../../", import.meta.url);

/** A server in its own process. */
export interface ServerProcess {
  base: string;
  child: Deno.ChildProcess;
  /** What it printed so far (stdout and stderr). */
  output: () => string;
  /** Resolves when both output streams have ended. */
  drained: Promise<void>;
}

/** How {@link spawnServer} starts the server. */
export interface SpawnOptions {
  /** More serve flags. */
  args?: string[];
  /** The port (default 0: any free one). */
  port?: number;
  /** `task`: through `deno task serve` (the README's command, less npx); default: `deno run server/main.ts`. */
  via?: "main" | "task";
}

/** The command line that starts a server on a free port with the given data folder. */
export function serverCommand(dataDir: string, opts: SpawnOptions = {}): Deno.Command {
  const flags = ["--port", String(opts.port ?? 0), "--data-dir", dataDir, "--no-build", ...(opts.args ?? [])];
  const args = opts.via === "task" ? ["task", "serve", ...flags] : ["run", "-A", SERVER_MAIN.href, ...flags];
  return new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
    env: { NO_COLOR: "1" },
  });
}

/** Starts a server process; resolves once it listens (fails with its output if it exits first). */
export async function spawnServer(dataDir: string, opts: SpawnOptions = {}): Promise<ServerProcess> {
  const child = serverCommand(dataDir, opts).spawn();
  let out = "";
  const dec = new TextDecoder();
  let resolve!: (base: string) => void, reject!: (e: Error) => void;
  const listening = new Promise<string>((res, rej) => [resolve, reject] = [res, rej]);
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream) {
      out += dec.decode(chunk);
      const m = out.match(/listening on (http:\/\/[^/\s]+)\//);
      if (m) resolve(m[1]);
    }
  };
  const drained = Promise.all([pump(child.stdout), pump(child.stderr)]).then(() => {});
  drained.then(() => reject(new Error(`server exited before listening:\n${out}`)));
  const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 60_000);
  try {
    return { base: await listening, child, output: () => out, drained };
  } finally {
    clearTimeout(timer);
  }
}

/** The child processes of `pid` (Linux); null where that cannot be told. */
export function childrenOf(pid: number): number[] | null {
  try {
    const out: number[] = [];
    for (const t of Deno.readDirSync(`/proc/${pid}/task`)) {
      const text = Deno.readTextFileSync(`/proc/${pid}/task/${t.name}/children`).trim();
      if (text) out.push(...text.split(/\s+/).map(Number));
    }
    return out;
  } catch {
    return null;
  }
}

/** True while `pid` runs (Linux; a zombie counts as ended). */
export function exists(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

/** Waits until none of `pids` runs; returns false after `timeoutMs`. */
export async function allEnded(pids: number[], timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (pids.some(exists)) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

/** Kills a server process (ignoring one already gone) and waits for it. */
export async function killServer(p: ServerProcess | null): Promise<void> {
  if (!p) return;
  try {
    p.child.kill("SIGKILL");
  } catch { /* already gone */ }
  await p.child.status;
  await p.drained;
}
