/**
 * The analysis configuration, its progress events and its result (a versioned JSON schema).
 * @module
 */
import type { BackendName, CurveName } from "../config/choices.ts";
import type { AnalysisConfig } from "../config/types.ts";
import type { DatasetShape } from "../config/plan.ts";
import type { QuadraticCheck } from "./quadratic_check.ts";
import type { DataKind, DatasetFormat, Preprocessing } from "../data/dataset.ts";
import type { EpochInfo } from "../train.ts";

export type { AnalysisConfig, OnlineConfig } from "../config/types.ts";
export type { BackendName, BackendRequest, CurveName, EigenMode } from "../config/choices.ts";
export type { DataKind, DatasetFormat, Preprocessing, Standardization, TestSplit } from "../data/dataset.ts";

/** A pipeline stage, in order. */
export type Stage =
  | "load"
  | "train"
  | "eigensolve"
  | "project"
  | "exact"
  | "thresholds"
  | "orderings"
  | "learningCurve"
  | "done";

/** A progress event: the stage, its completed fraction, a message, and (after "project") partial curves. */
export interface ProgressEvent {
  /** The stage this event belongs to; stages arrive in the order of {@link Stage}, ending with `"done"`. */
  stage: Stage;
  /** Fraction of the current stage done, in [0, 1]. */
  fraction: number;
  /** Fraction of the whole run done (stage-weighted estimate), in [0, 1]. */
  overall: number;
  /** A human-readable line, e.g. `"epoch 1/3: loss 0.3127, accuracy 90.52%"`; absent on pure progress ticks. */
  message?: string;
  /** Partial result fields available so far (e.g. `curves` once projections are done). */
  partial?: Partial<AnalysisResult>;
}

/** A k* for one curve, smoothing choice and tolerance. */
export interface Threshold {
  /** The Δ_k curve the threshold was taken on. */
  curve: CurveName;
  /** Whether it was taken on the curve's centred moving average (window 5) rather than the raw curve. */
  smoothed: boolean;
  /** The tolerance Δ_tol, > 0, in the units of Δ_k (squared mean cross-entropy, nats²). */
  tolerance: number;
  /** k* = inf{k : Δ_k' < tol for all k' ≥ k}; null when not reached within the data. */
  kStar: number | null;
  /** |D| = k*·B, or null. */
  samples: number | null;
  /** L_k(w*) at k*, or null. */
  lossAtK: number | null;
  /** When not reached: extrapolated from the power-law fit (null if the fit is unusable). */
  predictedKStar: number | null;
  /** `predictedKStar · B` (samples), or null when there is no prediction. */
  predictedSamples: number | null;
  /** How k* varies over random batch orders (and Monte Carlo resamples); null when `orderings` is 0. */
  interval: KStarInterval | null;
}

/**
 * The distribution of k* over random batch orders: its median, an interval holding `level` of the orders (central
 * when enough of them reach the tolerance; see `lib/analysis/orderings.ts`), and the fraction that reach it. In
 * batches; multiply by B for samples.
 */
export interface KStarInterval {
  /** The interval's level in (0, 1), e.g. 0.9. */
  level: number;
  /** Lower end (a k*), or null when fewer than `level` of the orders reach the tolerance. */
  low: number | null;
  /** Median k* over the orders (not reached counts as ∞), or null when fewer than half reach the tolerance. */
  median: number | null;
  /** Upper end (a k*), or null when fewer than `level` of the orders reach the tolerance. */
  high: number | null;
  /** Fraction of the orders in which the tolerance is reached within the data, in [0, 1]. */
  reached: number;
}

