/**
 * Stopping and starting the server as a whole process: SIGTERM with event streams open ends within seconds and
 * keeps the running run (interrupted, with its progress); a second server on the same data folder, or on a port
 * in use, refuses before it opens a store, and the first server's runs are untouched; the README's start command
 * (`deno task serve`, what `npx -y deno@2 task serve` runs) stopped by its PID takes the server and its runs along.
 */
import {
  allEnded,
  assert,
  assertEquals,
  call,
  childrenOf,
  killServer,
  LONG_TRAIN,
  readEvents,
  serverCommand,
  type ServerProcess,
  spawnServer,
  submit,
  TINY,
  waitRun,
} from "./helpers.ts";
import type { RunDetail } from "../../server/types.ts";

/** Every process below `pid` (Linux). */
function descendants(pid: number): number[] {
  const out: number[] = [];
  const stack = [pid];
  while (stack.length) {
    const kids = childrenOf(stack.pop()!) ?? [];
    out.push(...kids);
    stack.push(...kids);
  }
  return out;
}

/** A run that has trained at least one epoch (so it has progress worth keeping). */
async function trainingRun(base: string): Promise<{ id: string; detail: RunDetail }> {
  const { id } = await submit(base, LONG_TRAIN);
  const detail = await waitRun(base, id, (r) => /^epoch \d+\//.test(r.progress?.message ?? ""), 90_000);
  return { id, detail };
}

async function refused(base: string): Promise<boolean> {
  try {
    await (await fetch(`${base}/api/health`)).body?.cancel();
    return false;
  } catch {
    return true;
  }
}

Deno.test("shutdown: SIGTERM with 5 event streams open exits within 5 s; the run comes back interrupted with its progress", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "kstar-shutdown-" });
  let first: ServerProcess | null = null, second: ServerProcess | null = null;
  try {
    first = await spawnServer(dataDir);
    const { id } = await trainingRun(first.base);
    let connected = 0;
    const streams = Array.from({ length: 5 }, () => {
      let seen = false;
      return readEvents(`${first!.base}/api/runs/${id}/events`, () => {
        if (!seen) connected++;
        seen = true;
        return false;
      }, 30_000);
    });
    const end = Date.now() + 10_000;
    while (connected < 5 && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    assertEquals(connected, 5, "five clients receive the run's events");
    const runProcesses = descendants(first.child.pid);
    assert(runProcesses.length >= 1, "the run executes in its own process");

    const t0 = performance.now();
    first.child.kill("SIGTERM");
    const status = await first.child.status;
    const seconds = (performance.now() - t0) / 1000;
    assert(seconds <= 5, `stopped in ${seconds.toFixed(1)} s`);
    assert(status.success, `exit code ${status.code}:\n${first.output()}`);
    for (const s of await Promise.all(streams)) assert(s.ended, "each event stream was ended by the server");
    assert(await allEnded(runProcesses, 5000), "no run process outlives the server");

    second = await spawnServer(dataDir);
    const r = await call<RunDetail>(second.base, "GET", `/api/runs/${id}`);
    assertEquals([r.body.status, r.body.error?.name], ["interrupted", "Interrupted"]);
    assert(
      /^epoch \d+\//.test(r.body.progress?.message ?? ""),
      `its progress is kept: ${r.body.progress?.message}`,
    );
    assert(r.body.finishedAt !== null);
  } finally {
    await killServer(first);
    await killServer(second);
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("shutdown: a second server on the same data folder or port refuses before opening a store; the first one's runs are untouched", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "kstar-lock-" });
  const otherDir = await Deno.makeTempDir({ prefix: "kstar-lock-other-" });
  let first: ServerProcess | null = null;
  try {
    first = await spawnServer(dataDir);
    const { id, detail } = await trainingRun(first.base);
    const queued = await submit(first.base, TINY);
    assertEquals(queued.status, "queued");

    const sameDir = await serverCommand(dataDir).output();
    const sameText = new TextDecoder().decode(sameDir.stderr);
    assertEquals(sameDir.code, 2, sameText);
    assert(/--data-dir/.test(sameText) && /another server holds/.test(sameText), sameText);
    assert(sameText.includes(`pid ${first.child.pid}`), `names the holder: ${sameText}`);

    const port = Number(new URL(first.base).port);
    const samePort = await serverCommand(otherDir, { port }).output();
    const portText = new TextDecoder().decode(samePort.stderr);
    assertEquals(samePort.code, 2, portText);
    assert(/--port/.test(portText) && /already in use/.test(portText), portText);
    const files = [...Deno.readDirSync(otherDir)].map((e) => e.name);
    assert(!files.includes("kstar.db"), `no store was opened: ${files}`);

    // The first server's runs: still running (and progressing), still queued.
    const later = await waitRun(
      first.base,
      id,
      (r) => r.progress !== null && r.progress.at !== detail.progress!.at,
      30_000,
    );
    assertEquals(later.status, "running");
    assertEquals((await call<RunDetail>(first.base, "GET", `/api/runs/${queued.id}`)).body.status, "queued");
  } finally {
    await killServer(first);
    await Deno.remove(dataDir, { recursive: true });
    await Deno.remove(otherDir, { recursive: true });
  }
});

Deno.test({
  name: "shutdown: `deno task serve` stopped by its PID stops the server and its run",
  ignore: Deno.build.os !== "linux", // the launcher chain is read from /proc
  async fn() {
    const dataDir = await Deno.makeTempDir({ prefix: "kstar-task-" });
    let task: ServerProcess | null = null, again: ServerProcess | null = null;
    try {
      task = await spawnServer(dataDir, { via: "task" });
      const { id } = await trainingRun(task.base);
      const below = descendants(task.child.pid);
      assert(below.length >= 2, `deno task → server → run process: ${below}`);
      task.child.kill("SIGTERM"); // what `kill <pid>` sends
      await task.child.status;
      assert(await allEnded(below, 8000), `processes left behind: ${below.filter((p) => !allEnded([p], 0))}`);
      assert(await refused(task.base), "nothing answers on the port any more");
      again = await spawnServer(dataDir);
      const r = await call<RunDetail>(again.base, "GET", `/api/runs/${id}`);
      assertEquals(r.body.status, "interrupted");
    } finally {
      await killServer(task);
      await killServer(again);
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
