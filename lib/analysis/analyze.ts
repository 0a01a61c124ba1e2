/**
 * The analysis pipeline: plan → train → top-d eigenvectors of the full-data Hessian (Lanczos on exact HVPs) →
 * per-batch projections and Monte Carlo in one pass → Δ_k curves → thresholds, fits and predictions.
 * @module
 */
import { CURVES } from "../config/choices.ts";
import { resolveConfig, tolerancesOf } from "../config/resolve.ts";
import type { PlanOptions } from "../config/plan.ts";
import { warmStartVector } from "../linalg/lanczos.ts";
import { initParams } from "../models/layout.ts";
import { describeModel, formatModelSpec } from "../models/spec.ts";
import { type EpochInfo, train } from "../train.ts";
import { quadraticCheck } from "./quadratic_check.ts";
import { learningCurve } from "./learning_curve.ts";
import { orderingReplicates } from "./orderings.ts";
import {
  dataRecord,
  type DataSource,
  directionBlock,
  monteCarloDraws,
  planData,
  projectedCurves,
  topEigenpairs,
  trainingEngine,
  withPool,
} from "./stages.ts";
import { fitsOf, movingAverage, thresholdsOf } from "./thresholds.ts";
import {
  type AnalysisConfig,
  type AnalysisResult,
  type KStarInterval,
  type ProgressEvent,
  RESULT_SCHEMA,
  type Stage,
} from "./types.ts";

/** Options of {@link analyze} that are not part of the result's config. */
export interface AnalyzeOptions extends DataSource, PlanOptions {
  /** Progress events, in stage order. */
  onProgress?: (e: ProgressEvent) => void;
  /** Cancels the run: the promise rejects with the signal's reason and every worker stops. */
  signal?: AbortSignal;
}

/** Each stage's share of the whole run, for the overall progress fraction. */
const WEIGHTS: Record<Stage, [number, number]> = {
  load: [0, 0.03],
  train: [0.03, 0.28],
  eigensolve: [0.28, 0.7],
  project: [0.7, 0.88],
  exact: [0.88, 0.9],
  thresholds: [0.9, 0.91],
  orderings: [0.91, 0.94],
  learningCurve: [0.94, 1],
  done: [1, 1],
};

/** Progress events with stage timings: fractions never go back within a stage. */
class StageClock {
  readonly timings: Record<string, number> = {};
  readonly #started = performance.now();
  #stage: Stage = "load";
  #since = performance.now();
  #fraction = 0;
  constructor(readonly onProgress?: (e: ProgressEvent) => void) {}

