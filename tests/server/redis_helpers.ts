/**
 * Helpers for the tests over Redis: a `redis-server` of the test's own on a free loopback port, with a temporary
 * folder and no persistence (stopped in `finally`), and worker processes (`server/worker_main.ts`).
 *
 * Without `redis-server` these tests fail, saying how to install it, unless `KSTAR_SKIP_REDIS_TESTS=1` opts out
 * explicitly (CI installs it: `.ci/run`).
 * @module
 */
import { exists } from "./helpers.ts";
import { spawnReady, stopSpawned } from "../../scripts/spawn.ts";

/** True when the Redis tests are explicitly switched off (`KSTAR_SKIP_REDIS_TESTS=1`). */
export const SKIP_REDIS = Deno.env.get("KSTAR_SKIP_REDIS_TESTS") === "1";

export { type RedisServer, startRedis } from "../../scripts/spawn.ts";

const WORKER_MAIN = new URL("../../server/worker_main.ts", import.meta.url);
const ROOT = new URL("../../", import.meta.url);

/** A worker in its own process. */
export interface WorkerProcess {
  name: string;
  child: Deno.ChildProcess;
  output: () => string;
  drained: Promise<void>;
}

/**
 * Starts a worker process (`--redis url --name name`, short lock and stalled intervals for tests unless
 * `args` set them); resolves once it takes runs.
 */
export async function spawnWorker(url: string, name: string, args: string[] = []): Promise<WorkerProcess> {
  const timing = args.includes("--lock-duration")
    ? []
    : ["--lock-duration", "3000", "--stalled-interval", "1000"];
  const p = await spawnReady(
    Deno.execPath(),
    ["run", "-A", WORKER_MAIN.href, "--redis", url, "--name", name, ...timing, ...args],
    /taking runs/,
    { cwd: ROOT, what: `worker ${name}` },
  );
  return { name, child: p.child, output: p.output, drained: p.drained };
}

/** Kills a worker process (SIGKILL unless another signal is given) and waits for it. */
export function killWorker(
  w: WorkerProcess | null,
  signal: Deno.Signal = "SIGKILL",
): Promise<Deno.CommandStatus | null> {
  return stopSpawned(w, signal);
}

/** Waits until `pid` has ended; false after `timeoutMs`. */
export async function ended(pid: number, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (exists(pid)) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 25));
  }
  return true;
}
