/**
 * Loads a user dataset from a folder of MNIST-layout IDX files (uses `Deno.*` file APIs).
 * @module
 */

import { DataError } from "../errors.ts";
import type { Dataset, Split } from "./dataset.ts";
import { classCount } from "./classes.ts";
import { bytesToUnitFloats, maybeGunzip, parseIdxImages, parseIdxLabels } from "./idx.ts";
import { basename, joinPath, resolvePath } from "./paths.ts";

/** The four file names a dataset folder must hold, each optionally with a `.gz` suffix. */
export const IDX_FOLDER_FILES = {
  trainImages: "train-images-idx3-ubyte",
  trainLabels: "train-labels-idx1-ubyte",
  testImages: "t10k-images-idx3-ubyte",
  testLabels: "t10k-labels-idx1-ubyte",
} as const;

/**
 * Reads `dir/name`, or else `dir/name.gz` (gunzipped), preferring the uncompressed file when both exist.
 *
 * @returns the decompressed bytes and the path actually read
 * @throws {DataError} naming `dir/name` when neither file exists or cannot be read
 */
export async function readMaybeGz(dir: string, name: string): Promise<{ bytes: Uint8Array; path: string }> {
  for (const path of [joinPath(dir, name), joinPath(dir, name + ".gz")]) {
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(path);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) continue;
      throw new DataError(path, `cannot be read: ${(e as Error).message}`);
    }
    return { bytes: await maybeGunzip(bytes, path), path };
  }
  throw new DataError(joinPath(dir, name), `missing: expected this file or ${name}.gz in ${dir}`);
}

/** The raw contents of an IDX folder: each split's pixel bytes and labels, with the files they came from. */
export interface IdxFolder {
  height: number;
  width: number;
  train: { pixels: Uint8Array; labels: Uint8Array; n: number; imagesFile: string; labelsFile: string };
  test: { pixels: Uint8Array; labels: Uint8Array; n: number; imagesFile: string; labelsFile: string };
}

async function readSplit(
  dir: string,
  imagesName: string,
  labelsName: string,
): Promise<IdxFolder["train"] & { rows: number; cols: number }> {
  const img = await readMaybeGz(dir, imagesName);
  const images = parseIdxImages(img.bytes, img.path);
  const lab = await readMaybeGz(dir, labelsName);
  const labels = parseIdxLabels(lab.bytes, lab.path);
  if (labels.n !== images.n) {
    throw new DataError(lab.path, `has ${labels.n} labels but ${img.path} has ${images.n} images`);
  }
  if (images.n < 1) throw new DataError(img.path, "holds 0 images; each split needs at least 1");
  return {
    pixels: images.pixels,
    labels: labels.labels,
    n: images.n,
    rows: images.rows,
    cols: images.cols,
    imagesFile: img.path,
    labelsFile: lab.path,
  };
}

/**
 * Reads and checks the four IDX files of a folder (every malformed, missing, truncated or inconsistent file
 * is a {@link DataError} naming it) without converting the pixels.
 */
export async function readIdxFolder(dir: string): Promise<IdxFolder> {
  const abs = resolvePath(dir);
  const f = IDX_FOLDER_FILES;
  const train = await readSplit(abs, f.trainImages, f.trainLabels);
  const test = await readSplit(abs, f.testImages, f.testLabels);
  if (train.rows !== test.rows || train.cols !== test.cols) {
    throw new DataError(
      test.imagesFile,
      `image size ${test.rows}×${test.cols} differs from the training images' ${train.rows}×${train.cols}; ` +
        "both splits must have the same size",
    );
  }
  return { height: train.rows, width: train.cols, train, test };
}

/**
 * Loads a dataset from a folder holding the four MNIST-named IDX files
 * (`train-images-idx3-ubyte`, `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte`,
 * `t10k-labels-idx1-ubyte`), each optionally gzip-compressed with a `.gz` suffix.
 *
 * Images may have any size (train and test must agree). The classes are the labels present in training
 * (see `classCount`), or `classes` when given. The dataset is named after the folder. Needs read permission
 * for `dir`.
 *
 * @param dir the folder (relative paths resolve against the current directory)
 * @param classes the class count, when the labels alone do not tell it (e.g. a class absent from training)
 * @throws {DataError} naming the file when one is missing, malformed, or inconsistent with the others
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeIdxImages, encodeIdxLabels, loadIdxFolder } from "kstar";
 * const dir = await Deno.makeTempDir();
 * const images = encodeIdxImages(new Uint8Array([0, 255, 255, 0, 255, 0, 0, 255]), 2, 2, 2);
 * const labels = encodeIdxLabels(new Uint8Array([0, 1]));
 * for (const prefix of ["train", "t10k"]) {
 *   await Deno.writeFile(`${dir}/${prefix}-images-idx3-ubyte`, images);
 *   await Deno.writeFile(`${dir}/${prefix}-labels-idx1-ubyte`, labels);
 * }
 * const ds = await loadIdxFolder(dir);
 * assert.equal(ds.classes, 2);
 * assert.deepEqual(Array.from(ds.train.images.slice(0, 4)), [0, 1, 1, 0]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function loadIdxFolder(dir: string, classes?: number | null): Promise<Dataset> {
  const raw = await readIdxFolder(dir);
  const C = classCount(
    { labels: raw.train.labels, file: raw.train.labelsFile },
    { labels: raw.test.labels, file: raw.test.labelsFile },
    classes,
  );
  const split = (s: IdxFolder["train"]): Split => ({
    images: bytesToUnitFloats(s.pixels),
    labels: s.labels.slice(),
    n: s.n,
  });
  return {
    name: basename(resolvePath(dir)),
    height: raw.height,
    width: raw.width,
    channels: 1,
    classes: C,
    train: split(raw.train),
    test: split(raw.test),
  };
}
