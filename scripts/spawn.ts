/**
 * Starting a child process and waiting until its output says it is ready — a server "listening on …", a
 * `redis-server` "Ready to accept connections", a worker "taking runs" — for the tests and the benchmarks. The
 * child's output is collected (for error messages); starting fails with that output when the child exits first
 * or stays silent past the timeout.
 * @module
 */

/** A started child process. */
export interface Spawned {
  child: Deno.ChildProcess;
  /** What it printed so far (stdout and stderr). */
  output(): string;
  /** Resolves when both output streams have ended. */
  drained: Promise<void>;
  /** The first match of the readiness pattern. */
  match: RegExpMatchArray;
}

/** Options of {@link spawnReady}. */
export interface SpawnReadyOptions {
  cwd?: string | URL;
  /** Environment additions (`NO_COLOR=1` is always set). */
  env?: Record<string, string>;
  /** Default 60 s. */
  timeoutMs?: number;
  /** What to call it in errors (default: the command). */
  what?: string;
}

/** Spawns `cmd args` and resolves once its stdout or stderr matches `ready`. */
export async function spawnReady(
  cmd: string,
  args: string[],
  ready: RegExp,
  o: SpawnReadyOptions = {},
): Promise<Spawned> {
  const what = o.what ?? cmd;
  const child = new Deno.Command(cmd, {
    args,
    cwd: o.cwd,
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
    env: { NO_COLOR: "1", ...o.env },
  }).spawn();
  let out = "";
  const dec = new TextDecoder();
  let resolve!: (m: RegExpMatchArray) => void, reject!: (e: Error) => void;
  const matched = new Promise<RegExpMatchArray>((res, rej) => [resolve, reject] = [res, rej]);
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream) {
      out += dec.decode(chunk);
      const m = out.match(ready);
      if (m) resolve(m);
    }
  };
  const drained = Promise.all([pump(child.stdout), pump(child.stderr)]).then(() => {});
  drained.then(() => reject(new Error(`${what} exited before it was ready:\n${out}`)));
  const timer = setTimeout(
    () => reject(new Error(`${what} was not ready in time:\n${out}`)),
    o.timeoutMs ?? 60_000,
  );
  try {
    return { child, output: () => out, drained, match: await matched };
  } catch (e) {
    try {
      child.kill("SIGKILL");
    } catch { /* gone */ }
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

/** Stops a spawned process (SIGKILL unless told otherwise; one already gone is fine) and waits for it. */
export async function stopSpawned(
  p: Pick<Spawned, "child" | "drained"> | null,
  signal: Deno.Signal = "SIGKILL",
): Promise<Deno.CommandStatus | null> {
  if (!p) return null;
  try {
    p.child.kill(signal);
  } catch { /* already gone */ }
  const status = await p.child.status;
  await p.drained;
  return status;
}

/** A free TCP port on loopback. */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** A running `redis-server` of one's own. */
export interface RedisServer {
  url: string;
  port: number;
  child: Deno.ChildProcess;
  dir: string;
  stop(): Promise<void>;
}

/** The path of `redis-server`, or a clear error saying how to get it. */
export function redisServerPath(): string {
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

/** Starts `redis-server` on a free loopback port with a temporary folder and no persistence. */
export async function startRedis(port = freePort()): Promise<RedisServer> {
  const dir = await Deno.makeTempDir({ prefix: "kstar-redis-" });
  const p = await spawnReady(
    redisServerPath(),
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir],
    /Ready to accept connections/,
    { timeoutMs: 10_000, what: "redis-server" },
  );
  let stopped = false;
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    child: p.child,
    dir,
    async stop() {
      if (stopped) return;
      stopped = true;
      await stopSpawned(p);
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

const SERVER_MAIN = new URL("../server/main.ts", import.meta.url);

/**
 * The command line of a kstar server on a free port (`--port 0` unless given), with its own store folder and no
 * browser bundle build: `deno run -A server/main.ts …`, or `deno task serve …` (`viaTask`) as the README starts it.
 */
export function serverArgs(
  dataDir: string,
  o: { args?: string[]; port?: number; viaTask?: boolean } = {},
): { cmd: string; args: string[] } {
  const flags = ["--port", String(o.port ?? 0), "--data-dir", dataDir, "--no-build", ...(o.args ?? [])];
  return {
    cmd: Deno.execPath(),
    args: o.viaTask ? ["task", "serve", ...flags] : ["run", "-A", SERVER_MAIN.href, ...flags],
  };
}
