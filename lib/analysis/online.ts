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
import {
  blockEigenvalues,
  empiricalDelta,
  runningMeans,
  secondOrderDelta,
  theoryDelta,
} from "./estimators.ts";
import type { CurveName } from "./types.ts";

/** Settings of the online algorithm. */
export interface OnlineConfig {
  dataset: string;
  model: string;
  limit: number | null;
  batchSize: number;
  d: number;
  samples: number;
  sigma: number;
  /** Δ_tol; null = the dataset's default. */
  tolerance: number | null;
  /** Which Δ_k estimate decides: the paper's Algorithm 1 uses the eigenvalue formula ("theory"). */
  criterion: CurveName;
  /** Stop after this many consecutive batches below tolerance. */
  patience: number;
  /** Adam steps after each new batch. */
  stepsPerBatch: number;
  learningRate: number;
  trainBatchSize: number;
  seed: number;
  backend: BackendRequest;
  workers: number | null;
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
  /** L_k at the current weights. */
  loss: number;
  empirical: number;
  empiricalSE: number;
  theory: number;
  secondOrder: number;
  /** Eigenvalues of Pᵀ H_k P. */
  eigenvalues: number[];
  hvps: number;
  seconds: number;
}

/** The outcome of the online algorithm. */
export interface OnlineResult {
  schema: "kstar.online/1";
  config: OnlineConfig;
  backend: string;
  /** True when Δ stayed below tolerance for `patience` batches before the data ran out. */
  reached: boolean;
  /** |D| in batches (the k at which the run stopped), or null. */
  kStar: number | null;
  /** |D| = k*·B, or null. */
  samples: number | null;
  tolerance: number;
  trace: OnlineStep[];
  /** The trained weights at the stop. */
  weights: Float32Array;
  seconds: number;
}

/** Validates an online config, filling defaults. */
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
      const loss = runningMeans(proj.loss, 1, B);
      const grad = runningMeans(proj.grad, c.d, B);
      const hess = runningMeans(proj.hess, c.d * c.d, B);
      const eigs = blockEigenvalues(hess, c.d);
      const emp = empiricalDelta(proj.mc, c.samples, B);
      const step: OnlineStep = {
        k,
        samples: k * B,
        loss: loss[k - 1],
        empirical: emp.mean[k - 1],
        empiricalSE: emp.se[k - 1],
        theory: theoryDelta(eigs.slice(k - 1, k + 1), c.sigma)[0],
        secondOrder: secondOrderDelta(loss, grad, hess, c.d, c.sigma)[k - 1],
        eigenvalues: eigs[k - 1],
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
