/**
 * Restart: the server process is killed (SIGKILL) while a run executes and another waits; started again on
 * the same data folder, the executing run comes back `interrupted` with its last progress and can be
 * resubmitted, and the waiting run is queued again. Also: a graceful stop (SIGTERM) interrupts the running run.
 */
import { assert, assertEquals, call, LONG_TRAIN, submit, TINY, waitFinal, waitRun } from "./helpers.ts";
import type { RunDetail, RunSummary } from "../../server/types.ts";

const MAIN = new URL("../../server/main.ts", import.meta.url);

interface Proc {
  base: string;
  child: Deno.ChildProcess;
  output: () => string;
}

/** Starts `server/main.ts` on a free port with the given data folder; resolves once it listens. */
async function spawnServer(dataDir: string): Promise<Proc> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN.href, "--port", "0", "--data-dir", dataDir, "--no-build"],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
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
  const done = Promise.all([pump(child.stdout), pump(child.stderr)]);
  done.then(() => reject(new Error(`server exited before listening:\n${out}`)));
  const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 60_000);
  try {
    return { base: await listening, child, output: () => out };
  } finally {
    clearTimeout(timer);
  }
}

/** The child processes of `pid` (Linux); null where that cannot be told. */
function childrenOf(pid: number): number[] | null {
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

function exists(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

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
    for (const p of [first, second]) {
      if (!p) continue;
      try {
        p.child.kill("SIGKILL");
      } catch { /* already gone */ }
      await p.child.status;
    }
    await Deno.remove(dataDir, { recursive: true });
  }
});
