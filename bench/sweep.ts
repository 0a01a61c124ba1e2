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
 * loopback. Each scale row records the load average at its end: on a shared machine, other work inflates the
 * times. Flags: `--runs N`, `--limit N` (a smaller run for a quick look; the default is all the data),
 * `--overhead-runs N`, `--skip-scale`, `--skip-overhead`, `--contended`, `--json FILE`.
 * @module
 */
import { benchFlags } from "./flags.ts";
import type { RunDetail } from "../server/types.ts";
import { serverArgs, type Spawned, spawnReady, startRedis, stopSpawned } from "../scripts/spawn.ts";

const values = benchFlags({
  "runs": "integer",
  "limit": "integer",
  "overhead-runs": "integer",
  "skip-scale": "boolean",
  "skip-overhead": "boolean",
  "contended": "boolean",
  "json": "string",
}, { runs: 8, overheadRuns: 12 });
const RUNS = values.runs as number;
const OVERHEAD_RUNS = values.overheadRuns as number;
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

type Proc = Spawned;

/** Stops a process gracefully (SIGTERM: a server or worker hands its runs back), or as told. */
const stop = (p: Proc | null, signal: Deno.Signal = "SIGTERM") => stopSpawned(p, signal);

async function startServer(args: string[]): Promise<{ proc: Proc; base: string; dataDir: string }> {
  const dataDir = await Deno.makeTempDir({ prefix: "kstar-bench-store-" });
  const { cmd, args: argv } = serverArgs(dataDir, { args: ["--max-queue", "1000", ...args] });
  const proc = await spawnReady(cmd, argv, /listening on (http:\/\/[^/\s]+)\//, {
    cwd: ROOT,
    what: "server",
  });
  return { proc, base: proc.match[1], dataDir };
}

function startWorker(url: string, name: string): Promise<Proc> {
  return spawnReady(
    Deno.execPath(),
    ["run", "-A", "server/worker_main.ts", "--redis", url, "--name", name],
    /taking runs/,
    { cwd: ROOT, what: `worker ${name}` },
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
    // The machine may be shared: the load average says how much else ran meanwhile.
    const load = Deno.loadavg();
    const durations = runs.map((r) => r.duration ?? NaN);
    const row = {
      processes,
      computeWorkers,
      wallSeconds: Math.round(wall * 10) / 10,
      medianRunSeconds: Math.round(median(durations) * 10) / 10,
      loadAverage: load.map((x) => Math.round(x * 100) / 100),
      byWorker: Object.fromEntries(
        workers.map((_, i) => [`bench-${i + 1}`, runs.filter((r) => r.worker === `bench-${i + 1}`).length]),
      ),
    };
    console.error(`scale: ${JSON.stringify(row)}`);
    return row;
  } finally {
    for (const w of workers) await stop(w);
    await stop(server.proc);
    await redis.stop();
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
    await redis?.stop();
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
