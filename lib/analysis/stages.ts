/**
 * The steps the analysis and online mode (Algorithm 1) share: getting the data and the plan, starting the
 * compute pool under one abort policy, training, the top-d eigenpairs of a network Hessian, and the per-batch
 * projections turned into Δ_k curves. Each pipeline strings them together; neither re-implements one.
 * @module
 */
import { type BackendName, type BackendRequest, initBackend } from "../backend.ts";
import {
  type DatasetShape,
  type PlanInput,
  type PlanOptions,
  planRun,
  type RunPlan,
} from "../config/plan.ts";
import { DATA_KEYS } from "../config/fields.ts";
import type { DataConfig } from "../config/types.ts";
import { limitSplit } from "../data/batches.ts";
import type { LoadProgress } from "../data/builtin.ts";
import { type DataDescription, type Dataset, describeData, shapeOf, type Split } from "../data/dataset.ts";
import { ComputePool } from "../engine/pool.ts";
import type { BatchProjection } from "../engine/shard.ts";
import { networkHessian } from "../curvature/hessian.ts";
import { lanczos, type LanczosIterationInfo } from "../linalg/lanczos.ts";
import type { EigenpairResult } from "../linalg/operator.ts";
import type { ModelLayout } from "../models/layout.ts";
import { Rng } from "../rng.ts";
import { type DeltaCurves, deltaCurves } from "./estimators.ts";
import type { GradientEngine } from "../train.ts";

/** Where a run's data come from. */
export interface DataSource {
  /** A dataset already in memory (then `dataset` only names it), e.g. from `fromArrays`. */
  data?: Dataset;
  /** A folder dataset must lie under this folder. */
  dataRoot?: string;
  /** Where built-in datasets and decoded image folders are cached. */
  cacheDir?: string;
}

/** The config fields that say which data a run reads and how. */
export type DataInput = DataConfig & { dataset: string; seed: number };

/**
 * The dataset of a run: the one passed in memory, else loaded by name or path (the file loaders are imported
 * only then, so a library user who passes data never loads them).
 */
export async function loadRunData(
  config: DataInput,
  src: DataSource,
  onProgress?: (p: LoadProgress) => void,
): Promise<Dataset> {
  if (src.data) return src.data;
  const { loadDataset } = await import("../data/load.ts");
  const data: Partial<DataConfig> = Object.fromEntries(DATA_KEYS.map((k) => [k, config[k]]));
  return await loadDataset(config.dataset, {
    ...data,
    seed: config.seed,
    dataRoot: src.dataRoot,
    cacheDir: src.cacheDir,
    onProgress,
  });
}

/** The data and plan of a run: its training split (after `limit`), checked against the config. */
export interface PlannedData {
  data: Dataset;
  plan: RunPlan;
  /** The training samples the run uses (the first `plan.trainSamples`). */
  train: Split;
}

/** What a result records about its data: its shape and split sizes, format, class names and preprocessing. */
export type DataRecord = Omit<DatasetShape, "format" | "kind"> & DataDescription;

/** The {@link DataRecord} of a run's data. */
export function dataRecord(data: Dataset, shape: DatasetShape): DataRecord {
  return {
    name: data.name,
    ...describeData(data),
    height: data.height,
    width: data.width,
    channels: shape.channels,
    classes: data.classes,
    trainSamples: data.train.n,
    testSamples: data.test.n,
  };
}

/** Loads the data and plans the run on them (see `planRun`). */
export async function planData(
  config: PlanInput & DataInput,
  src: DataSource,
  opts: PlanOptions = {},
  onProgress?: (p: LoadProgress) => void,
): Promise<PlannedData> {
  const data = await loadRunData(config, src, onProgress);
  const plan = planRun(config, shapeOf(data), opts);
  const train = plan.trainSamples === data.train.n ? data.train : limitSplit(data.train, plan.trainSamples);
  return { data, plan, train };
}

/**
 * Starts the training backend and a compute pool, runs `fn`, and closes the pool however `fn` ends. The one
 * abort policy of every pipeline: when `signal` aborts, the pool is closed at once (its workers stop) and the
 * promise rejects with the signal's reason — not with whatever the closed pool made `fn` throw.
 */
