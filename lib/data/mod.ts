/**
 * Datasets for kstar: the shared {@link Dataset} shape, IDX parsing and encoding, folder and built-in
 * loaders with a binary cache, and batching helpers.
 *
 * `idx.ts`, `fashion_json.ts` and `batches.ts` use web-standard APIs only and may be imported on
 * their own; the loaders (`idx_folder.ts`, `builtin.ts`, `load.ts`, `cache.ts`) use `Deno.*`.
 * @module
 */

export type { Dataset, Split } from "./dataset.ts";
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
export { IDX_FOLDER_FILES, loadIdxFolder } from "./idx_folder.ts";
export { type JsonRows, parseJsonRows } from "./fashion_json.ts";
export {
  BUILTIN_DATASETS,
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
export { loadDataset, type LoadDatasetOptions } from "./load.ts";
export {
  batchCount,
  batchView,
  limitSplit,
  pixelsPerImage,
  shuffleSplit,
  validateBatchSize,
} from "./batches.ts";
