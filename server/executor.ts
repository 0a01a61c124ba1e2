/**
 * Executing one run off the request path. {@link Executor} is the interface the queue uses. The default
 * {@link ProcessExecutor} runs each analysis in its own `deno run` subprocess (`run_process.ts`) and cancels
 * it by killing the process, which stops everything in it at once — WebAssembly kernels and compute workers
 * included — and isolates the server from a run's crashes and memory. {@link WorkerExecutor} runs it in a
 * Deno Worker instead (lighter to start; a cancelled run stops once the WebAssembly kernel running at that
 * moment returns, since terminating a worker does not interrupt WebAssembly).
 * @module
 */
import type { AnalysisConfig, AnalysisResult, ProgressEvent } from "../lib/analysis/types.ts";
import { joinPath } from "../lib/data/paths.ts";
import { type HostMessage, MESSAGE_PREFIX, type WorkerMessage } from "./protocol.ts";
import { PROJECT_ROOT } from "./paths.ts";
import type { RunError } from "./types.ts";

/** How an execution ended. */
export type ExecutionOutcome =
  | { status: "done"; result: AnalysisResult }
  | { status: "failed"; error: RunError }
  | { status: "cancelled" };

/** A started execution. */
export interface Execution {
  /** Settles once the computation has stopped (never rejects). */
  readonly done: Promise<ExecutionOutcome>;
  /**
   * Stops the computation; `done` then settles with `cancelled` (unless it had already ended). `immediate`
   * skips the grace period in which the run may stop on its own.
   */
  cancel(immediate?: boolean): void;
}

/** Where a run finds its data and how often it reports, as both executors pass it on. */
interface RunSettings {
  dataRoot?: string;
  cacheDir?: string;
  progressIntervalMs?: number;
}

/** The message that starts a run in a worker or a run process. */
function startMessage(config: AnalysisConfig, s: RunSettings): HostMessage {
  return {
    type: "start",
    config,
    dataRoot: s.dataRoot,
    cacheDir: s.cacheDir,
    progressIntervalMs: s.progressIntervalMs,
  };
}

/** Starts executions. */
export interface Executor {
  start(id: string, config: AnalysisConfig, onProgress: (e: ProgressEvent) => void): Execution;
}

/** Options of {@link WorkerExecutor}: where runs find their data (`dataRoot`, `cacheDir`), how often they report. */
export interface WorkerExecutorOptions extends RunSettings {
  /** The worker module (default `./run_worker.ts`); it must speak the `protocol.ts` messages. */
  workerUrl?: string | URL;
  /** How long a cancelled worker may take to stop on its own before it is terminated (default 1500 ms). */
  cancelGraceMs?: number;
}

/** Runs each analysis in its own Deno Worker. */
export class WorkerExecutor implements Executor {
  readonly #opts: WorkerExecutorOptions;
  readonly #url: string;
  /** Workers alive now (for tests and stats). */
  readonly live = new Set<Worker>();

  constructor(opts: WorkerExecutorOptions = {}) {
    this.#opts = opts;
    this.#url = String(opts.workerUrl ?? new URL("./run_worker.ts", import.meta.url));
  }

