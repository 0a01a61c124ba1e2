/**
 * Recording a run's progress, as both queues do it: each progress event is stored (in order, with its partial
 * result merged) and published to the run's event subscribers at once. An event without a message keeps the
 * stage's last one ("epoch 2/5: …" while training goes on).
 * @module
 */
import type { ProgressEvent } from "../lib/analysis/types.ts";
import type { RunEvents } from "./events.ts";
import type { RunStore } from "./store.ts";
import type { RunProgress } from "./types.ts";

/** The progress sink of one run. */
export interface ProgressRecorder {
  push(e: ProgressEvent): void;
  /** Resolves once every pushed event is stored. */
  flushed(): Promise<void>;
}

/** A recorder that stores the progress of run `id` in `store` and publishes it on `events`. */
export function progressRecorder(store: RunStore, events: RunEvents, id: string): ProgressRecorder {
  let writes = Promise.resolve();
  let last: { stage: string; message?: string } = { stage: "" };
  return {
    push(e: ProgressEvent) {
      const message = e.message ?? (e.stage === last.stage ? last.message : undefined);
      last = { stage: e.stage, message };
      const progress: RunProgress = {
        stage: e.stage,
        fraction: e.fraction,
        overall: e.overall,
        ...(message !== undefined ? { message } : {}),
        at: new Date().toISOString(),
      };
      // Writes stay in order; the event goes out at once.
      writes = writes.then(() => store.saveProgress(id, progress, e.partial)).catch((err) =>
        console.error(`run ${id}: could not save progress:`, err)
      );
      events.publish(id, {
        type: "progress",
        progress,
        percent: Math.round(progress.overall * 1000) / 10,
        ...(e.partial ? { partial: e.partial } : {}),
      });
    },
    flushed: () => writes,
  };
}
