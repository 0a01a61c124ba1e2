/**
 * The total of a run's stage timings, for every view that shows one (the timings table, the summary's
 * "Time (s)" column). Browser-safe.
 * @module
 */

/**
 * Total run time: `timings.total`, else the sum of `stages` (by default every finite stage time); null when
 * there is neither.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { totalTime } from "./timings.ts";
 * assert.deepEqual([totalTime({ load: 1, total: 5 }), totalTime({ load: 1, train: 2 }), totalTime({})], [5, 3, null]);
 * ```
 */
export function totalTime(
  timings: Readonly<Record<string, number>> | null | undefined,
  stages?: readonly number[],
): number | null {
  const t = timings ?? {};
  if (typeof t.total === "number") return t.total;
  const parts = stages ?? Object.values(t).filter((v) => typeof v === "number" && Number.isFinite(v));
  return parts.length > 0 ? parts.reduce((a, b) => a + b, 0) : null;
}
