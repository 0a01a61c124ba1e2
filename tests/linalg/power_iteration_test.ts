import assert from "node:assert/strict";
import { powerIteration } from "../../lib/linalg/power_iteration.ts";
import { lanczos } from "../../lib/linalg/lanczos.ts";
import { countingOperator, denseOperator, diagonalOperator } from "../../lib/linalg/operator.ts";
import { symmetricEigen } from "../../lib/linalg/dense_eigen.ts";
import { Rng } from "../../lib/rng.ts";
import { dot, planted, rejectsConfig, relClose } from "./helpers.ts";

Deno.test("powerIteration: top 10 with reasonable gaps and a dominant negative eigenvalue", async () => {
  const n = 300;
  const rng = new Rng(21);
  const top = [10, 8, 6.5, 5.2, 4.2, 3.4, 2.7, 2.2, 1.8, 1.5];
  const spectrum = [...top, -15, ...Array.from({ length: n - 11 }, () => -1 + 2.2 * rng.uniform())];
  const a = planted(spectrum, 4).a;
  const ref = symmetricEigen(a, n);
  const tol = 1e-4;
  const op = countingOperator(denseOperator(a, n));
  const r = await powerIteration(op, { k: 10, tol, maxIterPerVector: 2000 });
  assert.ok(r.converged);
  assert.equal(r.operatorCalls, op.calls);
  for (let i = 0; i < 10; i++) {
    relClose(r.values[i], ref.values[i], 1e-4, `value ${i}`);
    assert.ok(r.residuals[i] <= tol, `residual ${i}: ${r.residuals[i]}`);
    assert.ok(Math.abs(dot(r.vectors[i], ref.vectors[i])) >= 0.999, `vector ${i}`);
    for (let j = 0; j < i; j++) assert.ok(Math.abs(dot(r.vectors[i], r.vectors[j])) < 1e-8);
  }
  // Plain power iteration finds the largest magnitude first.
  const magnitude = await powerIteration(denseOperator(a, n), { k: 2, which: "largest-magnitude" });
  relClose(magnitude.values[1], -15, 1e-4, "largest magnitude");
  relClose(magnitude.values[0], 10, 1e-4, "second largest magnitude");
  // An explicit shift works as well.
  const shifted = await powerIteration(denseOperator(a, n), { k: 1, shift: 20 });
  relClose(shifted.values[0], 10, 1e-4, "shifted");
});

Deno.test("powerIteration: Lanczos needs at least 5× fewer operator calls on a Hessian-like spectrum", async () => {
  // A few outliers, then a slowly decaying bulk with some small negative eigenvalues.
  const n = 500;
  const rng = new Rng(5);
  const spectrum = [
    30,
    22,
    17,
    12,
    9,
    ...Array.from({ length: n - 5 }, (_, i) => (i % 10 === 9 ? -0.3 * rng.uniform() : 5 * Math.exp(-i / 40))),
  ];
  const a = planted(spectrum, 6).a;
  const ref = [...spectrum].sort((x, y) => y - x);
  const pi = await powerIteration(denseOperator(a, n), { k: 10, maxIterPerVector: 5000 });
  const lz = await lanczos(denseOperator(a, n), { k: 10 });
  assert.ok(pi.converged && lz.converged);
  for (let i = 0; i < 10; i++) {
    relClose(pi.values[i], ref[i], 1e-4, `power iteration ${i}`);
    relClose(lz.values[i], ref[i], 1e-4, `lanczos ${i}`);
  }
  const ratio = pi.operatorCalls / lz.operatorCalls;
  console.log(
    `Hessian-like n=${n}, top 10: power iteration ${pi.operatorCalls} calls, Lanczos ${lz.operatorCalls} calls ` +
      `(ratio ${ratio.toFixed(1)}×)`,
  );
  assert.ok(ratio >= 5, `ratio ${ratio}`);
});

Deno.test("powerIteration: maxIterPerVector caps the work and reports non-convergence", async () => {
  const op = countingOperator(diagonalOperator(Array.from({ length: 50 }, (_, i) => 1 - i * 1e-4)));
  const r = await powerIteration(op, { k: 2, maxIterPerVector: 5 });
  assert.equal(r.converged, false);
  assert.equal(op.calls, 10);
  assert.equal(r.values.length, 2);
});

Deno.test("powerIteration: validation errors name the field", async () => {
  const op = diagonalOperator([3, 2, 1]);
  await rejectsConfig(powerIteration(op, { k: 0 }), "k");
  await rejectsConfig(powerIteration(op, { k: 4 }), "k");
  await rejectsConfig(powerIteration(op, { k: 1, tol: 0 }), "tol");
  await rejectsConfig(powerIteration(op, { k: 1, maxIterPerVector: 0 }), "maxIterPerVector");
  await rejectsConfig(powerIteration(op, { k: 1, shift: NaN }), "shift");
  await rejectsConfig(powerIteration(op, { k: 1, which: "smallest" as never }), "which");
  const controller = new AbortController();
  controller.abort(new Error("stop"));
  await assert.rejects(powerIteration(op, { k: 1, signal: controller.signal }), /stop/);
});
