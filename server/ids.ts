/**
 * Ids of runs and sweeps: time-ordered, with random bits.
 * @module
 */

/** A new id: time-ordered, with random bits (`lq3k9x2a-3f9c1b`); sweeps' ids start with `sw-`. */
export function newRunId(prefix = ""): string {
  const rnd = crypto.getRandomValues(new Uint8Array(3));
  return `${prefix}${Date.now().toString(36)}-${
    [...rnd].map((b) => b.toString(16).padStart(2, "0")).join("")
  }`;
}
