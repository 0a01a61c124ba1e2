/**
 * The Redis queue end to end, over real processes: a server with `--redis` and two worker processes execute a
 * sweep of 6 small runs (results in the store, each run naming its worker, the sweep listing them); and a server
 * killed mid-sweep and started again re-attaches, storing the results that arrived while it was down — every
 * result exactly once.
 */
import { DatabaseSync } from "node:sqlite";
import {
  assert,
  assertEquals,
  call,
  killServer,
  type ServerProcess,
  sleep,
  spawnServer,
  TINY,
  waitFinal,
} from "./helpers.ts";
import { killWorker, SKIP_REDIS, spawnWorker, startRedis, type WorkerProcess } from "./redis_helpers.ts";
import type { SweepDetail } from "../../server/sweeps.ts";
import type { RunDetail } from "../../server/types.ts";
import { Job, Queue } from "../../server/queue_deps.ts";
import { QUEUE_NAME } from "../../server/job.ts";

/** Polls the sweep until every run has ended. */
async function waitSweep(base: string, id: string, timeoutMs = 120_000): Promise<SweepDetail> {
  const end = Date.now() + timeoutMs;
  let last: SweepDetail | null = null;
  while (Date.now() < end) {
    const r = await call<SweepDetail>(base, "GET", `/api/sweeps/${id}`);
    if (r.status === 200) {
      last = r.body;
      if (last.finished) return last;
    }
    await sleep(200);
  }
  throw new Error(`sweep ${id} did not finish: ${JSON.stringify(last?.summary.counts)}`);
}

Deno.test({
  name:
    "redis: a server and two worker processes run a sweep of 6; results in the store, each names its worker",
  ignore: SKIP_REDIS,
  async fn() {
    const redis = await startRedis();
    const dataDir = await Deno.makeTempDir({ prefix: "kstar-redis-sweep-" });
    let server: ServerProcess | null = null;
    const workers: WorkerProcess[] = [];
    try {
      server = await spawnServer(dataDir, { args: ["--redis", redis.url] });
      workers.push(await spawnWorker(redis.url, "w1"), await spawnWorker(redis.url, "w2"));
      const health = await call<{ queue: { engine: string; workers: string[] } }>(
        server.base,
        "GET",
        "/api/health",
      );
      assertEquals(health.body.queue.engine, "redis");
      assertEquals([...health.body.queue.workers].sort(), ["w1", "w2"]);

      const posted = await call<SweepDetail>(server.base, "POST", "/api/sweeps", {
        name: "six seeds",
        base: TINY,
        grid: { seed: [0, 1, 2, 3, 4, 5] },
      });
      assertEquals(posted.status, 201, JSON.stringify(posted.body));
      assertEquals(posted.headers.get("location"), `/api/sweeps/${posted.body.id}`);
      assertEquals(posted.body.runs.length, 6);
      const sweep = await waitSweep(server.base, posted.body.id);
      assertEquals(sweep.summary.counts, { done: 6 });
      assertEquals(sweep.runs.map((r) => r.config.seed), [0, 1, 2, 3, 4, 5]);
      const used = new Set<string>();
      for (const r of sweep.runs) {
        const d = (await call<RunDetail>(server.base, "GET", `/api/runs/${r.id}`)).body;
        assertEquals(d.status, "done");
        assert(d.result !== null && d.result.thresholds.length > 0, "the result is stored");
        assert(d.worker === "w1" || d.worker === "w2", `worker ${d.worker}`);
        assertEquals([d.engine, d.attempts, d.sweepId], ["redis", 1, sweep.id]);
        used.add(d.worker!);
      }
      assertEquals(used.size, 2, "both workers took runs");
      assertEquals(sweep.summary.groups.length, 1);
      assertEquals(sweep.summary.groups[0].samples.length, 6);

      // The downloads and the page.
      const json = await call<{ schema: string; deltaMedians: unknown[] }>(
        server.base,
        "GET",
        `/api/sweeps/${sweep.id}/sweep.json`,
      );
      assertEquals([json.body.schema, json.body.deltaMedians.length], ["kstar.sweep/1", 1]);
      const csv = await call<string>(server.base, "GET", `/api/sweeps/${sweep.id}/sweep.csv`);
      assertEquals(csv.body.trim().split("\n").length, 7);
      const page = await fetch(`${server.base}/sweeps/${sweep.id}`);
      assertEquals(page.status, 200);
      assert((await page.text()).includes('data-island="SweepView"'));

      // Deleting the finished sweep removes its runs from the store and their jobs from Redis.
      const queue = new Queue(QUEUE_NAME, { connection: { host: "127.0.0.1", port: redis.port } });
      try {
        assert(await Job.fromId(queue, sweep.runs[0].id), "the job is on Redis before");
        const del = await call<{ action: string }>(server.base, "DELETE", `/api/sweeps/${sweep.id}`);
        assertEquals(del.body.action, "deleted");
        assertEquals((await call(server.base, "GET", `/api/runs/${sweep.runs[0].id}`)).status, 404);
        for (const r of sweep.runs) assertEquals(await Job.fromId(queue, r.id), undefined, r.id);
      } finally {
        await queue.close();
      }
    } finally {
      for (const w of workers) await killWorker(w, "SIGTERM");
      await killServer(server);
      await redis.stop();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  },
});

Deno.test({
  name: "redis: the server restarted mid-sweep re-attaches; every result is stored exactly once",
  ignore: SKIP_REDIS,
  async fn() {
    const redis = await startRedis();
    const dataDir = await Deno.makeTempDir({ prefix: "kstar-redis-restart-" });
    let server: ServerProcess | null = null;
    let worker: WorkerProcess | null = null;
    try {
      server = await spawnServer(dataDir, { args: ["--redis", redis.url] });
      worker = await spawnWorker(redis.url, "solo");
      const posted = await call<SweepDetail>(server.base, "POST", "/api/sweeps", {
        base: TINY,
        grid: { seed: [10, 11, 12, 13, 14, 15] },
      });
      assertEquals(posted.status, 201);
      const ids = posted.body.runs.map((r) => r.id);
      // The first result is in; then the server dies (SIGKILL: no goodbye).
      await waitFinal(server.base, ids[0], 90_000);
      await killServer(server);
      server = null;
      // The worker goes on; wait until it has finished at least two more runs while the server is down.
      const end = Date.now() + 90_000;
      while ((worker.output().match(/ done$/gm) ?? []).length < 3 && Date.now() < end) await sleep(200);
      assert((worker.output().match(/ done$/gm) ?? []).length >= 3, worker.output());

      server = await spawnServer(dataDir, { args: ["--redis", redis.url] });
      assert(server.output().includes("re-attached"), server.output());
      for (const id of ids) assertEquals((await waitFinal(server.base, id, 120_000)).status, "done", id);
      // Exactly once: one run row and one result row per point, no other runs.
      await killServer(server);
      server = null;
      const db = new DatabaseSync(`${dataDir}/kstar.db`, { readOnly: true });
      try {
        const runs = db.prepare("SELECT id, status FROM runs ORDER BY sweep_index").all() as {
          id: string;
          status: string;
        }[];
        assertEquals(runs.map((r) => r.id), ids);
        assert(runs.every((r) => r.status === "done"));
        const results = db.prepare("SELECT run_id, COUNT(*) AS n FROM results GROUP BY run_id").all() as {
          run_id: string;
          n: number;
        }[];
        assertEquals(results.length, 6);
        assert(results.every((r) => r.n === 1));
      } finally {
        db.close();
      }
    } finally {
      await killWorker(worker, "SIGTERM");
      await killServer(server);
      await redis.stop();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  },
});