  start(id: string, config: AnalysisConfig, onProgress: (e: ProgressEvent) => void): Execution {
    const worker = new Worker(this.#url, { type: "module", name: `kstar-run-${id}` });
    this.live.add(worker);
    let settle!: (o: ExecutionOutcome) => void;
    const done = new Promise<ExecutionOutcome>((resolve) => settle = resolve);
    let ended = false;
    let grace: ReturnType<typeof setTimeout> | undefined;
    const end = (o: ExecutionOutcome) => {
      if (ended) return;
      ended = true;
      if (grace !== undefined) clearTimeout(grace);
      worker.terminate();
      this.live.delete(worker);
      settle(o);
    };
    let cancelling = false;
    worker.onmessage = (e: MessageEvent<WorkerMessage>) => {
      const m = e.data;
      if (m.type === "progress") {
        if (!cancelling) {
          try {
            onProgress(m.event);
          } catch (err) {
            console.error(`run ${id}: progress handler failed:`, err);
          }
        }
      } else if (m.type === "result") {
        end(cancelling ? { status: "cancelled" } : { status: "done", result: m.result });
      } else if (m.type === "error") {
        end(cancelling ? { status: "cancelled" } : { status: "failed", error: m.error });
      } else if (m.type === "cancelled") end({ status: "cancelled" });
    };
    worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      end(
        cancelling ? { status: "cancelled" } : {
          status: "failed",
          error: { name: "WorkerError", message: e.message || "the run worker crashed" },
        },
      );
    };
    worker.onmessageerror = () => {
      end({
        status: "failed",
        error: { name: "WorkerError", message: "a message from the run worker was unreadable" },
      });
    };
    worker.postMessage(startMessage(config, this.#opts));
    return {
      done,
      cancel: (immediate = false) => {
        if (ended) return;
        if (immediate) return end({ status: "cancelled" });
        if (cancelling) return;
        cancelling = true;
        worker.postMessage({ type: "cancel" } satisfies HostMessage);
        grace = setTimeout(() => end({ status: "cancelled" }), this.#opts.cancelGraceMs ?? 1500);
      },
    };
  }
}

/** Options of {@link ProcessExecutor}. */
export interface ProcessExecutorOptions extends RunSettings {
  /** The run script (default `./run_process.ts`); it must speak the `protocol.ts` lines. */
  script?: string | URL;
  /** Extra `deno run` flags (default: `-A`, and `--config` with the project's deno.json when there is one). */
  denoArgs?: string[];
  /** Called with each line the process writes that is not a protocol message (stdout and stderr). */
  onOutput?: (id: string, line: string) => void;
}

function projectConfigArgs(): string[] {
  const cfg = joinPath(PROJECT_ROOT, "deno.json");
  try {
    return Deno.statSync(cfg).isFile ? ["--config", cfg] : ["--no-config"];
  } catch {
    return ["--no-config"];
  }
}

/** Splits a text stream into lines. */
async function forEachLine(stream: ReadableStream<Uint8Array>, fn: (line: string) => void): Promise<void> {
  let buf = "";
  let from = 0; // the part of buf already searched for a newline (a result is one long line)
  const dec = new TextDecoder();
  for await (const bytes of stream) {
    buf += dec.decode(bytes, { stream: true });
    let nl: number;
    while ((nl = buf.indexOf("\n", from)) >= 0) {
      fn(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
      from = 0;
    }
    from = buf.length;
  }
  buf += dec.decode();
  if (buf !== "") fn(buf);
}

/** Runs each analysis in its own `deno run` subprocess. */
export class ProcessExecutor implements Executor {
  readonly #opts: ProcessExecutorOptions;
  readonly #script: string;
  /** Processes alive now (for tests and stats). */
  readonly live = new Set<Deno.ChildProcess>();

  constructor(opts: ProcessExecutorOptions = {}) {
    this.#opts = opts;
    this.#script = String(opts.script ?? new URL("./run_process.ts", import.meta.url));
  }

  start(id: string, config: AnalysisConfig, onProgress: (e: ProgressEvent) => void): Execution {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", ...(this.#opts.denoArgs ?? ["-A", ...projectConfigArgs()]), this.#script],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).spawn();
    this.live.add(child);
    let outcome: ExecutionOutcome | null = null;
    let cancelled = false;
    const stderrTail: string[] = [];
    let exitTimer: ReturnType<typeof setTimeout> | undefined;
    const kill = () => {
      try {
        child.kill(Deno.build.os === "windows" ? "SIGTERM" : "SIGKILL");
      } catch { /* already gone */ }
    };
    const other = (line: string) => this.#opts.onOutput?.(id, line);

    const stdout = forEachLine(child.stdout, (line) => {
      if (!line.startsWith(MESSAGE_PREFIX)) return other(line);
      let m: WorkerMessage;
      try {
        m = JSON.parse(line.slice(MESSAGE_PREFIX.length)) as WorkerMessage;
      } catch {
        return other(line);
      }
      if (cancelled || outcome) return;
      if (m.type === "progress") {
        try {
          onProgress(m.event);
        } catch (err) {
          console.error(`run ${id}: progress handler failed:`, err);
        }
      } else if (m.type === "result") outcome = { status: "done", result: m.result };
      else if (m.type === "error") outcome = { status: "failed", error: m.error };
      else if (m.type === "cancelled") outcome = { status: "cancelled" };
      // A process that has sent its outcome but does not exit is stopped.
      if (outcome) exitTimer = setTimeout(kill, 5000);
    }).catch(() => {});
    const stderr = forEachLine(child.stderr, (line) => {
      stderrTail.push(line);
      if (stderrTail.length > 20) stderrTail.shift();
      other(line);
    }).catch(() => {});

    // The start message; stdin stays open: its end tells the process to stop (also when the server dies).
    const writer = child.stdin.getWriter();
    writer.write(new TextEncoder().encode(JSON.stringify(startMessage(config, this.#opts)) + "\n")).catch(
      () => {},
    );

    const done = (async (): Promise<ExecutionOutcome> => {
      const status = await child.status;
      clearTimeout(exitTimer);
      await Promise.all([stdout, stderr]);
      this.live.delete(child);
      await writer.close().catch(() => {});
      if (cancelled) return { status: "cancelled" };
      if (outcome) return outcome;
      const tail = stderrTail.filter((l) => l.trim() !== "").slice(-5).join("\n");
      return {
        status: "failed",
        error: {
          name: "RunProcessError",
          message: `the run process ended without a result (exit code ${status.code}${
            status.signal ? `, signal ${status.signal}` : ""
          })${tail ? `: ${tail}` : ""}`,
        },
      };
    })();
    return {
      done,
      cancel: () => {
        if (cancelled || !this.live.has(child)) return;
        cancelled = true;
        kill();
      },
    };
  }
}
