/**
 * The in-memory dataset shape shared by every loader.
 * @module
 */
import type { DatasetShape } from "../config/plan.ts";
import type { DataKind, DatasetFormat } from "../config/choices.ts";

export type { DataKind, DatasetFormat };

/** The mean and standard deviation a table's features were standardised with (from the training split). */
export interface Standardization {
  /** Number of features F. */
  features: number;
  /** Features whose training standard deviation is 0: they are centred, not scaled (divided by 1). */
  constant: number;
  /** The smallest and largest feature mean. */
  meanRange: [number, number];
  /** The smallest and largest feature standard deviation (population, over the training split). */
  stdRange: [number, number];
  /** Per-feature means (F ≤ {@link STANDARDIZATION_STORED} features), else null (see `digest`). */
  mean: number[] | null;
  /** Per-feature standard deviations, as `mean`. */
  std: number[] | null;
  /** FNV-1a digest (hex) of the float64 means then standard deviations: identifies them when not stored. */
  digest: string;
}

/** Up to this many features, a standardisation stores every mean and standard deviation. */
export const STANDARDIZATION_STORED = 1024;

/** Where the test split came from. */
export type TestSplit =
  | { source: "stored" }
  | { source: "file"; file: string }
  | { source: "fraction"; fraction: number; seed: number };

/** Everything done to the stored values before the model saw them. */
export interface Preprocessing {
  /** `"bytes/255"`: bytes (0–255) scaled to [0, 1]; `"none"`: the stored numbers as they are. */
  scale: "bytes/255" | "none";
  /** The standardisation of a table's features (train mean and standard deviation), or null when not done. */
  standardization: Standardization | null;
  /** The size every image was resized to (`"H×W"`, bilinear), or null. */
  resize: string | null;
  /**
   * The training split's order: `shuffle` (a permutation seeded by `seed`), `files` (image names in natural
   * order, table rows as written), or `stored` (the order of the arrays: IDX, NumPy, built-ins, in memory).
   */
  order: "shuffle" | "files" | "stored";
  /** The seed of the shuffle and of a test-fraction split, or null when neither was made. */
  seed: number | null;
  /** Where the test split came from. */
  testSplit: TestSplit;
}

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
  /** Where the samples came from; absent: `"arrays"` (a dataset built in memory). */
  format?: DatasetFormat;
  /** Images or a table; absent: a table when `height` is 1 and the format is a table's, else images. */
  kind?: DataKind;
  /** The name of each class, index = label; absent: `"0"`, `"1"`, …. */
  classNames?: string[];
  /** What was done to the values; absent: nothing recorded (see {@link describeData}). */
  preprocessing?: Preprocessing;
}

/** What a run records about its data: format, kind, class names and preprocessing, with defaults filled in. */
export interface DataDescription {
  /** Where the samples came from. */
  format: DatasetFormat;
  /** Images or a table. */
  kind: DataKind;
  /** The name of each class, index = label. */
  classNames: string[];
  /** What was done to the values. */
  preprocessing: Preprocessing;
}

/**
 * The preprocessing of data used as stored: values scaled by `scale` only, no standardisation or resize, the
 * stored order and test split.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { storedPreprocessing } from "kstar";
 * assert.deepEqual(storedPreprocessing("bytes/255").testSplit, { source: "stored" });
 * ```
 */
export function storedPreprocessing(scale: Preprocessing["scale"]): Preprocessing {
  return {
    scale,
    standardization: null,
    resize: null,
    order: "stored",
    seed: null,
    testSplit: { source: "stored" },
  };
}

/** The class names `"0"` … `"C−1"`. */
export function numberedClasses(classes: number): string[] {
  return Array.from({ length: classes }, (_, i) => String(i));
}

/**
 * The format, kind, class names and preprocessing of a dataset, with the defaults of a dataset built in
 * memory where it does not say (format `arrays`, images, classes named by number, values as stored).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeData } from "kstar";
 * const split = { images: new Float32Array(8), labels: new Uint8Array([0, 1]), n: 2 };
 * const d = describeData({ name: "toy", height: 2, width: 2, classes: 2, train: split, test: split });
 * assert.deepEqual([d.format, d.kind, d.classNames, d.preprocessing.order], ["arrays", "images", ["0", "1"], "stored"]);
 * ```
 */
export function describeData(d: Dataset): DataDescription {
  return {
    format: d.format ?? "arrays",
    kind: d.kind ?? "images",
    classNames: d.classNames ?? numberedClasses(d.classes),
    preprocessing: d.preprocessing ?? storedPreprocessing("none"),
  };
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
    format: d.format ?? "arrays",
    kind: d.kind ?? "images",
  };
}
