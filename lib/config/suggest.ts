/**
 * "Did you mean …?": the nearest known name to a mistyped one (Damerau–Levenshtein distance).
 * @module
 */

/** Edit distance with adjacent transpositions (optimal string alignment). */
export function editDistance(a: string, b: string): number {
  const m = a.length, n = b.length;
  const d: number[][] = Array.from({ length: m + 1 }, (_, i) => [i, ...Array(n).fill(0)]);
  for (let j = 0; j <= n; j++) d[0][j] = j;
  for (let i = 1; i <= m; i++) {
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[m][n];
}

/**
 * The candidate closest to `word` (case-insensitive), if it is close enough to be a plausible typo: at most a
 * third of the word's length in edits (and at least 1), or a candidate that starts with the word.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { closest } from "./suggest.ts";
 * assert.equal(closest("batchsize", ["batchSize", "d"]), "batchSize");
 * assert.equal(closest("bach-size", ["batch-size", "seed"]), "batch-size");
 * assert.equal(closest("xyz", ["batch-size", "seed"]), undefined);
 * ```
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const dist = editDistance(w, c.toLowerCase());
    if (dist < bestD) {
      bestD = dist;
      best = c;
    }
  }
  if (best === undefined) return undefined;
  if (bestD <= Math.max(1, Math.floor(w.length / 3))) return best;
  const prefix = candidates.find((c) => w.length >= 2 && c.toLowerCase().startsWith(w));
  return prefix;
}
