/**
 * The ordering replicates: (1) exact — a replicate equals a full recomputation of the projections on the
 * reordered dataset with the same w*, P and θ; (2) honest — on a synthetic problem whose distribution of k* is
 * known by simulation, the interval covers a fresh dataset's k* at about its stated rate; (3) free when off —
 * `orderings: 0` gives the result it gave before, and the intervals never change the fixed-order result.
 */
import { assert, assertEquals } from "../assert.ts";
import { analyze } from "../../lib/analysis/analyze.ts";
import { deltaCurves } from "../../lib/analysis/estimators.ts";
import {
  type BatchArrays,
  orderingReplicates,
  replicatePlan,
  ReplicateWorkspace,
} from "../../lib/analysis/orderings.ts";
import { intervalAt, kStarFromSuffixMax, kStarInterval, suffixMax } from "../../lib/analysis/intervals.ts";
import { kStar, movingAverage } from "../../lib/analysis/thresholds.ts";
import { directionBlock, monteCarloDraws, topEigenpairs } from "../../lib/analysis/stages.ts";
import { ComputePool } from "../../lib/engine/pool.ts";
import { initBackend } from "../../lib/backend.ts";
import { initParams, modelLayout } from "../../lib/models/layout.ts";
import { parseModelSpec } from "../../lib/models/spec.ts";
import { train } from "../../lib/train.ts";
import type { Split } from "../../lib/data/dataset.ts";
import { Rng } from "../../lib/rng.ts";
import { blobSplit } from "./blobs.ts";

/** The split with its batches of B in the given order. */
function reorder(split: Split, B: number, order: ArrayLike<number>): Split {
  const px = split.images.length / split.n;
  const images = new Float32Array(split.images.length), labels = new Uint8Array(split.n);
  for (let i = 0; i < order.length; i++) {
    images.set(split.images.subarray(order[i] * B * px, (order[i] + 1) * B * px), i * B * px);
    labels.set(split.labels.subarray(order[i] * B, (order[i] + 1) * B), i * B);
  }
  return { images, labels, n: split.n };
}

function close(a: ArrayLike<number>, b: ArrayLike<number>, rel: number, what: string): void {
  assertEquals(a.length, b.length, what);
  let scale = 0;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  for (let i = 0; i < a.length; i++) {
    assert(Math.abs(a[i] - b[i]) <= rel * scale, `${what}[${i}]: ${a[i]} vs ${b[i]} (scale ${scale})`);
  }
}

Deno.test("orderings: a replicate equals the projections recomputed on the reordered data (same w*, P, θ)", async () => {
  const B = 16, d = 3, S = 8, sigma = 1;
  const split = blobSplit(480, new Rng(11));
  const layout = modelLayout(parseModelSpec("mlp:16"), 8, 8, 4);
  await initBackend("wasm");
  const pool = await ComputePool.create({ workers: 0, backend: "wasm" });
  try {
    const w = await train(layout, split, initParams(layout, 0), { epochs: 2, batchSize: 16, seed: 0 });
    await pool.load("train", layout, split, B);
    await pool.setWeights(w);
    const eig = await topEigenpairs(pool, "train", layout, split.n, { d, tol: 1e-3, seed: 0 });
    const dirs = directionBlock(eig.vectors, layout.size);
    const thetas = monteCarloDraws(0, S, d, sigma);
    const arrays = await pool.project("train", dirs, d, thetas);
    const ws = new ReplicateWorkspace(arrays, d, B, sigma);
    const ones = new Float64Array(S).fill(1);
    // The identity order with the run's own draws is the run's own curves, exactly.
    const own = deltaCurves(arrays, d, B, sigma);
    const id = ws.curves(Uint32Array.from({ length: 30 }, (_, i) => i), ones);
    close(id.empirical, own.empirical.mean, 1e-12, "empirical (identity)");
    close(id.theory, own.theory, 1e-12, "theory (identity)");
    close(id.secondOrder, own.secondOrder, 1e-12, "second order (identity)");
    // A random order: the same as loading the reordered data and projecting again.
    for (const r of [0, 1, 2]) {
      const { order } = replicatePlan(r, 30, S, 5, false);
      await pool.load("reordered", layout, reorder(split, B, order), B);
      const again = deltaCurves(await pool.project("reordered", dirs, d, thetas), d, B, sigma);
      const rep = ws.curves(order, ones);
      close(rep.empirical, again.empirical.mean, 1e-5, `empirical (order ${r})`);
      close(rep.theory, again.theory, 1e-5, `theory (order ${r})`);
      close(rep.secondOrder, again.secondOrder, 1e-5, `second order (order ${r})`);
    }
  } finally {
    await pool.close();
  }
});

