/**
 * The in-memory dataset shape shared by every loader.
 * @module
 */
import type { DatasetShape } from "../config/plan.ts";

/**
 * One split of a dataset: `n` samples of `height × width × channels` values, row-major per sample (channels
 * last), and integer labels.
 */
export interface Split {
  /** Values, `n × height × width × channels`, row-major per sample; images are scaled to [0, 1]. */
  images: Float32Array;
  /** Class labels in `[0, classes)`. */
  labels: Uint8Array;
  /** Number of samples. */
  n: number;
}

/** A classification dataset with a train and a test split. */
export interface Dataset {
  /** Short name, e.g. `"mnist"`, `"fashion-mnist"` or the folder of a user dataset. */
  name: string;
  /** Image height in pixels (1 for a table). */
  height: number;
  /** Image width in pixels (the feature count for a table). */
  width: number;
  /** Channels per pixel: 1 (grayscale, tables) or 3 (RGB); absent means 1. */
  channels?: number;
  /** Number of classes (labels are `0..classes-1`). */
  classes: number;
  /** The training split. */
  train: Split;
  /** The test split. */
  test: Split;
}

/**
 * The shape of an in-memory dataset, as `planRun` takes it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { shapeOf } from "kstar";
 * const split = { images: new Float32Array(8), labels: new Uint8Array([0, 1]), n: 2 };
 * const s = shapeOf({ name: "toy", height: 2, width: 2, classes: 2, train: split, test: split });
 * assert.deepEqual([s.channels, s.trainSamples, s.testSamples], [1, 2, 2]);
 * ```
 */
export function shapeOf(d: Dataset): DatasetShape {
  return {
    name: d.name,
    height: d.height,
    width: d.width,
    channels: d.channels ?? 1,
    classes: d.classes,
    trainSamples: d.train.n,
    testSamples: d.test.n,
  };
}
