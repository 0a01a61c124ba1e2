/**
 * Top-k eigenpairs of a symmetric operator by the Lanczos method with full reorthogonalisation.
 *
 * The solver sees the matrix only through {@link SymmetricOperator.apply} (for a network, a
 * Hessian-vector product), keeps the Krylov basis in float64 and reorthogonalises every new vector
 * twice against the whole basis, so the tridiagonal projection stays exact to rounding and Ritz
 * pairs do not repeat ("ghosts"). See {@link lanczos} for the details.
 * @module
 */

import { checkChoice, checkInt, checkNumber, ConfigError } from "../errors.ts";
import { Rng } from "../rng.ts";
import { checkOperator, type EigenpairResult, relativeResidual, type SymmetricOperator } from "./operator.ts";
import { axpy, dot, orthogonalize, scaleToUnit } from "./vectors.ts";
import { tridiagonalEigen } from "./tridiagonal.ts";

/**
 * Which end of the spectrum to find: the largest eigenvalues (`"largest-algebraic"`, e.g. the top of
 * a Hessian's spectrum) or those largest in absolute value (`"largest-magnitude"`).
 */
export type Which = "largest-algebraic" | "largest-magnitude";

/**
 * The allowed values of {@link Which}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { WHICH } from "kstar";
 * assert.deepEqual(WHICH, ["largest-algebraic", "largest-magnitude"]);
 * ```
 */
export const WHICH: readonly Which[] = ["largest-algebraic", "largest-magnitude"];

/** Progress reported by {@link lanczos} after every iteration. */
export interface LanczosIterationInfo {
  /** 0 for the main run, 1, 2, … for verification runs (see `LanczosOptions.verify`). */
  run: number;
  /** Size of this run's Krylov basis. */
  iteration: number;
  /** Iterations over all runs so far. */
  totalIterations: number;
  /** Operator calls so far. */
  operatorCalls: number;
  /** The current wanted Ritz values, best first (at most `k`). */
  ritzValues: number[];
  /** Their estimated relative residuals (see {@link lanczos}). */
  residuals: number[];
  /** How many of them meet the tolerance. */
  converged: number;
}

/** Options for {@link lanczos}. */
export interface LanczosOptions {
  /** Number of eigenpairs wanted, an integer in `[1, dim]`; default 10. */
  k?: number;
  /** Which eigenvalues to find; default `"largest-algebraic"`. */
  which?: Which;
  /** Relative residual tolerance `‖A v − λ v‖ ≤ tol · |λ|`, > 0; default `1e-4`. */
  tol?: number;
  /**
   * Largest Krylov basis per run (main run and each verification run), an integer ≥ k; default
   * `max(10 k, 200)`. Capped at `dim`. The basis takes up to `maxIter · dim · 8` bytes.
   */
  maxIter?: number;
  /** Seed of the random start and restart vectors; default 0. */
  seed?: number;
  /**
   * A start vector of length `dim` instead of a random one (warm start), e.g. from
   * {@link warmStartVector} of a previous solve's eigenvectors. Not modified.
   */
  startVector?: Float64Array;
  /**
   * After the main run converges, run Lanczos again from a random vector orthogonal to the pairs found
   * ("locking"), to catch extra copies of repeated eigenvalues that one Krylov sequence cannot see,
   * until a run finds nothing better than the current k-th value. Each such run costs about the
   * iterations needed to converge one more eigenvalue. `true`: always; `false`: never; `"auto"` (the
   * default): only when the main run gives a reason to suspect a repeated eigenvalue or a cluster — it
   * broke down (an invariant subspace: few distinct eigenvalues, or low rank), or two of its top `k + 1`
   * Ritz values lie within a relative {@link CLUSTER_GAP} of each other.
   */
  verify?: boolean | "auto";
  /** Called after every iteration. */
  onIteration?: (info: LanczosIterationInfo) => void;
  /** Aborts between operator calls (the promise rejects with `signal.reason`). */
  signal?: AbortSignal;
}