/** The ordering replicates behind every threshold's interval (`orderings` > 0). */
export interface Uncertainty {
  /** Number of random batch orders R. */
  orderings: number;
  /** Interval level in (0, 1). */
  level: number;
  /** Seed of the orders and resamples. */
  seed: number;
  /** Whether each order also resampled the Monte Carlo draws (a bootstrap). */
  drawsResampled: boolean;
  /** The quantiles of the bands: [(1 − level)/2, 0.5, (1 + level)/2]. */
  quantiles: number[];
  /** Per curve and smoothing: the quantile curves of Δ_k over the orders (`values[q][k − 1]`, q as `quantiles`). */
  bands: { curve: CurveName; smoothed: boolean; values: number[][] }[];
  /** Per configured tolerance, curve and smoothing: k* in each order (null: not reached), for histograms. */
  kStars: { curve: CurveName; smoothed: boolean; tolerance: number; values: (number | null)[] }[];
  /**
   * Per curve and smoothing: the interval at a log grid of tolerances (50 per decade) spanning the range where
   * the orders differ — for a tolerance control. Below the grid no order reaches a tolerance; above it, every
   * order has k* = 1.
   */
  grid: {
    curve: CurveName;
    smoothed: boolean;
    tolerances: number[];
    low: (number | null)[];
    median: (number | null)[];
    high: (number | null)[];
    reached: number[];
  }[];
  /** Seconds the replicates took. */
  seconds: number;
}

/** Test loss and accuracy of fresh models trained on the first n samples (`learningCurve: true`). */
export interface LearningCurve {
  /** One point per size n, ascending; the last is all the training data (the run's own w*). */
  points: LearningCurvePoint[];
  /** The training rule every size followed, in words. */
  rule: string;
  /** k*·B of the headline threshold the sizes are built around, or null when it is not reached. */
  kStarSamples: number | null;
  /** At k*·B against all the data: test accuracy and loss differences (all − at k*·B), or null. */
  gapAtKStar: { accuracy: number; loss: number } | null;
}

/** One size of a {@link LearningCurve}. */
export interface LearningCurvePoint {
  /** Training samples n (the first n of the run's order). */
  samples: number;
  /** Optimizer steps taken. */
  steps: number;
  /** Mean cross-entropy (nats) on the test split. */
  testLoss: number;
  /** Fraction of the test split classified correctly, in [0, 1]. */
  testAccuracy: number;
}

/** A fit Δ_k ≈ C·k^(−α) on the tail of a curve (log–log least squares). */
export interface PowerFit {
  /** The curve that was fitted. */
  curve: CurveName;
  /** The prefactor C > 0: the fitted Δ at k = 1, in the units of Δ_k. */
  C: number;
  /** The decay exponent α (> 0 when the curve decays; about 2 when Δ_k = O(1/k²)). */
  alpha: number;
  /** Coefficient of determination on log Δ, in [0, 1]. */
  r2: number;
  /** First k (1-based, inclusive) of the fitted range: by default the last three quarters of the curve. */
  fromK: number;
  /** Last k (inclusive) of the fitted range: the curve's last k, K − 1. */
  toK: number;
}

/** The schema tag of results this version writes. */
export const RESULT_SCHEMA = "kstar.result/3";

