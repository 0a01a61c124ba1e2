/**
 * Datasets for kstar: the shared {@link Dataset} shape, IDX parsing and encoding, locating a dataset spec,
 * folder and built-in loaders with a binary cache, the class-count rules, and batching helpers.
 *
 * `dataset.ts`, `idx.ts`, `classes.ts`, `fashion_json.ts` and `batches.ts` use web-standard APIs only; the
 * loaders (`locate.ts`, `idx_folder.ts`, `builtin.ts`, `load.ts`, `cache.ts`) use `Deno.*` when called.
 * @module
 */

export { type Dataset, shapeOf, type Split } from "./dataset.ts";
export {
  bytesToUnitFloats,
  encodeIdxImages,
  encodeIdxLabels,
  gzipBytes,
  IDX_IMAGES_MAGIC,
  IDX_LABELS_MAGIC,
  type IdxImages,
  type IdxLabels,
  idxToSplit,
  isGzip,
  maybeGunzip,
  parseIdxImages,
  parseIdxLabels,
  unitFloatsToBytes,
} from "./idx.ts";
export { classCount, type LabelSource } from "./classes.ts";
export { IDX_FOLDER_FILES, type IdxFolder, loadIdxFolder, readIdxFolder } from "./idx_folder.ts";
export { type JsonRows, parseJsonRows } from "./fashion_json.ts";
export {
  BUILTIN_DATASETS,
  BUILTIN_SHAPES,
  type BuiltinName,
  type BuiltinOptions,
  defaultCacheDir,
  FASHION_MNIST_PACKAGE,
  FASHION_MNIST_SPLIT,
  loadBuiltin,
  type LoadProgress,
  MNIST_PACKAGE,
  npmPackageFile,
} from "./builtin.ts";
export { CACHE_FORMAT_VERSION, decodeCache, encodeCache, type RawDataset } from "./cache.ts";
export { DATASET_ALLOWED, type DatasetLocation, locateDataset, relativeTo } from "./locate.ts";
export { loadDataset, type LoadDatasetOptions, probeDataset } from "./load.ts";
export {
  batchCount,
  batchView,
  limitSplit,
  pixelsPerImage,
  shuffleSplit,
  validateBatchSize,
} from "./batches.ts";
