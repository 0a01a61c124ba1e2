/**
 * Algorithm 1 (online): grow the data one batch at a time, update the model, estimate Δ_k at the current
 * weights, and stop once Δ_k < Δ_tol for `patience` consecutive batches.
 * @module
 */
import { type BackendRequest, BACKENDS, initBackend } from "../backend.ts";
import { limitSplit } from "../data/batches.ts";
import type { Dataset } from "../data/dataset.ts";
import { loadDataset } from "../data/load.ts";
import { ComputePool } from "../engine/pool.ts";
import { checkChoice, checkInt, checkNumber, ConfigError } from "../errors.ts";
import { lanczos } from "../hessian/lanczos.ts";
import { initParams, modelLayout } from "../models/layout.ts";
import { parseModelSpec } from "../models/spec.ts";
import { Rng } from "../rng.ts";
import { train } from "../train.ts";
import { poolHessian } from "./analyze.ts";
import { defaultTolerance } from "./config.ts";
import { deltaCurves } from "./estimators.ts";
import type { CurveName } from "./types.ts";

/** Settings of the online algorithm. */
export interface OnlineConfig {
  /** `"mnist"`, `"fashion-mnist"` or a folder of IDX files. */
  dataset: string;
  /** Model string: `"mlp:128,64"`, `"mlp:128"`, `"cnn"`, `"cnn:16,32"`. */
  model: string;
  /** Use only the first N training samples, an integer in [1, 10⁷]; null = all. */
  limit: number | null;
  /** Batch size B by which the data grow, an integer in [1, 65536]. */
  batchSize: number;
  /** Number of top Hessian eigen-directions d, an integer in [1, 100]. */
  d: number;
  /** Monte Carlo samples of θ, an integer in [2, 4096]. */
  samples: number;
  /** Standard deviation σ of θ ~ N(0, σ²I_d), in (0, 1000]. */
  sigma: number;
  /** Δ_tol, in (0, 10⁶]; null = the dataset's default (see `defaultTolerance`). */
  tolerance: number | null;
  /** Which Δ_k estimate decides: the paper's Algorithm 1 uses the eigenvalue formula ("theory"). */
  criterion: CurveName;
  /** Stop after this many consecutive batches below tolerance, an integer in [1, 1000]. */
  patience: number;
  /** Adam steps after each new batch, an integer in [1, 10⁶]. */
  stepsPerBatch: number;
  /** Adam learning rate, in (0, 10]. */
  learningRate: number;
  /** Mini-batch size of the Adam steps, an integer in [1, 65536] (capped at the current data size). */
  trainBatchSize: number;
  /** Seed for initialisation, shuffles, Lanczos starts and Monte Carlo, an integer in [0, 2³¹ − 1]. */
  seed: number;
  /** Backend request: `"auto"`, `"webgpu"`, `"wasm"` or `"cpu"`. */
  backend: BackendRequest;
  /** Compute workers, an integer in [0, 64] (0 = in-process); null = one per core (at most 8). */
  workers: number | null;
  /** Relative Ritz residual tolerance of Lanczos, in (0, 0.5]. */
  lanczosTol: number;
}

/** Defaults of {@link OnlineConfig}. */
export const ONLINE_DEFAULTS: OnlineConfig = {
  dataset: "mnist",
  model: "mlp:128,64",
  limit: null,
  batchSize: 64,
  d: 10,
  samples: 64,
  sigma: 1,
  tolerance: null,
  criterion: "theory",
  patience: 3,
  stepsPerBatch: 50,
  learningRate: 2e-3,
  trainBatchSize: 64,
  seed: 0,
  backend: "auto",
  workers: null,
  lanczosTol: 1e-2,
};

