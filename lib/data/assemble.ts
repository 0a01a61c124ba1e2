/**
 * The steps every user-data reader shares, once: labels to classes (integers are class indices, any other
 * labels are names mapped to classes in natural order), the seeded class-stratified test split, the seeded
 * shuffle, a table's standardisation, and the record of all of it ({@link Preprocessing}); and
 * {@link fromArrays}, the same for arrays already in memory. Browser-safe.
 *
 * The rules, documented once:
 * - **Test fraction** (no stored test split): per class `c` with `n_c` samples, `min(n_c − 1, round(n_c·f))`
 *   go to the test split (so every class keeps a training sample), chosen by a Fisher–Yates shuffle of the
 *   class's sample indices drawn from `new Rng(seed)` (`lib/rng.ts`), classes in order 0, 1, …; both splits
 *   keep the samples' relative order.
 * - **Order** (`shuffle`): the training split is permuted with `permutation(n, seed)` (`lib/rng.ts`), as
 *   `shuffleSplit` does; `files` keeps the order the reader produced. The test split is never shuffled.
 * - **Standardisation** (tables): each feature minus its training mean, divided by its training standard
 *   deviation (population, computed in float64); a constant feature (deviation 0) is only centred. The test
 *   split uses the training statistics.
 * @module
 */
import type { SampleOrder } from "../config/choices.ts";
import { checkInt, ConfigError, DataError, describeValue } from "../errors.ts";
import { Rng } from "../rng.ts";
import { shuffledOrder, shuffleSplit, takeSamples } from "./batches.ts";
import { classCount } from "./classes.ts";
import { bytesToUnitFloats } from "./idx.ts";
import {
  type DataKind,
  type Dataset,
  type DatasetFormat,
  numberedClasses,
  type Preprocessing,
  type Split,
  type Standardization,
  STANDARDIZATION_STORED,
  type TestSplit,
} from "./dataset.ts";
import { naturalCompare } from "./natural.ts";

/** The most classes a dataset may have (labels are stored as bytes). */
export const MAX_CLASSES = 256;

/** Labels as a reader found them: numbers (class indices) or names, and where they came from. */
export interface RawLabels {
  /** Class indices, or names (a name that is an integer in [0, 255] everywhere makes them indices). */
  values: ArrayLike<number> | readonly string[];
  /** The file (or source) they came from, for messages. */
  file: string;
  /** Where label `i` is, for messages (default `index i`). */
  position?: (i: number) => string;
}

/** Labels turned into classes. */
export interface LabelledClasses {
  /** The class count. */
  classes: number;
  /** The name of each class, index = label. */
  classNames: string[];
  /** The training labels as class indices. */
  train: Uint8Array;
  /** The test labels as class indices (empty without a test split). */
  test: Uint8Array;
}

const INTEGER = /^[+-]?\d+$/;

function isNames(v: RawLabels["values"]): v is readonly string[] {
  return Array.isArray(v) && v.some((x) => typeof x === "string");
}

function where(src: RawLabels, i: number): string {
  return src.position ? src.position(i) : `index ${i}`;
}

function toIndices(src: RawLabels, values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isInteger(v) || v < 0 || v >= MAX_CLASSES) {
      throw new DataError(src.file, `label ${v} at ${where(src, i)} is not a class index in [0, 255]`);
    }
    out[i] = v;
  }
  return out;
}

/**
 * The classes of a dataset's labels. Integer labels (numbers, or names that are all integers) are class
 * indices, checked by `classCount` (the classes are those found in training, or `explicit`); any other
 * labels are names, and the classes are the distinct training names in natural order ({@link naturalCompare}).
 *
 * @throws {DataError} naming the file and position of a label that does not fit (an index out of range, a
 *   test class with no training samples), or when training has fewer than 2 classes
 * @throws {ConfigError} (field `classes`) when `explicit` is given for named labels
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { classesOf } from "kstar";
 * const c = classesOf({ values: ["cat", "dog", "cat"], file: "a.csv" }, { values: ["dog"], file: "b.csv" });
 * assert.deepEqual([c.classNames, Array.from(c.train), Array.from(c.test)], [["cat", "dog"], [0, 1, 0], [1]]);
 * assert.throws(() => classesOf({ values: ["a", "b"], file: "a.csv" }, { values: ["c"], file: "b.csv" }), /no training samples/);
 * assert.equal(classesOf({ values: ["0", "2", "1"], file: "a.csv" }, null).classes, 3);
 * ```
 */
