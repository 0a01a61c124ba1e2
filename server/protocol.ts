/**
 * Messages between the server and a run worker (`run_worker.ts`), and the conversion of a thrown value into
 * a storable {@link RunError}.
 * @module
 */
import type { AnalysisConfig, AnalysisResult, ProgressEvent } from "../lib/analysis/types.ts";
import type { RunError } from "./types.ts";
import { hideRoot } from "../lib/data/locate.ts";

/** Marks a protocol line on a run process' stdout (other lines are ordinary output). */
export const MESSAGE_PREFIX = "\u001ekstar:";

/** Server → worker. */
export type HostMessage =
  | {
    type: "start";
    config: AnalysisConfig;
    dataRoot?: string;
    cacheDir?: string;
    /** Minimum milliseconds between progress messages within a stage. */
    progressIntervalMs?: number;
  }
  | { type: "cancel" };

/** Worker → server. */
export type WorkerMessage =
  | { type: "progress"; event: ProgressEvent }
  | { type: "result"; result: AnalysisResult }
  | { type: "error"; error: RunError }
  | { type: "cancelled" };

function plain(v: unknown): unknown {
  if (v === undefined || v === null || ["string", "number", "boolean"].includes(typeof v)) return v ?? null;
  try {
    return JSON.parse(JSON.stringify(v));
  } catch {
    return String(v);
  }
}

/**
 * A thrown value as a {@link RunError}; a `ConfigError` keeps its field, value and allowed range. Paths under
 * `dataRoot` are shown relative to it.
 */
export function toRunError(e: unknown, dataRoot?: string | null): RunError {
  if (e instanceof Error) {
    const out: RunError = { name: e.name, message: hideRoot(e.message, dataRoot) };
    const x = e as Error & { field?: unknown; value?: unknown; allowed?: unknown };
    if (typeof x.field === "string") out.field = x.field;
    if ("value" in x && typeof x.field === "string") out.value = plain(x.value);
    if (typeof x.allowed === "string") out.allowed = x.allowed;
    return out;
  }
  return { name: "Error", message: typeof e === "string" ? e : String(plain(e)) };
}
