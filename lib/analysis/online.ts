/**
 * Algorithm 1 (online): grow the data one batch at a time, update the model, estimate Δ_k at the current
 * weights, and stop once Δ_k < Δ_tol for `patience` consecutive batches. Built from the same stages as the
 * analysis (`stages.ts`).
 * @module
 */
import { limitSplit } from "../data/batches.ts";
import { resolveOnlineConfig } from "../config/resolve.ts";
import { defaultTolerance } from "../config/resolve.ts";
import type { PlanOptions } from "../config/plan.ts";
import type { OnlineConfig } from "../config/types.ts";
import { warmStartVector } from "../linalg/lanczos.ts";
import { initParams } from "../models/layout.ts";
import { train } from "../train.ts";
import {
  type DataRecord,
  dataRecord,
  type DataSource,
  directionBlock,
  monteCarloDraws,
  planData,
  projectedCurves,
  topEigenpairs,
  withPool,
} from "./stages.ts";

export type { OnlineConfig } from "../config/types.ts";

/** The schema tag of online results this version writes. */
export const ONLINE_SCHEMA = "kstar.online/2";

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

/** The outcome of the online algorithm (schema `kstar.online/2`). */
export interface OnlineResult {
  /** The schema tag, always `"kstar.online/2"`. */
  schema: typeof ONLINE_SCHEMA;
  /** The resolved configuration (every default filled in). */
  config: OnlineConfig;
  /** The backend training ran on (`"webgpu"`, `"wasm"` or `"cpu"`). */
  backend: string;
  /** The dataset: its name, format, shape, class names and preprocessing (as an analysis result records them). */
  dataset: DataRecord;
  /** True when Δ stayed below tolerance for `patience` batches before the data ran out. */
  reached: boolean;
  /**
   * k* of the definition: the first batch of the window of `patience` consecutive batches with Δ_k < Δ_tol
   * (`inf{k : Δ_k' < Δ_tol for k ≤ k' < k + patience}`), or null when not reached.
   */
  kStar: number | null;
  /** |D| = k*·B, or null. */
  samples: number | null;
  /** The batch at which the window completed and the run stopped (k* + patience − 1), or null. */
  stoppedAt: number | null;
  /** The Δ_tol the run compared against: the configured one or the dataset's default. */
  tolerance: number;
  /** One step per batch processed, in order (k = 1, 2, …). */
  trace: OnlineStep[];
  /** The trained weights at the stop. */
  weights: Float32Array;
  /** Wall-clock seconds of the whole run. */
  seconds: number;
}

/** Options of {@link online} that are not part of its config. */
export interface OnlineOptions extends DataSource, PlanOptions {
  /** Called after every batch. */
  onStep?: (s: OnlineStep) => void;
  /** Cancels the run: the promise rejects with the signal's reason and every worker stops. */
  signal?: AbortSignal;
}

/**
 * Runs Algorithm 1. Each step k trains `stepsPerBatch` Adam steps on the first k batches, finds the top-d
 * eigenvectors of H_{k+1} at the current weights (Lanczos, warm-started from the previous step), projects
 * batches 1..k+1 onto them, and evaluates Δ_k three ways.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { online } from "kstar";
 * const r = await online({ limit: 640, batchSize: 32, d: 3, mcDraws: 8, stepsPerBatch: 10, tolerance: 0.5, workers: 0 });
 * assert.ok(r.trace.length >= 1);
 * if (r.reached) assert.equal(r.stoppedAt, r.kStar! + r.config.patience - 1);
 * ```
 */
export async function online(
  input: Partial<OnlineConfig> = {},
  opts: OnlineOptions = {},
): Promise<OnlineResult> {
  const c = resolveOnlineConfig(input);
  const started = performance.now();
  const { data, plan, train: split } = await planData(c, opts, opts);
  const dataset = dataRecord(data, plan.shape);
  const { layout, batches: K } = plan;
  const B = c.batchSize;
  const tol = c.tolerance ?? defaultTolerance(c.dataset);
  const thetas = monteCarloDraws(c.seed, c.mcDraws, c.d, c.sigma);
  return await withPool(c, opts.signal, async (pool, backend) => {
    let w = initParams(layout, c.seed);
    const trace: OnlineStep[] = [];
    let streak = 0;
    let start: Float64Array | undefined;
    const finish = (k: number | null): OnlineResult => {
      const kStar = k === null ? null : k - c.patience + 1;
      return {
        schema: ONLINE_SCHEMA,
        config: c,
        backend,
        dataset,
        reached: k !== null,
        kStar,
        samples: kStar === null ? null : kStar * B,
        stoppedAt: k,
        tolerance: tol,
        trace,
        weights: w,
        seconds: (performance.now() - started) / 1000,
      };
    };
    for (let k = 1; k < K; k++) {
      opts.signal?.throwIfAborted();
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
      const eig = await topEigenpairs(pool, "online", layout, next.n, {
        d: c.d,
        tol: c.lanczosTol,
        seed: c.seed + k,
        maxIter: 6 * c.d + 30,
        startVector: start,
        signal: opts.signal,
      });
      start = warmStartVector(eig.vectors);
      const dirs = directionBlock(eig.vectors, layout.size);
      const { curves } = await projectedCurves(pool, "online", dirs, c.d, thetas, B, c.sigma);
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
      if (streak >= c.patience) return finish(k);
    }
    return finish(null);
  });
}
