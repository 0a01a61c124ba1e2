/**
 * Subsetting, shuffling and fixed-order mini-batches of a {@link Split}. Web-standard APIs only.
 *
 * Batching convention: a split of `n` samples with batch size `B` has `floor(n / B)` batches; batch
 * `k` holds samples `[k·B, (k+1)·B)` in the split's order. A trailing partial batch (the last
 * `n mod B` samples) is dropped, so every batch has exactly `B` samples.
 * @module
 */

import { checkInt, ConfigError } from "../errors.ts";
import { permutation } from "../rng.ts";
import type { Split } from "./dataset.ts";

/** Pixels per image of a split (`images.length / n`). */
export function pixelsPerImage(split: Split): number {
  if (split.n < 1) return 0;
  return split.images.length / split.n;
}

/**
 * Checks a batch size against a split of `n` samples.
 *
 * @returns `batchSize`
 * @throws {ConfigError} (field `batchSize`) unless it is an integer in `[1, n]`
 */
export function validateBatchSize(batchSize: number, n: number): number {
  if (n < 1) throw new ConfigError("batchSize", batchSize, "an integer in [1, n], but the split is empty");
  return checkInt("batchSize", batchSize, 1, n);
}

/**
 * The first `limit` samples of `split`, as views (no copy).
 *
 * @throws {ConfigError} (field `limit`) unless `limit` is an integer in `[1, split.n]`
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { limitSplit } from "kstar";
 * const split = { images: new Float32Array([0, 0.5, 1]), labels: new Uint8Array([0, 1, 2]), n: 3 };
 * const s = limitSplit(split, 2);
 * assert.deepEqual([Array.from(s.images), Array.from(s.labels), s.n], [[0, 0.5], [0, 1], 2]);
 * assert.equal(s.images.buffer, split.images.buffer); // a view, not a copy
 * ```
 */
export function limitSplit(split: Split, limit: number): Split {
  checkInt("limit", limit, 1, split.n);
  const pix = pixelsPerImage(split);
  return { images: split.images.subarray(0, limit * pix), labels: split.labels.subarray(0, limit), n: limit };
}

/**
 * A copy of `split` with samples reordered by `permutation(n, seed)` from `lib/rng.ts`
 * (sample `i` of the result is sample `perm[i]` of the input). Deterministic for a given seed.
 *
 * @throws {ConfigError} (field `seed`) unless `seed` is an integer in `[0, 4294967295]`
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { shuffleSplit } from "kstar";
 * const split = { images: new Float32Array([0, 0.25, 0.5, 0.75]), labels: new Uint8Array([0, 1, 2, 3]), n: 4 };
 * const s = shuffleSplit(split, 42);
 * assert.deepEqual([...s.labels].sort(), [0, 1, 2, 3]); // the same samples in a seeded order
 * s.labels.forEach((l, i) => assert.equal(l, 4 * s.images[i])); // each image keeps its label
 * assert.deepEqual(shuffleSplit(split, 42).labels, s.labels); // deterministic
 * ```
 */
export function shuffleSplit(split: Split, seed: number): Split {
  return takeSamples(split, shuffledOrder(split.n, seed));
}

/**
 * The seeded order {@link shuffleSplit} puts `n` samples in: a permutation of `0..n-1`.
 *
 * @throws {ConfigError} (field `seed`) unless `seed` is an integer in `[0, 4294967295]`
 */
export function shuffledOrder(n: number, seed: number): Uint32Array {
  checkInt("seed", seed, 0, 0xffffffff);
  return permutation(n, seed);
}

/** The samples of `split` at `indices`, in that order (a copy). */
export function takeSamples(split: Split, indices: ArrayLike<number>): Split {
  const pix = pixelsPerImage(split);
  const images = new Float32Array(indices.length * pix);
  const labels = new Uint8Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const src = indices[i];
    images.set(split.images.subarray(src * pix, (src + 1) * pix), i * pix);
    labels[i] = split.labels[src];
  }
  return { images, labels, n: indices.length };
}

/**
 * Number of full batches of size `batchSize` in `n` samples: `floor(n / batchSize)`
 * (the trailing partial batch is dropped).
 *
 * @throws {ConfigError} (field `batchSize`) unless `batchSize` is an integer in `[1, n]`
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { batchCount } from "kstar";
 * assert.equal(batchCount(1000, 64), 15); // the last 40 samples are dropped
 * ```
 */
export function batchCount(n: number, batchSize: number): number {
  validateBatchSize(batchSize, n);
  return Math.floor(n / batchSize);
}

/**
 * The `k`-th fixed-order batch of `split`: samples `[k·B, (k+1)·B)` as subarray views (no copy).
 *
 * @param split the split
 * @param batchSize `B`, an integer in `[1, split.n]`
 * @param k batch index, an integer in `[0, batchCount(split.n, B) - 1]`
 * @throws {ConfigError} (field `batchSize` or `batch`) when out of range
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { batchView } from "kstar";
 * const split = { images: new Float32Array([0, 0.2, 0.4, 0.6, 0.8]), labels: new Uint8Array([0, 1, 2, 3, 4]), n: 5 };
 * assert.deepEqual(Array.from(batchView(split, 2, 1).labels), [2, 3]); // sample 4 is in no batch
 * ```
 */
export function batchView(split: Split, batchSize: number, k: number): Split {
  const count = batchCount(split.n, batchSize);
  checkInt("batch", k, 0, count - 1);
  const pix = pixelsPerImage(split);
  const start = k * batchSize;
  return {
    images: split.images.subarray(start * pix, (start + batchSize) * pix),
    labels: split.labels.subarray(start, start + batchSize),
    n: batchSize,
  };
}
