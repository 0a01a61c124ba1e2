/**
 * # kstar — how much training data is enough?
 *
 * kstar trains a classifier, finds the top-d eigenvectors of the loss Hessian at the trained weights w*
 * (Lanczos on exact Hessian-vector products), and measures how much the loss landscape in that subspace
 * still changes when one more batch of data is added:
 * `Δ_k = E_θ (L_{k+1}(w* + Pθ) − L_k(w* + Pθ))²`. The Δ-sufficient dataset size is `k*·B` with
 * `k* = inf{k : Δ_k' < Δ_tol for all k' ≥ k}`.
 *
 * Import it by URL from any Deno script (every dependency is a pinned `npm:` specifier); the examples write
 * `from "kstar"` for that URL. Importing touches no `Deno.*` API: data passed in memory need no file access.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { analyze, headlineThreshold } from "kstar";
 * const result = await analyze({ dataset: "mnist", limit: 2048, epochs: 1, d: 5, mcDraws: 16, workers: 0 });
 * const t = headlineThreshold(result)!;
 * assert.equal(t.tolerance, 0.025);
 * assert.ok(t.kStar === null || t.samples === t.kStar * 64);
 * ```
 * @module
 */

// Configuration: the run specification, resolution and planning.
export type { AnalysisConfig, DataConfig, OnlineConfig, SharedConfig } from "./lib/config/types.ts";
export {
  type BackendName,
  type BackendRequest,
  BACKENDS,
  BUILTIN_CLASS_NAMES,
  BUILTIN_DATASETS,
  type BuiltinName,
  type CurveName,
  CURVES,
  type DataKind,
  DATASET_FORMATS,
  type DatasetFormat,
  EIGEN_MODES,
  type EigenMode,
  HEADER_MODES,
  type HeaderMode,
  SAMPLE_ORDERS,
  type SampleOrder,
} from "./lib/config/choices.ts";
export {
  ANALYSIS_DEFAULTS,
  type FieldGroup,
  type FieldInfo,
  fieldInfos,
  type FieldKind,
  ONLINE_DEFAULTS,
  parseResize,
  type RunMode,
} from "./lib/config/fields.ts";
export {
  defaultTolerance,
  RENAMED_FIELDS,
  resolveConfig,
  resolveOnlineConfig,
  tolerancesOf,
  upgradeConfig,
} from "./lib/config/resolve.ts";
export {
  type DatasetShape,
  estimateMemory,
  MAX_PARAMETERS,
  type PlanInput,
  type PlanOptions,
  planRun,
  type RunPlan,
} from "./lib/config/plan.ts";

// The analysis and Algorithm 1.
export { analyze, type AnalyzeOptions } from "./lib/analysis/analyze.ts";
export { type DataRecord, dataRecord, type DataSource } from "./lib/analysis/stages.ts";
export {
  online,
  ONLINE_SCHEMA,
  type OnlineOptions,
  type OnlineResult,
  type OnlineStep,
} from "./lib/analysis/online.ts";
export {
  type AnalysisResult,
  type KStarInterval,
  type LearningCurve,
  type LearningCurvePoint,
  type PowerFit,
  type ProgressEvent,
  RESULT_SCHEMA,
  type Stage,
  type Threshold,
  type Uncertainty,
} from "./lib/analysis/types.ts";
export {
  type BatchArrays,
  type OrderingOptions,
  type OrderingReplicates,
  orderingReplicates,
  type ReplicateCurves,
  replicatePlan,
  ReplicateWorkspace,
} from "./lib/analysis/orderings.ts";
export {
  GRID_PER_DECADE,
  intervalAt,
  kStarFromSuffixMax,
  kStarInterval,
  REPLICATE_KEYS,
  type ReplicateSummary,
  suffixMax,
  summarizeReplicates,
} from "./lib/analysis/intervals.ts";
export {
  learningCurve,
  type LearningCurveInput,
  learningCurveSizes,
  MAX_SIZES,
} from "./lib/analysis/learning_curve.ts";
export { upgradeResult } from "./lib/analysis/result_schema.ts";
export {
  blockEigenvalues,
  type DeltaCurves,
  deltaCurves,
  type EmpiricalDelta,
  empiricalDelta,
  runningMeans,
  secondOrderDelta,
  theoryDelta,
} from "./lib/analysis/estimators.ts";
export { type QuadraticCheck, quadraticCheck } from "./lib/analysis/quadratic_check.ts";
export {
  type CurveValues,
  findThreshold,
  fitPowerLaw,
  fitsOf,
  headlineThreshold,
  kStar,
  movingAverage,
  type PowerLaw,
  predictKStar,
  thresholdOf,
  thresholdsOf,
} from "./lib/analysis/thresholds.ts";

