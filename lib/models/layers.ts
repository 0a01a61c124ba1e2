/**
 * The two linear layer types as tensor functions. Both are bilinear in (input, weight), which is what makes
 * exact R-operator Hessian-vector products possible with first-order building blocks only.
 *
 * Two implementations give the same results to float32 rounding:
 *
 * - **fast** (the `wasm` backend, see `lib/kernels/ops.ts`): every product runs on kstar's SIMD kernels —
 *   matrix products with fused multiply-adds and the bias and ReLU applied as they finish; convolutions read
 *   their input in place (a tap table instead of a patch matrix); convolution gradients as products on patch
 *   matrices (im2col) and the adjoint (col2im, with the ReLU mask fused); a sparse first-layer input (e.g.
 *   MNIST pixels, ~80 % zeros) in CSR form through the sparse kernels; masked sums and column sums as SIMD
 *   passes. tfjs-wasm's own data-movement ops (pad, slice, concat, transpose: 25–300 M elements/s) and its
 *   XNNPACK products (which repack a fresh right-hand matrix on every call) are not used.
 * - **generic** (every other backend): tfjs ops only, with explicit transposes (the WASM backend's matMul with
 *   `transposeA/B` flags is ~10× slower) and convolutions through `conv2d` only: the input gradient as a
 *   stride-1 convolution of the zero-upsampled output gradient, the weight gradient as a dilated convolution
 *   over the batch.
 *
 * ReLU masks: the generic path keeps 0/1 masks; the fast path keeps the layer's activation itself, whose
 * positive entries are exactly the active units. {@link applyMask} and {@link linTMasked} take either.
 * @module
 */
import { tf } from "../deps.ts";
import {
  col2im,
  colSum,
  conv,
  type ConvGeometry,
  type Csr,
  csrOf,
  disposeCsr,
  fastKernels,
  gemm,
  im2col,
  maskedSum,
  spmm,
  spmmT,
  transpose2d,
} from "../kernels/ops.ts";
import type { LayerLayout } from "./layout.ts";

type T = tf.Tensor;

/**
 * Density (nonzero fraction) at or below which a first-layer input is kept in CSR form on the fast path: the
 * sparse products cost ∝ nonzeros and beat the dense ones below about half full (MNIST ≈ 0.19 qualifies,
 * Fashion-MNIST ≈ 0.5 does not).
 */
export const SPARSE_DENSITY = 0.4;

/**
 * A layer input prepared for the products the layer needs. `mat` is `[n, features]` (dense layer) or the
 * input itself, `[n, h, w, c]` (conv layer); `raw` the input as shaped per sample (may share data). Generic
 * path: `matT` is the transpose (dense) or the padded input transposed to `[c, hp, wp, n]` (for the weight
 * gradient as a dilated convolution), made on first use and kept. Fast path: a sparse dense-layer input also
 * has its CSR form (`csr`), and a conv layer's data input its patch matrix (`patches`, `[n·oh·ow, k·k·c]`),
 * made once: the data's own transforms are computed once per chunk.
 */
export class Prepared {
  #matT: T | null = null;
  #temp: T | null = null;
  constructor(
    readonly mat: T,
    readonly raw: T,
    private readonly makeT: (mat: T) => T,
    readonly csr: Csr | null = null,
    readonly patches: T | null = null,
  ) {}
  /** The transposed form (generic path), computed once. */
  get matT(): T {
    this.#matT ??= tf.keep(tf.tidy(() => this.makeT(this.mat)));
    return this.#matT;
  }
  /**
   * Fast path, conv layer: the patch matrix — the data input's, or else one made on first use and kept until
   * {@link releaseTemp} (so that one pass makes it once for the forward and the weight-gradient products).
   */
  patchMatrix(g: ConvGeometry): T {
    if (this.patches) return this.patches;
    this.#temp ??= tf.keep(im2col(this.mat, g));
    return this.#temp;
  }
  /** Frees the patch matrix made by {@link patchMatrix} (not the data's). */
  releaseTemp(): void {
    this.#temp?.dispose();
    this.#temp = null;
  }
  /** Frees the tensors. */
  dispose(): void {
    this.mat.dispose();
    if (this.raw !== this.mat) this.raw.dispose();
    this.#matT?.dispose();
    this.#matT = null;
    if (this.csr) disposeCsr(this.csr);
    this.patches?.dispose();
    this.releaseTemp();
  }
}

