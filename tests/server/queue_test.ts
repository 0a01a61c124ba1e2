/**
 * The queue: concurrency 1 runs one at a time, a full queue answers 429, a queued run can be cancelled, and
 * cancelling a running run really stops its computation, compute workers included (the process' CPU use
 * falls to idle).
 */
import {
  assert,
  assertEquals,
  call,
  cpuSeconds,
  LONG_EIGENSOLVE,
  LONG_TRAIN,
  sleep,
  startServer,
  submit,
  TINY,
  waitFinal,
  waitRun,
} from "./helpers.ts";
import type { RunSummary } from "../../server/types.ts";
import type { QueueStats } from "../../server/queue.ts";

async function stats(base: string): Promise<QueueStats> {
  return (await call<{ queue: QueueStats }>(base, "GET", "/api/health")).body.queue;
}

/** CPU seconds used over `ms` of wall time. */
async function cpuOver(ms: number): Promise<number | null> {
  const a = cpuSeconds();
  await sleep(ms);
  const b = cpuSeconds();
  return a === null || b === null ? null : b - a;
}

Deno.test("queue: one at a time; full → 429; a queued run is cancelled without running", async () => {
  const s = await startServer({ concurrency: 1, maxQueue: 1 });
  try {
    const a = await submit(s.base, LONG_TRAIN);
    const b = await submit(s.base, TINY);
    await waitRun(s.base, a.id, (r) => r.status === "running");
    assertEquals((await call<RunSummary>(s.base, "GET", `/api/runs/${b.id}`)).body.status, "queued");
    const c = await call<{ error: string; capacity: number }>(s.base, "POST", "/api/runs", TINY);
    assertEquals(c.status, 429);
    assertEquals(c.body.capacity, 1);
    assert(c.headers.get("retry-after") !== null);
    assertEquals(
      (await call<{ runs: RunSummary[] }>(s.base, "GET", "/api/runs")).body.runs.length,
      2,
      "not stored",
    );
    assertEquals(await stats(s.base), { queued: 1, running: 1, concurrency: 1, capacity: 1 });

    // Cancel the queued one: it never starts.
    const cb = await call<{ action: string; run: RunSummary }>(s.base, "DELETE", `/api/runs/${b.id}`);
    assertEquals(cb.body.action, "cancelled");
    assertEquals(cb.body.run.status, "cancelled");
    assertEquals(cb.body.run.startedAt, null);
    // Now there is room again.
    const d = await submit(s.base, TINY);
    assertEquals((await call(s.base, "DELETE", `/api/runs/${d.id}`)).status, 200);
    await call(s.base, "DELETE", `/api/runs/${a.id}`);
    assertEquals((await waitFinal(s.base, a.id)).status, "cancelled");
    // A cancelled run stays (for its record) until deleted; a second DELETE removes it.
    assertEquals(
      (await call<{ action: string }>(s.base, "DELETE", `/api/runs/${a.id}`)).body.action,
      "deleted",
    );
  } finally {
    await s.close();
  }
});

Deno.test("queue: cancelling a running run stops its computation (nested compute workers too)", async () => {
  const s = await startServer();
  try {
    const run = await submit(s.base, LONG_EIGENSOLVE);
    // Wait until it is deep in the Lanczos iterations, on two compute workers.
    await waitRun(
      s.base,
      run.id,
      (r) => r.progress?.stage === "eigensolve" && r.progress.fraction > 0,
      120_000,
    );
    const busy = await cpuOver(1000);
    const t = performance.now();
    const del = await call<{ action: string; run: RunSummary }>(s.base, "DELETE", `/api/runs/${run.id}`);
    assertEquals(del.status, 200);
    assertEquals(del.body.action, "cancelled");
    assertEquals(del.body.run.status, "cancelled");
    assert(performance.now() - t < 500, "cancel answers at once");
    // The slot frees once the worker has stopped.
    const end = Date.now() + 10_000;
    while ((await stats(s.base)).running > 0 && Date.now() < end) await sleep(50);
    assertEquals((await stats(s.base)).running, 0);
    await sleep(300);
    const idle = await cpuOver(1500);
    if (busy !== null && idle !== null) {
      // Busy is typically ≥ 1 CPU s per s here (less when other test files load the machine); a compute
      // worker left running would keep idle near 1.5 or more. Nothing else can make idle large.
      assert(
        idle < 0.35,
        `idle after cancel: ${idle.toFixed(2)} CPU s in 1.5 s (busy: ${busy.toFixed(2)} in 1 s)`,
      );
    }
    const after = await call<RunSummary>(s.base, "GET", `/api/runs/${run.id}`);
    assertEquals(after.body.status, "cancelled");
    assertEquals(after.body.progress?.stage, "eigensolve", "the last progress is kept");
  } finally {
    await s.close();
  }
});

Deno.test("queue: concurrency 2 runs two at once", async () => {
  const s = await startServer({ concurrency: 2, maxQueue: 4 });
  try {
    const a = await submit(s.base, LONG_TRAIN);
    const b = await submit(s.base, LONG_TRAIN);
    const c = await submit(s.base, LONG_TRAIN);
    await waitRun(s.base, a.id, (r) => r.status === "running");
    await waitRun(s.base, b.id, (r) => r.status === "running");
    assertEquals((await call<RunSummary>(s.base, "GET", `/api/runs/${c.id}`)).body.status, "queued");
    assertEquals((await stats(s.base)).running, 2);
    for (const r of [c, a, b]) await call(s.base, "DELETE", `/api/runs/${r.id}`);
    for (const r of [a, b, c]) assertEquals((await waitFinal(s.base, r.id)).status, "cancelled");
  } finally {
    await s.close();
  }
});