/**
 * Relative gap `|θ_i − θ_{i+1}| / max(|θ_i|, |θ_{i+1}|)` between adjacent top Ritz values at or below which
 * `verify: "auto"` runs the verification: eigenvalues that close may hide further copies or cluster members.
 */
export const CLUSTER_GAP = 1e-2;

/** Relative size of `‖A q‖` below which the new Lanczos vector counts as breakdown. */
const BREAKDOWN = 1e-10;
/** Eigenvalues smaller than this times `‖A‖` are measured against it in relative residuals. */
const FLOOR = 1e-10;

interface Pair {
  value: number;
  vector: Float64Array;
  residual: number;
  converged: boolean;
}

interface Context {
  op: SymmetricOperator;
  k: number;
  which: Which;
  tol: number;
  maxIter: number;
  rng: Rng;
  calls: number;
  iterations: number;
  normEst: number;
  onIteration?: (info: LanczosIterationInfo) => void;
  signal?: AbortSignal;
}

/**
 * The `k` largest (algebraic or in magnitude) eigenvalues of a symmetric operator and their
 * eigenvectors, by Lanczos with full reorthogonalisation.
 *
 * Each iteration makes one operator call; the new vector is orthogonalised twice (classical
 * Gram–Schmidt, "twice is enough") against the whole float64 basis. The Ritz pairs of the tridiagonal
 * `T_m` are checked after every iteration (eigenvalues and last eigenvector components of `T_m` only,
 * `O(m²)`: cheaper than the reorthogonalisation, negligible next to an operator call): pair `i` has
 * converged when
 * `|β_m s_{m,i}| ≤ tol · max(|θ_i|, 1e-10 · ‖A‖)`, where `‖A‖` is the largest `‖A q‖` seen; the floor
 * only matters for eigenvalues at rounding level (the null space of a rank-deficient operator).
 * Stops when the top `k` pairs (and, for `"largest-magnitude"`, both extreme Ritz values) converge.
 *
 * The reported `residuals` are these estimates divided by `max(|λ|, floor)`: with full
 * reorthogonalisation `|β_m s_{m,i}|` equals `‖A v − λ v‖` to rounding (no extra operator calls).
 * For pairs found by a verification run it omits the coupling to earlier pairs, which is at most
 * their own residual.
 *
 * Breakdown (`β ≤ 1e-10 ‖A‖`: the basis spans an invariant subspace, e.g. an operator of low rank or
 * with few distinct eigenvalues) restarts with a random vector orthogonal to the basis, so the search
 * goes on; when the basis spans the whole space the pairs are exact. One Krylov sequence sees only one
 * direction of each eigenspace (in exact arithmetic; rounding errors grow the other copies only slowly),
 * so copies of a repeated eigenvalue, or members of a cluster tighter than the tolerance, are found by
 * verification runs (`verify`): Lanczos again on the complement of the pairs found, from a random
 * vector, until its top Ritz pair has converged below the current k-th value; a pair above it replaces
 * the k-th and another run follows (at most `k` runs). A run costs about the iterations needed to
 * converge one more eigenvalue (in the tests 30–60% on top of the main run), so by default
 * (`verify: "auto"`) it runs only when the main run gives cause: a breakdown, or two of its top `k + 1`
 * Ritz values within a relative {@link CLUSTER_GAP} (1%) of each other — where copies hide. Well separated
 * spectra, such as a trained network's top Hessian eigenvalues, skip it. Negative eigenvalues of any size
 * need no shift.
 *
 * Results: `values` descending (for `"largest-magnitude"`: the `k` largest in magnitude, listed in
 * descending algebraic order), unit orthogonal `vectors`, `iterations` over all runs and
 * `operatorCalls`. `converged` is false when `maxIter` ran out first; the best Ritz pairs are returned.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { diagonalOperator, lanczos } from "kstar";
 * const op = diagonalOperator(Array.from({ length: 100 }, (_, i) => 1 / (i + 1)));
 * const { values, converged } = await lanczos(op, { k: 3 });
 * assert.ok(converged);
 * values.forEach((v, i) => assert.ok(Math.abs(v - 1 / (i + 1)) < 1e-6)); // 1, 1/2, 1/3
 * ```
 */