export function classesOf(
  train: RawLabels,
  test: RawLabels | null,
  explicit?: number | null,
): LabelledClasses {
  const testSrc: RawLabels = test ?? { values: [], file: train.file };
  const named = isNames(train.values) || isNames(testSrc.values);
  const allIntegers = !named ||
    [train.values, testSrc.values].every((v) =>
      Array.prototype.every.call(v, (x: unknown) => INTEGER.test(String(x).trim()))
    );
  if (allIntegers) {
    const num = (src: RawLabels) =>
      toIndices(src, Array.from(src.values as ArrayLike<unknown>, (x) => Number(String(x).trim())));
    const tr = num(train), te = num(testSrc);
    const classes = classCount(
      { labels: tr, file: train.file, position: train.position },
      { labels: te, file: testSrc.file, position: testSrc.position },
      explicit,
    );
    return { classes, classNames: numberedClasses(classes), train: tr, test: te };
  }
  if (explicit !== null && explicit !== undefined) {
    throw new ConfigError(
      "classes",
      explicit,
      "null for named labels",
      `the labels of ${train.file} are names, and the classes are the names found in training`,
    );
  }
  const names = [...new Set(train.values as readonly string[])].sort(naturalCompare);
  if (names.length < 2) {
    throw new DataError(
      train.file,
      `a classifier needs at least 2 classes, but every training label is ${describeValue(names[0] ?? "")}`,
    );
  }
  if (names.length > MAX_CLASSES) {
    throw new DataError(
      train.file,
      `${names.length} distinct labels; at most ${MAX_CLASSES} classes are supported`,
    );
  }
  const index = new Map(names.map((n, i) => [n, i]));
  const map = (src: RawLabels) => {
    const v = src.values as readonly string[];
    const out = new Uint8Array(v.length);
    for (let i = 0; i < v.length; i++) {
      const c = index.get(String(v[i]));
      if (c === undefined) {
        throw new DataError(
          src.file,
          `label ${describeValue(String(v[i]))} at ${where(src, i)}: class ${
            describeValue(String(v[i]))
          } has no training samples (the training classes are ${
            names.map((n) => describeValue(n)).join(", ")
          })`,
        );
      }
      out[i] = c;
    }
    return out;
  };
  return { classes: names.length, classNames: names, train: map(train), test: map(testSrc) };
}

/**
 * The test samples per class of a test-fraction split: `min(n_c − 1, round(n_c · fraction))` for a class of
 * `n_c ≥ 1` samples (0 for an empty class).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { stratifiedCounts } from "kstar";
 * assert.deepEqual(stratifiedCounts([50, 50, 1, 0, 3], 0.2), [10, 10, 0, 0, 1]);
 * ```
 */
export function stratifiedCounts(classCounts: readonly number[], fraction: number): number[] {
  return classCounts.map((n) => n < 1 ? 0 : Math.min(n - 1, Math.round(n * fraction)));
}

function noTestSamples(n: number, classes: number, fraction: number, counts: number[]): ConfigError {
  return new ConfigError(
    "testFraction",
    fraction,
    "a fraction in (0, 1) that leaves at least one test sample",
    `${n} samples in ${classes} classes give ${counts.join(" + ")} test samples`,
  );
}

/**
 * The training and test sizes of a test-fraction split (what {@link stratifiedSplit} will make), for probing.
 *
 * @throws {ConfigError} (field `testFraction`) when the split leaves no test sample
 */
export function splitSizes(
  labels: ArrayLike<number>,
  classes: number,
  fraction: number,
): { train: number; test: number } {
  const perClass = new Array<number>(classes).fill(0);
  for (let i = 0; i < labels.length; i++) perClass[labels[i]]++;
  const counts = stratifiedCounts(perClass, fraction);
  const test = counts.reduce((a, b) => a + b, 0);
  if (test === 0) throw noTestSamples(labels.length, classes, fraction, counts);
  return { train: labels.length - test, test };
}

