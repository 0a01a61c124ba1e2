import assert from "node:assert/strict";
import { lanczos, warmStartVector } from "../../lib/linalg/lanczos.ts";
import {
  countingOperator,
  denseOperator,
  diagonalOperator,
  type EigenpairResult,
  type SymmetricOperator,
} from "../../lib/linalg/operator.ts";
import { symmetricEigen } from "../../lib/linalg/dense_eigen.ts";
import { Rng } from "../../lib/rng.ts";
import { dot, planted, randomSymmetric, rejectsConfig, relClose } from "./helpers.ts";

async function check(op: SymmetricOperator, r: EigenpairResult) {
  const residuals: number[] = [];
  let orthogonality = 0;
  for (let i = 0; i < r.values.length; i++) {
    const av = await op.apply(r.vectors[i]);
    let s = 0;
    for (let t = 0; t < av.length; t++) s += (av[t] - r.values[i] * r.vectors[i][t]) ** 2;
    residuals.push(Math.sqrt(s) / Math.abs(r.values[i]));
    for (let j = 0; j <= i; j++) {
      orthogonality = Math.max(orthogonality, Math.abs(dot(r.vectors[i], r.vectors[j]) - (i === j ? 1 : 0)));
    }
  }
  return { residuals, orthogonality };
}

/** Norm of the projection of `v` onto span{eigenvector(t) : t in ts} (planted vectors are orthonormal). */
function projection(v: Float64Array, vectors: Float64Array[]): number {
  return Math.sqrt(vectors.reduce((s, u) => s + dot(u, v) ** 2, 0));
}

// ---------- tests ----------

Deno.test("lanczos: random symmetric 300×300, top 10 against symmetricEigen", async () => {
  const n = 300;
  const a = randomSymmetric(n, 7);
  const ref = symmetricEigen(a, n);
  const op = countingOperator(denseOperator(a, n));
  const tol = 1e-4;
  const r = await lanczos(op, { k: 10, tol, seed: 1 });
  assert.ok(r.converged);
  assert.equal(r.values.length, 10);
  assert.equal(r.operatorCalls, op.calls);
  const { residuals, orthogonality } = await check(op, r);
  assert.ok(orthogonality < 1e-10, `orthogonality ${orthogonality}`);
  for (let i = 0; i < 10; i++) {
    relClose(r.values[i], ref.values[i], 1e-4, `value ${i}`);
    assert.ok(r.residuals[i] <= tol, `reported residual ${i}: ${r.residuals[i]}`);
    assert.ok(residuals[i] <= tol, `true residual ${i}: ${residuals[i]}`);
    // ‖v − ±u‖ ≲ ‖r‖ / gap, so compare vectors where tol·|λ| / gap is small.
    const gap = Math.min(
      ref.values[i] - ref.values[i + 1],
      i > 0 ? ref.values[i - 1] - ref.values[i] : Infinity,
    );
    if ((tol * Math.abs(ref.values[i])) / gap < 0.04) {
      assert.ok(Math.abs(dot(r.vectors[i], ref.vectors[i])) >= 0.999, `vector ${i}`);
    }
  }
  console.log(`300×300 random: ${r.operatorCalls} operator calls, ${r.iterations} iterations`);
});

Deno.test("lanczos: 1,500×1,500 planted spectrum (negative outliers, cluster, exact triple)", async () => {
  const n = 1500;
  // The triple sits at the end of the wanted set, where one Krylov sequence stops before rounding
  // errors have grown the other copies: the verification runs must find them.
  const top = [25, 20, 15, 12.02, 12.01, 12, 10, 9.5, 9.5, 9.5];
  const rng = new Rng(11);
  const spectrum = [
    ...top,
    -60,
    -45,
    -30, // larger in magnitude than every positive eigenvalue
    ...Array.from({ length: n - 13 }, (_, i) => 8 * Math.exp(-i / 100) * (0.9 + 0.1 * rng.uniform()) - 0.3),
  ];
  const { a, eigenvector } = planted(spectrum, 5);
  const ref = symmetricEigen(a, n, { vectors: false });
  const op = countingOperator(denseOperator(a, n));
  const tol = 1e-4;
  const r = await lanczos(op, { k: 10, tol });
  assert.ok(r.converged);
  assert.equal(r.operatorCalls, op.calls);
  for (let i = 0; i < 10; i++) {
    relClose(r.values[i], ref.values[i], 1e-4, `value ${i} vs dense`);
    relClose(r.values[i], top[i], 1e-4, `value ${i} vs planted`);
    assert.ok(r.residuals[i] <= tol, `reported residual ${i}: ${r.residuals[i]}`);
  }
  const { residuals, orthogonality } = await check(op, r);
  assert.ok(orthogonality < 1e-10, `orthogonality ${orthogonality}`);
  for (let i = 0; i < 10; i++) assert.ok(residuals[i] <= 2 * tol, `true residual ${i}: ${residuals[i]}`);
  // Isolated eigenvalues: the vector itself; the triple and the cluster: the invariant subspace.
  for (const i of [0, 1, 2, 6]) {
    assert.ok(Math.abs(dot(r.vectors[i], eigenvector(i))) >= 0.999, `vector ${i}`);
  }
  const cluster = [3, 4, 5].map(eigenvector);
  const triple = [7, 8, 9].map(eigenvector);
  for (const i of [3, 4, 5]) assert.ok(projection(r.vectors[i], cluster) >= 0.999, `cluster ${i}`);
  for (const i of [7, 8, 9]) assert.ok(projection(r.vectors[i], triple) >= 0.999, `triple ${i}`);
  console.log(`1500×1500 planted: ${r.operatorCalls} operator calls, ${r.iterations} iterations`);
});

