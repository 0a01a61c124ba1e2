/**
 * Natural order of names: runs of digits compare as numbers (`2` before `10`), everything else by code point.
 * The order of class names (folders, table labels) and of image files. Browser-safe.
 * @module
 */

const CHUNKS = /\d+|\D+/g;

/**
 * Compares two names in natural order: digit runs by value (then by length, so `01` after `1`), other runs by
 * code point; a name that is a prefix of the other comes first.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { naturalCompare } from "kstar";
 * assert.deepEqual(["img10.png", "img2.png", "Cat", "cat", "img1.png"].sort(naturalCompare), [
 *   "Cat",
 *   "cat",
 *   "img1.png",
 *   "img2.png",
 *   "img10.png",
 * ]);
 * ```
 */
export function naturalCompare(a: string, b: string): number {
  if (a === b) return 0;
  const x = a.match(CHUNKS) ?? [], y = b.match(CHUNKS) ?? [];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const p = x[i], q = y[i];
    if (p === q) continue;
    const dp = p.charCodeAt(0) >= 48 && p.charCodeAt(0) <= 57;
    const dq = q.charCodeAt(0) >= 48 && q.charCodeAt(0) <= 57;
    if (dp && dq) {
      const u = p.replace(/^0+(?=\d)/, ""), v = q.replace(/^0+(?=\d)/, "");
      if (u.length !== v.length) return u.length - v.length;
      if (u !== v) return u < v ? -1 : 1;
      if (p.length !== q.length) return p.length - q.length;
      continue;
    }
    return p < q ? -1 : 1;
  }
  return x.length - y.length || (a < b ? -1 : 1);
}
