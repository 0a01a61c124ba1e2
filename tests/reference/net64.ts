/**
 * A plain-JavaScript float64 reference of the networks in `lib/models/network.ts` (no tfjs), for tests.
 *
 * Same flat parameter layout ({@link ModelLayout}), same architecture: dense / "same"-padded strided conv
 * layers, ReLU between layers (not after the last), softmax cross-entropy on one-hot labels, and every
 * quantity a SUM over samples.
 *
 * - {@link loss64}: forward pass by direct loops.
 * - {@link grad64}: hand-written backpropagation (direct loops for conv, using the layout's pad/stride).
 * - {@link hvp64}: central differences of {@link grad64} along `v` (float64), with a guard that throws if
 *   any ReLU changes state between `w − εv`, `w` and `w + εv` (the loss is only piecewise smooth).
 * - {@link hessian64}: the explicit Hessian, column by column, by central differences of the gradient.
 * - {@link ggnVec64}: the generalised Gauss–Newton product `Jᵀ (diag p − ppᵀ) J v`.
 * @module
 */
import type { LayerLayout, ModelLayout } from "../../lib/models/layout.ts";

/** Number of input values per sample. */
export function inputSize(layout: ModelLayout): number {
  return layout.inputShape.reduce((a, b) => a * b, 1);
}

function size(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** `z = a ⊛ W + b` for one layer, all samples: `a` is `[n, ...inShape]`, result `[n, ...outShape]`. */
function layerForward(l: LayerLayout, w: Float64Array, a: Float64Array, n: number): Float64Array {
  const inS = size(l.inShape), outS = size(l.outShape);
  const z = new Float64Array(n * outS);
  if (l.kind === "dense") {
    const [fin, fout] = l.wShape;
    for (let s = 0; s < n; s++) {
      for (let j = 0; j < fout; j++) {
        let acc = w[l.bOffset + j];
        for (let i = 0; i < fin; i++) acc += a[s * inS + i] * w[l.wOffset + i * fout + j];
        z[s * outS + j] = acc;
      }
    }
    return z;
  }
  const [k, , cin, cout] = l.wShape;
  const [h, wd] = l.inShape;
  const [oh, ow] = l.outShape;
  const st = l.stride!, [pt, , pl] = l.pad!;
  for (let s = 0; s < n; s++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        for (let co = 0; co < cout; co++) {
          let acc = w[l.bOffset + co];
          for (let di = 0; di < k; di++) {
            const y = oy * st + di - pt;
            if (y < 0 || y >= h) continue;
            for (let dj = 0; dj < k; dj++) {
              const x = ox * st + dj - pl;
              if (x < 0 || x >= wd) continue;
              for (let ci = 0; ci < cin; ci++) {
                acc += a[s * inS + (y * wd + x) * cin + ci] *
                  w[l.wOffset + ((di * k + dj) * cin + ci) * cout + co];
              }
            }
          }
          z[s * outS + (oy * ow + ox) * cout + co] = acc;
        }
      }
    }
  }
  return z;
}

/**
 * Backward through one layer: given `g = ∂L/∂z` (`[n, ...outShape]`), adds `∂L/∂W`, `∂L/∂b` into `grad`
 * and returns `∂L/∂a` (`[n, ...inShape]`).
 */
function layerBackward(
  l: LayerLayout,
  w: Float64Array,
  a: Float64Array,
  g: Float64Array,
  n: number,
  grad: Float64Array,
): Float64Array {
  const inS = size(l.inShape), outS = size(l.outShape);
  const ga = new Float64Array(n * inS);
  if (l.kind === "dense") {
    const [fin, fout] = l.wShape;
    for (let s = 0; s < n; s++) {
      for (let j = 0; j < fout; j++) {
        const gj = g[s * outS + j];
        grad[l.bOffset + j] += gj;
        for (let i = 0; i < fin; i++) {
          grad[l.wOffset + i * fout + j] += a[s * inS + i] * gj;
          ga[s * inS + i] += w[l.wOffset + i * fout + j] * gj;
        }
      }
    }
    return ga;
  }
  const [k, , cin, cout] = l.wShape;
  const [h, wd] = l.inShape;
  const [oh, ow] = l.outShape;
  const st = l.stride!, [pt, , pl] = l.pad!;
  for (let s = 0; s < n; s++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        for (let co = 0; co < cout; co++) {
          const gz = g[s * outS + (oy * ow + ox) * cout + co];
          grad[l.bOffset + co] += gz;
          for (let di = 0; di < k; di++) {
            const y = oy * st + di - pt;
            if (y < 0 || y >= h) continue;
            for (let dj = 0; dj < k; dj++) {
              const x = ox * st + dj - pl;
              if (x < 0 || x >= wd) continue;
              for (let ci = 0; ci < cin; ci++) {
                const ai = s * inS + (y * wd + x) * cin + ci;
                const wi = l.wOffset + ((di * k + dj) * cin + ci) * cout + co;
                grad[wi] += a[ai] * gz;
                ga[ai] += w[wi] * gz;
              }
            }
          }
        }
      }
    }
  }
  return ga;
}

