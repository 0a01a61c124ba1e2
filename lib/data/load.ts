/**
 * One entry point for every dataset spec — a built-in name, a dataset folder or a table file, located with the
 * data-root rules of `locate.ts` — dispatched by format; and {@link probeDataset}, the shape of a dataset
 * checked without converting it, for submit-time checks. Uses `Deno.*` file APIs.
 *
 * Format detection:
 * - a file: `.csv` is a CSV table, `.tsv` or `.tab` a TSV table; any other file is refused;
 * - a folder, checked in this order: IDX files named like MNIST's (`train-images-idx3-ubyte`, … or `.gz`) →
 *   `idx`; `x_train.npy` / `y_train.npy` → `npy`; class folders of PNG/JPEG images (`train/<class>/…` or
 *   `<class>/…`) → `images`; anything else is a {@link DataError} saying what a dataset folder holds.
 *
 * The data options (`labelColumn`, `header`, `testData`, `resize`) apply to the formats they name; one given
 * for another format is a {@link ConfigError} rather than silently ignored.
 * @module
 */
import type { DataConfig } from "../config/types.ts";
import type { DatasetShape } from "../config/plan.ts";
import { ConfigError, DataError } from "../errors.ts";
import { BUILTIN_SHAPES, type BuiltinOptions, loadBuiltin } from "./builtin.ts";
import { classCount } from "./classes.ts";
import { type Dataset, type DatasetFormat, numberedClasses, storedPreprocessing } from "./dataset.ts";
import { IDX_FOLDER_FILES, loadIdxFolder, readIdxFolder } from "./idx_folder.ts";
import { loadImageFolder, looksLikeImageFolder, probeImageFolder } from "./image_folder.ts";
import { checkInsideRoot, DATASET_ALLOWED, locateDataset, type PathLocation } from "./locate.ts";
import { loadNpyFolder, NPY_FOLDER_FILES, probeNpyFolder } from "./npy_folder.ts";
import { joinPath } from "./paths.ts";
import { loadTableFile, probeTableFile, tableFormatOf } from "./table_file.ts";

/** Options of {@link loadDataset} and {@link probeDataset}: where to look, and how to read the data. */
export interface LoadDatasetOptions extends BuiltinOptions, Partial<DataConfig> {
  /**
   * When set, a path spec (and `testData`) is resolved against this folder and must lie inside it (after
   * resolving `..` and symbolic links); anything else is a {@link ConfigError} on field `dataset`.
   */
  dataRoot?: string;
  /** The seed of an image folder's or table's shuffle and of a test-fraction split (default 0). */
  seed?: number;
}

const FORMAT_NAMES: Record<DatasetFormat, string> = {
  builtin: "a built-in dataset",
  idx: "an IDX folder",
  csv: "a CSV table",
  tsv: "a TSV table",
  npy: "a NumPy folder",
  images: "an image folder",
  arrays: "arrays in memory",
};