/** The convolution geometry of a conv layer. */
export function geometry(l: LayerLayout): ConvGeometry {
  const [H, W, C] = l.inShape;
  return {
    H,
    W,
    C,
    oh: l.outShape[0],
    ow: l.outShape[1],
    k: l.wShape[0],
    s: l.stride!,
    pt: l.pad![0],
    pl: l.pad![2],
  };
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

/**
 * Puts a layer input into the form its products use (see {@link Prepared}). `pixels`, the same values on the
 * JS side, mark a data input: on the fast path it is then kept in CSR form when sparse (dense layer), or with
 * its patch matrix (conv layer).
 */
export function prepare(l: LayerLayout, a: T, pixels?: Float32Array): Prepared {
  const n = a.shape[0];
  const fast = fastKernels();
  if (l.kind === "dense") {
    const mat = tf.reshape(a, [n, l.wShape[0]]);
    let csr: Csr | null = null;
    if (fast && pixels) {
      // `pixels` are the n × wShape[0] values of `a`: their count is the one csrOf would make.
      let nnz = 0;
      for (let i = 0; i < pixels.length; i++) if (pixels[i] !== 0) nnz++;
      if (nnz <= SPARSE_DENSITY * pixels.length) csr = csrOf(pixels, n, l.wShape[0], nnz);
    }
    return new Prepared(mat, mat, (m) => tf.transpose(m), csr);
  }
  const x = tf.reshape(a, a.shape);
  const patches = fast && pixels ? im2col(x, geometry(l)) : null;
  return new Prepared(x, x, (m) => tf.transpose(padForConv(l, m), [3, 1, 2, 0]), null, patches);
}

/** Fast path: the matrix a layer's weight multiplies — the input (dense) or its patch matrix (conv). */
function operand(l: LayerLayout, a: Prepared): T {
  return l.kind === "dense" ? a.mat : a.patchMatrix(geometry(l));
}

/** Rows × columns of a layer's weight as a matrix: `[in, out]` or `[k·k·c, cout]`. */
function wMatrix(l: LayerLayout): [number, number] {
  const out = l.wShape[l.wShape.length - 1];
  return [l.wSize / out, out];
}

/**
 * Fast path: `Σ_i a_i ⊛ W_i (+ b, then ReLU)` for one or two (input, weight) pairs, shaped `[n, ...outShape]`:
 * one product accumulating the terms with the bias and ReLU applied as it finishes. A conv layer reads its
 * input in place (no patch matrix) unless it has one already (the data input) or few channels; a CSR input
 * goes through the sparse kernel.
 */
function fastProduct(l: LayerLayout, terms: [Prepared, T][], n: number, bias?: T, relu = false): T {
  const W = terms.map(([, w]) => tf.reshape(w, wMatrix(l)));
  const out = [n, ...l.outShape];
  if (terms.some(([a]) => a.csr)) {
    const z = terms.map(([a], i) => (a.csr ? spmm(a.csr, W[i]) : gemm(a.mat, W[i])));
    return tf.reshape(maskedSum(z[0], { x2: z[1], bias, relu }), out);
  }
  if (l.kind === "conv" && l.inShape[2] >= 4 && terms.every(([a]) => !a.patches)) {
    const [x1, x2] = terms.map(([a]) => a.mat);
    return tf.reshape(conv(geometry(l), x1, W[0], { x2, w2: W[1], bias, relu }), out);
  }
  const A = terms.map(([a]) => operand(l, a));
  return tf.reshape(gemm(A[0], W[0], { a2: A[1], b2: W[1], bias, relu }), out);
}

/** The bilinear part `a ⊛ W` (no bias), shaped `[n, ...outShape]`. */
export function lin(l: LayerLayout, a: Prepared, W: T, n: number): T {
  return tf.tidy(() => {
    if (fastKernels()) return fastProduct(l, [[a, W]], n);
    if (l.kind === "conv") return tf.conv2d(a.mat as tf.Tensor4D, W as tf.Tensor4D, l.stride!, "same");
    return tf.reshape(tf.matMul(a.mat, W), [n, ...l.outShape]);
  });
}

/** `a ⊛ W + b`, and its ReLU when `relu` (fused on the fast path). Shaped `[n, ...outShape]`. */
export function affine(l: LayerLayout, a: Prepared, W: T, b: T, n: number, relu = false): T {
  return tf.tidy(() => {
    if (fastKernels()) return fastProduct(l, [[a, W]], n, b, relu);
    const z = addBias(lin(l, a, W, n), b);
    return relu ? tf.relu(z) : z;
  });
}

/** `Σ_i a_i ⊛ W_i + b` for one or two (input, weight) pairs, shaped `[n, ...outShape]` (one product when fast). */
export function affineSum(l: LayerLayout, terms: [Prepared, T][], b: T, n: number): T {
  return tf.tidy(() => {
    if (fastKernels()) return fastProduct(l, terms, n, b);
    const z = terms.map(([a, W]) => lin(l, a, W, n));
    return tf.add(z.length === 1 ? z[0] : tf.add(z[0], z[1]), b);
  });
}

/** Adds the bias (broadcast over the last axis). */
export function addBias(z: T, b: T): T {
  return tf.add(z, b);
}

/** `x ⊙ mask` for a 0/1 mask (generic path) or `x ⊙ [mask > 0]` for an activation (fast path). */
export function applyMask(x: T, mask: T): T {
  return fastKernels() ? maskedSum(x, { mask }) : tf.mul(x, mask);
}

/** `max(x, 0)`: one SIMD pass on the fast path. */
export function relu(x: T): T {
  return fastKernels() ? maskedSum(x, { relu: true }) : tf.relu(x);
}

/** Vector–Jacobian product with respect to the input: the gradient `∂(g·(a⊛W))/∂a`, shaped `[n, ...inShape]`. */
export function linT(l: LayerLayout, g: T, W: T): T {
  return linTMasked(l, [[g, W]], null);
}

/**
 * `mask ⊙ Σ_i linT(l, g_i, W_i)` (no mask when null), for one or two (g, W) pairs: the backward step into the
 * layer below, its ReLU included. Fast path: one product `Σ g_i · W_iᵀ` (for a conv layer the gradient of
 * the patch matrix) and one col2im (conv) or masked sum (dense).
 */
export function linTMasked(l: LayerLayout, terms: [T, T][], mask: T | null): T {
  return tf.tidy(() => {
    if (!fastKernels()) {
      const parts = terms.map(([g, W]) => linTGeneric(l, g, W));
      const s = parts.length === 1 ? parts[0] : tf.addN(parts);
      return mask ? tf.mul(s, mask) : s;
    }
    const n = terms[0][0].shape[0];
    const [inF, outF] = wMatrix(l);
    const g2 = terms.map(([g]) => tf.reshape(g, [-1, outF]));
    const wt = terms.map(([, W]) => transpose2d(tf.reshape(W, [inF, outF])));
    const D = gemm(g2[0], wt[0], { a2: g2[1], b2: wt[1] });
    if (l.kind === "conv") {
      return col2im(geometry(l), D, undefined, mask ? tf.reshape(mask, [n, ...l.inShape]) : undefined);
    }
    const s = mask ? maskedSum(D, { mask: tf.reshape(mask, [n, inF]) }) : D;
    return tf.reshape(s, [n, ...l.inShape]);
  });
}

function linTGeneric(l: LayerLayout, g: T, W: T): T {
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

/**
 * Vector–Jacobian product with respect to the weight: `∂(g·(a⊛W))/∂W`, shaped like W; over samples
 * `[start, count]` only with `samples`.
 */
export function gradW(l: LayerLayout, a: Prepared, g: T, samples?: [number, number]): T {
  return gradWSum(l, [[a, g]], samples);
}

/** Matrix rows per sample of a layer's input and output products: 1 (dense) or oh·ow (conv). */
function rowsPerSample(l: LayerLayout): number {
  return l.kind === "dense" ? 1 : l.outShape[0] * l.outShape[1];
}

/**
 * `Σ_i gradW(l, a_i, g_i)` for one or two (input, gradient) pairs (over samples `[start, count]` only with
 * `samples`). Fast path: `Σ A_iᵀ · g_i` with A_i the input or its patch matrix, as one product that reduces
 * over rows (no transposes); a CSR input by the sparse kernel.
 */
export function gradWSum(l: LayerLayout, terms: [Prepared, T][], samples?: [number, number]): T {
  return tf.tidy(() => {
    if (!fastKernels()) {
      const parts = terms.map(([a, g]) => samples ? gradWRows(l, a, g, samples) : gradWGeneric(l, a, g));
      return parts.length === 1 ? parts[0] : tf.addN(parts);
    }
    const outF = wMatrix(l)[1];
    const rs = rowsPerSample(l);
    const rows = samples ? [samples[0] * rs, samples[1] * rs] as [number, number] : undefined;
    const dense = terms.filter(([a]) => !a.csr), sparse = terms.filter(([a]) => a.csr);
    const parts: T[] = sparse.map(([a, g]) => spmmT(a.csr!, tf.reshape(g, [-1, outF]), rows));
    if (dense.length > 0) {
      const A = dense.map(([a]) => operand(l, a)), G = dense.map(([, g]) => tf.reshape(g, [-1, outF]));
      parts.push(gemm(A[0], G[0], { transA: true, a2: A[1], b2: G[1], rows }));
    }
    return tf.reshape(parts.length === 1 ? parts[0] : tf.add(parts[0], parts[1]), l.wShape);
  });
}

/** Generic path: the weight gradient over samples `[start, count]` (slices of the input and gradient). */
function gradWRows(l: LayerLayout, a: Prepared, g: T, [s0, count]: [number, number]): T {
  const sub = prepare(l, tf.slice(a.raw, s0, count));
  try {
    return gradWGeneric(l, sub, tf.slice(g, s0, count));
  } finally {
    sub.dispose();
  }
}

function gradWGeneric(l: LayerLayout, a: Prepared, g: T): T {
  return tf.tidy(() => {
    if (l.kind === "dense") return tf.matMul(a.matT, tf.reshape(g, [-1, l.wShape[1]]));
    // dW[kh,kw,ci,co] = Σ_{n,i,j} xp[n, s·i+kh, s·j+kw, ci]·g[n,i,j,co]: a convolution over (i, j) with the
    // batch as channels and dilation s, on the transposed padded input [ci, hp, wp, n].
    const gt = tf.transpose(g, [1, 2, 0, 3]); // [oh, ow, n, cout]
    const r = tf.conv2d(a.matT as tf.Tensor4D, gt as tf.Tensor4D, 1, "valid", "NHWC", l.stride!);
    return tf.transpose(r, [1, 2, 0, 3]);
  });
}

/**
 * Vector–Jacobian product with respect to the bias: `g` summed over all but the last axis (over samples
 * `[start, count]` only with `samples`).
 */
export function gradB(l: LayerLayout, g: T, samples?: [number, number]): T {
  return tf.tidy(() => {
    const gs = samples && !fastKernels() ? tf.slice(g, samples[0], samples[1]) : g;
    const g2 = tf.reshape(gs, [-1, l.bSize]);
    if (!fastKernels()) return tf.sum(g2, 0);
    const rs = rowsPerSample(l);
    return colSum(g2, samples ? [samples[0] * rs, samples[1] * rs] : undefined);
  });
}

/** Row-wise inner products `⟨u_r, v_r⟩` over all per-sample axes: `[n, ...]` × `[n, ...]` → `[n]`. */
export function rowDot(u: T, v: T): T {
  return tf.tidy(() => tf.sum(tf.reshape(tf.mul(u, v), [u.shape[0], -1]), 1));
}
