/**
 * One analysis run, as both run entries execute it (`run_process.ts`, the default, and `run_worker.ts`):
 * `analyze` with throttled progress, ending in exactly one `result`, `error` or `cancelled` message.
 * @module
 */
import { analyze } from "../lib/analysis/analyze.ts";
import type { HostMessage, WorkerMessage } from "./protocol.ts";
import { toRunError } from "./protocol.ts";
import { throttleProgress } from "./throttle.ts";

/** Runs the analysis of a `start` message, sending progress and then one final message through `send`. */
export async function runAnalysis(
  msg: Extract<HostMessage, { type: "start" }>,
  send: (m: WorkerMessage) => void | Promise<void>,
  signal: AbortSignal,
): Promise<void> {
  const progress = throttleProgress(
    (event) => void send({ type: "progress", event }),
    msg.progressIntervalMs ?? 250,
  );
  try {
    const result = await analyze(msg.config, {
      onProgress: progress.push,
      signal,
      dataRoot: msg.dataRoot,
      cacheDir: msg.cacheDir,
    });
    progress.flush();
    await send({ type: "result", result });
  } catch (e) {
    progress.stop();
    await send(
      signal.aborted ? { type: "cancelled" } : { type: "error", error: toRunError(e, msg.dataRoot) },
    );
  }
}