  emit(stage: Stage, fraction: number, message?: string, partial?: Partial<AnalysisResult>): void {
    if (stage !== this.#stage) {
      this.#close();
      this.#stage = stage;
      this.#fraction = 0;
    }
    const [a, b] = WEIGHTS[stage];
    const f = Math.min(1, Math.max(this.#fraction, fraction));
    this.#fraction = f;
    this.onProgress?.({ stage, fraction: f, overall: a + (b - a) * f, message, partial });
  }

  #close(): void {
    this.timings[this.#stage] = (performance.now() - this.#since) / 1000;
    this.#since = performance.now();
  }

  finish(): Record<string, number> {
    this.#close();
    this.timings.total = (performance.now() - this.#started) / 1000;
    return this.timings;
  }
}

function checkFinite(label: string, x: number, hint: string): void {
  if (!Number.isFinite(x)) throw new Error(`${label} is not finite (${x}): ${hint}`);
}

const sum = (a: Float64Array) => a.reduce((x, y) => x + y, 0);

/**
 * Runs the whole analysis and returns its result (schema `kstar.result/3`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { analyze } from "kstar";
 * const r = await analyze({ limit: 512, batchSize: 32, epochs: 1, d: 3, mcDraws: 8, workers: 0 });
 * assert.equal(r.dataset.batches, 16);
 * assert.equal(r.curves.empirical.length, 15); // Δ_k for k = 1..K−1
 * assert.equal(r.thresholds.length, 6); // one tolerance × three curves × smoothed or raw
 * ```
 */
export async function analyze(
  input: Partial<AnalysisConfig> = {},
  opts: AnalyzeOptions = {},
): Promise<AnalysisResult> {
  const config = resolveConfig(input);
  const clock = new StageClock(opts.onProgress);
  const emit = clock.emit.bind(clock);
  const signal = opts.signal;

  emit("load", 0, `loading ${config.dataset}`);
  const { data, plan, train: trainSplit } = await planData(
    config,
    opts,
    opts,
    (p) => emit("load", Math.min(0.99, p.fraction ?? 0), p.message),
  );
  const { layout, batches: K, usedSamples: N } = plan;
  const B = config.batchSize, d = config.d;
  const warnings = [...plan.warnings];
  if (sortedByClass(trainSplit.labels, B)) {
    warnings.push(
      "the first batches each hold a single class: the data look sorted by label, so Δ_k is distorted",
    );
  }
  const dropped = plan.droppedSamples
    ? ` (the last ${plan.droppedSamples} do not fill a batch and are left out)`
    : "";
  emit("load", 1, `${data.name}: ${trainSplit.n} training samples, ${K} batches of ${B}${dropped}`);
  signal?.throwIfAborted();

  return await withPool(config, signal, async (pool, backend) => {
    if (pool.backend !== backend) warnings.push(`training ran on ${backend}, the workers on ${pool.backend}`);
    if (pool.adapter?.software) {
      warnings.push(
        `the WebGPU adapter is a software rasteriser (${pool.adapter.description}): it runs several times ` +
          `slower than --backend wasm; "auto" skips such adapters`,
      );
    }
    // Train.
    emit("train", 0, `training ${formatModelSpec(plan.spec)} (${layout.size} parameters) on ${backend}`);
    const epochs: EpochInfo[] = [];
    const w = await train(layout, trainSplit, initParams(layout, config.seed), {
      learningRate: config.learningRate,
      epochs: config.epochs,
      batchSize: Math.min(config.trainBatchSize, trainSplit.n),
      seed: config.seed,
      engine: trainingEngine(pool, layout),
      signal,
      onEpoch: (e) => {
        epochs.push(e);
        emit(
          "train",
          e.epoch / e.epochs,
          `epoch ${e.epoch}/${e.epochs}: loss ${e.loss.toFixed(4)}, accuracy ${
            (100 * e.accuracy).toFixed(2)
          }%`,
        );
      },
      onProgress: (f) => emit("train", f),
    });
    signal?.throwIfAborted();
    await pool.load("train", layout, trainSplit, B);
    await pool.load("test", layout, data.test, 1);
    await pool.setWeights(w);
    const [evTrain, evTest] = [await pool.evaluate("train"), await pool.evaluate("test")];
    await pool.unload("test");
    const training = {
      epochs,
      trainLoss: sum(evTrain.loss) / N,
      trainAccuracy: sum(evTrain.correct) / N,
      testLoss: data.test.n ? sum(evTest.loss) / data.test.n : NaN,
      testAccuracy: data.test.n ? sum(evTest.correct) / data.test.n : NaN,
    };
    checkFinite(
      "the training loss after training",
      training.trainLoss,
      `training diverged; lower learningRate (now ${config.learningRate})`,
    );
    emit(
      "train",
      1,
      `train accuracy ${(100 * training.trainAccuracy).toFixed(2)}%, test ${
        (100 * training.testAccuracy).toFixed(2)
      }%`,
    );
    signal?.throwIfAborted();

    // Top-d eigenpairs of the full-data Hessian at w*.
    emit("eigensolve", 0, `Lanczos for the top ${d} eigenpairs of the Hessian (${layout.size} parameters)`);
    const budget = Math.min(layout.size, 4 * d + 10);
    const eig = await topEigenpairs(pool, "train", layout, N, {
      d,
      tol: config.lanczosTol,
      seed: config.seed,
      signal,
      onIteration: (info) =>
        emit(
          "eigensolve",
          Math.min(0.99, info.operatorCalls / budget),
          info.operatorCalls % 10 === 0
            ? `Lanczos: ${info.operatorCalls} HVPs, ${info.converged}/${d} converged${
              info.run > 0
                ? ` (verification run ${info.run}: looking for missed copies of repeated eigenvalues)`
                : ""
            }`
            : undefined,
        ),
    });
    if (!eig.converged) {
      warnings.push(
        `Lanczos stopped after ${eig.iterations} iterations before every residual fell below ${config.lanczosTol}`,
      );
    }
    const spectrum: AnalysisResult["spectrum"] = {
      values: eig.values,
      residuals: eig.residuals,
      iterations: eig.iterations,
      hvps: eig.operatorCalls,
      converged: eig.converged,
    };
    emit("eigensolve", 1, `λ_1..λ_${d} = ${eig.values.map((v) => v.toPrecision(4)).join(", ")}`, {
      spectrum,
    });
    signal?.throwIfAborted();

    // Per-batch projections and Monte Carlo, one pass.
    emit("project", 0, `projecting ${K} batches onto ${d} directions; ${config.mcDraws} Monte Carlo draws`);
    const dirs = directionBlock(eig.vectors, layout.size);
    const thetas = monteCarloDraws(config.seed, config.mcDraws, d, config.sigma);
    const { curves: dc, batches } = await projectedCurves(pool, "train", dirs, d, thetas, B, config.sigma);
    signal?.throwIfAborted();
    const curves: AnalysisResult["curves"] = {
      k: Array.from({ length: K }, (_, i) => i + 1),
      loss: Array.from(dc.loss),
      eigenvalues: dc.eigenvalues,
      meanPerturbedLoss: Array.from(dc.empirical.meanLoss),
      empirical: Array.from(dc.empirical.mean),
      empiricalSE: Array.from(dc.empirical.se),
      theory: Array.from(dc.theory),
      secondOrder: Array.from(dc.secondOrder),
      smoothed: {
        empirical: movingAverage(dc.empirical.mean),
        theory: movingAverage(dc.theory),
        secondOrder: movingAverage(dc.secondOrder),
      },
    };
    for (const name of CURVES) {
      if (curves[name].some((x) => !Number.isFinite(x))) {
        warnings.push(`the ${name} Δ_k curve has non-finite values`);
      }
    }
    emit("project", 1, "Δ_k curves ready", { curves });

    // Optional exact eigenvalues of H_k.
    let exact: AnalysisResult["exact"] = null;
    if (config.eigenMode === "exact") {
      const ks: number[] = [];
      for (let k = config.exactEvery; k <= K; k += config.exactEvery) ks.push(k);
      if (ks[ks.length - 1] !== K) ks.push(K);
      exact = { k: [], eigenvalues: [], maxRelativeGap: [] };
      let start: Float64Array | undefined;
      for (let q = 0; q < ks.length; q++) {
        signal?.throwIfAborted();
        const k = ks[q];
        emit("exact", q / ks.length, `exact Lanczos on H_${k}`);
        const r = await topEigenpairs(pool, "train", layout, k * B, {
          d,
          tol: config.lanczosTol,
          seed: config.seed + k,
          startVector: start,
          signal,
        });
        start = warmStartVector(r.vectors);
        exact.k.push(k);
        exact.eigenvalues.push(r.values);
        exact.maxRelativeGap.push(
          Math.max(
            ...r.values.map((v, i) => Math.abs(v - dc.eigenvalues[k - 1][i]) / Math.max(Math.abs(v), 1e-12)),
          ),
        );
      }
      emit("exact", 1, "exact eigenvalues done");
    }

    // Thresholds, fits, predictions, and the quadratic-regime check.
    emit("thresholds", 0);
    const fits = fitsOf(curves);
    const tolerances = tolerancesOf(config);
    let thresholds = thresholdsOf(curves, fits, B, tolerances);
    let trace = 0;
    for (let i = 0; i < d; i++) trace += dc.hess[(K - 1) * d * d + i * d + i];
    const quadratic = quadraticCheck(
      curves.loss[K - 1],
      curves.meanPerturbedLoss[K - 1],
      trace,
      config.sigma,
    );
    if (!quadratic.ok) {
      warnings.push(
        `σ = ${config.sigma} leaves the quadratic regime: the mean perturbed loss ${
          quadratic.meanPerturbed.toPrecision(4)
        } differs from the second-order prediction ${quadratic.predicted.toPrecision(4)} by ${
          (100 * quadratic.relativeError).toFixed(0)
        }%; the paper's formula assumes a quadratic landscape (try a smaller σ)`,
      );
    }
    emit("thresholds", 1);

    // How k* varies over batch orders (and Monte Carlo resamples): no new HVP or forward pass.
    let uncertainty: AnalysisResult["uncertainty"] = null;
    if (config.orderings > 0) {
      emit("orderings", 0, `k* over ${config.orderings} random batch orders`);
      const rep = await orderingReplicates(batches, {
        orderings: config.orderings,
        level: config.level,
        seed: config.seed,
        tolerances,
        d,
        batchSize: B,
        sigma: config.sigma,
        signal,
      });
      uncertainty = rep.uncertainty;
      thresholds = thresholds.map((t, i) => ({ ...t, interval: rep.intervals[i] }));
      const h = thresholds[0];
      emit(
        "orderings",
        1,
        `${(100 * config.level).toFixed(0)}% interval of k* (${h.curve}, ${
          h.smoothed ? "smoothed" : "raw"
        }, ` +
          `Δ_tol ${h.tolerance}): ${intervalText(h.interval)}`,
        { thresholds, uncertainty },
      );
    }

    // What k*·B samples buy in test accuracy.
    let curve: AnalysisResult["learningCurve"] = null;
    if (config.learningCurve) {
      const head = thresholds[0];
      emit("learningCurve", 0, "learning curve: fresh models on sizes around k*·B");
      curve = await learningCurve({
        pool,
        layout,
        train: trainSplit,
        test: data.test,
        recipe: config,
        full: training,
        kStarSamples: head.samples,
        signal,
        onPoint: (done, total, p) =>
          emit(
            "learningCurve",
            done / total,
            `learning curve: ${p.samples} samples → test accuracy ${(100 * p.testAccuracy).toFixed(2)}%`,
          ),
      });
      emit("learningCurve", 1, undefined, { learningCurve: curve });
    }
    const timings = clock.finish();
    const result: AnalysisResult = {
      schema: RESULT_SCHEMA,
      createdAt: new Date().toISOString(),
      config,
      backend: pool.backend,
      workers: pool.size,
      adapter: pool.adapter?.description ?? null,
      dataset: {
        ...dataRecord(data, plan.shape),
        usedSamples: N,
        batches: K,
        droppedSamples: plan.droppedSamples,
      },
      model: {
        spec: formatModelSpec(plan.spec),
        description: describeModel(plan.spec),
        parameters: layout.size,
      },
      training,
      spectrum,
      curves,
      exact,
      thresholds,
      fits,
      uncertainty,
      learningCurve: curve,
      quadraticCheck: quadratic,
      timings,
      warnings,
    };
    opts.onProgress?.({ stage: "done", fraction: 1, overall: 1, message: "done" });
    return result;
  });
}

/** An interval in words, for progress lines. */
function intervalText(i: KStarInterval | null): string {
  if (!i) return "none";
  const reached = `reached in ${(100 * i.reached).toFixed(0)}% of orders`;
  return i.low === null ? `too few orders reach it (${reached})` : `k* in [${i.low}, ${i.high}], ${reached}`;
}

/** True when each of the first three batches holds a single class. */
function sortedByClass(labels: Uint8Array, B: number): boolean {
  if (B < 2 || labels.length < 3 * B) return false;
  for (let j = 0; j < 3; j++) {
    const first = labels[j * B];
    for (let i = 1; i < B; i++) if (labels[j * B + i] !== first) return false;
  }
  return true;
}
