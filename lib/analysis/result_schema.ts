/**
 * Reading results written by earlier versions: schema `kstar.result/1` and `/2` results (the store holds them,
 * and users keep their result.json files) are upgraded to the current schema on reading.
 * @module
 */
import { BUILTIN_CLASS_NAMES, BUILTIN_DATASETS, type BuiltinName } from "../config/choices.ts";
import { upgradeConfig } from "../config/resolve.ts";
import { type AnalysisResult, RESULT_SCHEMA } from "./types.ts";
import { storedPreprocessing } from "../data/dataset.ts";

/**
 * What results written before the data formats were added imply about their data: a built-in or an IDX
 * folder, images, classes named by index, bytes scaled to [0, 1] in the stored order.
 */
function dataDefaults(ds: Record<string, unknown>): Record<string, unknown> {
  const builtin = (BUILTIN_DATASETS as readonly string[]).includes(String(ds.name));
  const classes = Number(ds.classes);
  return {
    format: builtin ? "builtin" : "idx",
    kind: "images",
    classNames: builtin
      ? [...BUILTIN_CLASS_NAMES[ds.name as BuiltinName]]
      : Array.from({ length: Number.isInteger(classes) && classes > 0 ? classes : 0 }, (_, i) => String(i)),
    preprocessing: storedPreprocessing("bytes/255"),
  };
}

/**
 * A stored result in the current schema (`kstar.result/3`). Older results are upgraded step by step:
 * schema 1 → 2 renames the config's `samples` to `mcDraws` and fills in the fields added then (the channel count
 * is 1, the dropped samples follow from the split and the batches, no adapter was recorded); schema 2 → 3 records
 * that the run had no ordering replicates and no learning curve (`orderings: 0`, every `interval` null,
 * `uncertainty` and `learningCurve` null). Results written before the data formats get the data description
 * those runs had: a built-in or an IDX folder of images, classes named by index, bytes scaled to [0, 1], the
 * stored order.
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
 *   dataset: { name: "mnist", classes: 10, trainSamples: 600, usedSamples: 576, batches: 9 },
 *   thresholds: [{ curve: "empirical", smoothed: true, tolerance: 0.025, kStar: 4 }],
 * };
 * const r = upgradeResult(old);
 * assert.equal(r.schema, "kstar.result/3");
 * assert.deepEqual([r.config.mcDraws, r.config.orderings, r.config.learningCurve], [64, 0, false]);
 * assert.deepEqual([r.dataset.channels, r.dataset.droppedSamples, r.adapter], [1, 24, null]);
 * assert.deepEqual([r.dataset.format, r.dataset.classNames.length, r.dataset.preprocessing.order], ["builtin", 10, "stored"]);
 * assert.deepEqual([r.thresholds[0].interval, r.uncertainty, r.learningCurve], [null, null, null]);
 * ```
 */
export function upgradeResult(json: unknown): AnalysisResult {
  let r = json as Record<string, unknown> & { schema?: unknown };
  if (r?.schema === RESULT_SCHEMA) return r as unknown as AnalysisResult;
  if (r?.schema !== "kstar.result/1" && r?.schema !== "kstar.result/2") {
    throw new Error(`not a kstar result (schema ${JSON.stringify(r?.schema)}; expected ${RESULT_SCHEMA})`);
  }
  if (r.schema === "kstar.result/1") r = fromSchema1(r);
  const config = (r.config ?? {}) as Record<string, unknown>;
  const ds = (r.dataset ?? {}) as Record<string, unknown>;
  return {
    ...r,
    schema: RESULT_SCHEMA,
    config: { ...config, orderings: 0, level: config.level ?? 0.9, learningCurve: false },
    dataset: "format" in ds && "classNames" in ds && "preprocessing" in ds
      ? ds
      : { ...dataDefaults(ds), ...ds },
    thresholds: ((r.thresholds ?? []) as Record<string, unknown>[]).map((t) => ({ ...t, interval: null })),
    uncertainty: null,
    learningCurve: null,
  } as unknown as AnalysisResult;
}

/** Schema 1 → 2. */
function fromSchema1(r: Record<string, unknown>): Record<string, unknown> {
  const config = upgradeConfig((r.config ?? {}) as Record<string, unknown>);
  const ds = (r.dataset ?? {}) as Record<string, number>;
  const kept = config.limit === null || config.limit === undefined
    ? ds.trainSamples
    : Math.min(Number(config.limit), ds.trainSamples);
  return {
    ...r,
    schema: "kstar.result/2",
    config,
    adapter: null,
    dataset: { channels: 1, droppedSamples: Math.max(0, (kept ?? 0) - (ds.usedSamples ?? 0)), ...ds },
  };
}