Deno.test("lanczos: breakdown on a rank-3 operator with k = 5 restarts and finishes", async () => {
  const n = 50;
  const { a } = planted([9, 4, -2, ...new Array(n - 3).fill(0)], 3);
  const op = denseOperator(a, n);
  const r = await lanczos(op, { k: 5 });
  assert.ok(r.converged);
  assert.deepEqual(r.values.length, 5);
  relClose(r.values[0], 9, 1e-10, "λ1");
  relClose(r.values[1], 4, 1e-10, "λ2");
  for (const x of r.values.slice(2)) assert.ok(Math.abs(x) < 1e-10, `null-space value ${x}`);
  assert.ok(r.operatorCalls < 30, `${r.operatorCalls} calls`);
  for (const x of r.residuals) assert.ok(x <= 1e-4);
  assert.ok((await check(op, r)).orthogonality < 1e-10);
});

Deno.test("lanczos: the zero operator converges to zeros", async () => {
  const r = await lanczos(diagonalOperator(new Array(20).fill(0)), { k: 3 });
  assert.ok(r.converged);
  assert.deepEqual(r.values, [0, 0, 0]);
  assert.deepEqual(r.residuals, [0, 0, 0]);
});

Deno.test("lanczos: diagonal with three distinct values finds every copy of the top one", async () => {
  // Each Krylov sequence breaks down after 3 steps and sees one copy of 5.
  const diag = Array.from({ length: 60 }, (_, i) => [5, 3, 1][i % 3]);
  const r = await lanczos(diagonalOperator(diag), { k: 6 });
  assert.ok(r.converged);
  for (const x of r.values.slice(0, 6)) relClose(x, 5, 1e-10, "copy of 5");
  assert.ok((await check(diagonalOperator(diag), r)).orthogonality < 1e-10);
});

Deno.test("lanczos: k = dim exhausts the space and is exact", async () => {
  const diag = [4, -3, 2, 2, 0.5, -8, 1, 7];
  const r = await lanczos(diagonalOperator(diag), { k: 8 });
  assert.ok(r.converged);
  const sorted = [...diag].sort((x, y) => y - x);
  r.values.forEach((x, i) => relClose(x, sorted[i], 1e-12, `value ${i}`));
  assert.equal(r.operatorCalls, 8);
});

Deno.test("lanczos: largest-magnitude finds the negative outliers", async () => {
  const n = 200;
  const spectrum = [-30, 12, -11, 10, ...Array.from({ length: n - 4 }, (_, i) => Math.sin(i) * 3)];
  const { a } = planted(spectrum, 9);
  const op = denseOperator(a, n);
  const r = await lanczos(op, { k: 3, which: "largest-magnitude" });
  assert.ok(r.converged);
  [12, -11, -30].forEach((x, i) => relClose(r.values[i], x, 1e-4, `value ${i}`));
  const algebraic = await lanczos(op, { k: 3 });
  [12, 10, 3].forEach((x, i) => relClose(algebraic.values[i], x, i < 2 ? 1e-4 : 1e-2, `algebraic ${i}`));
});

