/**
 * `deno task bench:sweep`: the scale-out benchmarks quoted in BENCHMARKS.md ("Scale-out: sweeps on BullMQ").
 *
 * 1. Wall time of a sweep of `--runs` (8) default-size MNIST runs (the `deno task analyze` defaults, seeds
 *    0..N−1) submitted to a server with `--redis`, executed by 1 worker process and by 2 worker processes on this
 *    machine, with `--compute-workers` compute workers per run for each setup (default: 2 for one process, 1 each
 *    for two, so that both use every core of a 2-core machine; `--contended` adds 2 processes × 2).
 * 2. The queue's overhead per run against the embedded queue, on tiny runs (median over `--overhead-runs`):
 *    submit → analysis start (queueing, subprocess start) and result → stored.
 *
 * Everything runs as the README says — a `redis-server`, `server/main.ts --redis`, `server/worker_main.ts` — on
 * loopback. Flags: `--runs N`, `--limit N` (a smaller run for a quick look; the default is all the data),
 * `--overhead-runs N`, `--skip-scale`, `--skip-overhead`, `--contended`, `--json FILE`.
 * @module
 */
import { parseArgs } from "../cli/flags.ts";
import type { RunDetail } from "../server/types.ts";

const { values } = parseArgs(Deno.args, [
  { flag: "runs", key: "runs", kind: "integer", help: "", group: "" },
  { flag: "limit", key: "limit", kind: "integer", help: "", group: "" },
  { flag: "overhead-runs", key: "overheadRuns", kind: "integer", help: "", group: "" },
  { flag: "skip-scale", key: "skipScale", kind: "boolean", help: "", group: "" },
  { flag: "skip-overhead", key: "skipOverhead", kind: "boolean", help: "", group: "" },
  { flag: "contended", key: "contended", kind: "boolean", help: "", group: "" },
  { flag: "json", key: "json", kind: "string", help: "", group: "" },
]);
const RUNS = (values.runs as number | undefined) ?? 8;
const OVERHEAD_RUNS = (values.overheadRuns as number | undefined) ?? 12;
const ROOT = new URL("../", import.meta.url);
const out: Record<string, unknown> = {
  date: new Date().toISOString(),
  cores: navigator.hardwareConcurrency,
  runs: RUNS,
  limit: values.limit ?? null,
};
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Proc {
  child: Deno.ChildProcess;
  output: () => string;
}

/** Spawns a process; resolves once its output matches `ready` (its first match's groups). */
async function spawn(
  cmd: string,
  args: string[],
  ready: RegExp,
): Promise<Proc & { match: RegExpMatchArray }> {
  const child = new Deno.Command(cmd, {
    args,
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
    env: { NO_COLOR: "1" },
  }).spawn();
  let text = "";
  const dec = new TextDecoder();
  let resolve!: (m: RegExpMatchArray) => void;
  const matched = new Promise<RegExpMatchArray>((r) => resolve = r);
  const pump = async (s: ReadableStream<Uint8Array>) => {
    for await (const c of s) {
      text += dec.decode(c);
      const m = text.match(ready);
      if (m) resolve(m);
    }
  };
  pump(child.stdout);
  pump(child.stderr);
  const timeout = sleep(60_000).then(() => {
    throw new Error(`${cmd} ${args.join(" ")} did not start:\n${text}`);
  });
  const match = await Promise.race([matched, timeout]);
  return { child, output: () => text, match };
}

async function stop(p: Proc | null, signal: Deno.Signal = "SIGTERM"): Promise<void> {
  if (!p) return;
  try {
    p.child.kill(signal);
  } catch { /* gone */ }
  await p.child.status;
}

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

async function startRedis(): Promise<{ proc: Proc; url: string; dir: string }> {
  const port = freePort();
  const dir = await Deno.makeTempDir({ prefix: "kstar-bench-redis-" });
  const proc = await spawn("redis-server", [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--save",
    "",
    "--appendonly",
    "no",
    "--dir",
    dir,
  ], /Ready to accept connections/);
  return { proc, url: `redis://127.0.0.1:${port}`, dir };
}

