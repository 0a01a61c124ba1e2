/**
 * The queue: concurrency 1 runs one at a time, a full queue answers 429, a queued run can be cancelled, and
 * cancelling a running run really stops its computation: its run process (with its compute workers) is
 * killed and gone within moments, and the slot frees only then.
 */
import {
  assert,
  assertEquals,
  call,
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
import type { ProcessExecutor } from "../../server/executor.ts";

async function stats(base: string): Promise<QueueStats> {
  return (await call<{ queue: QueueStats }>(base, "GET", "/api/health")).body.queue;
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
    assertEquals(await stats(s.base), {
      engine: "embedded",
      available: true,
      queued: 1,
      running: 1,
      concurrency: 1,
      capacity: 1,
    });

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

/** CPU seconds a process has used (Linux /proc); null when unknown or gone. */
function processCpu(pid: number): number | null {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (f[0] === "Z") return null;
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return null;
  }
}

/** Whether a process exists (Linux /proc; true where that cannot be told). */
function alive(pid: number): boolean {
  if (Deno.build.os !== "linux") return true;
  return processCpu(pid) !== null;
}

Deno.test("queue: cancelling a running run kills its process: the computation stops at once", async () => {
  const s = await startServer();
  try {
    const run = await submit(s.base, LONG_EIGENSOLVE);
    // Wait until it is deep in the Lanczos iterations, on two compute workers inside the run process.
    await waitRun(
      s.base,
      run.id,
      (r) => r.progress?.stage === "eigensolve" && r.progress.fraction > 0,
      120_000,
    );
    const live = (s.kstar.executor as ProcessExecutor).live;
    assertEquals(live.size, 1);
    const pid = [...live][0].pid;
    const cpu0 = processCpu(pid);
    await sleep(500);
    const cpu1 = processCpu(pid);
    if (cpu0 !== null && cpu1 !== null) assert(cpu1 > cpu0, "the run process computes");

    const t = performance.now();
    const del = await call<{ action: string; run: RunSummary }>(s.base, "DELETE", `/api/runs/${run.id}`);
    assertEquals(del.status, 200);
    assertEquals(del.body.action, "cancelled");
    assertEquals(del.body.run.status, "cancelled");
    assert(performance.now() - t < 500, "cancel answers at once");
    // The slot frees once the process is gone.
    const end = Date.now() + 10_000;
    while ((await stats(s.base)).running > 0 && Date.now() < end) await sleep(20);
    assertEquals((await stats(s.base)).running, 0);
    assert(performance.now() - t < 3000, `stopped in ${(performance.now() - t).toFixed(0)} ms`);
    assertEquals(live.size, 0);
    if (Deno.build.os === "linux") assert(!alive(pid), `process ${pid} is gone`);
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
