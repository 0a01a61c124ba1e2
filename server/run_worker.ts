/**
 * The run worker: a Deno Worker that runs one analysis off the server's request path. It receives a
 * `start` message with the resolved config, posts throttled progress events and then the result, an error or
 * `cancelled`. A `cancel` message aborts the analysis (which stops its compute workers); the server also
 * terminates this worker.
 * @module
 */
import { analyze } from "../lib/analysis/analyze.ts";
import type { HostMessage, WorkerMessage } from "./protocol.ts";
import { toRunError } from "./protocol.ts";
import { throttleProgress } from "./throttle.ts";

interface WorkerScope {
  onmessage: ((e: MessageEvent<HostMessage>) => void) | null;
  postMessage(m: WorkerMessage): void;
}
const scope = globalThis as unknown as WorkerScope;
const controller = new AbortController();
let started = false;

async function run(msg: Extract<HostMessage, { type: "start" }>): Promise<void> {
  const progress = throttleProgress(
    (event) => scope.postMessage({ type: "progress", event }),
    msg.progressIntervalMs ?? 250,
  );
  try {
    const result = await analyze(msg.config, {
      onProgress: progress.push,
      signal: controller.signal,
      dataRoot: msg.dataRoot,
      cacheDir: msg.cacheDir,
    });
    progress.flush();
    scope.postMessage({ type: "result", result });
  } catch (e) {
    progress.stop();
    scope.postMessage(
      controller.signal.aborted ? { type: "cancelled" } : { type: "error", error: toRunError(e) },
    );
  }
}

scope.onmessage = (e) => {
  const msg = e.data;
  if (msg.type === "cancel") {
    controller.abort(new DOMException("the run was cancelled", "AbortError"));
    if (!started) scope.postMessage({ type: "cancelled" });
  } else if (msg.type === "start" && !started) {
    started = true;
    run(msg);
  }
};