export async function lanczos(op: SymmetricOperator, options: LanczosOptions = {}): Promise<EigenpairResult> {
  const n = checkOperator(op);
  const k = checkInt("k", options.k ?? 10, 1, n);
  const which = checkChoice("which", options.which ?? "largest-algebraic", WHICH);
  const tol = checkNumber("tol", options.tol ?? 1e-4, 0, Number.POSITIVE_INFINITY, true);
  const maxIter = Math.min(n, checkInt("maxIter", options.maxIter ?? Math.max(10 * k, 200), k));
  const seed = checkInt("seed", options.seed ?? 0, 0, 0xffffffff);
  const verify = options.verify ?? "auto";
  if (verify !== true && verify !== false && verify !== "auto") {
    throw new ConfigError("verify", String(verify), 'true, false or "auto"');
  }
  const ctx: Context = {
    op,
    k,
    which,
    tol,
    maxIter,
    rng: new Rng(seed),
    calls: 0,
    iterations: 0,
    normEst: 0,
    onIteration: options.onIteration,
    signal: options.signal,
  };
  let start: Float64Array;
  if (options.startVector !== undefined) {
    const v = options.startVector;
    if (!(v instanceof Float64Array) || v.length !== n || !v.every(Number.isFinite) || dot(v, v) === 0) {
      throw new ConfigError(
        "startVector",
        v instanceof Float64Array ? `Float64Array(${v.length})` : typeof v,
        `a nonzero, finite Float64Array of length ${n}`,
      );
    }
    start = v.slice();
  } else {
    start = ctx.rng.fillNormal(new Float64Array(n));
  }

  const main = await krylovRun(ctx, [], start, null, 0);
  let found = main.pairs;
  if ((verify === true || (verify === "auto" && main.suspect)) && main.converged && !main.exhausted) {
    for (let run = 1; run <= k; run++) {
      if (found.length >= n) break;
      const worst = found[found.length - 1].value;
      const threshold = key(which, worst) + tol * Math.max(Math.abs(worst), FLOOR * ctx.normEst);
      const locked = found.map((p) => p.vector);
      const res = await krylovRun(ctx, locked, ctx.rng.fillNormal(new Float64Array(n)), threshold, run);
      const added = res.pairs.filter((p) => p.converged && key(which, p.value) > threshold);
      if (added.length === 0) break;
      found = [...found, ...added].sort((a, b) => key(which, b.value) - key(which, a.value)).slice(0, k);
      if (res.exhausted) break;
    }
  }
  found.sort((a, b) => b.value - a.value);
  return {
    values: found.map((p) => p.value),
    vectors: found.map((p) => p.vector),
    residuals: found.map((p) => p.residual),
    iterations: ctx.iterations,
    operatorCalls: ctx.calls,
    converged: found.every((p) => p.converged),
  };
}

/**
 * A warm-start vector for {@link lanczos} from a previous solve's eigenvectors: their (equally
 * weighted) sum, normalised, plus random noise of relative size `noise` (default `1e-3`) so that no
 * direction is missing entirely. Lanczos from it converges in little more than `k` iterations when the
 * operator changed only slightly.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { diagonalOperator, lanczos, warmStartVector } from "kstar";
 * const op = diagonalOperator(Array.from({ length: 50 }, (_, i) => 50 - i));
 * const first = await lanczos(op, { k: 3 });
 * const again = await lanczos(op, { k: 3, startVector: warmStartVector(first.vectors) });
 * again.values.forEach((v, i) => assert.ok(Math.abs(v - (50 - i)) < 1e-3)); // 50, 49, 48 (tol 1e-4)
 * ```
 */
