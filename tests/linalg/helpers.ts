/**
 * Helpers of the eigensolver tests: float64 dot products, relative closeness, ConfigError checks and test
 * matrices with known spectra.
 * @module
 */
import assert from "node:assert/strict";
import { ConfigError } from "../../lib/errors.ts";
import { Rng } from "../../lib/rng.ts";

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export function relClose(actual: number, expected: number, rel: number, what = ""): void {
  assert.ok(
    Math.abs(actual - expected) <= rel * Math.abs(expected),
    `${what}: ${actual} vs ${expected} (relative error ${Math.abs(actual - expected) / Math.abs(expected)})`,
  );
}

export async function rejectsConfig(p: Promise<unknown>, field: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => e instanceof ConfigError && e.field === field);
}

export function randomSymmetric(n: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const x = rng.normal();
      a[i * n + j] = x;
      a[j * n + i] = x;
    }
  }
  return a;
}

/**
 * A dense symmetric matrix `Q diag(spectrum) Qᵀ` with `Q = H₁ H₂ H₃` a product of three random
 * Householder reflections, built in O(n²); `eigenvector(t)` is `Q e_t`.
 */
export function planted(spectrum: number[], seed: number) {
  const n = spectrum.length;
  const rng = new Rng(seed);
  const us = [0, 1, 2].map(() => {
    const u = rng.fillNormal(new Float64Array(n));
    const norm = Math.sqrt(dot(u, u));
    return u.map((x) => x / norm);
  });
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) a[i * n + i] = spectrum[i];
  // M ← H M H for H = I − 2uuᵀ: M − 2u pᵀ − 2p uᵀ + 4(uᵀp) u uᵀ with p = M u.
  for (const u of [us[2], us[1], us[0]]) {
    const p = new Float64Array(n);
    for (let i = 0; i < n; i++) p[i] = dot(a.subarray(i * n, i * n + n), u);
    const c = 4 * dot(u, p);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) a[i * n + j] += -2 * u[i] * p[j] - 2 * p[i] * u[j] + c * u[i] * u[j];
    }
  }
  const eigenvector = (t: number): Float64Array => {
    const v = new Float64Array(n);
    v[t] = 1;
    for (const u of [us[2], us[1], us[0]]) {
      const f = 2 * dot(u, v);
      for (let i = 0; i < n; i++) v[i] -= f * u[i];
    }
    return v;
  };
  return { a, n, eigenvector };
}

/** Exact relative residuals ‖A v − λ v‖ / |λ| and the worst |vᵢ·vⱼ| (i ≠ j) / |‖vᵢ‖ − 1|. */
/** Throws unless `fn` throws a ConfigError on `field`. */
export function throwsConfig(fn: () => unknown, field: string): void {
  assert.throws(fn, (e: unknown) => e instanceof ConfigError && e.field === field);
}
