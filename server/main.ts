/**
 * `deno task serve`: starts the kstar server (JSON API, dashboard, run and compare pages).
 *
 * ```sh
 * deno run -A main.ts serve --port 8000 --data-dir .kstar --data-root ./datasets
 * deno run -A server/main.ts --port 0          # the same, without the CLI
 * ```
 *
 * Binds 127.0.0.1 unless `--host` says otherwise. Builds the browser bundle first when it is missing or stale.
 * @module
 */
import { ConfigError } from "../lib/errors.ts";
import { createApp, type KstarApp, LOOPBACK_HOSTS } from "./app.ts";
import { ensureClientBuild } from "./client_build.ts";

/** Options of {@link serve}. */
export interface ServeOptions {
  /** Port (default 8000; 0 picks a free one). */
  port: number;
  /** Address to bind (default 127.0.0.1). */
  host: string;
  /** Store folder (default `$KSTAR_DATA_DIR` or `.kstar`). */
  dataDir: string;
  /** Folder datasets must lie under (default `$KSTAR_DATA_ROOT`; none: built-in datasets only). */
  dataRoot: string | null;
  /** Dataset cache folder (default: the library's). */
  cacheDir: string | null;
  concurrency: number;
  maxQueue: number;
  maxBodyBytes: number;
  /** Skip building the browser bundle. */
  noBuild: boolean;
  /** Log each request (and what run processes print). */
  logRequests: boolean;
  /** Where runs execute: a subprocess per run (default) or a Deno Worker. */
  runner: "process" | "worker";
}

interface FlagDef {
  name: string;
  key: keyof ServeOptions;
  kind: "int" | "string" | "boolean";
  help: string;
  max?: number;
}

const FLAGS: FlagDef[] = [
  { name: "port", key: "port", kind: "int", help: "port (0 = any free port)", max: 65535 },
  {
    name: "host",
    key: "host",
    kind: "string",
    help: "address to bind; use 0.0.0.0 to accept remote clients",
  },
  { name: "data-dir", key: "dataDir", kind: "string", help: "store folder (env KSTAR_DATA_DIR)" },
  {
    name: "data-root",
    key: "dataRoot",
    kind: "string",
    help: "folder datasets must lie under (env KSTAR_DATA_ROOT)",
  },
  { name: "cache-dir", key: "cacheDir", kind: "string", help: "dataset cache folder (env KSTAR_CACHE)" },
  { name: "concurrency", key: "concurrency", kind: "int", help: "runs executing at once", max: 64 },
  {
    name: "max-queue",
    key: "maxQueue",
    kind: "int",
    help: "runs allowed to wait (more → 429)",
    max: 100_000,
  },
  {
    name: "max-body",
    key: "maxBodyBytes",
    kind: "int",
    help: "largest request body in bytes",
    max: 64 * 1024 * 1024,
  },
  { name: "no-build", key: "noBuild", kind: "boolean", help: "do not build the browser bundle" },
  { name: "runner", key: "runner", kind: "string", help: "where runs execute: process (default) or worker" },
  { name: "log", key: "logRequests", kind: "boolean", help: "log every request and the runs' output" },
];

function env(name: string): string | undefined {
  try {
    const v = Deno.env.get(name);
    return v === undefined || v === "" ? undefined : v;
  } catch {
    return undefined;
  }
}

/** The defaults, with `KSTAR_DATA_DIR` and `KSTAR_DATA_ROOT` from the environment. */
export function defaultServeOptions(): ServeOptions {
  return {
    port: 8000,
    host: "127.0.0.1",
    dataDir: env("KSTAR_DATA_DIR") ?? ".kstar",
    dataRoot: env("KSTAR_DATA_ROOT") ?? null,
    cacheDir: null,
    concurrency: 1,
    maxQueue: 16,
    maxBodyBytes: 64 * 1024,
    noBuild: false,
    logRequests: false,
    runner: "process",
  };
}

/** The usage text. */
export function serveHelp(): string {
  const rows = FLAGS.map((
    f,
  ) => [`--${f.name}${f.kind === "boolean" ? "" : ` <${f.kind === "int" ? "n" : "value"}>`}`, f.help]);
  const d = defaultServeOptions();
  const w = Math.max(...rows.map((r) => r[0].length));
  return `kstar serve — the dashboard and JSON API

Usage: deno task serve [flags]

${rows.map(([a, b]) => `  ${a.padEnd(w)}  ${b}`).join("\n")}
  --help${" ".repeat(w - 6)}  this help

Defaults: --port ${d.port} --host ${d.host} --data-dir ${d.dataDir} --concurrency ${d.concurrency} --max-queue ${d.maxQueue} --max-body ${d.maxBodyBytes}
`;
}

