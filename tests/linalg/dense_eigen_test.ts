import assert from "node:assert/strict";
import { symmetricEigen } from "../../lib/linalg/dense_eigen.ts";
import { tridiagonalEigen } from "../../lib/linalg/tridiagonal.ts";
import { Rng } from "../../lib/rng.ts";
import { dot, randomSymmetric, throwsConfig } from "./helpers.ts";

function assertAlmostEquals(actual: number, expected: number, tolerance: number): void {
  assert.ok(
    Math.abs(actual - expected) <= tolerance,
    `${actual} differs from ${expected} by more than ${tolerance}`,
  );
}

function matVec(a: Float64Array, n: number, v: Float64Array): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += a[i * n + j] * v[j];
    out[i] = s;
  }
  return out;
}

/** Max |A v − λ v| over all pairs and max |vᵢ·vⱼ − δᵢⱼ|. */
function eigenErrors(a: Float64Array, n: number, values: ArrayLike<number>, vectors: Float64Array[]) {
  let residual = 0;
  let orthogonality = 0;
  for (let i = 0; i < n; i++) {
    const av = matVec(a, n, vectors[i]);
    for (let t = 0; t < n; t++) residual = Math.max(residual, Math.abs(av[t] - values[i] * vectors[i][t]));
    for (let j = 0; j <= i; j++) {
      orthogonality = Math.max(orthogonality, Math.abs(dot(vectors[i], vectors[j]) - (i === j ? 1 : 0)));
    }
  }
  return { residual, orthogonality };
}

function tridiagonalDense(alpha: number[], beta: number[]): Float64Array {
  const n = alpha.length;
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    a[i * n + i] = alpha[i];
    if (i < n - 1) {
      a[i * n + i + 1] = beta[i];
      a[(i + 1) * n + i] = beta[i];
    }
  }
  return a;
}

Deno.test("symmetricEigen: diagonal matrix gives sorted values and unit vectors", () => {
  const diag = [3, -7, 0.5, 12, 3.25, -1];
  const n = diag.length;
  const a = new Float64Array(n * n);
  diag.forEach((d, i) => (a[i * n + i] = d));
  const { values, vectors } = symmetricEigen(a, n);
  assert.deepEqual(Array.from(values), [...diag].sort((x, y) => y - x));
  for (let i = 0; i < n; i++) {
    const j = diag.indexOf(values[i]);
    assertAlmostEquals(Math.abs(vectors[i][j]), 1, 1e-15);
  }
});

Deno.test("symmetricEigen: 2×2 closed form", () => {
  const [p, q, r] = [1.5, -0.75, -2];
  const { values, vectors } = symmetricEigen(new Float64Array([p, q, q, r]), 2);
  const mean = (p + r) / 2;
  const radius = Math.hypot((p - r) / 2, q);
  assertAlmostEquals(values[0], mean + radius, 1e-14);
  assertAlmostEquals(values[1], mean - radius, 1e-14);
  // The eigenvector of λ is ∝ (q, λ − p).
  for (let i = 0; i < 2; i++) {
    const e = [q, values[i] - p];
    const cos = dot(e, vectors[i]) / Math.hypot(e[0], e[1]);
    assertAlmostEquals(Math.abs(cos), 1, 1e-14);
  }
});

Deno.test("symmetricEigen: random symmetric 150×150 satisfies A v = λ v and orthogonality to 1e-10", () => {
  const n = 150;
  const a = randomSymmetric(n, 1);
  const { values, vectors } = symmetricEigen(a, n);
  for (let i = 1; i < n; i++) assert.ok(values[i] <= values[i - 1]);
  const { residual, orthogonality } = eigenErrors(a, n, values, vectors);
  assert.ok(residual < 1e-10, `residual ${residual}`);
  assert.ok(orthogonality < 1e-10, `orthogonality ${orthogonality}`);
  let trace = 0;
  for (let i = 0; i < n; i++) trace += a[i * n + i];
  assertAlmostEquals(values.reduce((s, x) => s + x, 0), trace, 1e-9);
  const valuesOnly = symmetricEigen(a, n, { vectors: false });
  assert.equal(valuesOnly.vectors.length, 0);
  for (let i = 0; i < n; i++) assertAlmostEquals(valuesOnly.values[i], values[i], 1e-12);
});

