/**
 * Loads a user dataset from a folder of MNIST-layout IDX files (uses `Deno.*` file APIs).
 * @module
 */

import { DataError } from "../errors.ts";
import type { Dataset, Split } from "./dataset.ts";
import { type IdxImages, idxToSplit, maybeGunzip, parseIdxImages, parseIdxLabels } from "./idx.ts";
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

async function loadSplit(
  dir: string,
  imagesName: string,
  labelsName: string,
): Promise<{ images: IdxImages; split: Split; maxLabel: number }> {
  const img = await readMaybeGz(dir, imagesName);
  const images = parseIdxImages(img.bytes, img.path);
  const lab = await readMaybeGz(dir, labelsName);
  const labels = parseIdxLabels(lab.bytes, lab.path);
  const split = idxToSplit(images, labels, lab.path, img.path);
  if (split.n < 1) throw new DataError(img.path, "holds 0 images; each split needs at least 1");
  let maxLabel = 0;
  for (const l of split.labels) if (l > maxLabel) maxLabel = l;
  return { images, split, maxLabel };
}

/**
 * Loads a dataset from a folder holding the four MNIST-named IDX files
 * (`train-images-idx3-ubyte`, `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte`,
 * `t10k-labels-idx1-ubyte`), each optionally gzip-compressed with a `.gz` suffix.
 *
 * Images may have any size (train and test must agree). The class count is the largest label over
 * both splits plus one, and at least 2. The dataset is named after the folder. Needs read permission
 * for `dir`.
 *
 * @param dir the folder (relative paths resolve against the current directory)
 * @throws {DataError} naming the file when one is missing, malformed, or inconsistent with the others
 *
 * @example
 * ```ts
 * import { loadIdxFolder } from "./idx_folder.ts";
 * import { encodeIdxImages, encodeIdxLabels, gzipBytes } from "./idx.ts";
 * const dir = await Deno.makeTempDir();
 * const images = encodeIdxImages(new Uint8Array([0, 255, 255, 0, 255, 0, 0, 255]), 2, 2, 2);
 * const labels = encodeIdxLabels(new Uint8Array([0, 3]));
 * for (const prefix of ["train", "t10k"]) {
 *   await Deno.writeFile(`${dir}/${prefix}-images-idx3-ubyte.gz`, await gzipBytes(images)); // .gz is fine
 *   await Deno.writeFile(`${dir}/${prefix}-labels-idx1-ubyte`, labels);
 * }
 * const ds = await loadIdxFolder(dir);
 * console.log(ds.classes, ds.train.images.slice(0, 4)); // 4 Float32Array [0, 1, 1, 0]
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function loadIdxFolder(dir: string): Promise<Dataset> {
  const abs = resolvePath(dir);
  const f = IDX_FOLDER_FILES;
  const train = await loadSplit(abs, f.trainImages, f.trainLabels);
  const test = await loadSplit(abs, f.testImages, f.testLabels);
  if (train.images.rows !== test.images.rows || train.images.cols !== test.images.cols) {
    throw new DataError(
      joinPath(abs, f.testImages),
      `image size ${test.images.rows}×${test.images.cols} differs from the training images' ` +
        `${train.images.rows}×${train.images.cols}; both splits must have the same size`,
    );
  }
  return {
    name: basename(abs),
    height: train.images.rows,
    width: train.images.cols,
    classes: Math.max(2, Math.max(train.maxLabel, test.maxLabel) + 1),
    train: train.split,
    test: test.split,
  };
}
