/**
 * Failures on the Redis queue, over real processes: a worker killed mid-run (SIGKILL) → BullMQ's stalled check
 * hands the run to the other worker and the result arrives, the run saying it was retried; a run whose workers
 * keep dying is failed with the reason once it has been handed on `--max-stalled` times; cancelling a remote run
 * kills its run process within 2 s; a worker stopped with SIGTERM hands its run back at once.
 */
import type { AnalysisConfig } from "../../lib/analysis/types.ts";
import {
  allEnded,
  assert,
  assertEquals,
  assertMatch,
  call,
  childrenOf,
  killServer,
  LONG_TRAIN,
  type ServerProcess,
  spawnServer,
  submit,
  waitFinal,
  waitRun,
} from "./helpers.ts";
import { killWorker, SKIP_REDIS, spawnWorker, startRedis, type WorkerProcess } from "./redis_helpers.ts";
import type { RunDetail } from "../../server/types.ts";

/** A run of several seconds that completes (its training stage is long enough to kill a worker in). */
const MEDIUM: Partial<AnalysisConfig> = {
  dataset: "mnist",
  backend: "wasm",
  limit: 2048,
  batchSize: 32,
  epochs: 6,
  d: 3,
  mcDraws: 8,
  workers: 0,
};

/** A server on its own Redis with the given workers; `fn` gets them and everything is stopped after. */
async function withQueue(
  workers: { name: string; args?: string[] }[],
  fn: (server: ServerProcess, workers: WorkerProcess[], redisUrl: string) => Promise<void>,
): Promise<void> {
  const redis = await startRedis();
  const dataDir = await Deno.makeTempDir({ prefix: "kstar-redis-fail-" });
  let server: ServerProcess | null = null;
  const procs: WorkerProcess[] = [];
  try {
    server = await spawnServer(dataDir, { args: ["--redis", redis.url] });
    for (const w of workers) procs.push(await spawnWorker(redis.url, w.name, w.args));
    await fn(server, procs, redis.url);
  } finally {
    for (const w of procs) await killWorker(w);
    await killServer(server);
    await redis.stop();
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
}

Deno.test({
  name:
    "redis: a worker killed mid-run → the stalled check hands the run to the other; it completes, marked retried",
  ignore: SKIP_REDIS,
  async fn() {
    await withQueue([{ name: "a" }, { name: "b" }], async (server, [a, b]) => {
      const run = await submit(server.base, MEDIUM);
      const running = await waitRun(
        server.base,
        run.id,
        (r) => r.progress?.stage === "train" && r.worker !== null,
      );
      const victim = running.worker === "a" ? a : b;
      const other = victim === a ? b : a;
      const runProcesses = childrenOf(victim.child.pid) ?? [];
      await killWorker(victim, "SIGKILL");
      // Its orphaned run process ends too (its stdin closed).
      assert(await allEnded(runProcesses, 10_000), "the killed worker's run process ended");
      const done = await waitFinal(server.base, run.id, 120_000);
      assertEquals(done.status, "done", JSON.stringify(done.error));
      assertEquals(done.worker, other.name);
      assertEquals(done.attempts, 2);
      assertEquals(done.retries.length, 1);
      assertEquals(done.retries[0].worker, victim.name);
      assertMatch(done.retries[0].reason, /stopped responding/);
      assert(done.result !== null);
      // The run page says so.
      const page = await (await fetch(`${server.base}/runs/${run.id}`)).text();
      assert(
        page.includes("Retried once") && page.includes("stopped responding"),
        "the page shows the retry",
      );
    });
  },
});

Deno.test({
  name: "redis: a run whose worker dies more than --max-stalled times is failed with the reason",
  ignore: SKIP_REDIS,
  async fn() {
    await withQueue([{ name: "first", args: ["--max-stalled", "0"] }], async (server, [first], redisUrl) => {
      const run = await submit(server.base, LONG_TRAIN);
      await waitRun(server.base, run.id, (r) => r.progress?.stage === "train");
      await killWorker(first, "SIGKILL");
      // The next worker finds the run stalled once more than allowed and fails it.
      const second = await spawnWorker(redisUrl, "second", ["--max-stalled", "0"]);
      try {
        const failed = await waitFinal(server.base, run.id, 90_000);
        assertEquals(failed.status, "failed");
        assertMatch(failed.error!.message, /stopped before finishing 1 time\(s\) \(the last: first\)/);
        assertMatch(failed.error!.message, /stalled more than allowable limit/);
      } finally {
        await killWorker(second);
      }
    });
  },
});

Deno.test({
  name:
    "redis: cancelling a remote run kills its run process within 2 s; a worker's SIGTERM hands its run back",
  ignore: SKIP_REDIS,
  async fn() {
    await withQueue([{ name: "c1" }], async (server, [c1], redisUrl) => {
      const run = await submit(server.base, LONG_TRAIN);
      await waitRun(server.base, run.id, (r) => r.progress?.stage === "train");
      const procs = childrenOf(c1.child.pid);
      assert(procs !== null && procs.length === 1, `one run process under the worker: ${procs}`);
      const t0 = Date.now();
      const del = await call<{ action: string; run: RunDetail }>(
        server.base,
        "DELETE",
        `/api/runs/${run.id}`,
      );
      assertEquals([del.body.action, del.body.run.status], ["cancelled", "cancelled"]);
      assert(await allEnded(procs, 2000), `the run process is gone within 2 s (${Date.now() - t0} ms)`);
      assertEquals(
        (await call<RunDetail>(server.base, "GET", `/api/runs/${run.id}`)).body.status,
        "cancelled",
      );

      // SIGTERM: the worker kills its run process, hands the run back and exits; another worker completes it.
      const next = await submit(server.base, MEDIUM);
      await waitRun(server.base, next.id, (r) => r.progress?.stage === "train" && r.worker === "c1");
      const running = childrenOf(c1.child.pid) ?? [];
      const t1 = Date.now();
      const status = await killWorker(c1, "SIGTERM");
      assert(status!.success, c1.output());
      assert(Date.now() - t1 < 5000, "the worker exits promptly");
      assert(await allEnded(running, 2000), "its run process is gone");
      assertMatch(c1.output(), /handed back to the queue/);
      const c2 = await spawnWorker(redisUrl, "c2");
      try {
        const done = await waitFinal(server.base, next.id, 120_000);
        assertEquals([done.status, done.worker], ["done", "c2"]);
        assertMatch(done.retries[0]?.reason ?? "", /c1 stopped and handed the run back/);
      } finally {
        await killWorker(c2, "SIGTERM");
      }
    });
  },
});
