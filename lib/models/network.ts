/**
 * Forward pass, backpropagation and Pearlmutter's R-operator for ReLU networks with a softmax
 * cross-entropy loss, written out by hand so that second derivatives are exact.
 *
 * tfjs's own gradients of softmax/exp/cross-entropy drop second-order terms when nested, so nothing here
 * nests `tf.grad`: the softmax Hessian `diag(p) − ppᵀ` is applied explicitly, ReLU contributes its 0/1
 * mask (its second derivative is zero almost everywhere), and the layers are bilinear in (input, weight).
 *
 * All quantities are **sums** over the samples given (not means): callers divide by the sample count.
 * @module
 */
import { tf } from "../deps.ts";
import { fastKernels } from "../kernels/ops.ts";
import type { ModelLayout } from "./layout.ts";
import {
  affine,
  affineSum,
  applyMask,
  gradB,
  gradW,
  gradWSum,
  linTMasked,
  prepare,
  Prepared,
} from "./layers.ts";

type T = tf.Tensor;

/** Per-layer weight and bias tensors (views of a flat parameter vector, or of a direction). */
export interface LayerTensors {
  W: T[];
  b: T[];
}

/**
 * Per-layer weight and bias tensors of a flat parameter vector given on the JS side: one upload per piece, no
 * slicing on the backend (caller disposes).
 */
export function layerTensors(layout: ModelLayout, w: Float32Array): LayerTensors {
  if (w.length !== layout.size) throw new Error(`weights: expected ${layout.size}, got ${w.length}`);
  const W: T[] = [], b: T[] = [];
  for (const l of layout.layers) {
    W.push(tf.tensor(w.subarray(l.wOffset, l.wOffset + l.wSize), l.wShape));
    b.push(tf.tensor1d(w.subarray(l.bOffset, l.bOffset + l.bSize)));
  }
  return { W, b };
}

/** Frees the tensors of a {@link LayerTensors}. */
export function disposeLayers(p: LayerTensors): void {
  tf.dispose([...p.W, ...p.b]);
}

/** Joins per-layer weight and bias tensors into one flat `[size]` tensor in layout order. */
export function joinFlat(W: T[], b: T[]): T {
  return tf.tidy(() => tf.concat(W.flatMap((w, i) => [tf.reshape(w, [-1]), b[i]])));
}

/** Everything the backward pass and the R-operator need from a forward pass at fixed weights. */
export interface ForwardState {
  n: number;
  /** `input[l]`: layer l's input in matrix form. `input[0]` is the caller's (not freed here). */
  input: Prepared[];
  /**
   * `masks[l]`: layer l's ReLU mask (all layers but the last): 0/1 on the generic path, the activation itself
   * (positive exactly where the unit is active) on the fast path; see `applyMask` in `layers.ts`.
   */
  masks: T[];
  /** Logits `[n, classes]`. */
  logits: T;
  /** Softmax probabilities `[n, classes]`. */
  p: T;
  /** Per-sample cross-entropy `[n]`. */
  loss: T;
  /** `g[l]` = ∂(Σ loss)/∂z_l, filled by {@link backward}. */
  g: T[];
}

/** Runs the network on a prepared input; `y` is one-hot `[n, classes]`. */
export function forward(
  layout: ModelLayout,
  params: LayerTensors,
  x: Prepared,
  y: T,
  n: number,
): ForwardState {
  const L = layout.layers.length;
  const input: Prepared[] = [x];
  const masks: T[] = [];
  let z: T | null = null;
  const fast = fastKernels();
  for (let l = 0; l < L; l++) {
    const lay = layout.layers[l];
    if (l < L - 1 && fast) {
      // ReLU fused into the product; the activation is its own mask.
      const a = affine(lay, input[l], params.W[l], params.b[l], n, true);
      masks.push(a);
      input.push(prepare(layout.layers[l + 1], a));
      continue;
    }
    const zl: T = affine(lay, input[l], params.W[l], params.b[l], n);
    if (l < L - 1) {
      const mask = tf.tidy(() => tf.cast(tf.greater(zl, 0), "float32"));
      masks.push(mask);
      const a = tf.tidy(() => tf.mul(zl, mask));
      zl.dispose();
      input.push(prepare(layout.layers[l + 1], a));
      a.dispose();
    } else {
      z = zl;
    }
  }
  const logits = z!;
  const [p, loss] = tf.tidy(() => {
    const m = tf.max(logits, 1, true);
    const shifted = tf.sub(logits, m);
    const lse = tf.log(tf.sum(tf.exp(shifted), 1, true));
    const p = tf.exp(tf.sub(shifted, lse));
    const loss = tf.sub(tf.reshape(lse, [n]), tf.sum(tf.mul(shifted, y), 1));
    return [p, loss];
  });
  return { n, input, masks, logits, p, loss, g: [] };
}