Deno.test("symmetricEigen: repeated eigenvalues, zero matrix, 1×1, and input left unchanged", () => {
  // I + u uᵀ has eigenvalue 1 + ‖u‖² once and 1 (n − 1) times.
  const n = 40;
  const u = new Rng(2).fillNormal(new Float64Array(n));
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] = (i === j ? 1 : 0) + u[i] * u[j];
  const copy = a.slice();
  const { values, vectors } = symmetricEigen(a, n);
  assert.deepEqual(a, copy);
  assertAlmostEquals(values[0], 1 + dot(u, u), 1e-12);
  for (let i = 1; i < n; i++) assertAlmostEquals(values[i], 1, 1e-12);
  const { residual, orthogonality } = eigenErrors(a, n, values, vectors);
  assert.ok(residual < 1e-10 && orthogonality < 1e-10);

  const zero = symmetricEigen(new Float64Array(9), 3);
  assert.deepEqual(Array.from(zero.values), [0, 0, 0]);
  assert.ok(eigenErrors(new Float64Array(9), 3, zero.values, zero.vectors).orthogonality < 1e-15);

  const one = symmetricEigen([-4], 1);
  assert.deepEqual(Array.from(one.values), [-4]);
  assert.deepEqual(Array.from(one.vectors[0]), [1]);
});

Deno.test("symmetricEigen: validation", () => {
  throwsConfig(() => symmetricEigen(new Float64Array(5), 2), "matrix");
  throwsConfig(() => symmetricEigen(new Float64Array(0), 0), "n");
  throwsConfig(() => symmetricEigen([1, NaN, NaN, 1], 2), "matrix");
});

Deno.test("tridiagonalEigen: agrees with symmetricEigen on the dense tridiagonal", () => {
  const n = 60;
  const rng = new Rng(3);
  const alpha = Array.from({ length: n }, () => rng.normal());
  const beta = Array.from({ length: n - 1 }, () => rng.normal());
  const tri = tridiagonalEigen(alpha, beta);
  const dense = tridiagonalDense(alpha, beta);
  const ref = symmetricEigen(dense, n);
  for (let i = 0; i < n; i++) {
    assertAlmostEquals(tri.values[i], ref.values[i], 1e-12);
    // Eigenvalues of an unreduced tridiagonal are simple, so vectors agree up to sign.
    assertAlmostEquals(Math.abs(dot(tri.vectors[i], ref.vectors[i])), 1, 1e-9);
    assert.equal(tri.lastComponents[i], tri.vectors[i][n - 1]);
  }
  const { residual, orthogonality } = eigenErrors(dense, n, tri.values, tri.vectors);
  assert.ok(residual < 1e-12 && orthogonality < 1e-12, `${residual} ${orthogonality}`);
  // Values-only mode: same values and the same last components (up to rounding).
  const lean = tridiagonalEigen(alpha, beta, { vectors: false });
  assert.equal(lean.vectors.length, 0);
  for (let i = 0; i < n; i++) {
    assert.equal(lean.values[i], tri.values[i]);
    assertAlmostEquals(Math.abs(lean.lastComponents[i]), Math.abs(tri.lastComponents[i]), 1e-12);
  }
});

Deno.test("tridiagonalEigen: decoupled blocks, tiny couplings, a trailing beta entry and validation", () => {
  // beta = 0 splits the matrix; beta = 1e-300 must not stall the iteration.
  const alpha = [2, 2, 5, -1, 0, 0];
  const beta = [1, 0, 1e-300, 3, 1e-12, 99 /* ignored: Lanczos passes its residual norm here */];
  const { values, vectors } = tridiagonalEigen(alpha, beta);
  const dense = tridiagonalDense(alpha, beta.slice(0, 5));
  const ref = symmetricEigen(dense, 6);
  for (let i = 0; i < 6; i++) assertAlmostEquals(values[i], ref.values[i], 1e-13);
  const { residual, orthogonality } = eigenErrors(dense, 6, values, vectors);
  assert.ok(residual < 1e-13 && orthogonality < 1e-13);
  assert.deepEqual(Array.from(tridiagonalEigen([7], []).values), [7]);
  throwsConfig(() => tridiagonalEigen([1, 2, 3], [1]), "beta");
  throwsConfig(() => tridiagonalEigen([], []), "alpha");
});