/**
 * The sample indices of a seeded, class-stratified split (see the module documentation), each ascending.
 *
 * @throws {ConfigError} (field `testFraction`) when the split leaves no test sample
 */
export function stratifiedSplit(
  labels: Uint8Array,
  classes: number,
  fraction: number,
  seed: number,
): { train: Uint32Array; test: Uint32Array } {
  const byClass: number[][] = Array.from({ length: classes }, () => []);
  for (let i = 0; i < labels.length; i++) byClass[labels[i]].push(i);
  const counts = stratifiedCounts(byClass.map((c) => c.length), fraction);
  const rng = new Rng(seed);
  const isTest = new Uint8Array(labels.length);
  let nTest = 0;
  byClass.forEach((idx, c) => {
    for (let i = idx.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [idx[i], idx[j]] = [idx[j], idx[i]];
    }
    for (let i = 0; i < counts[c]; i++) isTest[idx[i]] = 1;
    nTest += counts[c];
  });
  if (nTest === 0) throw noTestSamples(labels.length, classes, fraction, counts);
  const train = new Uint32Array(labels.length - nTest), test = new Uint32Array(nTest);
  let a = 0, b = 0;
  for (let i = 0; i < labels.length; i++) {
    if (isTest[i]) test[b++] = i;
    else train[a++] = i;
  }
  return { train, test };
}

function fnv(values: Float64Array, h: number): number {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return h >>> 0;
}

/**
 * Standardises the features of `train` and `test` in place with the training split's mean and standard
 * deviation (see the module documentation) and returns the statistics used.
 */
export function standardizeSplits(train: Split, test: Split, features: number): Standardization {
  const F = features;
  const mean = new Float64Array(F), sq = new Float64Array(F);
  const x = train.images;
  for (let s = 0; s < train.n; s++) {
    const o = s * F;
    for (let j = 0; j < F; j++) mean[j] += x[o + j];
  }
  for (let j = 0; j < F; j++) mean[j] /= Math.max(1, train.n);
  for (let s = 0; s < train.n; s++) {
    const o = s * F;
    for (let j = 0; j < F; j++) {
      const d = x[o + j] - mean[j];
      sq[j] += d * d;
    }
  }
  const std = new Float64Array(F);
  let constant = 0;
  for (let j = 0; j < F; j++) {
    std[j] = Math.sqrt(sq[j] / Math.max(1, train.n));
    if (std[j] === 0) constant++;
  }
  for (const split of [train, test]) {
    const v = split.images;
    for (let s = 0; s < split.n; s++) {
      const o = s * F;
      for (let j = 0; j < F; j++) v[o + j] = (v[o + j] - mean[j]) / (std[j] === 0 ? 1 : std[j]);
    }
  }
  const range = (a: Float64Array): [number, number] => [Math.min(...a), Math.max(...a)];
  const store = F <= STANDARDIZATION_STORED;
  return {
    features: F,
    constant,
    meanRange: range(mean),
    stdRange: range(std),
    mean: store ? Array.from(mean) : null,
    std: store ? Array.from(std) : null,
    digest: fnv(std, fnv(mean, 0x811c9dc5)).toString(16).padStart(8, "0"),
  };
}

/** A dataset as a reader produced it, before the shared steps. */
export interface DatasetParts {
  /** The dataset's name. */
  name: string;
  /** Where the samples came from. */
  format: DatasetFormat;
  /** Images, or a table (standardised unless told not to). */
  kind: DataKind;
  /** Sample height (1 for a table). */
  height: number;
  /** Sample width (the feature count for a table). */
  width: number;
  /** Channels per pixel. */
  channels: number;
  /** The class count. */
  classes: number;
  /** The name of each class, index = label. */
  classNames: string[];
  /** The training samples, in the reader's order. */
  train: Split;
  /** The test split, or null to split one off (`testFraction`). */
  test: Split | null;
  /** Where a given test split came from (default: stored). */
  testSource?: TestSplit;
  /** How the stored values were scaled (`bytes/255` or `none`). */
  scale: Preprocessing["scale"];
  /** The size images were resized to (`"H×W"`), or null. */
  resize?: string | null;
  /** Whether `order` applies (image folders and tables); otherwise the stored order is kept. */
  orderable: boolean;
}