Deno.test("lanczos: warm start from a previous solve reduces operator calls on a perturbed matrix", async () => {
  const n = 600;
  const rng = new Rng(4);
  const spectrum = [
    40,
    31,
    25,
    18,
    14,
    11,
    9,
    8,
    7.2,
    6.5,
    ...Array.from({ length: n - 10 }, (_, i) => 6 * Math.exp(-i / 60) * rng.uniform() - 0.2),
  ];
  const { a } = planted(spectrum, 2);
  const first = await lanczos(denseOperator(a, n), { k: 10 });
  // A slightly different matrix: A + 1e-3 · G / √n with G a random symmetric Gaussian matrix.
  const g = randomSymmetric(n, 8);
  const b = a.map((x, i) => x + (1e-3 * g[i]) / Math.sqrt(n));
  const cold = await lanczos(countingOperator(denseOperator(b, n)), { k: 10, seed: 1 });
  const warm = await lanczos(denseOperator(b, n), { k: 10, startVector: warmStartVector(first.vectors) });
  assert.ok(cold.converged && warm.converged);
  for (let i = 0; i < 10; i++) relClose(warm.values[i], cold.values[i], 1e-4, `value ${i}`);
  assert.ok(
    warm.operatorCalls < cold.operatorCalls,
    `warm ${warm.operatorCalls} vs cold ${cold.operatorCalls}`,
  );
  const noVerify = await lanczos(denseOperator(b, n), {
    k: 10,
    startVector: warmStartVector(first.vectors),
    verify: false,
  });
  console.log(
    `warm start: ${warm.operatorCalls} calls vs cold ${cold.operatorCalls} ` +
      `(main runs only: warm ${noVerify.operatorCalls})`,
  );
});

Deno.test('lanczos: verify "auto" skips the verification run on a well separated spectrum only', async () => {
  const n = 400;
  const rng = new Rng(21);
  // Top eigenvalues 5% or more apart, then a bulk well below them.
  const spectrum = [9, 8, 7.2, 6.5, 6, ...Array.from({ length: n - 5 }, () => 4 * rng.uniform())];
  const { a } = planted(spectrum, 13);
  const run = async (verify: boolean | "auto") => {
    const op = countingOperator(denseOperator(a, n));
    const r = await lanczos(op, { k: 5, tol: 1e-6, verify });
    assert.ok(r.converged);
    [9, 8, 7.2, 6.5, 6].forEach((x, i) => relClose(r.values[i], x, 1e-6, `verify ${verify}: value ${i}`));
    return r.operatorCalls;
  };
  const [auto, never, always] = [await run("auto"), await run(false), await run(true)];
  assert.equal(auto, never, "auto ran a verification on a well separated spectrum");
  assert.ok(always > never, `verify: true made ${always} calls, the main run alone ${never}`);
  // A close pair (0.5% apart) makes "auto" verify.
  const close = [9, 8, 7.2, 7.17, 6, ...spectrum.slice(5)];
  const { a: b } = planted(close, 13);
  const opAuto = countingOperator(denseOperator(b, n)), opNever = countingOperator(denseOperator(b, n));
  await lanczos(opAuto, { k: 5, tol: 1e-6 });
  await lanczos(opNever, { k: 5, tol: 1e-6, verify: false });
  assert.ok(
    opAuto.calls > opNever.calls,
    `auto ${opAuto.calls} calls vs ${opNever.calls} without verification`,
  );
});

Deno.test("lanczos: validation errors name the field", async () => {
  const op = diagonalOperator([3, 2, 1]);
  await rejectsConfig(lanczos(op, { k: 0 }), "k");
  await rejectsConfig(lanczos(op, { k: 4 }), "k");
  await rejectsConfig(lanczos(op, { k: 1.5 }), "k");
  await rejectsConfig(lanczos(op, { k: 2, tol: 0 }), "tol");
  await rejectsConfig(lanczos(op, { k: 2, tol: -1 }), "tol");
  await rejectsConfig(lanczos(op, { k: 2, tol: NaN }), "tol");
  await rejectsConfig(lanczos(op, { k: 2, which: "smallest" as never }), "which");
  await rejectsConfig(lanczos(op, { k: 2, maxIter: 1 }), "maxIter");
  await rejectsConfig(lanczos(op, { k: 2, verify: "sometimes" as never }), "verify");
  await rejectsConfig(lanczos(op, { k: 2, startVector: new Float64Array(2) }), "startVector");
  await rejectsConfig(lanczos(op, { k: 2, startVector: new Float64Array(3) }), "startVector");
  await rejectsConfig(lanczos({ dim: 0, apply: op.apply }, { k: 1 }), "dim");
  // The default k = 10 exceeds dim = 3.
  await rejectsConfig(lanczos(op), "k");
});

Deno.test("lanczos: onIteration reports progress and an aborted signal stops the solve", async () => {
  const op = diagonalOperator(Array.from({ length: 100 }, (_, i) => 1 / (i + 1)));
  const seen: number[] = [];
  const r = await lanczos(op, { k: 2, onIteration: (info) => seen.push(info.operatorCalls) });
  assert.equal(seen.length, r.iterations);
  assert.equal(seen[seen.length - 1], r.operatorCalls);
  const controller = new AbortController();
  controller.abort(new Error("stop"));
  await assert.rejects(lanczos(op, { k: 2, signal: controller.signal }), /stop/);
});
