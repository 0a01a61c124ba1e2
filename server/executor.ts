/**
 * Executing one run off the request path. {@link Executor} is the interface the queue uses; the default
 * {@link WorkerExecutor} starts a Deno Worker (`run_worker.ts`) per run and stops it on cancellation: it first
 * asks the worker to abort (which closes the analysis' compute workers), then terminates it.
 * @module
 */
import type { AnalysisConfig, AnalysisResult, ProgressEvent } from "../lib/analysis/types.ts";
import type { HostMessage, WorkerMessage } from "./protocol.ts";
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

/** Starts executions. */
export interface Executor {
  start(id: string, config: AnalysisConfig, onProgress: (e: ProgressEvent) => void): Execution;
}

/** Options of {@link WorkerExecutor}. */
export interface WorkerExecutorOptions {
  /** The worker module (default `./run_worker.ts`); it must speak the `protocol.ts` messages. */
  workerUrl?: string | URL;
  /** Folder datasets must lie under (passed to `analyze`). */
  dataRoot?: string;
  /** Cache folder for built-in datasets (passed to `analyze`). */
  cacheDir?: string;
  /** Milliseconds between progress events within a stage (default 250). */
  progressIntervalMs?: number;
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
    let grace: number | undefined;
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
    const start: HostMessage = {
      type: "start",
      config,
      dataRoot: this.#opts.dataRoot,
      cacheDir: this.#opts.cacheDir,
      progressIntervalMs: this.#opts.progressIntervalMs,
    };
    worker.postMessage(start);
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