async function startServer(args: string[]): Promise<{ proc: Proc; base: string; dataDir: string }> {
  const dataDir = await Deno.makeTempDir({ prefix: "kstar-bench-store-" });
  const proc = await spawn(Deno.execPath(), [
    "run",
    "-A",
    "server/main.ts",
    "--port",
    "0",
    "--no-build",
    "--data-dir",
    dataDir,
    "--max-queue",
    "1000",
    ...args,
  ], /listening on (http:\/\/[^/\s]+)\//);
  return { proc, base: proc.match[1], dataDir };
}

async function startWorker(url: string, name: string): Promise<Proc> {
  return await spawn(
    Deno.execPath(),
    ["run", "-A", "server/worker_main.ts", "--redis", url, "--name", name],
    /taking runs/,
  );
}

async function json<T>(base: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await res.json();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(data)}`);
  return data as T;
}

async function waitDone(base: string, ids: string[], timeoutMs: number): Promise<RunDetail[]> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const runs = await Promise.all(ids.map((id) => json<RunDetail>(base, "GET", `/api/runs/${id}?result=0`)));
    const bad = runs.find((r) => ["failed", "cancelled", "interrupted"].includes(r.status));
    if (bad) throw new Error(`run ${bad.id} ${bad.status}: ${bad.error?.message}`);
    if (runs.every((r) => r.status === "done")) return runs;
    await sleep(250);
  }
  throw new Error("runs did not finish in time");
}

/** A sweep of RUNS default-size runs on `processes` worker processes with `computeWorkers` each; wall seconds. */
async function scale(processes: number, computeWorkers: number): Promise<Record<string, unknown>> {
  const redis = await startRedis();
  const server = await startServer(["--redis", redis.url]);
  const workers: Proc[] = [];
  try {
    for (let i = 0; i < processes; i++) workers.push(await startWorker(redis.url, `bench-${i + 1}`));
    const base: Record<string, unknown> = { workers: computeWorkers };
    if (values.limit !== undefined) base.limit = values.limit;
    const t0 = performance.now();
    const sweep = await json<{ id: string; runs: { id: string }[] }>(server.base, "POST", "/api/sweeps", {
      name: `bench ${processes}×${computeWorkers}`,
      base,
      grid: { seed: Array.from({ length: RUNS }, (_, i) => i) },
    });
    const runs = await waitDone(server.base, sweep.runs.map((r) => r.id), 3 * 3600_000);
    const wall = (performance.now() - t0) / 1000;
    const durations = runs.map((r) => r.duration ?? NaN);
    const row = {
      processes,
      computeWorkers,
      wallSeconds: Math.round(wall * 10) / 10,
      medianRunSeconds: Math.round(median(durations) * 10) / 10,
      byWorker: Object.fromEntries(
        workers.map((_, i) => [`bench-${i + 1}`, runs.filter((r) => r.worker === `bench-${i + 1}`).length]),
      ),
    };
    console.error(`scale: ${JSON.stringify(row)}`);
    return row;
  } finally {
    for (const w of workers) await stop(w);
    await stop(server.proc);
    await stop(redis.proc, "SIGKILL");
    await Deno.remove(redis.dir, { recursive: true }).catch(() => {});
    await Deno.remove(server.dataDir, { recursive: true }).catch(() => {});
  }
}

const TINY = { limit: 512, batchSize: 32, epochs: 1, d: 3, mcDraws: 8, workers: 0, backend: "wasm" };

/** Per-run latencies of one queue on tiny runs submitted one at a time: submit → analysis start, result → stored. */
async function overhead(engine: "embedded" | "redis"): Promise<Record<string, number>> {
  const redis = engine === "redis" ? await startRedis() : null;
  const server = await startServer(redis ? ["--redis", redis.url] : []);
  const worker = redis ? await startWorker(redis.url, "overhead") : null;
  try {
    const start: number[] = [], stored: number[] = [], total: number[] = [];
    for (let i = 0; i < OVERHEAD_RUNS + 1; i++) {
      const r = await json<{ id: string }>(server.base, "POST", "/api/runs", { ...TINY, seed: i });
      const [run] = await waitDone(server.base, [r.id], 300_000);
      const res = await json<{ createdAt: string; timings: { total: number } }>(
        server.base,
        "GET",
        `/api/runs/${r.id}/result.json`,
      );
      const end = Date.parse(res.createdAt);
      const began = end - res.timings.total * 1000;
      if (i === 0) continue; // the first run warms the caches
      start.push((began - Date.parse(run.createdAt)) / 1000);
      stored.push((Date.parse(run.finishedAt!) - end) / 1000);
      total.push((Date.parse(run.finishedAt!) - Date.parse(run.createdAt)) / 1000 - res.timings.total);
    }
    const row = {
      submitToStartS: Math.round(median(start) * 1000) / 1000,
      resultToStoredS: Math.round(median(stored) * 1000) / 1000,
      overheadS: Math.round(median(total) * 1000) / 1000,
    };
    console.error(`overhead ${engine}: ${JSON.stringify(row)}`);
    return row;
  } finally {
    await stop(worker);
    await stop(server.proc);
    if (redis) {
      await stop(redis.proc, "SIGKILL");
      await Deno.remove(redis.dir, { recursive: true }).catch(() => {});
    }
    await Deno.remove(server.dataDir, { recursive: true }).catch(() => {});
  }
}

if (!values.skipOverhead) {
  const embedded = await overhead("embedded");
  const redis = await overhead("redis");
  out.overhead = {
    runs: OVERHEAD_RUNS,
    embedded,
    redis,
    queueOverheadS: Math.round((redis.overheadS - embedded.overheadS) * 1000) / 1000,
  };
}
if (!values.skipScale) {
  const one = await scale(1, 2);
  const two = await scale(2, 1);
  const rows = [one, two];
  if (values.contended) rows.push(await scale(2, 2));
  out.scale = rows;
  out.speedup = Math.round(((one.wallSeconds as number) / (two.wallSeconds as number)) * 100) / 100;
  if (values.contended) {
    out.speedupContended = Math.round(((one.wallSeconds as number) / (rows[2].wallSeconds as number)) * 100) /
      100;
  }
}
console.log(JSON.stringify(out, null, 2));
if (values.json) await Deno.writeTextFile(values.json as string, JSON.stringify(out, null, 2) + "\n");