/** Per-sample softmax cross-entropy `[n]` of logits `[n, classes]` against one-hot `y` (stable log-sum-exp). */
export function crossEntropy(logits: T, y: T): T {
  return tf.tidy(() => {
    const shifted = tf.sub(logits, tf.max(logits, 1, true));
    return tf.sub(tf.log(tf.sum(tf.exp(shifted), 1)), tf.sum(tf.mul(shifted, y), 1));
  });
}

/** Backpropagates `Σ loss` to every layer's pre-activation: fills `st.g`. */
export function backward(layout: ModelLayout, params: LayerTensors, st: ForwardState, y: T): void {
  const L = layout.layers.length;
  const g: T[] = new Array(L);
  g[L - 1] = tf.sub(st.p, y);
  for (let l = L - 1; l > 0; l--) {
    g[l - 1] = linTMasked(layout.layers[l], [[g[l], params.W[l]]], st.masks[l - 1]);
  }
  st.g = g;
}

/**
 * The gradient of `Σ loss` as one flat tensor (needs {@link backward} first); of the samples `[start, count]`
 * only, with `samples`. A state trimmed by {@link trimState} needs `params`.
 */
export function gradientFlat(
  layout: ModelLayout,
  st: ForwardState,
  params?: LayerTensors,
  samples?: [number, number],
): T {
  return tf.tidy(() => {
    const g = st.g.slice();
    if (!g[0]) {
      // Trimmed state (see trimState): the first layer's output gradient again, from the second's.
      if (!params) throw new Error("gradientFlat: a trimmed state needs the parameters");
      g[0] = linTMasked(layout.layers[1], [[g[1], params.W[1]]], st.masks[0]);
    }
    const W = layout.layers.map((lay, l) => gradW(lay, st.input[l], g[l], samples));
    const b = layout.layers.map((lay, l) => gradB(lay, g[l], samples));
    return joinFlat(W, b);
  });
}

/**
 * Frees what a state keeps that Hessian-vector products do not read — the first layer's output gradient
 * (`g[0]`; {@link gradientFlat} recomputes it from the parameters) — for states kept between passes.
 */
export function trimState(st: ForwardState): void {
  if (st.g.length > 1 && st.g[0]) {
    st.g[0].dispose();
    (st.g as (T | undefined)[])[0] = undefined;
  }
}

/** Forward-mode derivatives along a direction V: `Ra[l]` (layer l's input; null for the data) and `Rz[l]`. */
export interface RForward {
  Ra: (Prepared | null)[];
  Rz: T[];
}

/** R-forward pass: the directional derivative of every activation along the parameter direction `v`. */
export function rForward(
  layout: ModelLayout,
  params: LayerTensors,
  st: ForwardState,
  v: LayerTensors,
): RForward {
  const L = layout.layers.length;
  const Ra: (Prepared | null)[] = [null];
  const Rz: T[] = [];
  for (let l = 0; l < L; l++) {
    const lay = layout.layers[l];
    const ra = Ra[l];
    const rz = affineSum(
      lay,
      ra ? [[st.input[l], v.W[l]], [ra, params.W[l]]] : [[st.input[l], v.W[l]]],
      v.b[l],
      st.n,
    );
    Rz.push(rz);
    if (l < L - 1) {
      const ra = applyMask(rz, st.masks[l]);
      Ra.push(prepare(layout.layers[l + 1], ra));
      ra.dispose();
    }
  }
  return { Ra, Rz };
}

