import { assert, assertAlmostEquals, assertEquals } from "../assert.ts";
import {
  blockEigenvalues,
  empiricalDelta,
  runningMeans,
  secondOrderDelta,
  theoryDelta,
} from "../../lib/analysis/estimators.ts";
import { Rng } from "../../lib/rng.ts";

/** Per-batch quadratic losses ℓ_j(θ) = a_j + g_jᵀθ + ½θᵀH_jθ, as the per-batch sums the engine returns. */
function quadraticProblem(
  K: number,
  d: number,
  B: number,
  seed: number,
  opts: { diagonal?: boolean; flat?: boolean },
) {
  const rng = new Rng(seed);
  const a = new Float64Array(K), g = new Float64Array(K * d), H = new Float64Array(K * d * d);
  for (let j = 0; j < K; j++) {
    a[j] = opts.flat ? 0.5 : 0.5 + 0.3 * rng.normal();
    for (let i = 0; i < d; i++) g[j * d + i] = opts.flat ? 0 : 0.2 * rng.normal();
    for (let i = 0; i < d; i++) {
      for (let m = i; m < d; m++) {
        let v: number;
        if (i === m) v = (d - i) * 2 + (opts.diagonal ? 0.5 * rng.uniform() : rng.normal());
        else v = opts.diagonal ? 0 : 0.3 * rng.normal();
        H[(j * d + i) * d + m] = v;
        H[(j * d + m) * d + i] = v;
      }
    }
  }
  const loss = (j: number, th: Float64Array) => {
    let s = a[j];
    for (let i = 0; i < d; i++) {
      s += g[j * d + i] * th[i];
      for (let m = 0; m < d; m++) s += 0.5 * th[i] * H[(j * d + i) * d + m] * th[m];
    }
    return s;
  };
  const sums = (x: Float64Array, w: number) => x.map((v) => v * B).subarray(0, K * w);
  return { a, g, H, loss, lossSums: sums(a, 1), gradSums: sums(g, d), hessSums: sums(H, d * d) };
}

Deno.test("runningMeans: hand-computed", () => {
  const r = runningMeans([2, 4, 6, 8], 2, 2); // batches [2,4], [6,8]; B = 2
  assertEquals(Array.from(r), [1, 2, 2, 3]);
});

Deno.test("empiricalDelta: hand-computed mean and standard error", () => {
  // Sample 0: batch sums 1,2,3 → L = 1, 1.5, 2 → squared diffs 0.25, 0.25.
  // Sample 1: 1,1,1 → L = 1,1,1 → 0, 0.
  const r = empiricalDelta(new Float64Array([1, 2, 3, 1, 1, 1]), 2, 1);
  assertEquals(Array.from(r.mean), [0.125, 0.125]);
  assertAlmostEquals(r.se[0], Math.sqrt(((0.25 - 0.125) ** 2 * 2) / 1 / 2), 1e-15);
  assertEquals(Array.from(r.meanLoss), [1, 1.25, 1.5]);
});

Deno.test("Monte Carlo agrees with the second-order closed form on an exactly quadratic loss", () => {
  const K = 12, d = 4, B = 8, S = 4000, sigma = 0.7;
  const p = quadraticProblem(K, d, B, 7, {});
  const rng = new Rng(99);
  const mc = new Float64Array(S * K);
  const th = new Float64Array(d);
  for (let s = 0; s < S; s++) {
    rng.fillNormal(th, sigma);
    for (let j = 0; j < K; j++) mc[s * K + j] = B * p.loss(j, th);
  }
  const emp = empiricalDelta(mc, S, B);
  const closed = secondOrderDelta(
    runningMeans(p.lossSums, 1, B),
    runningMeans(p.gradSums, d, B),
    runningMeans(p.hessSums, d * d, B),
    d,
    sigma,
  );
  let worst = 0;
  for (let k = 0; k < K - 1; k++) {
    const z = Math.abs(emp.mean[k] - closed[k]) / emp.se[k];
    worst = Math.max(worst, z);
    assert(
      z < 4.5,
      `k=${k + 1}: MC ${emp.mean[k]} ± ${emp.se[k]} vs closed form ${closed[k]} (z = ${z.toFixed(2)})`,
    );
  }
  assert(worst > 0, "the comparison must not be vacuous");
});

Deno.test("the paper's formula equals the closed form when ΔΛ is diagonal and ΔL = Δg = 0", () => {
  const K = 10, d = 3, B = 4, sigma = 1.3;
  const p = quadraticProblem(K, d, B, 3, { diagonal: true, flat: true });
  const hess = runningMeans(p.hessSums, d * d, B);
  const closed = secondOrderDelta(
    runningMeans(p.lossSums, 1, B),
    runningMeans(p.gradSums, d, B),
    hess,
    d,
    sigma,
  );
  const paper = theoryDelta(blockEigenvalues(hess, d), sigma);
  for (let k = 0; k < K - 1; k++) assertAlmostEquals(paper[k], closed[k], 1e-12 * Math.max(1, closed[k]));
  assert(closed.some((v) => v > 1e-6), "non-trivial differences");
});

Deno.test("the paper's formula misses gradient and loss changes that the closed form keeps", () => {
  const K = 6, d = 2, B = 4;
  const p = quadraticProblem(K, d, B, 5, {});
  const hess = runningMeans(p.hessSums, d * d, B);
  const closed = secondOrderDelta(runningMeans(p.lossSums, 1, B), runningMeans(p.gradSums, d, B), hess, d, 1);
  const paper = theoryDelta(blockEigenvalues(hess, d), 1);
  assert(closed.some((v, k) => Math.abs(v - paper[k]) > 1e-3 * v));
});

Deno.test("theoryDelta: hand-computed", () => {
  // δ = (−1, 0): σ⁴/4·(2·1 + 1) with σ = 1
  assertEquals(Array.from(theoryDelta([[2, 1], [1, 1]], 1)), [0.75]);
  // σ = 2 scales by 16
  assertEquals(Array.from(theoryDelta([[2, 1], [1, 1]], 2)), [12]);
});

Deno.test("secondOrderDelta: each term by hand (d = 1)", () => {
  // a = 1, c = 0, A = 0 → a²
  assertEquals(Array.from(secondOrderDelta([0, 1], [0, 0], [0, 0], 1, 1)), [1]);
  // a = 0, c = 2, σ = 3 → σ²c² = 36
  assertEquals(Array.from(secondOrderDelta([0, 0], [0, 2], [0, 0], 1, 3)), [36]);
  // a = 1, A = 2, σ = 1 → a² + aσ²·trA + σ⁴/4·(2·4 + 4) = 1 + 2 + 3
  assertEquals(Array.from(secondOrderDelta([0, 1], [0, 0], [0, 2], 1, 1)), [6]);
});
