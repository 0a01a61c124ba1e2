/**
 * The flat parameter vector of a model: one Float32Array, layer after layer, each layer's weight then bias.
 *
 * - Dense layer: weight `[in, out]` row-major (`W[i][j]` at `offset + i*out + j`), then bias `[out]`.
 *   A dense layer after a conv layer reads the conv output flattened in NHWC order.
 * - Conv layer: filter `[k, k, in, out]` row-major (TensorFlow's HWIO), then bias `[out]`.
 * @module
 */
import { Rng } from "../rng.ts";
import type { ModelSpec } from "./spec.ts";

/** One parameterised layer's place in the flat vector and its shapes. */
export interface LayerLayout {
  kind: "dense" | "conv";
  /** Per-sample input shape: `[features]` (dense) or `[h, w, c]` (conv). */
  inShape: number[];
  /** Per-sample output shape. */
  outShape: number[];
  /** Weight shape: `[in, out]` (dense) or `[k, k, cin, cout]` (conv). */
  wShape: number[];
  wOffset: number;
  wSize: number;
  bOffset: number;
  bSize: number;
  /** Conv only: stride and "same" padding `[top, bottom, left, right]`. */
  stride?: number;
  pad?: [number, number, number, number];
}

/** The whole model's layout. */
export interface ModelLayout {
  spec: ModelSpec;
  /** Per-sample input shape: `[h*w]` for MLPs, `[h, w, 1]` for CNNs. */
  inputShape: number[];
  classes: number;
  layers: LayerLayout[];
  /** Total number of parameters. */
  size: number;
}

function samePad(n: number, k: number, s: number): [number, number, number] {
  const out = Math.ceil(n / s);
  const total = Math.max((out - 1) * s + k - n, 0);
  const before = Math.floor(total / 2);
  return [out, before, total - before];
}

/** Lays out the parameters of `spec` for images of `height × width` and `classes` classes. */
export function modelLayout(spec: ModelSpec, height: number, width: number, classes: number): ModelLayout {
  const layers: LayerLayout[] = [];
  let offset = 0;
  const dense = (inF: number, outF: number, inShape: number[]) => {
    const wSize = inF * outF;
    layers.push({
      kind: "dense",
      inShape,
      outShape: [outF],
      wShape: [inF, outF],
      wOffset: offset,
      wSize,
      bOffset: offset + wSize,
      bSize: outF,
    });
    offset += wSize + outF;
  };
  if (spec.kind === "mlp") {
    let inF = height * width;
    for (const h of spec.hidden) {
      dense(inF, h, [inF]);
      inF = h;
    }
    dense(inF, classes, [inF]);
    return { spec, inputShape: [height * width], classes, layers, size: offset };
  }
  let shape = [height, width, 1];
  const k = spec.kernel, s = 2;
  for (const cout of spec.channels) {
    const [oh, pt, pb] = samePad(shape[0], k, s);
    const [ow, pl, pr] = samePad(shape[1], k, s);
    const wSize = k * k * shape[2] * cout;
    layers.push({
      kind: "conv",
      inShape: shape,
      outShape: [oh, ow, cout],
      wShape: [k, k, shape[2], cout],
      wOffset: offset,
      wSize,
      bOffset: offset + wSize,
      bSize: cout,
      stride: s,
      pad: [pt, pb, pl, pr],
    });
    offset += wSize + cout;
    shape = [oh, ow, cout];
  }
  const flat = shape[0] * shape[1] * shape[2];
  dense(flat, classes, shape);
  return { spec, inputShape: [height, width, 1], classes, layers, size: offset };
}

/** He-normal weights (std √(2/fan_in)) and zero biases, from `seed`. */
export function initParams(layout: ModelLayout, seed: number): Float32Array {
  const w = new Float32Array(layout.size);
  const rng = new Rng(seed);
  for (const l of layout.layers) {
    const fanIn = l.kind === "dense" ? l.wShape[0] : l.wShape[0] * l.wShape[1] * l.wShape[2];
    const std = Math.sqrt(2 / fanIn);
    for (let i = 0; i < l.wSize; i++) w[l.wOffset + i] = std * rng.normal();
  }
  return w;
}
