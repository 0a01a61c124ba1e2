/**
 * The analysis pipeline: load → train → top-d eigenvectors of the full-data Hessian (Lanczos on exact HVPs) →
 * per-batch projections and Monte Carlo in one pass → Δ_k curves → thresholds, fits and predictions.
 * @module
 */
import { initBackend } from "../backend.ts";
import { ConfigError } from "../errors.ts";
import type { Dataset, Split } from "../data/dataset.ts";
import { loadDataset } from "../data/load.ts";
import { limitSplit } from "../data/batches.ts";
import { ComputePool } from "../engine/pool.ts";
import { lanczos } from "../hessian/lanczos.ts";
import type { EigenpairResult, SymmetricOperator } from "../hessian/operator.ts";
import { initParams, type ModelLayout, modelLayout } from "../models/layout.ts";
import { describeModel, formatModelSpec, parseModelSpec } from "../models/spec.ts";
import { Rng } from "../rng.ts";
import { type EpochInfo, train } from "../train.ts";
import { resolveConfig, tolerancesOf } from "./config.ts";
import { deltaCurves } from "./estimators.ts";
import { fitPowerLaw, movingAverage, thresholdOf } from "./thresholds.ts";
export { headlineThreshold } from "./thresholds.ts";
import type {
  AnalysisConfig,
  AnalysisResult,
  CurveName,
  PowerFit,
  ProgressEvent,
  Stage,
  Threshold,
} from "./types.ts";

/** Options of {@link analyze} that are not part of the result's config. */
export interface AnalyzeOptions {
  /** Progress events, in stage order. */
  onProgress?: (e: ProgressEvent) => void;
  /** Cancels the run: the promise rejects with the signal's reason and every worker stops. */
  signal?: AbortSignal;
  /** A folder dataset must lie under this folder. */
  dataRoot?: string;
  /** Where built-in datasets are cached. */
  cacheDir?: string;
  /** A dataset already in memory (then `config.dataset` only names it). */
  data?: Dataset;
}

const WEIGHTS: Record<Stage, [number, number]> = {
  load: [0, 0.03],
  train: [0.03, 0.3],
  eigensolve: [0.3, 0.75],
  project: [0.75, 0.95],
  montecarlo: [0.95, 0.95],
  exact: [0.95, 0.98],
  thresholds: [0.98, 1],
  done: [1, 1],
};

/**
 * The Hessian of the mean loss over the first `samples` samples of the dataset loaded into `pool` under
 * `name`, at the pool's current weights, as a {@link SymmetricOperator} of dimension `dim` (the parameter
 * count). Each `apply` is one Hessian-vector product over those samples (float32 on the workers, summed
 * in float64), divided by `samples`.
 *
 * @example
 * ```ts
 * import { poolHessian } from "./analyze.ts";
 * import { ComputePool } from "../engine/pool.ts";
 * import { lanczos } from "../hessian/lanczos.ts";
 * import { initParams, modelLayout } from "../models/layout.ts";
 * import { parseModelSpec } from "../models/spec.ts";
 * const layout = modelLayout(parseModelSpec("mlp:3"), 2, 2, 2); // 2×2 images, 2 classes: 23 parameters
 * const images = Float32Array.from({ length: 8 * 4 }, (_, i) => (i % 5) / 4);
 * const split = { images, labels: Uint8Array.from({ length: 8 }, (_, i) => i % 2), n: 8 };
 * const pool = await ComputePool.create({ workers: 0, backend: "cpu" });
 * try {
 *   await pool.load("train", layout, split, 4);
 *   await pool.setWeights(initParams(layout, 0));
 *   const { values } = await lanczos(poolHessian(pool, "train", layout.size, split.n), { k: 2 });
 *   console.log(values); // the top two eigenvalues of the mean-loss Hessian, descending
 * } finally {
 *   pool.close();
 * }
 * ```
 */
export function poolHessian(
  pool: ComputePool,
  name: string,
  dim: number,
  samples: number,
): SymmetricOperator {
  return {
    dim,
    async apply(v: Float64Array): Promise<Float64Array> {
      const h = await pool.hvp(name, Float32Array.from(v), samples);
      for (let i = 0; i < h.length; i++) h[i] /= samples;
      return h;
    },
  };
}

function checkFinite(label: string, x: number, hint: string): void {
  if (!Number.isFinite(x)) throw new Error(`${label} is not finite (${x}): ${hint}`);
}

/**
 * Runs the whole analysis and returns its result (schema `kstar.result/1`).
 *
 * @example
 * ```ts
 * import { analyze } from "./analyze.ts";
 * const r = await analyze({ limit: 512, batchSize: 32, epochs: 1, d: 3, samples: 8, workers: 0 });
 * console.log(r.thresholds[0].kStar, r.curves.empirical.length); // e.g. 9 15
 * ```
 */
