/**
 * A synthetic but realistic {@link AnalysisResult} for the report tests: eigenvalues that settle like
 * λ∞·(1 + a/k) with noise, an empirical Δ_k ≈ 5/k² with noise and standard errors, the poster's theoretical
 * Δ_k above the empirical one, thresholds per the k* definition and log–log power fits.
 * @module
 */
import type { AnalysisResult, CurveName, PowerFit, Threshold } from "../../lib/analysis/types.ts";
import { ANALYSIS_DEFAULTS, DATA_KEYS } from "../../lib/config/fields.ts";
import { REPLICATE_KEYS, summarizeReplicates } from "../../lib/analysis/intervals.ts";
import { storedPreprocessing } from "../../lib/data/dataset.ts";

/** The data fields of a config, at their defaults. */
const DATA_DEFAULTS = Object.fromEntries(DATA_KEYS.map((k) => [k, ANALYSIS_DEFAULTS[k]])) as Pick<
  typeof ANALYSIS_DEFAULTS,
  typeof DATA_KEYS[number]
>;

/** Options of {@link makeResult}. */
export interface FixtureOptions {
  /** Number of batches K. Default 40. */
  K?: number;
  /** Subspace dimension d. Default 3. */
  d?: number;
  /** Batch size B. Default 64. */
  batchSize?: number;
  /** Tolerances. Default [0.025, 0.001] (the first is reached at k ≈ 15, the second is not). */
  tolerances?: number[];
  seed?: number;
  dataset?: string;
  model?: string;
  description?: string;
  /** Total seconds. Default 123.4. */
  total?: number;
  warnings?: string[];
  /** Include an `exact` block. Default false. */
  exact?: boolean;
  /** Ordering replicates (`uncertainty` and every threshold's interval); 0 = none. Default 40. */
  orderings?: number;
  /** Include a learning curve. Default false. */
  learningCurve?: boolean;
}

/** A small seeded PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal deviate (Box–Muller). */
function gauss(u: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

/** Centred moving average over a window of 5 (shrinking at the ends). */
function smooth(xs: number[]): number[] {
  return xs.map((_, i) => {
    const lo = Math.max(0, i - 2);
    const hi = Math.min(xs.length, i + 3);
    let s = 0;
    for (let j = lo; j < hi; j++) s += xs[j];
    return s / (hi - lo);
  });
}

/** k* = inf{k : Δ_k' < tol for all k' ≥ k} (1-based), or null. */
export function kStarOf(delta: readonly number[], tol: number): number | null {
  let k: number | null = null;
  for (let i = delta.length - 1; i >= 0; i--) {
    if (delta[i] < tol) k = i + 1;
    else break;
  }
  return k;
}

/** A least-squares fit of log Δ = log C − α log k over k = from..to. */
function fit(curve: CurveName, delta: readonly number[], from: number, to: number): PowerFit {
  const xs: number[] = [];
  const ys: number[] = [];
  for (let k = from; k <= to; k++) {
    xs.push(Math.log(k));
    ys.push(Math.log(delta[k - 1]));
  }
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
    syy += (ys[i] - my) ** 2;
  }
  const slope = sxy / sxx;
  return {
    curve,
    C: Math.exp(my - slope * mx),
    alpha: -slope,
    r2: syy === 0 ? 1 : (sxy * sxy) / (sxx * syy),
    fromK: from,
    toK: to,
  };
}

/**
 * Builds the synthetic result.
 * @example
 * ```ts
 * const r = makeResult({ K: 40, d: 3 });
 * ```
 */