/** One batch of the online run. */
export interface OnlineStep {
  /** Batches in D. */
  k: number;
  /** |D| = k·B. */
  samples: number;
  /** L_k at the current weights: mean cross-entropy (nats) over the first k batches. */
  loss: number;
  /** Monte Carlo Δ_k at the current weights (mean over θ of (L_{k+1} − L_k)²), ≥ 0, nats². */
  empirical: number;
  /** Standard error of `empirical`, ≥ 0. */
  empiricalSE: number;
  /** The paper's eigenvalue estimate of Δ_k (Pᵀ H_k P vs Pᵀ H_{k+1} P), ≥ 0. */
  theory: number;
  /** The second-order model's exact Δ_k, ≥ 0. */
  secondOrder: number;
  /** Eigenvalues of Pᵀ H_k P. */
  eigenvalues: number[];
  /** Hessian-vector products the step's Lanczos solve spent. */
  hvps: number;
  /** Wall-clock seconds of the step (training, Lanczos, projections). */
  seconds: number;
}

/** The outcome of the online algorithm. */
export interface OnlineResult {
  /** The schema tag, always `"kstar.online/1"`. */
  schema: "kstar.online/1";
  /** The resolved configuration (every default filled in). */
  config: OnlineConfig;
  /** The backend training ran on (`"webgpu"`, `"wasm"` or `"cpu"`). */
  backend: string;
  /** True when Δ stayed below tolerance for `patience` batches before the data ran out. */
  reached: boolean;
  /** |D| in batches (the k at which the run stopped), or null. */
  kStar: number | null;
  /** |D| = k*·B, or null. */
  samples: number | null;
  /** The Δ_tol the run compared against: the configured one or the dataset's default. */
  tolerance: number;
  /** One step per batch processed, in order (k = 1, 2, …). */
  trace: OnlineStep[];
  /** The trained weights at the stop. */
  weights: Float32Array;
  /** Wall-clock seconds of the whole run. */
  seconds: number;
}

/**
 * Validates an online config, filling defaults.
 *
 * @throws {ConfigError} naming the first field that is unknown or out of range
 *
 * @example
 * ```ts
 * import { resolveOnlineConfig } from "./online.ts";
 * const c = resolveOnlineConfig({ patience: 5 });
 * console.log(c.patience, c.criterion, c.stepsPerBatch); // 5 "theory" 50
 * ```
 */
export function resolveOnlineConfig(input: Partial<OnlineConfig> = {}): OnlineConfig {
  for (const k of Object.keys(input)) {
    if (!(k in ONLINE_DEFAULTS)) {
      throw new ConfigError(
        k,
        (input as Record<string, unknown>)[k],
        `a known field: ${Object.keys(ONLINE_DEFAULTS).join(", ")}`,
      );
    }
  }
  const c = { ...ONLINE_DEFAULTS, ...input };
  parseModelSpec(c.model);
  if (c.limit !== null) checkInt("limit", c.limit, 1, 1e7);
  checkInt("batchSize", c.batchSize, 1, 65536);
  checkInt("d", c.d, 1, 100);
  checkInt("samples", c.samples, 2, 4096);
  checkNumber("sigma", c.sigma, 0, 1e3, true);
  if (c.tolerance !== null) checkNumber("tolerance", c.tolerance, 0, 1e6, true);
  checkChoice("criterion", c.criterion, ["empirical", "theory", "secondOrder"] as const);
  checkInt("patience", c.patience, 1, 1000);
  checkInt("stepsPerBatch", c.stepsPerBatch, 1, 1e6);
  checkNumber("learningRate", c.learningRate, 0, 10, true);
  checkInt("trainBatchSize", c.trainBatchSize, 1, 65536);
  checkInt("seed", c.seed, 0, 2 ** 31 - 1);
  checkChoice("backend", c.backend, BACKENDS);
  if (c.workers !== null) checkInt("workers", c.workers, 0, 64);
  checkNumber("lanczosTol", c.lanczosTol, 0, 0.5, true);
  return c;
}

/**
 * Runs Algorithm 1. Each step k trains `stepsPerBatch` Adam steps on the first k batches, finds the top-d
 * eigenvectors of H_{k+1} at the current weights (Lanczos, warm-started from the previous step), projects
 * batches 1..k+1 onto them, and evaluates Δ_k three ways.
 *
 * @example
 * ```ts
 * import { online } from "./online.ts";
 * const r = await online({ limit: 640, batchSize: 32, d: 3, samples: 8, stepsPerBatch: 10, tolerance: 0.5, workers: 0 });
 * console.log(r.reached, r.samples, r.trace.length);
 * ```
 */
