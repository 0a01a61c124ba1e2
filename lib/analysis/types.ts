/**
 * The analysis configuration, its progress events and its result (a versioned JSON schema).
 * @module
 */
import type { BackendName, BackendRequest } from "../backend.ts";
import type { EpochInfo } from "../train.ts";

/** How the eigenvalues of `H_k` are obtained for every k. */
export type EigenMode = "projected" | "exact";

/** Everything that defines an analysis run. Every field has a default (see `DEFAULT_CONFIG`). */
export interface AnalysisConfig {
  /** `"mnist"`, `"fashion-mnist"` or a folder of IDX files. */
  dataset: string;
  /** `"mlp:128,64"`, `"mlp:128"`, `"cnn"`, `"cnn:16,32"`. */
  model: string;
  /** Use only the first N training samples (after the fixed split); null = all. */
  limit: number | null;
  /** Batch size B of the fixed-order batches. */
  batchSize: number;
  /** Number of top Hessian eigen-directions d. */
  d: number;
  /** Monte Carlo samples K. */
  samples: number;
  /** Standard deviation σ of θ ~ N(0, σ²I_d). */
  sigma: number;
  /** Tolerances Δ_tol; null = the dataset's default (0.03 for fashion-mnist, else 0.025). */
  tolerances: number[] | null;
  /** Training epochs. */
  epochs: number;
  /** Adam learning rate. */
  learningRate: number;
  /** Training mini-batch size. */
  trainBatchSize: number;
  /** Seed for initialisation, shuffles, Lanczos start and Monte Carlo. */
  seed: number;
  /** Backend request. */
  backend: BackendRequest;
  /** Compute workers (0 = in-process). null = one per core. */
  workers: number | null;
  /** Relative Ritz residual tolerance of Lanczos. */
  lanczosTol: number;
  /** `projected`: Λ_k = Pᵀ H_k P for all k from per-batch projections; `exact`: also Lanczos on H_k every `exactEvery` batches. */
  eigenMode: EigenMode;
  /** With `eigenMode: "exact"`, solve H_k exactly every this many batches. */
  exactEvery: number;
}

/** A pipeline stage, in order. */
export type Stage =
  | "load"
  | "train"
  | "eigensolve"
  | "project"
  | "montecarlo"
  | "exact"
  | "thresholds"
  | "done";

/** A progress event: the stage, its completed fraction, a message, and (after "project") partial curves. */
export interface ProgressEvent {
  stage: Stage;
  /** Fraction of the current stage done, in [0, 1]. */
  fraction: number;
  /** Fraction of the whole run done (stage-weighted estimate), in [0, 1]. */
  overall: number;
  message?: string;
  /** Partial result fields available so far (e.g. `curves` once projections are done). */
  partial?: Partial<AnalysisResult>;
}

/** A k* for one curve, smoothing choice and tolerance. */
export interface Threshold {
  curve: CurveName;
  smoothed: boolean;
  tolerance: number;
  /** k* = inf{k : Δ_k' < tol for all k' ≥ k}; null when not reached within the data. */
  kStar: number | null;
  /** |D| = k*·B, or null. */
  samples: number | null;
  /** L_k(w*) at k*, or null. */
  lossAtK: number | null;
  /** When not reached: extrapolated from the power-law fit (null if the fit is unusable). */
  predictedKStar: number | null;
  predictedSamples: number | null;
}

/** The Δ_k curves. */
export type CurveName = "empirical" | "theory" | "secondOrder";

/** A fit Δ_k ≈ C·k^(−α) on the tail of a curve (log–log least squares). */
export interface PowerFit {
  curve: CurveName;
  C: number;
  alpha: number;
  /** Coefficient of determination on log Δ. */
  r2: number;
  fromK: number;
  toK: number;
}

/** The result of an analysis (schema `kstar.result/1`). */
export interface AnalysisResult {
  schema: "kstar.result/1";
  /** ISO time the run finished. */
  createdAt: string;
  config: AnalysisConfig;
  backend: BackendName;
  workers: number;
  dataset: {
    name: string;
    height: number;
    width: number;
    classes: number;
    trainSamples: number;
    testSamples: number;
    /** Samples in the K full batches analysed. */
    usedSamples: number;
    /** K: number of batches. */
    batches: number;
  };
  model: { spec: string; description: string; parameters: number };
  training: {
    epochs: EpochInfo[];
    trainLoss: number;
    trainAccuracy: number;
    testLoss: number;
    testAccuracy: number;
  };
  /** Top-d eigenpairs of the full-data Hessian at w* (Lanczos). */
  spectrum: {
    values: number[];
    residuals: number[];
    iterations: number;
    hvps: number;
    converged: boolean;
  };
  /** Per-k curves; arrays indexed by k − 1. Δ arrays have K − 1 entries (k = 1..K−1). */
  curves: {
    k: number[];
    /** L_k(w*). */
    loss: number[];
    /** Eigenvalues of Λ_k = Pᵀ H_k P, descending, d per k. */
    eigenvalues: number[][];
    /** Mean over θ of L_k(w* + Pθ) (quadratic-regime diagnostic). */
    meanPerturbedLoss: number[];
    empirical: number[];
    empiricalSE: number[];
    theory: number[];
    secondOrder: number[];
    smoothed: { empirical: number[]; theory: number[]; secondOrder: number[] };
  };
  /** With eigenMode "exact": exact top-d eigenvalues of H_k at some k, and their distance to the projected ones. */
  exact: { k: number[]; eigenvalues: number[][]; maxRelativeGap: number[] } | null;
  thresholds: Threshold[];
  fits: PowerFit[];
  /** Second-order validity: mean perturbed full-data loss vs L(w*), and its predicted value L + σ²/2·tr Λ_K. */
  quadraticCheck: {
    lossAtOptimum: number;
    meanPerturbed: number;
    predicted: number;
    relativeError: number;
    ok: boolean;
  };
  /** Seconds per stage, and in total. */
  timings: Record<string, number>;
  warnings: string[];
}
