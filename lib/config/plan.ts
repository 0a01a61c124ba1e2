/**
 * `planRun`: every check of a config against the dataset it will run on, made before anything is computed —
 * at least 3 batches of B samples, d at most the parameter count, a bounded model size and memory — and the
 * numbers the run is made of (K batches, the samples used and dropped, the model layout). The analysis, online
 * mode and the server (at submit time, with the dataset's real shape) all call it, so a run that would fail
 * later is refused at once with the same message.
 *
 * Browser-safe.
 * @module
 */
import { ConfigError } from "../errors.ts";
import { type ModelLayout, modelLayout } from "../models/layout.ts";
import { formatModelSpec, type ModelSpec, parseModelSpec } from "../models/spec.ts";
import type { AnalysisConfig } from "./types.ts";
import type { DataKind, DatasetFormat } from "./choices.ts";

/** What a run needs to know about its dataset before loading it. */
export interface DatasetShape {
  /** The dataset's name (a built-in's, or the folder's). */
  name: string;
  /** Image height in pixels (1 for a table). */
  height: number;
  /** Image width in pixels (the feature count for a table). */
  width: number;
  /** Channels per pixel: 1 (grayscale, tables) or 3 (RGB). */
  channels: number;
  /** Number of classes. */
  classes: number;
  /** Samples in the training split. */
  trainSamples: number;
  /** Samples in the test split. */
  testSamples: number;
  /** Where the samples come from (absent: not known, treated as images). */
  format?: DatasetFormat;
  /** Images or a table (absent: images). A table's rows go to MLPs only. */
  kind?: DataKind;
}

/** The fields of a config that a plan depends on (analysis and online configs both have them). */
export type PlanInput = Pick<AnalysisConfig, "model" | "limit" | "batchSize" | "d" | "mcDraws" | "workers">;

/** A checked run: the numbers it is made of. */
export interface RunPlan {
  /** The dataset shape the plan was made for. */
  shape: DatasetShape;
  /** The parsed model. */
  spec: ModelSpec;
  /** The model's parameter layout for this dataset. */
  layout: ModelLayout;
  /** Training samples the run uses (after `limit`). */
  trainSamples: number;
  /** K: full batches of B samples. */
  batches: number;
  /** K·B: samples in the analysed batches. */
  usedSamples: number;
  /** Samples after the last full batch, not analysed. */
  droppedSamples: number;
  /** Estimated peak memory of the run in bytes (data, Lanczos basis, per-worker tensors). */
  memoryBytes: number;
  /** Things a user should know that are not errors (a limit above the data, a dropped partial batch). */
  warnings: string[];
}

/** The largest model a run accepts, in parameters (the Lanczos basis alone takes 1.6 KB per parameter). */
export const MAX_PARAMETERS = 5_000_000;

/** Options of {@link planRun}. */
export interface PlanOptions {
  /** Refuse runs estimated to need more memory than this (bytes); default: no memory check. */
  memoryLimitBytes?: number;
  /** The worker count to assume when the config leaves it to the machine (`workers: null`); default 2. */
  cores?: number;
}

const GiB = 1024 ** 3;

/**
 * Estimated peak memory of a run in bytes: the float32 data (once in the main realm, once spread over the
 * workers), the float64 Lanczos basis (up to max(10d, 200) vectors), and per worker the Monte Carlo parameter
 * sets, the cached forward state (at most 1.5 GB) and about 256 MiB of chunk tensors.
 */
export function estimateMemory(
  layout: ModelLayout,
  shape: DatasetShape,
  c: PlanInput,
  workers: number,
): number {
  const inputSize = layout.inputShape.reduce((a, b) => a * b, 1);
  const n = Math.min(c.limit ?? shape.trainSamples, shape.trainSamples) + shape.testSamples;
  const data = 2 * n * inputSize * 4;
  const basis = Math.min(layout.size, Math.max(10 * c.d, 200)) * layout.size * 8;
  const acts = layout.layers.reduce((a, l) => a + l.outShape.reduce((x, y) => x * y, 1), 0);
  const W = Math.max(1, workers);
  const cache = Math.min(1.5e9, (4 * acts * 4 * n) / W);
  const perWorker = c.mcDraws * layout.size * 4 + cache + 256 * 1024 ** 2;
  return data + basis + W * perWorker;
}