/** How the shared steps run. */
export interface ArrangeOptions {
  /** The test share when `parts.test` is null; default 0.2. */
  testFraction?: number;
  /** Seed of the split and the shuffle; default 0. */
  seed?: number;
  /** `shuffle` (default) or `files`; applies when `parts.orderable`. */
  order?: SampleOrder;
  /** Standardise a table's features (default true); ignored for images. */
  standardize?: boolean;
}

/**
 * A dataset from a reader's parts: the test split made (when absent), the training split ordered, a table's
 * features standardised, and all of it recorded in `preprocessing`.
 */
export function arrangeDataset(parts: DatasetParts, opts: ArrangeOptions = {}): Dataset {
  const seed = opts.seed ?? 0;
  const fraction = opts.testFraction ?? 0.2;
  let train = parts.train, test = parts.test;
  let testSplit: TestSplit = parts.testSource ?? { source: "stored" };
  const order = parts.orderable ? opts.order ?? "shuffle" : "stored";
  if (test === null) {
    const idx = stratifiedSplit(train.labels, parts.classes, fraction, seed);
    test = takeSamples(train, idx.test);
    // Shuffled, the training samples are gathered once, straight into their shuffled order.
    const trainOrder = order === "shuffle"
      ? Array.from(shuffledOrder(idx.train.length, seed), (i) => idx.train[i])
      : idx.train;
    train = takeSamples(train, trainOrder);
    testSplit = { source: "fraction", fraction, seed };
  } else if (order === "shuffle") train = shuffleSplit(train, seed);
  const F = parts.height * parts.width * parts.channels;
  let standardization: Standardization | null = null;
  if (parts.kind === "table" && (opts.standardize ?? true)) {
    if (train === parts.train) train = { ...train, images: train.images.slice() };
    if (test === parts.test) test = { ...test, images: test.images.slice() };
    standardization = standardizeSplits(train, test, F);
  }
  return {
    name: parts.name,
    height: parts.height,
    width: parts.width,
    channels: parts.channels,
    classes: parts.classes,
    train,
    test,
    format: parts.format,
    kind: parts.kind,
    classNames: parts.classNames,
    preprocessing: {
      scale: parts.scale,
      standardization,
      resize: parts.resize ?? null,
      order,
      seed: order === "shuffle" || testSplit.source === "fraction" ? seed : null,
      testSplit,
    },
  };
}

/** Feature values in memory: bytes (scaled by 1/255) or numbers (taken as they are). */
export type ArrayValues = Uint8Array | Float32Array | Float64Array | readonly number[];

/** Options of {@link fromArrays}. */
export interface FromArraysOptions {
  /** The dataset's name (default `"arrays"`). */
  name?: string;
  /** A test split of the same shape; without it, `testFraction` of the samples are held out. */
  test?: { x: ArrayValues; y: ArrayLike<number> | readonly string[] };
  /** The class-stratified test share when `test` is absent (default 0.2). */
  testFraction?: number;
  /** Seed of the test split and of `shuffle` (default 0). */
  seed?: number;
  /** Shuffle the training samples (seeded); default false: the order given. */
  shuffle?: boolean;
  /** Standardise a table's features (`shape` of length 1) with the training statistics; default true. */
  standardize?: boolean;
  /** The class count, when integer labels alone do not tell it. */
  classes?: number | null;
}

function checkValues(field: string, x: ArrayValues, expected: number, what: string): Float32Array {
  if (
    !(x instanceof Uint8Array || x instanceof Float32Array || x instanceof Float64Array || Array.isArray(x))
  ) {
    throw new ConfigError(field, x, "a Uint8Array, Float32Array, Float64Array or array of numbers");
  }
  if (x.length !== expected) {
    throw new ConfigError(field, x, `${expected} values (${what})`, `got ${x.length}`);
  }
  if (x instanceof Uint8Array) return bytesToUnitFloats(x);
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new ConfigError(field, x, "finite numbers", `${field}[${i}] is ${describeValue(v)}`);
    }
    out[i] = v;
  }
  return out;
}

