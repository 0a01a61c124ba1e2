/**
 * Adam training of a model's flat parameter vector on mini-batches, in the calling realm.
 * @module
 */
import { tf } from "./deps.ts";
import { checkInt, checkNumber } from "./errors.ts";
import type { Split } from "./data/dataset.ts";
import type { ModelLayout } from "./models/layout.ts";
import {
  backward,
  disposeLayers,
  disposeState,
  forward,
  gradientFlat,
  prepareInput,
  splitFlat,
} from "./models/network.ts";
import { permutation } from "./rng.ts";

/** Training settings. Defaults reach ≥ 97% test accuracy on MNIST and ≥ 85% on Fashion-MNIST with the default MLP. */
export interface TrainOptions {
  /** Adam learning rate. Default 2e-3. */
  learningRate?: number;
  /** Passes over the training data. Default 3. */
  epochs?: number;
  /** Mini-batch size for training (independent of the analysis batch size B), in [1, split.n]. Default 128. */
  batchSize?: number;
  /** Stop after this many mini-batch steps (overrides `epochs`; used by the online algorithm). */
  steps?: number;
  /** Seed of the per-epoch shuffles. Default 0. */
  seed?: number;
  /** Called after each epoch. */
  onEpoch?: (info: EpochInfo) => void;
  /** Called every few steps with the fraction of training done. */
  onProgress?: (fraction: number) => void;
  /** Stops training (the promise rejects with the signal's reason). */
  signal?: AbortSignal;
}

/** Progress after one epoch. */
export interface EpochInfo {
  /** The epoch just finished, 1-based. */
  epoch: number;
  /** Epochs in this run (with `steps`, the epochs those steps touch). */
  epochs: number;
  /** Mean training loss (cross-entropy, nats) over the samples of the epoch's steps, before each step's update. */
  loss: number;
  /** Training accuracy over the samples of the epoch's steps, in [0, 1]. */
  accuracy: number;
  /** Wall-clock seconds the epoch took. */
  seconds: number;
}

/** The defaults of {@link TrainOptions}. */
export const TRAIN_DEFAULTS = { learningRate: 2e-3, epochs: 3, batchSize: 128, seed: 0 } as const;

/**
 * Trains from `w0` with Adam (β₁ 0.9, β₂ 0.999, ε 1e-8) on softmax cross-entropy; returns the new weights.
 * Each epoch visits the split in a fresh seeded order; a trailing partial mini-batch is used as well.
 * Runs on the current tfjs backend (start one with `initBackend` from `backend.ts`); `w0` is not modified.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type EpochInfo, initBackend, initParams, modelLayout, parseModelSpec, train } from "kstar";
 * await initBackend("cpu");
 * const layout = modelLayout(parseModelSpec("mlp:4"), 2, 2, 2); // 2×2 images, 2 classes
 * // label 1 when the top row is bright
 * const images = new Float32Array([1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 0, 1, 0, 1, 1, 1]);
 * const split = { images, labels: new Uint8Array([1, 0, 1, 0]), n: 4 };
 * const epochs: EpochInfo[] = [];
 * const w = await train(layout, split, initParams(layout, 0), {
 *   learningRate: 0.05,
 *   epochs: 30,
 *   batchSize: 4,
 *   onEpoch: (e) => epochs.push(e),
 * });
 * assert.equal(w.length, 30);
 * assert.ok(epochs[29].loss < epochs[0].loss); // the loss falls
 * assert.equal(epochs[29].accuracy, 1);
 * ```
 */