/** Parses serve flags (`--name value` or `--name=value`). @throws {ConfigError} naming the flag */
export function parseServeArgs(args: string[]): ServeOptions & { help: boolean } {
  const o: ServeOptions & { help: boolean } = { ...defaultServeOptions(), help: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--help" || a === "-h") {
      o.help = true;
      continue;
    }
    if (!a.startsWith("--")) throw new ConfigError("serve", a, "flags only (see --help)");
    const eq = a.indexOf("=");
    const name = a.slice(2, eq < 0 ? undefined : eq);
    const f = FLAGS.find((x) => x.name === name);
    if (!f) {
      throw new ConfigError(
        `--${name}`,
        a,
        `one of ${FLAGS.map((x) => `--${x.name}`).join(", ")}, --help`,
      );
    }
    if (f.kind === "boolean") {
      (o as unknown as Record<string, unknown>)[f.key] = eq < 0
        ? true
        : !["false", "0", "no"].includes(a.slice(eq + 1));
      continue;
    }
    const raw = eq < 0 ? args[++i] : a.slice(eq + 1);
    if (raw === undefined) throw new ConfigError(`--${name}`, raw, `a value after --${name}`);
    if (f.kind === "int") {
      const n = Number(raw);
      const min = f.key === "concurrency" ? 1 : 0;
      if (raw.trim() === "" || !Number.isInteger(n) || n < min || n > f.max!) {
        throw new ConfigError(`--${name}`, raw, `an integer in [${min}, ${f.max}]`);
      }
      (o as unknown as Record<string, unknown>)[f.key] = n;
    } else if (f.key === "runner" && raw !== "process" && raw !== "worker") {
      throw new ConfigError("--runner", raw, '"process" or "worker"');
    } else (o as unknown as Record<string, unknown>)[f.key] = raw;
  }
  return o;
}

/** True for the loopback addresses and `localhost`. */
export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** A running server. */
export interface RunningServer {
  /** The address, e.g. `http://127.0.0.1:8000/`. */
  url: string;
  port: number;
  kstar: KstarApp;
  /** Resolves when the server has stopped. */
  finished: Promise<void>;
  /** Stops accepting requests, interrupts running runs and closes the store. */
  shutdown(): Promise<void>;
}

/** Starts the server. */
export async function serve(partial: Partial<ServeOptions> = {}): Promise<RunningServer> {
  const o = { ...defaultServeOptions(), ...partial };
  if (!o.noBuild) {
    const m = await ensureClientBuild({ log: (l) => console.log(`client: ${l}`) });
    console.log(`client: bundle ${m.hash.slice(0, 12)} (${m.islands.join(", ")})`);
  }
  const kstar = await createApp({
    dataDir: o.dataDir,
    dataRoot: o.dataRoot,
    cacheDir: o.cacheDir,
    concurrency: o.concurrency,
    maxQueue: o.maxQueue,
    maxBodyBytes: o.maxBodyBytes,
    logRequests: o.logRequests,
    logRunOutput: o.logRequests,
    runner: o.runner,
    allowedHosts: isLoopback(o.host)
      ? [...LOOPBACK_HOSTS, o.host.includes(":") && !o.host.startsWith("[") ? `[${o.host}]` : o.host]
      : null,
  });
  const { interrupted, queued } = kstar.recovered;
  if (interrupted.length) {
    console.log(`store: ${interrupted.length} run(s) marked interrupted: ${interrupted.join(", ")}`);
  }
  if (queued.length) console.log(`store: ${queued.length} queued run(s) requeued`);
  let resolveListening!: (addr: Deno.NetAddr) => void;
  const listening = new Promise<Deno.NetAddr>((r) => resolveListening = r);
  const server = Deno.serve({
    port: o.port,
    hostname: o.host,
    onListen: (addr) => resolveListening(addr as Deno.NetAddr),
  }, kstar.app.fetch);
  const addr = await listening;
  const host = addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname;
  const url = `http://${host}:${addr.port}/`;
  let stopping: Promise<void> | null = null;
  const shutdown = () =>
    stopping ??= (async () => {
      await server.shutdown();
      await kstar.close();
    })();
  return {
    url,
    port: addr.port,
    kstar,
    finished: server.finished.then(() => stopping ?? undefined),
    shutdown,
  };
}

/** The `serve` subcommand: runs until SIGINT/SIGTERM; returns the exit code. */
export async function serveCommand(args: string[]): Promise<number> {
  let o: ReturnType<typeof parseServeArgs>;
  try {
    o = parseServeArgs(args);
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`error: ${e.message}\n\n${serveHelp()}`);
      return 2;
    }
    throw e;
  }
  if (o.help) {
    console.log(serveHelp());
    return 0;
  }
  const s = await serve(o);
  console.log(
    `kstar: listening on ${s.url} (store ${o.dataDir}/kstar.db${
      o.dataRoot ? `, data root ${o.dataRoot}` : ""
    })`,
  );
  if (!isLoopback(o.host)) {
    console.warn(`kstar: bound to ${o.host}: anyone who can reach this address can submit runs`);
  }
  const stop = () => {
    console.log("kstar: shutting down");
    s.shutdown();
  };
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  for (const sig of signals) Deno.addSignalListener(sig, stop);
  await s.finished;
  await s.shutdown();
  for (const sig of signals) Deno.removeSignalListener(sig, stop);
  return 0;
}

if (import.meta.main) Deno.exit(await serveCommand(Deno.args));