/**
 * A dataset from arrays already in memory — features `x` (row-major, `n × shape`) and labels `y` — with the
 * same rules as the file readers: integer labels are class indices, other labels names in natural order; bytes
 * are scaled to [0, 1]; a table (`shape` `[features]`) is standardised with its training statistics unless
 * `standardize: false`; without `test`, a seeded class-stratified `testFraction` is held out. Pass the result
 * to `analyze(config, { data })`.
 *
 * @param x feature values, `n × shape` row-major (images channels-last)
 * @param y one label per sample (`n` = its length)
 * @param shape one sample's shape: `[features]`, `[height, width]` or `[height, width, channels]`
 * @throws {ConfigError} (fields `x`, `y`, `shape`, `test.x`, `test.y`, `classes`, `testFraction`) for input that
 *   does not fit
 * @throws {DataError} for labels that do not make classes (see {@link classesOf})
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fromArrays } from "kstar";
 * const x = Float64Array.from({ length: 40 }, (_, i) => i % 4 + (i % 8 < 4 ? 0 : 10));
 * const y = Array.from({ length: 10 }, (_, i) => (i % 2 ? "big" : "small"));
 * const ds = fromArrays(x, y, [4], { testFraction: 0.2 });
 * assert.deepEqual([ds.kind, ds.width, ds.classes, ds.train.n, ds.test.n], ["table", 4, 2, 8, 2]);
 * assert.deepEqual(ds.classNames, ["big", "small"]);
 * assert.equal(ds.preprocessing!.standardization!.features, 4);
 * ```
 */
export function fromArrays(
  x: ArrayValues,
  y: ArrayLike<number> | readonly string[],
  shape: readonly number[],
  opts: FromArraysOptions = {},
): Dataset {
  if (
    !Array.isArray(shape) || shape.length < 1 || shape.length > 3 ||
    shape.some((d) => !Number.isInteger(d) || d < 1 || d > 1_000_000)
  ) {
    throw new ConfigError(
      "shape",
      shape,
      "[features], [height, width] or [height, width, channels], each an integer in [1, 1000000]",
    );
  }
  if (y === null || typeof y !== "object" || typeof y.length !== "number") {
    throw new ConfigError("y", y, "an array of labels (numbers or names)");
  }
  const f = opts.testFraction;
  if (f !== undefined && !(typeof f === "number" && f > 0 && f < 1)) {
    throw new ConfigError("testFraction", f, "a number in (0, 1)");
  }
  if (opts.seed !== undefined) checkInt("seed", opts.seed, 0, 2 ** 31 - 1);
  const [height, width, channels] = shape.length === 1
    ? [1, shape[0], 1]
    : [shape[0], shape[1], shape[2] ?? 1];
  const F = height * width * channels;
  const what = (n: number) => `${n} samples of ${shape.join(" × ")}`;
  const trainX = checkValues("x", x, y.length * F, what(y.length));
  const testX = opts.test
    ? checkValues("test.x", opts.test.x, opts.test.y.length * F, what(opts.test.y.length))
    : null;
  const labelled = classesOf(
    { values: y as RawLabels["values"], file: "y" },
    opts.test ? { values: opts.test.y as RawLabels["values"], file: "test.y" } : null,
    opts.classes,
  );
  const train: Split = { images: trainX, labels: labelled.train, n: y.length };
  const test: Split | null = testX ? { images: testX, labels: labelled.test, n: opts.test!.y.length } : null;
  return arrangeDataset({
    name: opts.name ?? "arrays",
    format: "arrays",
    kind: shape.length === 1 ? "table" : "images",
    height,
    width,
    channels,
    classes: labelled.classes,
    classNames: labelled.classNames,
    train,
    test,
    scale: x instanceof Uint8Array ? "bytes/255" : "none",
    orderable: opts.shuffle === true,
  }, { testFraction: opts.testFraction, seed: opts.seed, order: "shuffle", standardize: opts.standardize });
}