export async function train(
  layout: ModelLayout,
  split: Split,
  w0: Float32Array,
  opts: TrainOptions = {},
): Promise<Float32Array> {
  const lr = checkNumber("learningRate", opts.learningRate ?? TRAIN_DEFAULTS.learningRate, 0, 10, true);
  const epochs = checkInt("epochs", opts.epochs ?? TRAIN_DEFAULTS.epochs, 1, 10_000);
  const bs = checkInt("trainBatchSize", opts.batchSize ?? TRAIN_DEFAULTS.batchSize, 1, split.n);
  const seed = opts.seed ?? TRAIN_DEFAULTS.seed;
  if (w0.length !== layout.size) throw new Error(`weights: expected ${layout.size} values, got ${w0.length}`);
  const inputSize = layout.inputShape.reduce((a, b) => a * b, 1);
  // Mini-batches are gathered on the JS side: one tensor of the whole split could exceed WebGPU's 128 MiB
  // binding limit (which fails silently), and the copy is cheap next to the step.
  const xb = new Float32Array(bs * inputSize);
  const yb = new Int32Array(bs);
  let w: tf.Tensor = tf.tensor1d(w0);
  let m: tf.Tensor = tf.zerosLike(w), v: tf.Tensor = tf.zerosLike(w);
  const b1 = 0.9, b2 = 0.999, eps = 1e-8;
  const steps = Math.ceil(split.n / bs);
  const maxSteps = opts.steps === undefined ? Infinity : checkInt("steps", opts.steps, 1, 1e9);
  const epochCount = opts.steps === undefined ? epochs : Math.ceil(maxSteps / steps);
  let t = 0;
  try {
    for (let epoch = 1; epoch <= epochCount && t < maxSteps; epoch++) {
      const started = performance.now();
      const order = permutation(split.n, seed * 100_003 + epoch);
      let lossSum: tf.Tensor = tf.scalar(0), hitSum: tf.Tensor = tf.scalar(0);
      let seen = 0;
      for (let s = 0; s < steps && t < maxSteps; s++) {
        if (opts.signal?.aborted) throw opts.signal.reason ?? new Error("aborted");
        const idx = order.subarray(s * bs, Math.min(split.n, (s + 1) * bs));
        const n = idx.length;
        seen += n;
        t++;
        for (let r = 0; r < n; r++) {
          const i = idx[r];
          xb.set(split.images.subarray(i * inputSize, (i + 1) * inputSize), r * inputSize);
          yb[r] = split.labels[i];
        }
        const next = tf.tidy(() => {
          const x = tf.tensor(xb.subarray(0, n * inputSize), [n, ...layout.inputShape]);
          const y = tf.cast(tf.oneHot(tf.tensor1d(yb.subarray(0, n), "int32"), layout.classes), "float32");
          const params = splitFlat(layout, w);
          const input = prepareInput(layout, x);
          const st = forward(layout, params, input, y, n);
          backward(layout, params, st, y);
          const g = tf.div(gradientFlat(layout, st), n);
          const hits = tf.sum(tf.cast(tf.equal(tf.argMax(st.logits, 1), tf.argMax(y, 1)), "float32"));
          const loss = tf.sum(st.loss);
          disposeState(st);
          input.dispose();
          disposeLayers(params);
          const m2 = tf.add(tf.mul(m, b1), tf.mul(g, 1 - b1));
          const v2 = tf.add(tf.mul(v, b2), tf.mul(tf.square(g), 1 - b2));
          const step = lr * Math.sqrt(1 - b2 ** t) / (1 - b1 ** t);
          const w2 = tf.sub(w, tf.mul(tf.div(m2, tf.add(tf.sqrt(v2), eps)), step));
          return [w2, m2, v2, tf.add(lossSum, loss), tf.add(hitSum, hits)];
        });
        tf.dispose([w, m, v, lossSum, hitSum]);
        [w, m, v, lossSum, hitSum] = next;
        if (s % 50 === 49) {
          await w.data(); // let the backend catch up
          await new Promise((r) => setTimeout(r, 0)); // and the event loop run (timers, progress, cancellation)
          opts.onProgress?.(Math.min(1, t / Math.min(maxSteps, epochCount * steps)));
        }
      }
      const [ls, hs] = [(await lossSum.data())[0], (await hitSum.data())[0]];
      tf.dispose([lossSum, hitSum]);
      opts.onEpoch?.({
        epoch,
        epochs: epochCount,
        loss: ls / seen,
        accuracy: hs / seen,
        seconds: (performance.now() - started) / 1000,
      });
      opts.onProgress?.(Math.min(1, t / Math.min(maxSteps, epochCount * steps)));
    }
    const out = await w.data();
    return Float32Array.from(out as Float32Array);
  } finally {
    tf.dispose([w, m, v]);
  }
}