/** Everything a forward pass produces. */
export interface Forward64 {
  /** `inputs[l]`: layer l's input `[n, ...inShape]` (post-ReLU for l > 0). */
  inputs: Float64Array[];
  /** `pre[l]`: layer l's pre-activation `[n, ...outShape]`; the last is the logits. */
  pre: Float64Array[];
  /** Softmax probabilities `[n, classes]`. */
  p: Float64Array;
  perSample: Float64Array;
  lossSum: number;
}

/** Forward pass in float64. `x` is `n × inputSize` (NHWC for CNNs), `labels` class indices. */
export function forward64(
  layout: ModelLayout,
  w: Float64Array,
  x: Float64Array,
  labels: number[],
): Forward64 {
  const n = labels.length;
  if (x.length !== n * inputSize(layout)) {
    throw new Error(`x has ${x.length} values, want ${n}×${inputSize(layout)}`);
  }
  if (w.length !== layout.size) throw new Error(`w has ${w.length} values, want ${layout.size}`);
  const L = layout.layers.length;
  const inputs: Float64Array[] = [x];
  const pre: Float64Array[] = [];
  for (let l = 0; l < L; l++) {
    const z = layerForward(layout.layers[l], w, inputs[l], n);
    pre.push(z);
    if (l < L - 1) inputs.push(z.map((v) => (v > 0 ? v : 0)));
  }
  const C = layout.classes;
  const logits = pre[L - 1];
  const p = new Float64Array(n * C);
  const perSample = new Float64Array(n);
  let lossSum = 0;
  for (let s = 0; s < n; s++) {
    let m = -Infinity;
    for (let c = 0; c < C; c++) m = Math.max(m, logits[s * C + c]);
    let se = 0;
    for (let c = 0; c < C; c++) se += Math.exp(logits[s * C + c] - m);
    const lse = m + Math.log(se);
    for (let c = 0; c < C; c++) p[s * C + c] = Math.exp(logits[s * C + c] - lse);
    perSample[s] = lse - logits[s * C + labels[s]];
    lossSum += perSample[s];
  }
  return { inputs, pre, p, perSample, lossSum };
}

/** The loss: its sum over samples and each sample's cross-entropy. */
export function loss64(
  layout: ModelLayout,
  w: Float64Array,
  x: Float64Array,
  labels: number[],
): { lossSum: number; perSample: Float64Array } {
  const f = forward64(layout, w, x, labels);
  return { lossSum: f.lossSum, perSample: f.perSample };
}

/** Vector–Jacobian product `Jᵀ gOut` of the logits w.r.t. the parameters at `f` (gOut `[n, classes]`). */
function backprop64(layout: ModelLayout, w: Float64Array, f: Forward64, gOut: Float64Array): Float64Array {
  const n = f.perSample.length;
  const grad = new Float64Array(layout.size);
  let g = gOut;
  for (let l = layout.layers.length - 1; l >= 0; l--) {
    const ga = layerBackward(layout.layers[l], w, f.inputs[l], g, n, grad);
    if (l > 0) {
      const z = f.pre[l - 1];
      for (let i = 0; i < ga.length; i++) if (!(z[i] > 0)) ga[i] = 0;
      g = ga;
    }
  }
  return grad;
}

/** The gradient of the loss sum, by backpropagation. */
export function grad64(
  layout: ModelLayout,
  w: Float64Array,
  x: Float64Array,
  labels: number[],
): Float64Array {
  const f = forward64(layout, w, x, labels);
  const C = layout.classes;
  const g = Float64Array.from(f.p);
  labels.forEach((c, s) => (g[s * C + c] -= 1));
  return backprop64(layout, w, f, g);
}

/** Euclidean norm. */
export function norm64(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}