/** The result of an analysis (schema `kstar.result/3`; `upgradeResult` reads schemas 1 and 2). */
export interface AnalysisResult {
  /** The schema tag, always `"kstar.result/3"`. */
  schema: typeof RESULT_SCHEMA;
  /** ISO time the run finished. */
  createdAt: string;
  /** The resolved configuration (every default filled in). */
  config: AnalysisConfig;
  /** The backend the compute workers ran on. */
  backend: BackendName;
  /** Number of compute shares the data were split into: the worker count, or 1 when run in-process (`workers: 0`). */
  workers: number;
  /** The WebGPU adapter the workers ran on (vendor and device), or null on the wasm and cpu backends. */
  adapter: string | null;
  /** The dataset (its shape, format, class names and preprocessing) and the part of it that was analysed. */
  dataset: DatasetShape & {
    /** Where the samples came from: `builtin`, `idx`, `csv`, `tsv`, `npy`, `images` or `arrays` (in memory). */
    format: DatasetFormat;
    /** `images`, or `table` (rows of features: height 1, width = the feature count). */
    kind: DataKind;
    /** The name of each class, index = label (class folders, table labels; `"0"`, `"1"`, … for indices). */
    classNames: string[];
    /** What was done to the values before training: scaling, standardisation, resizing, order, test split. */
    preprocessing: Preprocessing;
    /** Samples in the K full batches analysed. */
    usedSamples: number;
    /** K: number of batches. */
    batches: number;
    /** Training samples after the last full batch (of those `limit` kept), not analysed. */
    droppedSamples: number;
  };
  /** The model that was trained. */
  model: {
    /** Canonical model string, e.g. `"mlp:128,64"`. */
    spec: string;
    /** Short description, e.g. `"Multi-layer MLP"`. */
    description: string;
    /** Number of trainable parameters (the Hessian's dimension). */
    parameters: number;
  };
  /** Training progress and the trained model's quality at w*. */
  training: {
    /** One entry per training epoch, in order. */
    epochs: EpochInfo[];
    /** Mean cross-entropy (nats) at w* over the K·B analysed training samples. */
    trainLoss: number;
    /** Fraction of the K·B analysed training samples classified correctly, in [0, 1]. */
    trainAccuracy: number;
    /** Mean cross-entropy (nats) at w* over the test split; NaN (null in JSON) when it is empty. */
    testLoss: number;
    /** Fraction of the test split classified correctly, in [0, 1]; NaN (null in JSON) when it is empty. */
    testAccuracy: number;
  };
  /** Top-d eigenpairs of the full-data Hessian at w* (Lanczos). */
  spectrum: {
    /** The top-d eigenvalues λ_1 ≥ … ≥ λ_d of the Hessian of the mean loss over the K·B samples. */
    values: number[];
    /** Relative residuals `‖H v − λ v‖ / |λ|` of the pairs, one per value (compare with `lanczosTol`). */
    residuals: number[];
    /** Lanczos iterations over all runs. */
    iterations: number;
    /** Hessian-vector products (full-data passes) spent. */
    hvps: number;
    /** Whether every pair met `lanczosTol`. */
    converged: boolean;
  };
  /** Per-k curves; arrays indexed by k − 1. Δ arrays have K − 1 entries (k = 1..K−1). */
  curves: {
    /** The batch counts 1..K. */
    k: number[];
    /** L_k(w*): mean cross-entropy (nats) over the first k batches; K entries. */
    loss: number[];
    /** Eigenvalues of Λ_k = Pᵀ H_k P, descending, d per k. */
    eigenvalues: number[][];
    /** Mean over θ of L_k(w* + Pθ) (quadratic-regime diagnostic); K entries. */
    meanPerturbedLoss: number[];
    /** Monte Carlo Δ_k = mean over the `mcDraws` draws of θ of (L_{k+1} − L_k)², ≥ 0, nats². */
    empirical: number[];
    /** Standard error of each `empirical` value (sample standard deviation / √mcDraws). */
    empiricalSE: number[];
    /** The paper's estimate σ⁴/4 · (2 Σ δ_i² + (Σ δ_i)²) from the eigenvalue changes δ_i of Λ_k. */
    theory: number[];
    /** The exact Δ_k of the second-order model (loss, gradient and curvature changes in the subspace). */
    secondOrder: number[];
    /** The three curves after a centred moving average over 5 points (edges replicated). */
    smoothed: { empirical: number[]; theory: number[]; secondOrder: number[] };
  };
  /** With eigenMode "exact": exact top-d eigenvalues of H_k at some k, and their distance to the projected ones. */
  exact: {
    /** The k at which H_k was solved: every `exactEvery`-th, and K. */
    k: number[];
    /** The exact top-d eigenvalues of H_k, descending, one list per entry of `k`. */
    eigenvalues: number[][];
    /** Per entry of `k`: max over i of |λ_i(exact) − λ_i(Λ_k)| / |λ_i(exact)|, ≥ 0. */
    maxRelativeGap: number[];
  } | null;
  /** One threshold per tolerance × curve (`empirical`, `theory`, `secondOrder`) × smoothed (true, false), in that order. */
  thresholds: Threshold[];
  /** Power-law fits of the curves whose tails allow one (0 to 3 entries). */
  fits: PowerFit[];
  /** The ordering replicates behind the thresholds' intervals; null when `orderings` is 0. */
  uncertainty: Uncertainty | null;
  /** What k*·B samples buy in test accuracy (`learningCurve: true`), or null. */
  learningCurve: LearningCurve | null;
  /** Second-order validity: the mean perturbed full-data loss against its quadratic prediction. */
  quadraticCheck: QuadraticCheck;
  /** Seconds per stage, and in total. */
  timings: Record<string, number>;
  /** Human-readable warnings about the run (sorted data, unconverged Lanczos, leaving the quadratic regime, …). */
  warnings: string[];
}