// Data: every format through loadDataset; arrays in memory through fromArrays; the readers and parsers.
export {
  type DataDescription,
  type Dataset,
  describeData,
  type Preprocessing,
  shapeOf,
  type Split,
  type Standardization,
  storedPreprocessing,
  type TestSplit,
} from "./lib/data/dataset.ts";
export { formatOf, loadDataset, type LoadDatasetOptions, probeDataset } from "./lib/data/load.ts";
export { classCount, type LabelSource } from "./lib/data/classes.ts";
export { type BuiltinOptions, loadBuiltin, type LoadProgress } from "./lib/data/builtin.ts";
export { loadIdxFolder } from "./lib/data/idx_folder.ts";
export {
  arrangeDataset,
  type ArrangeOptions,
  type ArrayValues,
  classesOf,
  type DatasetParts,
  fromArrays,
  type FromArraysOptions,
  type LabelledClasses,
  MAX_CLASSES,
  type RawLabels,
  splitSizes,
  standardizeSplits,
  stratifiedCounts,
  stratifiedSplit,
} from "./lib/data/assemble.ts";
export { naturalCompare } from "./lib/data/natural.ts";
export { type ParsedTable, parseTable, type TableOptions } from "./lib/data/table.ts";
export {
  loadTableFile,
  probeTableFile,
  type TableFileOptions,
  tableFormatOf,
} from "./lib/data/table_file.ts";
export {
  checkNpyLength,
  describeNpy,
  encodeNpy,
  type EncodeNpyOptions,
  type NpyArray,
  type NpyDtype,
  npyFeatures,
  type NpyHeader,
  npyLabels,
  parseDtype,
  parseNpy,
  parseNpyHeader,
} from "./lib/data/npy.ts";
export {
  loadNpyFolder,
  NPY_FOLDER_FILES,
  type NpyFolderOptions,
  probeNpyFolder,
} from "./lib/data/npy_folder.ts";
export {
  type DecodedImage,
  decodeImage,
  type ImageInfo,
  isImageName,
  resizeImage,
  sniffImage,
} from "./lib/data/images.ts";
export {
  type ImageFile,
  type ImageFolderOptions,
  type ImageFolderScan,
  loadImageFolder,
  probeImageFolder,
  scanImageFolder,
} from "./lib/data/image_folder.ts";
export { type DatasetList, type FoundDataset, listDatasets, type ListOptions } from "./lib/data/scan.ts";
export { type DatasetLocation, hideRoot, locateDataset, type PathLocation } from "./lib/data/locate.ts";
export {
  encodeIdxImages,
  encodeIdxLabels,
  type IdxImages,
  type IdxLabels,
  parseIdxImages,
  parseIdxLabels,
} from "./lib/data/idx.ts";
export { batchCount, batchView, limitSplit, shuffleSplit } from "./lib/data/batches.ts";

// Models and training.
export {
  type CnnSpec,
  describeModel,
  formatModelSpec,
  type MlpSpec,
  type ModelSpec,
  parseModelSpec,
} from "./lib/models/spec.ts";
export { initParams, type LayerLayout, type ModelLayout, modelLayout } from "./lib/models/layout.ts";
export {
  type EpochInfo,
  type GradientEngine,
  type MicroBatch,
  type MicroResult,
  train,
  TRAIN_DEFAULTS,
  type TrainOptions,
} from "./lib/train.ts";

// Compute: backends and the worker pool (losses, gradients, exact HVPs, projections).
export { type AdapterInfo, initBackend } from "./lib/backend.ts";
export { ComputePool, type PoolOptions } from "./lib/engine/pool.ts";
export type { BatchEval, BatchProjection } from "./lib/engine/shard.ts";

// Curvature as an operator, and the generic solvers that know nothing about networks.
export { networkHessian, type NetworkHessianOptions } from "./lib/curvature/hessian.ts";
export * from "./lib/linalg/mod.ts";

// Presentation: formatters, labels, colours, figures and reports.
export {
  fmt,
  fmtDuration,
  fmtInt,
  fmtLoss,
  fmtPercent,
  fmtSeconds,
  fmtTick,
  fmtTime,
  fmtTolerance,
  plural,
  unicodeMarkup,
} from "./lib/present/format.ts";
export { CURVE_DESCRIPTIONS, CURVE_LABELS, datasetLabel, STAGE_LABELS } from "./lib/present/labels.ts";
export { CURVE_COLORS, MARK_COLORS, SERIES_PALETTE, seriesColor } from "./lib/present/palette.ts";
export {
  type IntervalCell,
  intervalCell,
  predictionLine,
  type ThresholdCell,
  thresholdCell,
} from "./lib/present/threshold_view.ts";
export {
  type AxisSpec,
  BAND_LABEL,
  type BandSpec,
  compareFigure,
  type CompareRun,
  type Dash,
  deltaFigure,
  type DeltaFigureOptions,
  type FigureCurves,
  type FigureSpec,
  kStarHistogramFigure,
  type KStarHistogramInput,
  labelLanes,
  learningCurveFigure,
  type MarkerSpec,
  type OrderBand,
  orderBandLabel,
  type SeriesSpec,
} from "./lib/present/figures.ts";
export { scriptJson } from "./lib/present/script_json.ts";
export {
  type CsvOptions,
  curvesCsv,
  htmlReport,
  type HtmlReportOptions,
  renderSvg,
  summaryMarkdown,
  type SummaryOptions,
  type SummaryRow,
  summaryRows,
  summaryTable,
  type SvgOptions,
  thresholdsCsv,
} from "./lib/report/mod.ts";

// Errors.
export { ConfigError, DataError, describeValue } from "./lib/errors.ts";