export function warmStartVector(
  previous: readonly Float64Array[],
  options: { noise?: number; seed?: number } = {},
): Float64Array {
  if (previous.length === 0) throw new ConfigError("previous", 0, "at least one vector");
  const n = previous[0].length;
  const noise = checkNumber("noise", options.noise ?? 1e-3, 0);
  const v = new Float64Array(n);
  for (const p of previous) {
    if (p.length !== n) throw new ConfigError("previous", p.length, `vectors of one length (${n})`);
    axpy(1 / Math.sqrt(dot(p, p) || 1), p, v);
  }
  scaleToUnit(v);
  if (noise > 0) {
    const r = new Rng(checkInt("seed", options.seed ?? 1, 0, 0xffffffff)).fillNormal(new Float64Array(n));
    axpy(noise / Math.sqrt(dot(r, r)), r, v);
    scaleToUnit(v);
  }
  return v;
}

function key(which: Which, value: number): number {
  return which === "largest-algebraic" ? value : Math.abs(value);
}

/** A random unit vector orthogonal to `bases`, or null when they (numerically) span everything. */
function randomOrthogonal(rng: Rng, n: number, bases: Float64Array[][]): Float64Array | null {
  for (let attempt = 0; attempt < 3; attempt++) {
    const v = rng.fillNormal(new Float64Array(n));
    const before = Math.sqrt(dot(v, v));
    orthogonalize(v, bases);
    if (scaleToUnit(v) > 1e-6 * before) return v;
  }
  return null;
}

interface RunOutcome {
  /** Wanted pairs (main run: the top k; verification: those above the threshold), best first. */
  pairs: Pair[];
  converged: boolean;
  /** The basis spanned the whole complement of the locked vectors. */
  exhausted: boolean;
  /** The run broke down, or two of its top k + 1 Ritz values are within CLUSTER_GAP (see `verify`). */
  suspect: boolean;
}

/** Whether two adjacent values of `sorted` (by key, best first) lie within CLUSTER_GAP of each other. */
function clustered(sorted: number[], floor: number): boolean {
  for (let i = 0; i + 1 < sorted.length; i++) {
    const a = sorted[i], b = sorted[i + 1];
    if (Math.abs(a - b) <= CLUSTER_GAP * Math.max(Math.abs(a), Math.abs(b), floor)) return true;
  }
  return false;
}

/**
 * One Lanczos run on the complement of `locked` (orthonormal). With `threshold === null` it wants the
 * top `k` pairs; otherwise every pair whose key exceeds `threshold` (at most `k`) plus the extreme
 * Ritz values, which must converge to show that nothing above the threshold is left.
 */
async function krylovRun(
  ctx: Context,
  locked: Float64Array[],
  start: Float64Array,
  threshold: number | null,
  run: number,
): Promise<RunOutcome> {
  const { op, tol } = ctx;
  const n = op.dim;
  const room = n - locked.length;
  const maxM = Math.min(ctx.maxIter, room);
  const basis: Float64Array[] = [];
  const alpha: number[] = [];
  const beta: number[] = [];
  let brokeDown = false;
  orthogonalize(start, [locked]);
  let q: Float64Array | null = scaleToUnit(start) > 0 ? start : randomOrthogonal(ctx.rng, n, [locked]);
  if (q === null) throw new Error("lanczos: no start vector orthogonal to the locked vectors");
  for (let m = 1;; m++) {
    ctx.signal?.throwIfAborted();
    basis.push(q);
    const w = await op.apply(q);
    ctx.calls++;
    ctx.iterations++;
    if (!(w instanceof Float64Array) || w.length !== n) {
      throw new Error(`lanczos: op.apply returned ${w?.length} entries, expected a Float64Array(${n})`);
    }
    ctx.normEst = Math.max(ctx.normEst, Math.sqrt(dot(w, w)));
    if (m > 1) axpy(-beta[m - 2], basis[m - 2], w);
    let a = dot(q, w);
    axpy(-a, q, w);
    const h = orthogonalize(w, [locked, basis]);
    a += h[h.length - 1];
    if (!Number.isFinite(a)) throw new Error("lanczos: op.apply returned non-finite values");
    alpha.push(a);
    const b = Math.sqrt(dot(w, w));
    beta.push(b);
    const breakdown = b <= BREAKDOWN * ctx.normEst;
    const exhausted = m >= room;

    const status = assess(ctx, alpha, beta, threshold, exhausted);
    ctx.onIteration?.({
      run,
      iteration: m,
      totalIterations: ctx.iterations,
      operatorCalls: ctx.calls,
      ritzValues: status.wanted.map((i) => status.values[i]),
      residuals: status.wanted.map((i) => status.residuals[i]),
      converged: status.wanted.filter((i) => status.residuals[i] <= tol).length,
    });
    if (status.done || exhausted || m >= maxM) {
      const { vectors } = tridiagonalEigen(alpha, beta, { vectors: true });
      const pairs = status.wanted.map((i): Pair => {
        const s = vectors[i];
        const v = new Float64Array(n);
        for (let j = 0; j < m; j++) axpy(s[j], basis[j], v);
        scaleToUnit(v);
        return {
          value: status.values[i],
          vector: v,
          residual: status.residuals[i],
          converged: exhausted || status.residuals[i] <= tol,
        };
      });
      const top = status.order.slice(0, ctx.k + 1).map((i) => status.values[i]);
      const suspect = brokeDown || clustered(top, FLOOR * ctx.normEst);
      return { pairs, converged: status.done || exhausted, exhausted, suspect };
    }
    if (breakdown) {
      // Invariant subspace: continue from a fresh direction; T_m decouples (β = 0).
      beta[m - 1] = 0;
      brokeDown = true;
      q = randomOrthogonal(ctx.rng, n, [locked, basis]);
      if (q === null) {
        // Numerically the whole space: treat as exhausted on the next assessment.
        return assessFinal(ctx, alpha, beta, basis, threshold);
      }
    } else {
      q = w;
      for (let i = 0; i < n; i++) q[i] /= b;
    }
  }
}

