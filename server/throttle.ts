/**
 * Throttling of progress events: at most one per interval within a stage, every stage change at once, the
 * latest event always delivered eventually, and partial results never dropped (merged into the next event).
 * @module
 */
import type { ProgressEvent } from "../lib/analysis/types.ts";

/** A throttled sink for progress events. */
export interface ProgressThrottle {
  push(e: ProgressEvent): void;
  /** Delivers the pending event now, if any. */
  flush(): void;
  /** Drops the pending event and stops the timer. */
  stop(): void;
}

/** Wraps `deliver` so that it gets at most one event per `intervalMs` within a stage. */
export function throttleProgress(
  deliver: (e: ProgressEvent) => void,
  intervalMs = 250,
  now: () => number = () => performance.now(),
): ProgressThrottle {
  let last: ProgressEvent | null = null;
  let lastAt = -Infinity;
  let pending: ProgressEvent | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const send = (e: ProgressEvent) => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    pending = null;
    last = e;
    lastAt = now();
    deliver(e);
  };
  const merge = (e: ProgressEvent): ProgressEvent => {
    const partial = pending?.partial || e.partial ? { ...pending?.partial, ...e.partial } : undefined;
    return partial ? { ...e, partial } : e;
  };
  return {
    push(e) {
      const merged = merge(e);
      const wait = intervalMs - (now() - lastAt);
      if (!last || e.stage !== last.stage || wait <= 0 || e.stage === "done") {
        send(merged);
        return;
      }
      pending = merged;
      timer ??= setTimeout(() => {
        timer = undefined;
        if (pending) send(pending);
      }, wait);
    },
    flush() {
      if (pending) send(pending);
    },
    stop() {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      pending = null;
    },
  };
}
