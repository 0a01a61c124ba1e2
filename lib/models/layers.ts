/**
 * The two linear layer types as tensor functions. Both are bilinear in (input, weight), which is what makes
 * exact R-operator Hessian-vector products possible with first-order building blocks only.
 *
 * Every product uses explicit transposes: the WASM backend's matMul with `transposeA/B` flags is ~10× slower.
 * Convolutions use only `conv2d` (fast on every backend): the input gradient as a stride-1 convolution of the
 * zero-upsampled output gradient, the weight gradient as a dilated convolution over the batch.
 * @module
 */
import { tf } from "../deps.ts";
import type { LayerLayout } from "./layout.ts";

type T = tf.Tensor;

/**
 * A layer input prepared for the products the layer needs. For a dense layer `mat` is `[n, features]` and
 * `matT` its transpose; for a conv layer `mat` is the input itself (`[n, h, w, c]`) and `matT` the
 * padded input transposed to `[c, hp, wp, n]` (for the weight gradient as a dilated convolution). `matT` is
 * made on first use and kept (so the data's own transpose is computed once per chunk).
 */
export class Prepared {
  #matT: T | null = null;
  /** `mat` is the matrix form; `raw` the input as shaped per sample, `[n, ...inShape]` (may share data). */
  constructor(readonly mat: T, readonly raw: T, private readonly makeT: (mat: T) => T) {}
  /** The transposed form, computed once. */
  get matT(): T {
    this.#matT ??= tf.keep(tf.tidy(() => this.makeT(this.mat)));
    return this.#matT;
  }
  /** Frees the tensors. */
  dispose(): void {
    this.mat.dispose();
    if (this.raw !== this.mat) this.raw.dispose();
    this.#matT?.dispose();
    this.#matT = null;
  }
}

/** Pads (or crops) `[n, h, w, c]` to the extent a strided "same" convolution reads: `(o − 1)·s + k` per axis. */
function padForConv(l: LayerLayout, a: T): T {
  const [pt, , pl] = l.pad!;
  const s = l.stride!, k = l.wShape[0];
  const [h, w] = l.inShape;
  const hp = (l.outShape[0] - 1) * s + k, wp = (l.outShape[1] - 1) * s + k;
  const padded = tf.pad(a, [[0, 0], [pt, Math.max(0, hp - h - pt)], [pl, Math.max(0, wp - w - pl)], [0, 0]]);
  return tf.slice(padded, [0, 0, 0, 0], [-1, hp, wp, -1]);
}

/** Puts a layer input into the form its products use (see {@link Prepared}). */
export function prepare(l: LayerLayout, a: T): Prepared {
  const n = a.shape[0];
  if (l.kind === "dense") {
    const mat = tf.reshape(a, [n, l.wShape[0]]);
    return new Prepared(mat, mat, (m) => tf.transpose(m));
  }
  const x = tf.clone(a);
  return new Prepared(x, x, (m) => tf.transpose(padForConv(l, m), [3, 1, 2, 0]));
}

/** The bilinear part `a ⊛ W` (no bias), shaped `[n, ...outShape]`. */
export function lin(l: LayerLayout, a: Prepared, W: T, n: number): T {
  return tf.tidy(() => {
    if (l.kind === "conv") return tf.conv2d(a.mat as tf.Tensor4D, W as tf.Tensor4D, l.stride!, "same");
    return tf.reshape(tf.matMul(a.mat, W), [n, ...l.outShape]);
  });
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
    // Transposed strided convolution as a stride-1 convolution of the zero-upsampled g with the flipped
    // filter (tfjs-wasm's conv2dTranspose is ~4× slower).
    const s = l.stride!, k = l.wShape[0];
    const [oh, ow, cout] = l.outShape;
    const [h, w] = l.inShape;
    const [pt, , pl] = l.pad!;
    // Zero-upsampling by concatenation along new axes (WebGPU's pad kernel fails to compile above 4-D).
    let up: T = g;
    if (s > 1) {
      const zw = tf.zeros([n, oh, ow, s - 1, cout]);
      up = tf.reshape(tf.concat([tf.reshape(g, [n, oh, ow, 1, cout]), zw], 3), [n, oh, ow * s, cout]);
      const zh = tf.zeros([n, oh, s - 1, ow * s, cout]);
      up = tf.reshape(tf.concat([tf.reshape(up, [n, oh, 1, ow * s, cout]), zh], 2), [
        n,
        oh * s,
        ow * s,
        cout,
      ]);
    }
    // dx[y] = Σ_kh up[y + pt − kh]·W[kh]: correlate with the flipped filter after padding k−1−pt before.
    const bt = k - 1 - pt, bl = k - 1 - pl;
    const at = h + k - 1 - bt - oh * s, al = w + k - 1 - bl - ow * s;
    up = tf.pad(up, [[0, 0], [bt, Math.max(0, at)], [bl, Math.max(0, al)], [0, 0]]);
    up = tf.slice(up, [0, 0, 0, 0], [-1, h + k - 1, w + k - 1, -1]);
    const flipped = tf.transpose(tf.reverse(W, [0, 1]), [0, 1, 3, 2]);
    return tf.conv2d(up as tf.Tensor4D, flipped as tf.Tensor4D, 1, "valid");
  });
}

/** Vector–Jacobian product with respect to the weight: `∂(g·(a⊛W))/∂W`, shaped like W. */
export function gradW(l: LayerLayout, a: Prepared, g: T): T {
  return tf.tidy(() => {
    if (l.kind === "dense") return tf.matMul(a.matT, tf.reshape(g, [-1, l.wShape[1]]));
    // dW[kh,kw,ci,co] = Σ_{n,i,j} xp[n, s·i+kh, s·j+kw, ci]·g[n,i,j,co]: a convolution over (i, j) with the
    // batch as channels and dilation s, on the transposed padded input [ci, hp, wp, n].
    const gt = tf.transpose(g, [1, 2, 0, 3]); // [oh, ow, n, cout]
    const r = tf.conv2d(a.matT as tf.Tensor4D, gt as tf.Tensor4D, 1, "valid", "NHWC", l.stride!);
    return tf.transpose(r, [1, 2, 0, 3]);
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