/** `a + t·b`. */
function axpy(a: Float64Array, t: number, b: ArrayLike<number>): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] + t * b[i];
  return out;
}

/** Throws unless every ReLU has the same on/off state at each of the given weight vectors. */
function assertSameRegion(layout: ModelLayout, ws: Float64Array[], x: Float64Array, labels: number[]): void {
  const fs = ws.map((w) => forward64(layout, w, x, labels));
  for (let l = 0; l < layout.layers.length - 1; l++) {
    const z0 = fs[0].pre[l];
    for (const f of fs.slice(1)) {
      for (let i = 0; i < z0.length; i++) {
        if ((z0[i] > 0) !== (f.pre[l][i] > 0)) {
          throw new Error(
            `hvp64: a ReLU of layer ${l} changes state within ±ε (z=${z0[i]}); use a smaller ε`,
          );
        }
      }
    }
  }
}

/**
 * Default finite-difference step along `v`: `1e-5 · max(‖w‖, 1) / ‖v‖`, i.e. a relative perturbation of
 * 1e-5 of the weights. Central-difference truncation error is O(ε²) (~1e-10 relative here), rounding
 * O(u/ε) with u = 1.1e-16 (~1e-11 relative); and a step this small rarely crosses a ReLU kink.
 */
export function defaultEps(w: Float64Array, v: ArrayLike<number>): number {
  return 1e-5 * Math.max(norm64(w), 1) / norm64(v);
}

/**
 * Hessian-vector product of the loss sum by central differences of float64 gradients:
 * `(∇L(w + εv) − ∇L(w − εv)) / 2ε`. Throws if a ReLU changes state within the stencil.
 */
export function hvp64(
  layout: ModelLayout,
  w: Float64Array,
  x: Float64Array,
  labels: number[],
  v: ArrayLike<number>,
  eps = defaultEps(w, v),
): Float64Array {
  const wp = axpy(w, eps, v), wm = axpy(w, -eps, v);
  assertSameRegion(layout, [w, wp, wm], x, labels);
  const gp = grad64(layout, wp, x, labels), gm = grad64(layout, wm, x, labels);
  const out = new Float64Array(w.length);
  for (let i = 0; i < out.length; i++) out[i] = (gp[i] - gm[i]) / (2 * eps);
  return out;
}

/** The explicit Hessian (row-major `size × size`), column i = {@link hvp64} along basis vector e_i. */
export function hessian64(
  layout: ModelLayout,
  w: Float64Array,
  x: Float64Array,
  labels: number[],
  eps = 1e-5 * Math.max(norm64(w), 1),
): Float64Array {
  const P = layout.size;
  const H = new Float64Array(P * P);
  const e = new Float64Array(P);
  for (let i = 0; i < P; i++) {
    e[i] = 1;
    const col = hvp64(layout, w, x, labels, e, eps);
    e[i] = 0;
    for (let r = 0; r < P; r++) H[r * P + i] = col[r];
  }
  return H;
}

/**
 * Generalised Gauss–Newton product `Jᵀ (diag p − ppᵀ) J v`, where J is the Jacobian of the logits w.r.t.
 * the parameters. `J v` by central differences of the logits (within one ReLU region), `Jᵀ u` by backprop.
 */
export function ggnVec64(
  layout: ModelLayout,
  w: Float64Array,
  x: Float64Array,
  labels: number[],
  v: ArrayLike<number>,
  eps = defaultEps(w, v),
): Float64Array {
  const f = forward64(layout, w, x, labels);
  const wp = axpy(w, eps, v), wm = axpy(w, -eps, v);
  assertSameRegion(layout, [w, wp, wm], x, labels);
  const L = layout.layers.length;
  const zp = forward64(layout, wp, x, labels).pre[L - 1], zm = forward64(layout, wm, x, labels).pre[L - 1];
  const C = layout.classes, n = labels.length;
  const u = new Float64Array(n * C);
  for (let s = 0; s < n; s++) {
    let pJv = 0;
    const jv = new Float64Array(C);
    for (let c = 0; c < C; c++) {
      jv[c] = (zp[s * C + c] - zm[s * C + c]) / (2 * eps);
      pJv += f.p[s * C + c] * jv[c];
    }
    for (let c = 0; c < C; c++) u[s * C + c] = f.p[s * C + c] * (jv[c] - pJv);
  }
  return backprop64(layout, w, f, u);
}
