/**
 * Reading results written by earlier versions: schema `kstar.result/1` results (the store holds them, and
 * users keep their result.json files) are upgraded to the current schema on reading.
 * @module
 */
import { upgradeConfig } from "../config/resolve.ts";
import { type AnalysisResult, RESULT_SCHEMA } from "./types.ts";

/**
 * A stored result in the current schema (`kstar.result/2`). Schema 1 results are upgraded: the config's
 * `samples` becomes `mcDraws`, and the fields added since are filled in from what the result holds (the
 * channel count is 1, the dropped samples follow from the split and the batches, no adapter was recorded).
 *
 * @throws {Error} when `json` is not a kstar result of a known schema
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { upgradeResult } from "kstar";
 * const old = {
 *   schema: "kstar.result/1",
 *   config: { samples: 64, batchSize: 64, limit: null },
 *   dataset: { trainSamples: 600, usedSamples: 576, batches: 9 },
 * };
 * const r = upgradeResult(old);
 * assert.equal(r.schema, "kstar.result/2");
 * assert.equal(r.config.mcDraws, 64);
 * assert.deepEqual([r.dataset.channels, r.dataset.droppedSamples, r.adapter], [1, 24, null]);
 * ```
 */
export function upgradeResult(json: unknown): AnalysisResult {
  const r = json as Record<string, unknown> & { schema?: unknown };
  if (r?.schema === RESULT_SCHEMA) return r as unknown as AnalysisResult;
  if (r?.schema !== "kstar.result/1") {
    throw new Error(`not a kstar result (schema ${JSON.stringify(r?.schema)}; expected ${RESULT_SCHEMA})`);
  }
  const config = upgradeConfig((r.config ?? {}) as Record<string, unknown>);
  const ds = (r.dataset ?? {}) as Record<string, number>;
  const kept = config.limit === null || config.limit === undefined
    ? ds.trainSamples
    : Math.min(Number(config.limit), ds.trainSamples);
  return {
    ...r,
    schema: RESULT_SCHEMA,
    config,
    adapter: null,
    dataset: { channels: 1, droppedSamples: Math.max(0, (kept ?? 0) - (ds.usedSamples ?? 0)), ...ds },
  } as unknown as AnalysisResult;
}
