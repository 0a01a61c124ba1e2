/**
 * Helpers for the tests over Redis: a `redis-server` of the test's own on a free loopback port, with a temporary
 * folder and no persistence (stopped in `finally`), and worker processes (`server/worker_main.ts`).
 *
 * Without `redis-server` these tests fail, saying how to install it, unless `KSTAR_SKIP_REDIS_TESTS=1` opts out
 * explicitly (CI installs it: `.ci/run`).
 * @module
 */
import { exists } from "./helpers.ts";

/** True when the Redis tests are explicitly switched off (`KSTAR_SKIP_REDIS_TESTS=1`). */
export const SKIP_REDIS = Deno.env.get("KSTAR_SKIP_REDIS_TESTS") === "1";

/** A running `redis-server`. */
export interface RedisServer {
  url: string;
  port: number;
  child: Deno.ChildProcess;
  dir: string;
  stop(): Promise<void>;
}

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** The path of `redis-server`, or a clear error. */
function redisServerPath(): string {
  for (const p of ["/usr/bin/redis-server", "/usr/local/bin/redis-server", "/usr/sbin/redis-server"]) {
    try {
      if (Deno.statSync(p).isFile) return p;
    } catch { /* not there */ }
  }
  throw new Error(
    "redis-server is not installed, so the Redis queue cannot be tested: install it (apt-get install " +
      "redis-server; .ci/run does) or set KSTAR_SKIP_REDIS_TESTS=1 to skip these tests knowingly",
  );
}

/** Starts `redis-server` on a free loopback port (no persistence); resolves once it accepts connections. */
export async function startRedis(port = freePort()): Promise<RedisServer> {
  const bin = redisServerPath();
  const dir = await Deno.makeTempDir({ prefix: "kstar-redis-" });
  const child = new Deno.Command(bin, {
    args: ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir],
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).spawn();
  let out = "";
  const dec = new TextDecoder();
  let ready!: () => void;
  const accepting = new Promise<void>((r) => ready = r);
  const pump = async (s: ReadableStream<Uint8Array>) => {
    for await (const chunk of s) {
      out += dec.decode(chunk);
      if (out.includes("Ready to accept connections")) ready();
    }
  };
  const drained = Promise.all([pump(child.stdout), pump(child.stderr)]);
  const timeout = new Promise<never>((_, rej) =>
    setTimeout(() => rej(new Error(`redis did not start:\n${out}`)), 10_000)
  );
  const exited = child.status.then((s) => {
    throw new Error(`redis-server exited (${s.code}) before accepting connections:\n${out}`);
  });
  await Promise.race([accepting, timeout, exited]);
  let stopped = false;
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    child,
    dir,
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        child.kill("SIGKILL");
      } catch { /* gone */ }
      await child.status;
      await drained;
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

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
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", WORKER_MAIN.href, "--redis", url, "--name", name, ...timing, ...args],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
    env: { NO_COLOR: "1" },
  }).spawn();
  let out = "";
  const dec = new TextDecoder();
  let resolve!: () => void, reject!: (e: Error) => void;
  const started = new Promise<void>((res, rej) => [resolve, reject] = [res, rej]);
  const pump = async (s: ReadableStream<Uint8Array>) => {
    for await (const chunk of s) {
      out += dec.decode(chunk);
      if (out.includes("taking runs")) resolve();
    }
  };
  const drained = Promise.all([pump(child.stdout), pump(child.stderr)]).then(() => {});
  drained.then(() => reject(new Error(`worker ${name} exited before taking runs:\n${out}`)));
  const timer = setTimeout(() => reject(new Error(`worker ${name} did not start:\n${out}`)), 60_000);
  try {
    await started;
  } finally {
    clearTimeout(timer);
  }
  return { name, child, output: () => out, drained };
}

/** Kills a worker process (SIGKILL unless another signal is given) and waits for it. */
export async function killWorker(
  w: WorkerProcess | null,
  signal: Deno.Signal = "SIGKILL",
): Promise<Deno.CommandStatus | null> {
  if (!w) return null;
  try {
    w.child.kill(signal);
  } catch { /* already gone */ }
  const status = await w.child.status;
  await w.drained;
  return status;
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