/** Refuses data options that do not apply to `format` (they would be silently ignored). */
function checkApplies(format: DatasetFormat, opts: LoadDatasetOptions, spec: string): void {
  const table = format === "csv" || format === "tsv";
  const refuse = (field: string, value: unknown, appliesTo: string) => {
    throw new ConfigError(
      field,
      value,
      `${field === "header" ? '"auto"' : "no value"} for ${
        FORMAT_NAMES[format]
      } (it applies to ${appliesTo})`,
      `${spec} is ${FORMAT_NAMES[format]}`,
    );
  };
  if (!table) {
    if (opts.labelColumn !== null && opts.labelColumn !== undefined) {
      refuse("labelColumn", opts.labelColumn, "CSV/TSV tables");
    }
    if (opts.testData !== null && opts.testData !== undefined) {
      refuse("testData", opts.testData, "CSV/TSV tables");
    }
    if (opts.header !== undefined && opts.header !== "auto") refuse("header", opts.header, "CSV/TSV tables");
  }
  if (format !== "images" && opts.resize !== null && opts.resize !== undefined) {
    refuse("resize", opts.resize, "image folders");
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/** The format of a located folder or file (see the module documentation). */
export async function formatOf(spec: string, loc: PathLocation): Promise<DatasetFormat> {
  if (loc.kind === "file") {
    const f = tableFormatOf(loc.path);
    if (f) return f;
    throw new ConfigError(
      "dataset",
      spec,
      DATASET_ALLOWED,
      `${loc.display} is a file, but not a .csv or .tsv table`,
    );
  }
  for (const name of Object.values(IDX_FOLDER_FILES)) {
    if (await exists(joinPath(loc.path, name)) || await exists(joinPath(loc.path, `${name}.gz`))) {
      return "idx";
    }
  }
  for (const name of Object.values(NPY_FOLDER_FILES)) {
    if (await exists(joinPath(loc.path, name))) return "npy";
  }
  if (await looksLikeImageFolder(loc.path)) return "images";
  throw new DataError(
    loc.path,
    "holds no dataset: expected IDX files named like MNIST's (train-images-idx3-ubyte, train-labels-idx1-ubyte, " +
      "t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, optionally .gz), NumPy arrays (x_train.npy, " +
      "y_train.npy, x_test.npy, y_test.npy), or class folders of PNG/JPEG images (train/<class>/*.png and " +
      "test/<class>/*.png, or <class>/*.png)",
  );
}

async function checkIdxFiles(dir: string, root: string | undefined): Promise<void> {
  for (const name of Object.values(IDX_FOLDER_FILES)) {
    for (const n of [name, `${name}.gz`]) await checkInsideRoot(joinPath(dir, n), root);
  }
}

function withBuiltinClasses(ds: Dataset, classes: number | null | undefined): Dataset {
  if (classes === null || classes === undefined) return ds;
  const C = classCount(
    { labels: ds.train.labels, file: `${ds.name} (training labels)` },
    { labels: ds.test.labels, file: `${ds.name} (test labels)` },
    classes,
  );
  return { ...ds, classes: C, classNames: numberedClasses(C).map((n, i) => ds.classNames?.[i] ?? n) };
}

/**
 * Loads a dataset by spec: `"mnist"` or `"fashion-mnist"` (see {@link loadBuiltin}), a folder of MNIST-layout
 * IDX files (see {@link loadIdxFolder}), a folder of NumPy arrays (`npy_folder.ts`), a folder of images
 * (`image_folder.ts`), or a CSV/TSV table (`table_file.ts`). See the module documentation for the detection.
 *
 * @throws {ConfigError} (field `dataset`) for an unknown name, nothing at the path, a file that is not a table,
 *   or a path outside `dataRoot`; (field `dataRoot`) when `dataRoot` is not an existing folder; (a data option)
 *   when it does not apply to the format or does not fit the data
 * @throws {DataError} naming the file when one is missing or malformed
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
 * assert.deepEqual([ds.height, ds.width, ds.classes, ds.train.n, ds.format], [2, 2, 2, 2, "idx"]);
 * // a table: features standardised with the training statistics, a stratified test split
 * await Deno.writeTextFile(`${dir}/t.csv`, "a,b,y\n" + [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((i) => `${i},${i * i},${i % 2 ? "odd" : "even"}`).join("\n"));
 * const t = await loadDataset(`${dir}/t.csv`, { order: "files" });
 * assert.deepEqual([t.format, t.width, t.classNames, t.train.n, t.test.n], ["csv", 2, ["even", "odd"], 8, 2]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function loadDataset(spec: string, opts: LoadDatasetOptions = {}): Promise<Dataset> {
  const loc = await locateDataset(spec, opts.dataRoot);
  if (loc.kind === "builtin") {
    checkApplies("builtin", opts, spec);
    return withBuiltinClasses(await loadBuiltin(loc.name, opts), opts.classes);
  }
  const format = await formatOf(spec, loc);
  checkApplies(format, opts, spec);
  const common = { ...opts, dataRoot: opts.dataRoot ?? null };
  switch (format) {
    case "csv":
    case "tsv":
      return await loadTableFile(loc, common);
    case "npy":
      return await loadNpyFolder(loc.path, { ...common, name: loc.name });
    case "images":
      return await loadImageFolder(loc.path, { ...common, name: loc.name });
    default: {
      await checkIdxFiles(loc.path, opts.dataRoot);
      const ds = await loadIdxFolder(loc.path, opts.classes);
      return {
        ...ds,
        name: loc.name,
        format: "idx",
        kind: "images",
        classNames: numberedClasses(ds.classes),
        preprocessing: storedPreprocessing("bytes/255"),
      };
    }
  }
}

/**
 * The shape of a dataset — size, channels, classes, split sizes, format — with every file checked as loading
 * would check it (format, truncation, labels; an image's header, not its pixels), but nothing converted: what
 * the server checks a submitted run against.
 *
 * @throws {ConfigError} and {@link DataError} as {@link loadDataset} does
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { probeDataset } from "kstar";
 * const shape = await probeDataset("fashion-mnist");
 * assert.deepEqual([shape.height, shape.classes, shape.trainSamples, shape.format], [28, 10, 60000, "builtin"]);
 * ```
 */
export async function probeDataset(spec: string, opts: LoadDatasetOptions = {}): Promise<DatasetShape> {
  const loc = await locateDataset(spec, opts.dataRoot);
  if (loc.kind === "builtin") {
    checkApplies("builtin", opts, spec);
    return { ...BUILTIN_SHAPES[loc.name], classes: opts.classes ?? 10, format: "builtin", kind: "images" };
  }
  const format = await formatOf(spec, loc);
  checkApplies(format, opts, spec);
  const common = { ...opts, dataRoot: opts.dataRoot ?? null };
  switch (format) {
    case "csv":
    case "tsv":
      return await probeTableFile(loc, common);
    case "npy":
      return await probeNpyFolder(loc.path, { ...common, name: loc.name });
    case "images":
      return await probeImageFolder(loc.path, { ...common, name: loc.name });
  }
  await checkIdxFiles(loc.path, opts.dataRoot);
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
    format: "idx",
    kind: "images",
  };
}