export async function online(
  input: Partial<OnlineConfig> = {},
  opts: {
    onStep?: (s: OnlineStep) => void;
    signal?: AbortSignal;
    data?: Dataset;
    dataRoot?: string;
    cacheDir?: string;
  } = {},
): Promise<OnlineResult> {
  const c = resolveOnlineConfig(input);
  const started = performance.now();
  const data = opts.data ??
    await loadDataset(c.dataset, { dataRoot: opts.dataRoot, cacheDir: opts.cacheDir });
  const split = c.limit === null ? data.train : limitSplit(data.train, Math.min(c.limit, data.train.n));
  const B = c.batchSize;
  const K = Math.floor(split.n / B);
  if (K < 3) throw new ConfigError("batchSize", B, `at most ${Math.floor(split.n / 3)} (at least 3 batches)`);
  const tol = c.tolerance ?? defaultTolerance(c.dataset);
  const layout = modelLayout(parseModelSpec(c.model), data.height, data.width, data.classes);
  if (c.d > layout.size) throw new ConfigError("d", c.d, `an integer in [1, ${layout.size}]`);
  const backend = await initBackend(c.backend);
  const pool = await ComputePool.create({ workers: c.workers ?? undefined, backend: c.backend });
  const thetas = new Rng(c.seed ^ 0x5eed).fillNormal(new Float64Array(c.samples * c.d), c.sigma);
  let w = initParams(layout, c.seed);
  const trace: OnlineStep[] = [];
  let streak = 0;
  let start: Float64Array | undefined;
  try {
    for (let k = 1; k < K; k++) {
      if (opts.signal?.aborted) throw opts.signal.reason ?? new Error("aborted");
      const t0 = performance.now();
      const D = limitSplit(split, k * B);
      w = await train(layout, D, w, {
        steps: c.stepsPerBatch,
        batchSize: Math.min(c.trainBatchSize, D.n),
        learningRate: c.learningRate,
        seed: c.seed + k,
        signal: opts.signal,
      });
      const next = limitSplit(split, (k + 1) * B);
      await pool.load("online", layout, next, B);
      await pool.setWeights(w);
      const eig = await lanczos(poolHessian(pool, "online", layout.size, next.n), {
        k: c.d,
        tol: c.lanczosTol,
        seed: c.seed + k,
        maxIter: Math.min(layout.size, 6 * c.d + 30),
        startVector: start,
        signal: opts.signal,
      });
      start = new Float64Array(layout.size);
      for (const v of eig.vectors) for (let i = 0; i < v.length; i++) start[i] += v[i];
      const dirs = new Float32Array(c.d * layout.size);
      eig.vectors.forEach((v, i) => dirs.set(v, i * layout.size));
      const proj = await pool.project("online", dirs, c.d, thetas);
      const curves = deltaCurves(proj, c.d, B, c.sigma);
      const step: OnlineStep = {
        k,
        samples: k * B,
        loss: curves.loss[k - 1],
        empirical: curves.empirical.mean[k - 1],
        empiricalSE: curves.empirical.se[k - 1],
        theory: curves.theory[k - 1],
        secondOrder: curves.secondOrder[k - 1],
        eigenvalues: curves.eigenvalues[k - 1],
        hvps: eig.operatorCalls,
        seconds: (performance.now() - t0) / 1000,
      };
      trace.push(step);
      opts.onStep?.(step);
      streak = step[c.criterion] < tol ? streak + 1 : 0;
      if (streak >= c.patience) {
        return {
          schema: "kstar.online/1",
          config: c,
          backend,
          reached: true,
          kStar: k,
          samples: k * B,
          tolerance: tol,
          trace,
          weights: w,
          seconds: (performance.now() - started) / 1000,
        };
      }
    }
    return {
      schema: "kstar.online/1",
      config: c,
      backend,
      reached: false,
      kStar: null,
      samples: null,
      tolerance: tol,
      trace,
      weights: w,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    pool.close();
  }
}