Deno.test("orderings: k* from suffix maxima is k*; the interval's rules at the edges", () => {
  const rng = new Rng(3);
  for (let t = 0; t < 200; t++) {
    const n = 1 + rng.int(40);
    const curve = Array.from({ length: n }, (_, k) => (1 + rng.uniform()) / (k + 1) ** 2);
    if (t % 7 === 0) curve[rng.int(n)] = NaN;
    const tol = 10 ** (-3 * rng.uniform());
    assertEquals(kStarFromSuffixMax(suffixMax(curve), tol), kStar(curve, tol) ?? 0, `curve ${t}`);
  }
  // All reached: the central 90%.
  const ks = Array.from({ length: 200 }, (_, i) => i + 1);
  assertEquals(kStarInterval(ks, 0.9), { level: 0.9, low: 10, median: 100, high: 190, reached: 1 });
  // 185 of 200 reach it: the interval holds 180 of them and ends at the largest k* reached.
  const some = ks.map((k) => (k > 185 ? 0 : k));
  assertEquals(kStarInterval(some, 0.9), { level: 0.9, low: 6, median: 100, high: 185, reached: 0.925 });
  // Fewer than 90% reach it: no interval; fewer than half: no median.
  assertEquals(kStarInterval(ks.map((k) => (k > 170 ? 0 : k)), 0.9).low, null);
  assertEquals(kStarInterval(ks.map((k) => (k > 90 ? 0 : k)), 0.9).median, null);
  assertEquals(kStarInterval([], 0.9), { level: 0.9, low: null, median: null, high: null, reached: 0 });
});

/** A dataset of K batches from a population whose loss is exactly quadratic in θ (d = 1). */
interface Population {
  e: number[];
  f: number[];
  u: number[];
}

function population(rng: Rng, K: number): Population {
  return {
    e: Array.from({ length: K }, () => 0.3 * rng.normal()),
    f: Array.from({ length: K }, () => 0.2 * rng.normal()),
    u: Array.from({ length: K }, () => 0.5 * rng.normal()),
  };
}

/**
 * The per-batch sums of the dataset with its batches in `order` and S draws of θ: batch j adds
 * `B·(e_j + θ·f_j + θ²/2·(1 + u_j))` at `w* + θ`.
 */
function project(p: Population, order: ArrayLike<number>, theta: number[], B: number): BatchArrays {
  const K = order.length, S = theta.length;
  const mc = new Float64Array(S * K);
  for (let s = 0; s < S; s++) {
    for (let i = 0; i < K; i++) {
      const j = order[i];
      mc[s * K + i] = B * (p.e[j] + theta[s] * p.f[j] + theta[s] ** 2 / 2 * (1 + p.u[j]));
    }
  }
  return {
    loss: Array.from(order, (j) => B * p.e[j]),
    grad: Array.from(order, (j) => B * p.f[j]),
    hess: Array.from(order, (j) => B * (1 + p.u[j])),
    mc,
  };
}