export async function withPool<T>(
  request: { backend: BackendRequest; workers: number | null },
  signal: AbortSignal | undefined,
  fn: (pool: ComputePool, trainingBackend: BackendName) => Promise<T>,
): Promise<T> {
  signal?.throwIfAborted();
  // The workers start the backend this realm resolved (so `auto` probes for a GPU once, here).
  const backend = await initBackend(request.backend);
  const pool = await ComputePool.create({ workers: request.workers ?? undefined, backend });
  const onAbort = () => pool.close();
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    signal?.throwIfAborted();
    return await fn(pool, backend);
  } catch (e) {
    signal?.throwIfAborted();
    throw e;
  } finally {
    signal?.removeEventListener("abort", onAbort);
    await pool.close();
  }
}

/**
 * Where training computes its micro-batch gradients: in the pool's workers when there are several and a
 * step's products are heavy enough to outweigh passing weights and gradients between threads (convolutional
 * models: ~100 M multiply-adds per step of 128 samples), else in this realm (a dense model's step is mostly
 * per-op overhead). The weights come out the same either way (see `train`).
 */
export function trainingEngine(pool: ComputePool, layout: ModelLayout): GradientEngine | undefined {
  return pool.size > 1 && layout.layers.some((l) => l.kind === "conv") ? pool : undefined;
}

/** Options of {@link topEigenpairs}. */
export interface EigenOptions {
  /** Eigenpairs wanted. */
  d: number;
  /** Relative Ritz residual tolerance. */
  tol: number;
  /** Seed of the random start. */
  seed: number;
  /** A warm start (e.g. `warmStartVector` of the previous step's eigenvectors). */
  startVector?: Float64Array;
  /** Krylov basis limit; default max(10d, 200), at most the parameter count. */
  maxIter?: number;
  signal?: AbortSignal;
  onIteration?: (info: LanczosIterationInfo) => void;
}

/**
 * The top-d eigenpairs of the Hessian of the mean loss over the first `samples` samples of a pool dataset, by
 * Lanczos on exact Hessian-vector products.
 */
export function topEigenpairs(
  pool: ComputePool,
  dataset: string,
  layout: ModelLayout,
  samples: number,
  o: EigenOptions,
): Promise<EigenpairResult> {
  const H = networkHessian(pool, { dataset, dim: layout.size, samples, reduction: "mean" });
  return lanczos(H, {
    k: o.d,
    tol: o.tol,
    seed: o.seed,
    maxIter: Math.min(layout.size, o.maxIter ?? Math.max(10 * o.d, 200)),
    startVector: o.startVector,
    signal: o.signal,
    onIteration: o.onIteration,
  });
}

/** The eigenvectors as the pool's direction block: `d × size` float32, row-major. */
export function directionBlock(vectors: readonly Float64Array[], size: number): Float32Array {
  const dirs = new Float32Array(vectors.length * size);
  vectors.forEach((v, i) => dirs.set(v, i * size));
  return dirs;
}

/** The Monte Carlo draws θ_s ~ N(0, σ²I_d), `draws × d`, from the run's seed. */
export function monteCarloDraws(seed: number, draws: number, d: number, sigma: number): Float64Array {
  return new Rng(seed ^ 0x5eed).fillNormal(new Float64Array(draws * d), sigma);
}

/** The Δ_k curves of one projection pass and the per-batch sums they were made from. */
export interface ProjectedCurves {
  curves: DeltaCurves;
  /** The per-batch sums (reused by the ordering replicates). */
  batches: BatchProjection;
}

/**
 * One projection pass over a pool dataset onto the directions, and the three Δ_k estimates from it (see
 * `deltaCurves`), with the per-batch sums kept for reuse.
 */
export async function projectedCurves(
  pool: ComputePool,
  dataset: string,
  dirs: Float32Array,
  d: number,
  thetas: Float64Array,
  batchSize: number,
  sigma: number,
): Promise<ProjectedCurves> {
  const batches = await pool.project(dataset, dirs, d, thetas);
  return { curves: deltaCurves(batches, d, batchSize, sigma), batches };
}