/** Final pairs when the basis spans the space numerically (exact up to rounding). */
function assessFinal(
  ctx: Context,
  alpha: number[],
  beta: number[],
  basis: Float64Array[],
  threshold: number | null,
): RunOutcome {
  const status = assess(ctx, alpha, beta, threshold, true);
  const { vectors } = tridiagonalEigen(alpha, beta, { vectors: true });
  const n = ctx.op.dim;
  const pairs = status.wanted.map((i): Pair => {
    const v = new Float64Array(n);
    for (let j = 0; j < basis.length; j++) axpy(vectors[i][j], basis[j], v);
    scaleToUnit(v);
    return { value: status.values[i], vector: v, residual: status.residuals[i], converged: true };
  });
  return { pairs, converged: true, exhausted: true, suspect: true };
}

interface Assessment {
  /** Ritz values of T_m, descending. */
  values: Float64Array;
  /** Estimated relative residuals, per value. */
  residuals: Float64Array;
  /** Indices into `values` of the wanted pairs, best first. */
  wanted: number[];
  /** Indices into `values` in the order of `which`, best first. */
  order: number[];
  done: boolean;
}

function assess(
  ctx: Context,
  alpha: number[],
  beta: number[],
  threshold: number | null,
  exhausted: boolean,
): Assessment {
  const { k, which, tol } = ctx;
  const m = alpha.length;
  const { values, lastComponents } = tridiagonalEigen(alpha, beta, { vectors: false });
  const bm = beta[m - 1];
  const floor = FLOOR * ctx.normEst;
  const residuals = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    residuals[i] = relativeResidual(Math.abs(bm * lastComponents[i]), values[i], floor);
  }
  let order = Array.from({ length: m }, (_, i) => i);
  if (which === "largest-magnitude") {
    order = order.sort((a, b) => Math.abs(values[b]) - Math.abs(values[a]) || a - b);
  }
  let wanted: number[];
  if (threshold === null) wanted = order.slice(0, k);
  else wanted = order.filter((i) => key(which, values[i]) > threshold).slice(0, k);
  const ok = (i: number) => residuals[i] <= tol;
  // The extreme Ritz values in the wanted direction must converge too: an unconverged one may still
  // grow past the wanted ones.
  const extremes = which === "largest-algebraic" ? [0] : [0, m - 1];
  let done = wanted.every(ok) && extremes.every(ok);
  if (threshold === null && m < k) done = false;
  if (exhausted) done = true;
  return { values, residuals, wanted, order, done };
}
