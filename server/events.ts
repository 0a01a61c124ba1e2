/**
 * Live run events for the events stream: {@link RunEvents} is the interface (a distributed deployment would
 * back it with a pub/sub channel); {@link LocalRunEvents} delivers in-process.
 * @module
 */
import type { RunEvent } from "./types.ts";

/** Publishes and subscribes to the events of a run. */
export interface RunEvents {
  publish(id: string, event: RunEvent): void;
  /** Returns the unsubscribe function. */
  subscribe(id: string, listener: (event: RunEvent) => void): () => void;
}

/** In-process {@link RunEvents}. */
export class LocalRunEvents implements RunEvents {
  readonly #listeners = new Map<string, Set<(event: RunEvent) => void>>();

  publish(id: string, event: RunEvent): void {
    for (const fn of [...(this.#listeners.get(id) ?? [])]) {
      try {
        fn(event);
      } catch (e) {
        console.error(`run ${id}: event listener failed:`, e);
      }
    }
  }

  subscribe(id: string, listener: (event: RunEvent) => void): () => void {
    let set = this.#listeners.get(id);
    if (!set) this.#listeners.set(id, set = new Set());
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.#listeners.get(id) === set) this.#listeners.delete(id);
    };
  }

  /** Subscribers of a run (for tests). */
  count(id: string): number {
    return this.#listeners.get(id)?.size ?? 0;
  }
}
