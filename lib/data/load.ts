/**
 * One entry point for every dataset spec: a built-in name or a dataset folder, located with the data-root rules
 * of `locate.ts`; and {@link probeDataset}, the shape of a dataset checked without converting it, for
 * submit-time checks. Uses `Deno.*` file APIs.
 * @module
 */
import { ConfigError } from "../errors.ts";
import type { DatasetShape } from "../config/plan.ts";
import { BUILTIN_SHAPES, type BuiltinOptions, loadBuiltin } from "./builtin.ts";
import { classCount } from "./classes.ts";
import type { Dataset } from "./dataset.ts";
import { loadIdxFolder, readIdxFolder } from "./idx_folder.ts";
import { DATASET_ALLOWED, type DatasetLocation, locateDataset } from "./locate.ts";

/** Options of {@link loadDataset} and {@link probeDataset}. */
export interface LoadDatasetOptions extends BuiltinOptions {
  /**
   * When set, a path spec is resolved against this folder and must lie inside it (after resolving `..` and
   * symbolic links); anything else is a {@link ConfigError} on field `dataset`.
   */
  dataRoot?: string;
  /** The class count, when the labels alone do not tell it; default: the labels present in training. */
  classes?: number | null;
}

function notAFolder(spec: string, loc: DatasetLocation): never {
  throw new ConfigError(
    "dataset",
    spec,
    DATASET_ALLOWED,
    `${
      "display" in loc ? loc.display : spec
    } is a file; a dataset is a folder of IDX files named like MNIST's`,
  );
}

/**
 * Loads a dataset by spec: `"mnist"` or `"fashion-mnist"` (see {@link loadBuiltin}), or a folder of
 * MNIST-layout IDX files (see {@link loadIdxFolder}).
 *
 * @throws {ConfigError} (field `dataset`) for an unknown name, nothing at the path, a file, or a folder outside
 *   `dataRoot`; (field `dataRoot`) when `dataRoot` is not an existing folder
 * @throws {DataError} when a folder's files are missing or malformed
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeIdxImages, encodeIdxLabels, loadDataset } from "kstar";
 * // a tiny folder dataset: two 2×2 images per split
 * const dir = await Deno.makeTempDir();
 * for (const prefix of ["train", "t10k"]) {
 *   await Deno.writeFile(`${dir}/${prefix}-images-idx3-ubyte`, encodeIdxImages(new Uint8Array(8), 2, 2, 2));
 *   await Deno.writeFile(`${dir}/${prefix}-labels-idx1-ubyte`, encodeIdxLabels(new Uint8Array([0, 1])));
 * }
 * const ds = await loadDataset(dir);
 * assert.deepEqual([ds.height, ds.width, ds.classes, ds.train.n], [2, 2, 2, 2]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function loadDataset(spec: string, opts: LoadDatasetOptions = {}): Promise<Dataset> {
  const loc = await locateDataset(spec, opts.dataRoot);
  if (loc.kind === "builtin") return await loadBuiltin(loc.name, opts);
  if (loc.kind === "file") notAFolder(spec, loc);
  return { ...(await loadIdxFolder(loc.path, opts.classes)), name: loc.name };
}

/**
 * The shape of a dataset — size, channels, classes and split sizes — with every file checked as loading would
 * check it (format, truncation, labels), but nothing converted: what the server checks a submitted run against.
 *
 * @throws {ConfigError} and {@link DataError} as {@link loadDataset} does
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { probeDataset } from "kstar";
 * const shape = await probeDataset("fashion-mnist");
 * assert.deepEqual([shape.height, shape.classes, shape.trainSamples], [28, 10, 60000]);
 * ```
 */
export async function probeDataset(spec: string, opts: LoadDatasetOptions = {}): Promise<DatasetShape> {
  const loc = await locateDataset(spec, opts.dataRoot);
  if (loc.kind === "builtin") return { ...BUILTIN_SHAPES[loc.name], classes: opts.classes ?? 10 };
  if (loc.kind === "file") notAFolder(spec, loc);
  const raw = await readIdxFolder(loc.path);
  const classes = classCount(
    { labels: raw.train.labels, file: raw.train.labelsFile },
    { labels: raw.test.labels, file: raw.test.labelsFile },
    opts.classes,
  );
  return {
    name: loc.name,
    height: raw.height,
    width: raw.width,
    channels: 1,
    classes,
    trainSamples: raw.train.n,
    testSamples: raw.test.n,
  };
}
