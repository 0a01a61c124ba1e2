/**
 * The two linear layer types as tensor functions. Both are bilinear in (input, weight), which is what makes
 * exact R-operator Hessian-vector products possible with first-order building blocks only.
 *
 * Every product uses explicit transposes: the WASM backend's matMul with `transposeA/B` flags is ~10× slower.
 * @module
 */
import { tf } from "../deps.ts";
import type { LayerLayout } from "./layout.ts";

type T = tf.Tensor;

/**
 * A layer input in matrix form: `mat` is `[rows, features]` (the input itself for a dense layer, its im2col
 * patches for a conv layer) and `matT` its transpose, made on first use.
 */
export class Prepared {
  #matT: T | null = null;
  /** `mat` is the matrix form; `raw` the input as shaped per sample, `[n, ...inShape]` (shares data for dense). */
  constructor(readonly mat: T, readonly raw: T) {}
  /** The transposed matrix, computed once. */
  get matT(): T {
    this.#matT ??= tf.keep(tf.transpose(this.mat));
    return this.#matT;
  }
  /** Frees both tensors. */
  dispose(): void {
    this.mat.dispose();
    if (this.raw !== this.mat) this.raw.dispose();
    this.#matT?.dispose();
    this.#matT = null;
  }
}

/** im2col for a "same"-padded strided convolution: `[n,h,w,c]` → `[n*oh*ow, k*k*c]`, ordered (di, dj, c). */
function patches(l: LayerLayout, a: T): T {
  return tf.tidy(() => {
    const [pt, pb, pl, pr] = l.pad!;
    const s = l.stride!;
    const k = l.wShape[0];
    const [oh, ow] = l.outShape;
    const n = a.shape[0];
    const c = l.inShape[2];
    const padded = tf.pad(a, [[0, 0], [pt, pb], [pl, pr], [0, 0]]);
    const parts: T[] = [];
    for (let di = 0; di < k; di++) {
      for (let dj = 0; dj < k; dj++) {
        parts.push(
          tf.stridedSlice(padded, [0, di, dj, 0], [n, di + s * (oh - 1) + 1, dj + s * (ow - 1) + 1, c], [
            1,
            s,
            s,
            1,
          ]),
        );
      }
    }
    return tf.reshape(tf.concat(parts, 3), [n * oh * ow, k * k * c]);
  });
}

/** Puts a layer input into matrix form (see {@link Prepared}). */
export function prepare(l: LayerLayout, a: T): Prepared {
  const n = a.shape[0];
  if (l.kind === "dense") {
    const mat = tf.reshape(a, [n, l.wShape[0]]);
    return new Prepared(mat, mat);
  }
  return new Prepared(patches(l, a), tf.clone(a));
}

function weightMatrix(l: LayerLayout, W: T): T {
  return l.kind === "dense" ? W : tf.reshape(W, [l.wSize / l.wShape[3], l.wShape[3]]);
}

/** The bilinear part `a ⊛ W` (no bias), shaped `[n, ...outShape]`. */
export function lin(l: LayerLayout, a: Prepared, W: T, n: number): T {
  return tf.tidy(() => tf.reshape(tf.matMul(a.mat, weightMatrix(l, W)), [n, ...l.outShape]));
}

/** Adds the bias (broadcast over the last axis). */
export function addBias(z: T, b: T): T {
  return tf.add(z, b);
}

/** Vector–Jacobian product with respect to the input: the gradient `∂(g·(a⊛W))/∂a`, shaped `[n, ...inShape]`. */
export function linT(l: LayerLayout, g: T, W: T): T {
  return tf.tidy(() => {
    const n = g.shape[0];
    if (l.kind === "dense") {
      const g2 = tf.reshape(g, [n, l.wShape[1]]);
      return tf.reshape(tf.matMul(g2, tf.transpose(W)), [n, ...l.inShape]);
    }
    return tf.conv2dTranspose(
      g as tf.Tensor4D,
      W as tf.Tensor4D,
      [n, l.inShape[0], l.inShape[1], l.inShape[2]],
      l.stride!,
      "same",
    );
  });
}

/** Vector–Jacobian product with respect to the weight: `∂(g·(a⊛W))/∂W`, shaped like W. */
export function gradW(l: LayerLayout, a: Prepared, g: T): T {
  return tf.tidy(() => {
    const cout = l.kind === "dense" ? l.wShape[1] : l.wShape[3];
    const g2 = tf.reshape(g, [-1, cout]);
    return tf.reshape(tf.matMul(a.matT, g2), l.wShape);
  });
}

/** Vector–Jacobian product with respect to the bias: `g` summed over all but the last axis. */
export function gradB(l: LayerLayout, g: T): T {
  return tf.tidy(() => tf.sum(tf.reshape(g, [-1, l.bSize]), 0));
}

/** Row-wise inner products `⟨u_r, v_r⟩` over all per-sample axes: `[n, ...]` × `[n, ...]` → `[n]`. */
export function rowDot(u: T, v: T): T {
  return tf.tidy(() => tf.sum(tf.reshape(tf.mul(u, v), [u.shape[0], -1]), 1));
}
