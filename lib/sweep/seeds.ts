/**
 * A list of training seeds as people type it — `0,1,2,3,4`, `0..4` or a count `5` — for `deno task analyze
 * --seeds` and the dashboard form's seeds box, both of which run the analysis once per seed as a sweep.
 *
 * Browser-safe.
 * @module
 */
import { ConfigError } from "../errors.ts";
import { MAX_SWEEP_POINTS } from "./spec.ts";

/** The allowed input, in words. */
export const SEEDS_ALLOWED =
  "a list of seeds (0,1,2,3,4), a range (0..4) or a count (5: the seed and the next 4)";

/**
 * The seeds of a seeds text: a list, an inclusive range, or a count n (`first` … `first + n − 1`); 2 to
 * {@link MAX_SWEEP_POINTS} distinct integers in [0, 2³¹ − 1].
 *
 * @throws {ConfigError} on `field` (e.g. `--seeds`), naming what was typed
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { seedList } from "./seeds.ts";
 * assert.deepEqual(seedList("5", 10), [10, 11, 12, 13, 14]);
 * assert.deepEqual(seedList("0,3,7", 0), [0, 3, 7]);
 * assert.deepEqual(seedList("2..4", 0), [2, 3, 4]);
 * assert.throws(() => seedList("1", 0), /--seeds: got "1"/);
 * ```
 */
export function seedList(text: string, first: number, field = "--seeds"): number[] {
  const max = 2 ** 31 - 1;
  const bad = (why?: string) => new ConfigError(field, text, SEEDS_ALLOWED, why);
  const t = text.trim();
  let seeds: number[];
  if (/^\d+$/.test(t)) {
    const n = Number(t);
    if (n < 2 || n > MAX_SWEEP_POINTS) throw bad(`a count from 2 to ${MAX_SWEEP_POINTS}`);
    seeds = Array.from({ length: n }, (_, i) => first + i);
  } else if (/^\d+\s*\.\.\s*\d+$/.test(t)) {
    const [a, b] = t.split("..").map((x) => Number(x.trim()));
    if (b <= a) throw bad("a range of at least 2 seeds, low..high");
    if (b - a + 1 > MAX_SWEEP_POINTS) throw bad(`at most ${MAX_SWEEP_POINTS} seeds`);
    seeds = Array.from({ length: b - a + 1 }, (_, i) => a + i);
  } else if (/^\d+(\s*,\s*\d+)+$/.test(t)) {
    seeds = t.split(",").map((x) => Number(x.trim()));
    if (new Set(seeds).size !== seeds.length) throw bad("a seed is listed twice");
    if (seeds.length > MAX_SWEEP_POINTS) throw bad(`at most ${MAX_SWEEP_POINTS} seeds`);
  } else throw bad();
  if (seeds.some((x) => x > max)) throw bad(`seeds are integers in [0, ${max}]`);
  return seeds;
}
