/**
 * # kstar — how much training data is enough?
 *
 * kstar trains a classifier, finds the top-d eigenvectors of the loss Hessian at the trained weights w*
 * (Lanczos on exact Hessian-vector products), and measures how much the loss landscape in that subspace
 * still changes when one more batch of data is added:
 * `Δ_k = E_θ (L_{k+1}(w* + Pθ) − L_k(w* + Pθ))²`. The Δ-sufficient dataset size is `k*·B` with
 * `k* = inf{k : Δ_k' < Δ_tol for all k' ≥ k}`.
 *
 * Import it by URL from any Deno script (every dependency is a pinned `npm:` specifier):
 *
 * @example
 * ```ts
 * import { analyze, headlineThreshold } from "./mod.ts";
 * const result = await analyze({ dataset: "mnist", limit: 2048, epochs: 1, d: 5, samples: 16 });
 * const t = headlineThreshold(result)!;
 * console.log(t.kStar === null ? "not reached" : `|D| = ${t.samples} samples`);
 * ```
 * @module
 */

// The analysis.
export { analyze, type AnalyzeOptions, headlineThreshold, poolHessian } from "./lib/analysis/analyze.ts";
export {
  DEFAULT_CONFIG,
  defaultTolerance,
  LIMITS,
  resolveConfig,
  tolerancesOf,
} from "./lib/analysis/config.ts";
export type {
  AnalysisConfig,
  AnalysisResult,
  CurveName,
  EigenMode,
  PowerFit,
  ProgressEvent,
  Stage,
  Threshold,
} from "./lib/analysis/types.ts";
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
export { fitPowerLaw, kStar, movingAverage, type PowerLaw, predictKStar } from "./lib/analysis/thresholds.ts";
export {
  online,
  ONLINE_DEFAULTS,
  type OnlineConfig,
  type OnlineResult,
  type OnlineStep,
  resolveOnlineConfig,
} from "./lib/analysis/online.ts";

// Data.
export type { Dataset, Split } from "./lib/data/dataset.ts";
export { loadDataset, type LoadDatasetOptions } from "./lib/data/load.ts";
export { BUILTIN_DATASETS, loadBuiltin } from "./lib/data/builtin.ts";
export { loadIdxFolder } from "./lib/data/idx_folder.ts";
export { encodeIdxImages, encodeIdxLabels, parseIdxImages, parseIdxLabels } from "./lib/data/idx.ts";
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
export { type EpochInfo, train, TRAIN_DEFAULTS, type TrainOptions } from "./lib/train.ts";

// Compute: backends and the worker pool (losses, gradients, exact HVPs, projections).
export { type BackendName, type BackendRequest, BACKENDS, initBackend } from "./lib/backend.ts";
export { ComputePool, type PoolOptions } from "./lib/engine/pool.ts";

// Curvature as an operator: solvers that know nothing about networks.
export {
  countingOperator,
  denseOperator,
  diagonalOperator,
  type EigenpairResult,
  lanczos,
  type LanczosOptions,
  powerIteration,
  type PowerIterationOptions,
  symmetricEigen,
  type SymmetricOperator,
} from "./lib/hessian/mod.ts";

// Reports.
export { curvesCsv, htmlReport, summaryTable } from "./lib/report/mod.ts";

// Types that appear in the signatures above.
export type { BuiltinName, BuiltinOptions, LoadProgress } from "./lib/data/builtin.ts";
export type { IdxImages, IdxLabels } from "./lib/data/idx.ts";
export type { BatchEval, BatchProjection } from "./lib/engine/shard.ts";
export type {
  CountingOperator,
  LanczosIterationInfo,
  PowerIterationInfo,
  SymmetricEigen,
  SymmetricEigenOptions,
  Which,
} from "./lib/hessian/mod.ts";
export type { CsvOptions, HtmlReportOptions, SummaryOptions } from "./lib/report/mod.ts";

// Errors.
export { ConfigError, DataError } from "./lib/errors.ts";