/**
 * Checks a config against a dataset shape and returns the run's plan.
 *
 * @throws {ConfigError} naming the field at fault: `batchSize` (fewer than 3 batches), `d` (above the parameter
 *   count), `model` (a CNN on tabular data, more than {@link MAX_PARAMETERS} parameters, or more memory than
 *   allowed)
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { planRun, resolveConfig } from "kstar";
 * const shape = { name: "toy", height: 2, width: 2, channels: 1, classes: 2, trainSamples: 100, testSamples: 10 };
 * const plan = planRun(resolveConfig({ model: "mlp:3", batchSize: 32, d: 5 }), shape);
 * assert.deepEqual([plan.batches, plan.usedSamples, plan.droppedSamples, plan.layout.size], [3, 96, 4, 23]);
 * assert.throws(() => planRun(resolveConfig({ model: "mlp:3", batchSize: 40 }), shape), /at least 3 batches/);
 * ```
 */
export function planRun(c: PlanInput, shape: DatasetShape, opts: PlanOptions = {}): RunPlan {
  const warnings: string[] = [];
  const spec = parseModelSpec(c.model);
  if (spec.kind === "cnn" && shape.kind === "table") {
    throw new ConfigError(
      "model",
      c.model,
      '"mlp:W1,W2,…" (hidden widths, integers in [1, 4096]): tabular data go to MLPs',
      `${shape.name} is a ${
        shape.format === "npy" ? "NumPy array" : "table"
      } of ${shape.width} features per ` +
        "row, not images; a CNN needs images",
    );
  }

  const n = c.limit === null ? shape.trainSamples : Math.min(c.limit, shape.trainSamples);
  if (c.limit !== null && c.limit > shape.trainSamples) {
    warnings.push(`limit ${c.limit} exceeds the ${shape.trainSamples} training samples; all are used`);
  }
  const B = c.batchSize;
  if (Math.floor(n / B) < 3) {
    throw new ConfigError(
      "batchSize",
      B,
      n >= 3
        ? `an integer in [1, ${Math.floor(n / 3)}] so that the ${n} training samples make at least 3 batches`
        : `none: the dataset has ${n} training samples, and a run needs at least 3 batches`,
    );
  }
  const K = Math.floor(n / B);
  const layout = modelLayout(spec, shape.height, shape.width, shape.classes, shape.channels);
  const P = layout.size;
  if (P > MAX_PARAMETERS) {
    throw new ConfigError(
      "model",
      c.model,
      `a model of at most ${MAX_PARAMETERS.toLocaleString("en-US")} parameters`,
      `${formatModelSpec(spec)} has ${
        P.toLocaleString("en-US")
      } on ${shape.height}×${shape.width}×${shape.channels} ` +
        `inputs with ${shape.classes} classes`,
    );
  }
  if (c.d > P) {
    throw new ConfigError(
      "d",
      c.d,
      `an integer in [1, ${P}] (the parameter count of ${formatModelSpec(spec)})`,
    );
  }
  const dropped = n - K * B;
  if (dropped > 0) {
    warnings.push(
      `the last ${dropped} of the ${n} training samples do not fill a batch of ${B} and are not analysed`,
    );
  }
  const memoryBytes = estimateMemory(layout, shape, c, c.workers ?? opts.cores ?? 2);
  if (opts.memoryLimitBytes !== undefined && memoryBytes > opts.memoryLimitBytes) {
    throw new ConfigError(
      "model",
      c.model,
      `a run that fits in ${(opts.memoryLimitBytes / GiB).toFixed(1)} GiB`,
      `estimated ${(memoryBytes / GiB).toFixed(1)} GiB for ${P.toLocaleString("en-US")} parameters, ` +
        `${c.mcDraws} Monte Carlo draws and ${c.workers ?? opts.cores ?? 2} workers: use a smaller model, ` +
        `fewer draws or fewer workers`,
    );
  }
  return {
    shape,
    spec,
    layout,
    trainSamples: n,
    batches: K,
    usedSamples: K * B,
    droppedSamples: dropped,
    memoryBytes,
    warnings,
  };
}
