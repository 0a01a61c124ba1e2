/**
 * What k*·B samples buy: fresh models trained, with the run's own recipe, on the first n samples for n around
 * k*·B, and their test loss and accuracy against the model trained on all the data (the run's w*).
 *
 * Every size trains for the same number of optimizer steps as w* (Adam, same learning rate, mini-batch size,
 * initialisation and shuffle seed), so that a small size is not simply undertrained: only the data differ.
 * @module
 */
import { limitSplit } from "../data/batches.ts";
import type { Split } from "../data/dataset.ts";
import type { ComputePool } from "../engine/pool.ts";
import { trainingEngine } from "./stages.ts";
import type { ModelLayout } from "../models/layout.ts";
import { initParams } from "../models/layout.ts";
import { train } from "../train.ts";
import type { LearningCurve, LearningCurvePoint } from "./types.ts";

/** At most this many sizes, all the data included. */
export const MAX_SIZES = 8;

/**
 * The sizes of a learning curve: k*·B/4, k*·B/2, k*·B, 2·k*·B, 4·k*·B, … below all `n` samples, then `n` (at most
 * {@link MAX_SIZES}). Without a k* (not reached), halvings of `n`: n/128 … n/2, n. Sizes below `minimum` are left
 * out.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { learningCurveSizes } from "kstar";
 * assert.deepEqual(learningCurveSizes(1536, 60000), [384, 768, 1536, 3072, 6144, 12288, 24576, 60000]);
 * assert.deepEqual(learningCurveSizes(40000, 60000), [10000, 20000, 40000, 60000]);
 * assert.deepEqual(learningCurveSizes(null, 6400, 100), [100, 200, 400, 800, 1600, 3200, 6400]);
 * ```
 */
export function learningCurveSizes(kStarSamples: number | null, n: number, minimum = 10): number[] {
  const sizes: number[] = [];
  if (kStarSamples !== null) {
    for (let f = 0.25; sizes.length < MAX_SIZES - 1; f *= 2) {
      const s = Math.round(kStarSamples * f);
      if (s >= n) break;
      if (s >= minimum) sizes.push(s);
    }
  } else {
    for (let f = 2 ** -(MAX_SIZES - 1); f < 1; f *= 2) {
      const s = Math.round(n * f);
      if (s >= minimum && !sizes.includes(s)) sizes.push(s);
    }
  }
  sizes.push(n);
  return sizes;
}

/** What {@link learningCurve} needs of the run. */
export interface LearningCurveInput {
  /** The run's compute pool (evaluates the test split). */
  pool: ComputePool;
  /** The model's layout. */
  layout: ModelLayout;
  /** The run's training samples (w* was trained on all of them), in the run's order. */
  train: Split;
  /** The test split. */
  test: Split;
  /** The run's training recipe. */
  recipe: { learningRate: number; epochs: number; trainBatchSize: number; seed: number };
  /** The test loss and accuracy of w* (the point for all the data). */
  full: { testLoss: number; testAccuracy: number };
  /** k*·B of the headline threshold, or null. */
  kStarSamples: number | null;
  /** Stops the training (the promise rejects with the signal's reason). */
  signal?: AbortSignal;
  /** After each size: how many are done, of how many, and the point. */
  onPoint?: (done: number, total: number, p: LearningCurvePoint) => void;
}

/**
 * Trains a fresh model per size (see the module doc) and evaluates it on the test split; the last point is w*.
 * Leaves the pool's weights at the last fresh model's and the test split unloaded.
 */
export async function learningCurve(o: LearningCurveInput): Promise<LearningCurve> {
  const N = o.train.n;
  const classes = o.layout.classes;
  const sizes = learningCurveSizes(o.kStarSamples, N, Math.max(10, 2 * classes));
  const batchOf = (n: number) => Math.min(o.recipe.trainBatchSize, n);
  const steps = o.recipe.epochs * Math.ceil(N / batchOf(N));
  const points: LearningCurvePoint[] = [];
  await o.pool.load("test", o.layout, o.test, 1);
  try {
    for (const n of sizes) {
      if (n === N) {
        points.push({ samples: N, steps, testLoss: o.full.testLoss, testAccuracy: o.full.testAccuracy });
      } else {
        const w = await train(o.layout, limitSplit(o.train, n), initParams(o.layout, o.recipe.seed), {
          learningRate: o.recipe.learningRate,
          batchSize: batchOf(n),
          steps,
          seed: o.recipe.seed,
          engine: trainingEngine(o.pool, o.layout),
          signal: o.signal,
        });
        await o.pool.setWeights(w);
        const ev = await o.pool.evaluate("test");
        const m = o.test.n;
        points.push({
          samples: n,
          steps,
          testLoss: m ? ev.loss.reduce((a, b) => a + b, 0) / m : NaN,
          testAccuracy: m ? ev.correct.reduce((a, b) => a + b, 0) / m : NaN,
        });
      }
      o.onPoint?.(points.length, sizes.length, points[points.length - 1]);
    }
  } finally {
    await o.pool.unload("test");
  }
  const atK = o.kStarSamples === null ? undefined : points.find((p) => p.samples === o.kStarSamples);
  const all = points[points.length - 1];
  return {
    points,
    rule: `every size trains for the same ${steps.toLocaleString("en-US")} Adam steps as w* ` +
      `(${o.recipe.epochs} epochs over all ${N.toLocaleString("en-US")} samples; mini-batch ` +
      `${
        batchOf(N)
      }, smaller for fewer samples; learning rate ${o.recipe.learningRate}; seed ${o.recipe.seed})`,
    kStarSamples: o.kStarSamples,
    gapAtKStar: atK && atK !== all
      ? { accuracy: all.testAccuracy - atK.testAccuracy, loss: atK.testLoss - all.testLoss }
      : null,
  };
}