Deno.test("orderings: the 90% interval covers the k* of a fresh batch order (without Monte Carlo error) at about 90%", async () => {
  // The truth: the k* of the same data in a uniformly random batch order, of Δ_k = E_θ(L_{k+1} − L_k)² itself
  // (infinitely many draws). The synthetic loss is exactly quadratic in θ, so that expectation is the
  // second-order closed form: a distribution known here exactly, order by order.
  const K = 120, B = 1, S = 16, tol = 2e-4, trials = 100;
  const rng = new Rng(2024);
  const identity = Array.from({ length: K }, (_, i) => i);
  const draws = () => Array.from({ length: S }, () => rng.normal());
  let covered = 0, width = 0;
  for (let t = 0; t < trials; t++) {
    const data = population(rng, K);
    const { intervals } = await orderingReplicates(project(data, identity, draws(), B), {
      orderings: 200,
      level: 0.9,
      seed: t,
      tolerances: [tol],
      d: 1,
      batchSize: B,
      sigma: 1,
      summaries: false,
    });
    const interval = intervals[0]; // empirical, smoothed
    const { order } = replicatePlan(10_000 + t, K, S, 99, false);
    const fresh = project(data, order, [], B);
    const truth = kStar(movingAverage(deltaCurves(fresh, 1, B, 1).secondOrder), tol);
    assert(interval.low !== null && interval.high !== null && truth !== null, `trial ${t}`);
    if (interval.low <= truth && truth <= interval.high) covered++;
    width += interval.high - interval.low;
  }
  const rate = covered / trials;
  console.log(
    `coverage ${rate.toFixed(2)} over ${trials} trials; mean width ${(width / trials).toFixed(1)} batches`,
  );
  assert(rate >= 0.82 && rate <= 0.97, `coverage ${rate}`);
});

Deno.test("orderings: off (orderings 0) the result is as before; on, the fixed-order numbers do not change", async () => {
  const data = {
    name: "blobs",
    height: 8,
    width: 8,
    classes: 4,
    train: blobSplit(480, new Rng(1)),
    test: blobSplit(100, new Rng(2)),
  };
  const base = {
    dataset: "blobs",
    model: "mlp:16",
    batchSize: 16,
    epochs: 2,
    trainBatchSize: 16,
    d: 3,
    mcDraws: 16,
    workers: 0,
    tolerances: [1e-3, 1e-1],
  };
  const off = await analyze({ ...base, orderings: 0 }, { data });
  const on = await analyze({ ...base, orderings: 50, level: 0.8 }, { data });
  assertEquals(off.uncertainty, null);
  assert(off.thresholds.every((t) => t.interval === null));
  assertEquals(on.curves, off.curves);
  assertEquals(on.fits, off.fits);
  assertEquals(
    on.thresholds.map(({ interval: _i, ...t }) => t),
    off.thresholds.map(({ interval: _i, ...t }) => t),
  );
  const u = on.uncertainty!;
  assertEquals([u.orderings, u.level, u.seed, u.quantiles], [50, 0.8, 0, [0.1, 0.5, 0.9]]);
  assertEquals(u.kStars.length, on.thresholds.length);
  for (const [i, t] of on.thresholds.entries()) {
    const iv = t.interval!;
    assertEquals(iv.level, 0.8);
    const ks = u.kStars[i];
    assertEquals([ks.curve, ks.smoothed, ks.tolerance], [t.curve, t.smoothed, t.tolerance]);
    assertEquals(ks.values.length, 50);
    assertEquals(iv.reached, ks.values.filter((k) => k !== null).length / 50);
    if (iv.low !== null) assert(iv.low <= iv.median! && iv.median! <= iv.high!, JSON.stringify(iv));
  }
  // Bands: three quantile curves per curve and smoothing, ordered.
  for (const b of u.bands) {
    assertEquals(b.values.length, 3);
    for (let k = 0; k < b.values[0].length; k++) {
      assert(b.values[0][k] <= b.values[1][k] && b.values[1][k] <= b.values[2][k], `${b.curve} band at ${k}`);
    }
  }
  // Read back at a configured tolerance: exact, the threshold's own interval. Between grid points: the interval
  // at the grid point below, which is what the grid stores there.
  for (const t of on.thresholds) {
    const at = intervalAt(u, t.curve, t.smoothed, t.tolerance)!;
    assertEquals([at.exact, at.interval], [true, t.interval]);
  }
  const g = u.grid.find((x) => x.curve === "empirical" && x.smoothed)!;
  assert(g.tolerances.length > 10, `grid of ${g.tolerances.length}`);
  const mid = Math.floor(g.tolerances.length / 2);
  const between = intervalAt(u, "empirical", true, (g.tolerances[mid] + g.tolerances[mid + 1]) / 2)!;
  assertEquals([between.exact, between.gridTolerance], [false, g.tolerances[mid]]);
  assertEquals([between.interval.low, between.interval.high], [g.low[mid], g.high[mid]]);
});
