/**
 * The configuration types of a run. Each field's default, range, unit, CLI flag and help text are defined
 * once, in `fields.ts`; the compiler checks that those definitions and these types agree.
 * @module
 */
import type { BackendRequest, CurveName, EigenMode, HeaderMode, SampleOrder } from "./choices.ts";

/**
 * How a user dataset is read: the fields of a run that tell the loaders about the data (shared by the analysis
 * and online mode). Each applies to the formats its doc names; given for another format it is an error.
 */
export interface DataConfig {
  /** The class count when the labels alone do not tell it (integer labels); null = from the training labels. */
  classes: number | null;
  /** A table's label column: its header name, or its 1-based number; null = the last column. */
  labelColumn: string | null;
  /** Whether a table's first row is a header: detected (`auto`), or given (`yes` / `no`). */
  header: HeaderMode;
  /** A table's test split from a second file (a path, inside the data root when there is one); null = none. */
  testData: string | null;
  /** The seeded, class-stratified fraction held out for testing when a dataset has no test split of its own. */
  testFraction: number;
  /** Standardise a table's features with the training split's mean and standard deviation. */
  standardize: boolean;
  /** Resize every image of an image folder to `H×W` pixels (bilinear); null = all images must share one size. */
  resize: string | null;
  /** The sample order of image folders and tables: a seeded shuffle, or the files' own order. */
  order: SampleOrder;
}

/** The fields both kinds of run have (the data fields among them). */
export interface SharedConfig extends DataConfig {
  /** `"mnist"`, `"fashion-mnist"`, or a path to a dataset: a folder (IDX, NumPy, images) or a CSV/TSV table. */
  dataset: string;
  /** `"mlp:128,64"`, `"mlp:128"`, `"cnn"`, `"cnn:16,32"`. */
  model: string;
  /** Use only the first N training samples (after the fixed split); null = all. */
  limit: number | null;
  /** Batch size B of the fixed-order batches (in online mode, the step by which the data grow); |D| = k·B. */
  batchSize: number;
  /** Number of top Hessian eigen-directions d. */
  d: number;
  /** Monte Carlo draws of θ ~ N(0, σ²I_d) for the empirical Δ_k. */
  mcDraws: number;
  /** Standard deviation σ of θ. */
  sigma: number;
  /** Adam learning rate. */
  learningRate: number;
  /** Training mini-batch size (capped at the data size). */
  trainBatchSize: number;
  /** Seed for initialisation, shuffles, Lanczos start and Monte Carlo. */
  seed: number;
  /** Backend request. */
  backend: BackendRequest;
  /** Compute workers (0 = in-process); null = one per core. */
  workers: number | null;
  /** Relative Ritz residual tolerance of Lanczos. */
  lanczosTol: number;
}

/** Everything that defines an analysis run. Every field has a default (see `ANALYSIS_FIELDS` in `fields.ts`). */
export interface AnalysisConfig extends SharedConfig {
  /** Tolerances Δ_tol; null = the dataset's default (0.03 for fashion-mnist, else 0.025). */
  tolerances: number[] | null;
  /** Random batch orders R for the interval on k* (each also resamples the Monte Carlo draws); 0 = none. */
  orderings: number;
  /** Level of the k* interval over batch orders, in (0, 1). */
  level: number;
  /** Also train fresh models on sizes around k*·B and report their test loss and accuracy. */
  learningCurve: boolean;
  /** Training epochs. */
  epochs: number;
  /** How the eigenvalues of H_k are obtained for every k. */
  eigenMode: EigenMode;
  /** With `eigenMode: "exact"`, solve H_k exactly every this many batches. */
  exactEvery: number;
}

/** Settings of the online algorithm (Algorithm 1): the shared fields and its own (see `ONLINE_FIELDS`). */
export interface OnlineConfig extends SharedConfig {
  /** The one tolerance Δ_tol the run stops at; null = the dataset's default. */
  tolerance: number | null;
  /** Which Δ_k estimate decides: the paper's Algorithm 1 uses the eigenvalue formula ("theory"). */
  criterion: CurveName;
  /** Stop after this many consecutive batches below tolerance. */
  patience: number;
  /** Adam steps after each new batch. */
  stepsPerBatch: number;
}