/** Frees an {@link RForward}. */
export function disposeRForward(r: RForward): void {
  for (const a of r.Ra) a?.dispose();
  tf.dispose(r.Rz);
}

/** Softmax cross-entropy Hessian applied to logit directions: `(diag p − ppᵀ) u`, row-wise. */
export function softmaxHessianTimes(p: T, u: T): T {
  return tf.tidy(() => tf.sub(tf.mul(p, u), tf.mul(p, tf.sum(tf.mul(p, u), 1, true))));
}

/**
 * Exact Hessian-vector product of `Σ loss` (Pearlmutter's R-operator on backpropagation), as a flat tensor.
 * Needs {@link backward} first.
 */
export function hvpFlat(layout: ModelLayout, params: LayerTensors, st: ForwardState, v: LayerTensors): T {
  const L = layout.layers.length;
  const r = rForward(layout, params, st, v);
  const hW: T[] = new Array(L), hb: T[] = new Array(L);
  let Rg: T = softmaxHessianTimes(st.p, r.Rz[L - 1]);
  for (let l = L - 1; l >= 0; l--) {
    const lay = layout.layers[l];
    const ra = r.Ra[l];
    hW[l] = gradWSum(lay, ra ? [[st.input[l], Rg], [ra, st.g[l]]] : [[st.input[l], Rg]]);
    hb[l] = gradB(lay, Rg);
    if (l > 0) {
      const next = linTMasked(lay, [[Rg, params.W[l]], [st.g[l], v.W[l]]], st.masks[l - 1]);
      Rg.dispose();
      Rg = next;
    }
  }
  Rg.dispose();
  disposeRForward(r);
  for (const p of st.input) p.releaseTemp();
  const out = joinFlat(hW, hb);
  tf.dispose([...hW, ...hb]);
  return out;
}

/** Frees a forward state (except the caller's input). */
export function disposeState(st: ForwardState): void {
  for (let l = 1; l < st.input.length; l++) st.input[l].dispose();
  tf.dispose([...st.masks, st.logits, st.p, st.loss, ...st.g.filter((t) => t)]);
}

/**
 * Puts a data chunk `[n, ...inputShape]` into the first layer's matrix form. `pixels`, the same values on the
 * JS side, let the fast path keep a sparse input in CSR form (see `SPARSE_DENSITY` in `layers.ts`), or a conv
 * input with its patch matrix.
 */
export function prepareInput(layout: ModelLayout, x: T, pixels?: Float32Array): Prepared {
  return prepare(layout.layers[0], x, pixels);
}

/** A batch of labelled samples as tensors, with its input in the first layer's form (see {@link labelledInput}). */
export interface LabelledInput {
  /** The pixels, `[n, ...inputShape]`. */
  x: T;
  /** The labels, int32 `[n]`. */
  labels: T;
  /** The one-hot labels, float32 `[n, classes]`. */
  y: T;
  /** `x` prepared by {@link prepareInput}, with `pixels`. */
  input: Prepared;
}

/**
 * Tensors for `n` samples' pixels (`n × inputSize`, float32) shaped as the model's input, their labels (int32:
 * wasm's OneHot ignores a float32 dtype), the one-hot labels and the prepared input (caller disposes all four).
 */
export function labelledInput(
  layout: ModelLayout,
  pixels: Float32Array,
  labels: Int32Array | Uint8Array,
  n: number,
): LabelledInput {
  const x = tf.tensor(pixels, [n, ...layout.inputShape]);
  const lab = tf.tensor1d(labels instanceof Int32Array ? labels : Int32Array.from(labels), "int32");
  const y = tf.tidy(() => tf.cast(tf.oneHot(lab, layout.classes), "float32"));
  return { x, labels: lab, y, input: prepareInput(layout, x, pixels) };
}