export function makeResult(opts: FixtureOptions = {}): AnalysisResult {
  const K = opts.K ?? 40;
  const d = opts.d ?? 3;
  const B = opts.batchSize ?? 64;
  const sigma = 1;
  const tols = opts.tolerances ?? [0.025, 0.001];
  const u = rng(opts.seed ?? 7);

  const k = Array.from({ length: K }, (_, i) => i + 1);
  const lInf = Array.from({ length: d }, (_, i) => 40 / (i + 1) ** 1.5);
  const a = Array.from({ length: d }, (_, i) => 1.2 - 0.3 * i);
  const eigenvalues = k.map((kk) =>
    lInf.map((l, i) => l * (1 + a[i] / kk + 0.01 * gauss(u) / kk))
      .sort((x, y) => y - x)
  );
  const loss = k.map((kk) => 0.09 + 0.05 / kk + 0.002 * gauss(u));
  const meanPerturbedLoss = k.map((_, i) =>
    loss[i] + (sigma ** 2 / 2) * eigenvalues[i].reduce((s, x) => s + x, 0)
  );

  const empirical: number[] = [];
  const empiricalSE: number[] = [];
  const theory: number[] = [];
  const secondOrder: number[] = [];
  for (let i = 0; i < K - 1; i++) {
    const kk = i + 1;
    const e = (5 / kk ** 2) * Math.exp(0.25 * gauss(u));
    empirical.push(e);
    empiricalSE.push(e * (0.08 + 0.06 * u()));
    theory.push((11 / kk ** 2) * Math.exp(0.12 * gauss(u)));
    secondOrder.push(e * (1.1 + 0.1 * u()));
  }
  const smoothed = { empirical: smooth(empirical), theory: smooth(theory), secondOrder: smooth(secondOrder) };
  const raw: Record<CurveName, number[]> = { empirical, theory, secondOrder };

  const from = Math.max(1, Math.floor((K - 1) / 3));
  const fits = (["empirical", "theory", "secondOrder"] as CurveName[]).map((c) =>
    fit(c, smoothed[c], from, K - 1)
  );

  const thresholds: Threshold[] = [];
  for (const tol of tols) {
    for (const curve of ["empirical", "theory", "secondOrder"] as CurveName[]) {
      for (const sm of [true, false]) {
        const delta = sm ? smoothed[curve] : raw[curve];
        const kStar = kStarOf(delta, tol);
        const f = fits.find((x) => x.curve === curve)!;
        const pred = kStar === null && f.alpha > 0
          ? Math.max(K, Math.ceil(Math.pow(f.C / tol, 1 / f.alpha)))
          : null;
        thresholds.push({
          curve,
          smoothed: sm,
          tolerance: tol,
          kStar,
          samples: kStar === null ? null : kStar * B,
          lossAtK: kStar === null ? null : loss[kStar - 1],
          predictedKStar: pred,
          predictedSamples: pred === null ? null : pred * B,
          interval: null,
        });
      }
    }
  }

  // Replicates: each curve with its own multiplicative noise, read off with the analysis' own summary.
  const R = opts.orderings ?? 40;
  let uncertainty: AnalysisResult["uncertainty"] = null;
  if (R > 0) {
    const n = K - 1;
    const sets = REPLICATE_KEYS.map(({ curve, smoothed: sm }) => {
      const values = new Float64Array(R * n);
      for (let r = 0; r < R; r++) {
        const noisy = raw[curve].map((v) => v * Math.exp(0.35 * gauss(u)));
        values.set(sm ? smooth(noisy) : noisy, r * n);
      }
      return { curve, smoothed: sm, values };
    });
    const sum = summarizeReplicates(sets, R, n, { level: 0.9, tolerances: tols });
    thresholds.forEach((t, i) => t.interval = sum.intervals[i]);
    uncertainty = {
      orderings: R,
      level: 0.9,
      seed: 0,
      drawsResampled: true,
      quantiles: sum.quantiles,
      bands: sum.bands,
      kStars: sum.kStars,
      grid: sum.grid,
      seconds: 0.4,
    };
  }
  const total = opts.total ?? 123.4;
  const dataset = opts.dataset ?? "mnist";
  const model = opts.model ?? "mlp:128,64";
  return {
    schema: "kstar.result/3",
    createdAt: "2025-06-01T12:34:56.789Z",
    config: {
      dataset,
      model,
      limit: null,
      batchSize: B,
      d,
      mcDraws: 64,
      sigma,
      tolerances: tols,
      orderings: R,
      level: 0.9,
      learningCurve: opts.learningCurve ?? false,
      epochs: 3,
      learningRate: 2e-3,
      trainBatchSize: 128,
      seed: 0,
      backend: "auto",
      workers: null,
      lanczosTol: 1e-3,
      eigenMode: opts.exact ? "exact" : "projected",
      exactEvery: 10,
      ...DATA_DEFAULTS,
    },
    backend: "cpu",
    workers: 4,
    adapter: null,
    dataset: {
      name: dataset,
      format: "builtin",
      kind: "images",
      height: 28,
      width: 28,
      channels: 1,
      classes: 10,
      classNames: ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
      preprocessing: storedPreprocessing("bytes/255"),
      trainSamples: 50000,
      testSamples: 10000,
      usedSamples: K * B,
      batches: K,
      droppedSamples: 0,
    },
    model: { spec: model, description: opts.description ?? "Multi-layer MLP", parameters: 109386 },
    training: {
      epochs: [1, 2, 3].map((e) => ({
        epoch: e,
        epochs: 3,
        loss: 0.5 / e,
        accuracy: 0.9 + 0.02 * e,
        seconds: 10,
      })),
      trainLoss: 0.0812,
      trainAccuracy: 0.9761,
      testLoss: 0.0973,
      testAccuracy: 0.9702,
    },
    spectrum: {
      values: lInf.slice(),
      residuals: lInf.map((l) => l * 1e-4),
      iterations: 42,
      hvps: 84,
      converged: true,
    },
    curves: {
      k,
      loss,
      eigenvalues,
      meanPerturbedLoss,
      empirical,
      empiricalSE,
      theory,
      secondOrder,
      smoothed,
    },
    exact: opts.exact
      ? {
        k: [10, 20, 30, 40].filter((x) => x <= K),
        eigenvalues: [10, 20, 30, 40].filter((x) => x <= K).map((x) =>
          eigenvalues[x - 1].map((l) => l * 1.01)
        ),
        maxRelativeGap: [10, 20, 30, 40].filter((x) => x <= K).map(() => 0.01),
      }
      : null,
    thresholds,
    fits,
    uncertainty,
    learningCurve: opts.learningCurve
      ? {
        points: [16, 32, 64, 128, 256].filter((m) => m * B <= K * B * 4).map((m, i, all) => ({
          samples: i === all.length - 1 ? 50000 : m * B,
          steps: 1173,
          testLoss: 0.1 + 1.5 / Math.sqrt(m),
          testAccuracy: 0.97 - 0.4 / Math.sqrt(m),
        })),
        rule: "every size trains for the same 1,173 Adam steps as w*",
        kStarSamples: 16 * B,
        gapAtKStar: { accuracy: 0.1, loss: 0.3 },
      }
      : null,
    quadraticCheck: {
      lossAtOptimum: 0.0812,
      meanPerturbed: 0.0812 + 0.5 * lInf.reduce((s, x) => s + x, 0) * 1.03,
      predicted: 0.0812 + 0.5 * lInf.reduce((s, x) => s + x, 0),
      relativeError: 0.03,
      ok: true,
    },
    timings: {
      load: 1.2,
      train: 30.5,
      eigensolve: 20.1,
      project: 66,
      thresholds: 0.01,
      total,
    },
    warnings: opts.warnings ?? [],
  };
}
