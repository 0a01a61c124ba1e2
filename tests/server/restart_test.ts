/**
 * Restart: the server process is killed (SIGKILL) while a run executes and another waits; started again on
 * the same data folder, the executing run comes back `interrupted` with its last progress and can be
 * resubmitted, and the waiting run is queued again. Also: a graceful stop (SIGTERM) interrupts the running run.
 */
import {
  assert,
  assertEquals,
  call,
  childrenOf,
  exists,
  killServer,
  LONG_TRAIN,
  type ServerProcess as Proc,
  spawnServer,
  submit,
  TINY,
  waitFinal,
  waitRun,
} from "./helpers.ts";
import type { RunDetail, RunSummary } from "../../server/types.ts";

async function stop(p: Proc, signal: Deno.Signal): Promise<Deno.CommandStatus> {
  p.child.kill(signal);
  return await p.child.status;
}

Deno.test("restart: a killed server's running run comes back interrupted with its progress; queued runs requeue", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "kstar-restart-" });
  const first = await spawnServer(dataDir);
  let second: Proc | null = null;
  try {
    const a = await submit(first.base, LONG_TRAIN);
    const b = await submit(first.base, TINY);
    const running = await waitRun(
      first.base,
      a.id,
      (r) => r.progress?.stage === "train" && r.progress.overall > 0,
    );
    assertEquals(running.status, "running");
    const runProcesses = childrenOf(first.child.pid);
    if (runProcesses !== null) assertEquals(runProcesses.length, 1, "one run process");
    const status = await stop(first, "SIGKILL");
    assert(!status.success);
    // The orphaned run process notices that its server is gone and exits.
    if (runProcesses !== null) {
      const end = Date.now() + 10_000;
      while (runProcesses.some(exists) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
      assert(!runProcesses.some(exists), `run processes ${runProcesses} outlived the server`);
    }

    second = await spawnServer(dataDir);
    assert(second.output().includes("marked interrupted"), second.output());
    const ra = await call<RunDetail>(second.base, "GET", `/api/runs/${a.id}`);
    assertEquals(ra.body.status, "interrupted");
    assertEquals(ra.body.error?.name, "Interrupted");
    assertEquals(ra.body.progress?.stage, "train", "its last progress is kept");
    assert(ra.body.progress!.overall > 0);
    assert(ra.body.finishedAt !== null, "never shown as running forever");
    // The waiting run was queued again and now runs to the end.
    const rb = await waitFinal(second.base, b.id, 90_000);
    assertEquals(rb.status, "done");
    assert(rb.result !== null);

    // Resubmit the interrupted run: a new run with the same config.
    const re = await call<RunSummary>(second.base, "POST", `/api/runs/${a.id}/resubmit`);
    assertEquals(re.status, 201);
    assertEquals(re.body.resubmittedFrom, a.id);
    assertEquals(re.body.config, ra.body.config);
    await waitRun(second.base, re.body.id, (r) => r.status === "running");
    // Resubmitting a run that has not ended is refused.
    assertEquals((await call(second.base, "POST", `/api/runs/${re.body.id}/resubmit`)).status, 409);

    // A graceful stop interrupts the running run too.
    const st = await stop(second, "SIGTERM");
    assert(st.success, second.output());
    second = await spawnServer(dataDir);
    const rr = await call<RunDetail>(second.base, "GET", `/api/runs/${re.body.id}`);
    assertEquals(rr.body.status, "interrupted");
    const list = await call<{ runs: RunSummary[] }>(second.base, "GET", "/api/runs");
    assertEquals(list.body.runs.map((r) => r.status).sort(), ["done", "interrupted", "interrupted"]);
  } finally {
    await killServer(first);
    await killServer(second);
    await Deno.remove(dataDir, { recursive: true });
  }
});