export async function analyze(
  input: Partial<AnalysisConfig> = {},
  opts: AnalyzeOptions = {},
): Promise<AnalysisResult> {
  const config = resolveConfig(input);
  const started = performance.now();
  const timings: Record<string, number> = {};
  const warnings: string[] = [];
  let stageStart = performance.now();
  let current: Stage = "load";
  let lastFraction = 0;
  const emit = (stage: Stage, fraction: number, message?: string, partial?: Partial<AnalysisResult>) => {
    if (stage !== current) {
      timings[current] = (performance.now() - stageStart) / 1000;
      stageStart = performance.now();
      current = stage;
      lastFraction = 0;
    }
    const [a, b] = WEIGHTS[stage];
    const f = Math.min(1, Math.max(lastFraction, fraction)); // never goes back within a stage
    lastFraction = f;
    opts.onProgress?.({ stage, fraction: f, overall: a + (b - a) * f, message, partial });
  };
  const abortCheck = () => {
    if (opts.signal?.aborted) throw opts.signal.reason ?? new DOMException("aborted", "AbortError");
  };

  emit("load", 0, `loading ${config.dataset}`);
  const data = opts.data ??
    await loadDataset(config.dataset, { dataRoot: opts.dataRoot, cacheDir: opts.cacheDir });
  const trainSplit: Split = config.limit === null
    ? data.train
    : limitSplit(data.train, Math.min(config.limit, data.train.n));
  if (config.limit !== null && config.limit > data.train.n) {
    warnings.push(`limit ${config.limit} exceeds the ${data.train.n} training samples; all are used`);
  }
  const B = config.batchSize;
  if (B > trainSplit.n) {
    throw new ConfigError(
      "batchSize",
      B,
      `an integer in [1, ${trainSplit.n}] (the number of training samples)`,
    );
  }
  const K = Math.floor(trainSplit.n / B);
  if (K < 3) {
    throw new ConfigError(
      "batchSize",
      B,
      `at most ${Math.floor(trainSplit.n / 3)} so that the ${trainSplit.n} samples make at least 3 batches`,
    );
  }
  const spec = parseModelSpec(config.model);
  const layout: ModelLayout = modelLayout(spec, data.height, data.width, data.classes);
  const d = config.d;
  if (d > layout.size) {
    throw new ConfigError("d", d, `an integer in [1, ${layout.size}] (the parameter count)`);
  }
  if (sortedByClass(trainSplit, B)) {
    warnings.push(
      "the first batches each hold a single class: the data look sorted by label, so Δ_k is distorted",
    );
  }
  emit("load", 1, `${data.name}: ${trainSplit.n} training samples, ${K} batches of ${B}`);
  abortCheck();

  const backend = await initBackend(config.backend);
  const pool = await ComputePool.create({ workers: config.workers ?? undefined, backend: config.backend });
  const onAbort = () => pool.close();
  opts.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    if (pool.backend !== backend) warnings.push(`training ran on ${backend}, the workers on ${pool.backend}`);
    // Train.
    emit("train", 0, `training ${formatModelSpec(spec)} (${layout.size} parameters) on ${backend}`);
    const epochs: EpochInfo[] = [];
    const w = await train(layout, trainSplit, initParams(layout, config.seed), {
      learningRate: config.learningRate,
      epochs: config.epochs,
      batchSize: Math.min(config.trainBatchSize, trainSplit.n),
      seed: config.seed,
      signal: opts.signal,
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
    abortCheck();
    const N = K * B;
    await pool.load("train", layout, trainSplit, B);
    await pool.load("test", layout, data.test, 1);
    await pool.setWeights(w);
    const [evTrain, evTest] = [await pool.evaluate("train"), await pool.evaluate("test")];
    await pool.load("test", layout, { images: new Float32Array(0), labels: new Uint8Array(0), n: 0 }, 1);
    const sum = (a: Float64Array) => a.reduce((x, y) => x + y, 0);
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
    abortCheck();

    // Top-d eigenpairs of the full-data Hessian at w*.
    emit("eigensolve", 0, `Lanczos for the top ${d} eigenpairs of the Hessian (${layout.size} parameters)`);
    const H = poolHessian(pool, "train", layout.size, N);
    const maxIter = Math.min(layout.size, Math.max(10 * d, 200));
    const eig: EigenpairResult = await lanczos(H, {
      k: d,
      tol: config.lanczosTol,
      seed: config.seed,
      maxIter,
      signal: opts.signal,
      onIteration: (info: { operatorCalls: number; converged: number }) =>
        emit(
          "eigensolve",
          Math.min(0.99, info.operatorCalls / Math.min(maxIter, 4 * d + 10)),
          info.operatorCalls % 10 === 0
            ? `Lanczos: ${info.operatorCalls} HVPs, ${info.converged}/${d} converged`
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
    abortCheck();

    // Per-batch projections and Monte Carlo, one pass.
    emit("project", 0, `projecting ${K} batches onto ${d} directions; ${config.samples} Monte Carlo samples`);
    const dirs = new Float32Array(d * layout.size);
    eig.vectors.forEach((v, i) => dirs.set(v, i * layout.size));
    const rng = new Rng(config.seed ^ 0x5eed);
    const thetas = rng.fillNormal(new Float64Array(config.samples * d), config.sigma);
    const proj = await pool.project("train", dirs, d, thetas);
    abortCheck();
    const { loss, hess, eigenvalues: eigs, empirical: emp, theory, secondOrder: second } = deltaCurves(
      proj,
      d,
      B,
      config.sigma,
    );
    const curves: AnalysisResult["curves"] = {
      k: Array.from({ length: K }, (_, i) => i + 1),
      loss: Array.from(loss),
      eigenvalues: eigs,
      meanPerturbedLoss: Array.from(emp.meanLoss),
      empirical: Array.from(emp.mean),
      empiricalSE: Array.from(emp.se),
      theory: Array.from(theory),
      secondOrder: Array.from(second),
      smoothed: {
        empirical: movingAverage(emp.mean),
        theory: movingAverage(theory),
        secondOrder: movingAverage(second),
      },
    };
    for (const name of ["empirical", "theory", "secondOrder"] as const) {
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
        abortCheck();
        const k = ks[q];
        emit("exact", q / ks.length, `exact Lanczos on H_${k}`);
        const r = await lanczos(poolHessian(pool, "train", layout.size, k * B), {
          k: d,
          tol: config.lanczosTol,
          seed: config.seed + k,
          maxIter,
          startVector: start,
          signal: opts.signal,
        });
        const sumVec = new Float64Array(layout.size);
        for (const v of r.vectors) for (let i = 0; i < v.length; i++) sumVec[i] += v[i];
        start = sumVec;
        exact.k.push(k);
        exact.eigenvalues.push(r.values);
        exact.maxRelativeGap.push(
          Math.max(
            ...r.values.map((v: number, i: number) =>
              Math.abs(v - eigs[k - 1][i]) / Math.max(Math.abs(v), 1e-12)
            ),
          ),
        );
      }
      emit("exact", 1, "exact eigenvalues done");
    }

    // Thresholds, fits, predictions.
    emit("thresholds", 0);
    const tols = tolerancesOf(config);
    const fits: PowerFit[] = [];
    const fitOf = new Map<CurveName, PowerFit | null>();
    for (const name of ["empirical", "theory", "secondOrder"] as const) {
      const f = fitPowerLaw(curves[name]);
      fitOf.set(name, f ? { curve: name, ...f } : null);
      if (f) fits.push({ curve: name, ...f });
    }
    const thresholds: Threshold[] = [];
    for (const tolerance of tols) {
      for (const name of ["empirical", "theory", "secondOrder"] as const) {
        for (const smoothed of [true, false]) {
          thresholds.push(thresholdOf(curves, fitOf.get(name) ?? null, B, name, smoothed, tolerance));
        }
      }
    }
    const sigma2 = config.sigma ** 2;
    let trK = 0;
    for (let i = 0; i < d; i++) trK += hess[(K - 1) * d * d + i * d + i];
    const L = curves.loss[K - 1];
    const predicted = L + (sigma2 / 2) * trK;
    const meanPerturbed = curves.meanPerturbedLoss[K - 1];
    const relativeError = Math.abs(meanPerturbed - predicted) /
      Math.max(Math.abs(meanPerturbed - L), Math.abs(predicted - L), 1e-12);
    const quadraticCheck = {
      lossAtOptimum: L,
      meanPerturbed,
      predicted,
      relativeError,
      ok: relativeError < 0.25,
    };
    if (!quadraticCheck.ok) {
      warnings.push(
        `σ = ${config.sigma} leaves the quadratic regime: the mean perturbed loss ${
          meanPerturbed.toPrecision(4)
        } differs from the second-order prediction ${predicted.toPrecision(4)} by ${
          (100 * relativeError).toFixed(0)
        }%; the paper's formula assumes a quadratic landscape (try a smaller σ)`,
      );
    }
    emit("thresholds", 1);
    timings[current] = (performance.now() - stageStart) / 1000;
    timings.total = (performance.now() - started) / 1000;
    const result: AnalysisResult = {
      schema: "kstar.result/1",
      createdAt: new Date().toISOString(),
      config,
      backend: pool.backend,
      workers: pool.size,
      dataset: {
        name: data.name,
        height: data.height,
        width: data.width,
        classes: data.classes,
        trainSamples: data.train.n,
        testSamples: data.test.n,
        usedSamples: N,
        batches: K,
      },
      model: { spec: formatModelSpec(spec), description: describeModel(spec), parameters: layout.size },
      training,
      spectrum,
      curves,
      exact,
      thresholds,
      fits,
      quadraticCheck,
      timings,
      warnings,
    };
    opts.onProgress?.({ stage: "done", fraction: 1, overall: 1, message: "done" });
    return result;
  } finally {
    opts.signal?.removeEventListener("abort", onAbort);
    pool.close();
  }
}

/** True when each of the first three batches holds a single class. */
function sortedByClass(s: Split, B: number): boolean {
  if (B < 2 || s.n < 3 * B) return false;
  for (let j = 0; j < 3; j++) {
    const first = s.labels[j * B];
    for (let i = 1; i < B; i++) if (s.labels[j * B + i] !== first) return false;
  }
  return true;
}
