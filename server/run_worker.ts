/**
 * The run worker (executor `worker`): a Deno Worker that runs one analysis. It receives a `start` message,
 * posts throttled progress and then the result, an error or `cancelled`. A `cancel` message aborts the
 * analysis; the server then terminates the worker. Note that terminating a worker does not interrupt a
 * WebAssembly kernel that is running at that moment (it stops when the kernel returns); the default `process`
 * executor has no such delay.
 * @module
 */
import type { HostMessage, WorkerMessage } from "./protocol.ts";
import { runAnalysis } from "./runner.ts";

interface WorkerScope {
  onmessage: ((e: MessageEvent<HostMessage>) => void) | null;
  postMessage(m: WorkerMessage): void;
}
const scope = globalThis as unknown as WorkerScope;
const controller = new AbortController();
let started = false;

scope.onmessage = (e) => {
  const msg = e.data;
  if (msg.type === "cancel") {
    controller.abort(new DOMException("the run was cancelled", "AbortError"));
    if (!started) scope.postMessage({ type: "cancelled" });
  } else if (msg.type === "start" && !started) {
    started = true;
    runAnalysis(msg, (m) => scope.postMessage(m), controller.signal);
  }
};
