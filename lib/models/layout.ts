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
  /** `"dense"` (fully connected) or `"conv"` (2-D convolution, ReLU after it). */
  kind: "dense" | "conv";
  /** Per-sample input shape: `[features]` (dense) or `[h, w, c]` (conv). */
  inShape: number[];
  /** Per-sample output shape. */
  outShape: number[];
  /** Weight shape: `[in, out]` (dense) or `[k, k, cin, cout]` (conv). */
  wShape: number[];
  /** Index of the layer's first weight in the flat parameter vector. */
  wOffset: number;
  /** Number of weights: the product of `wShape`. */
  wSize: number;
  /** Index of the layer's first bias in the flat vector (`wOffset + wSize`). */
  bOffset: number;
  /** Number of biases: the layer's output features (dense) or channels (conv). */
  bSize: number;
  /** Conv only: the stride in both directions (2). */
  stride?: number;
  /** Conv only: "same" padding in pixels, `[top, bottom, left, right]`. */
  pad?: [number, number, number, number];
}

/** The whole model's layout. */
export interface ModelLayout {
  /** The architecture this layout was made from. */
  spec: ModelSpec;
  /** Per-sample input shape: `[h·w·c]` for MLPs, `[h, w, c]` for CNNs (c input channels). */
  inputShape: number[];
  /** Number of classes: the width of the output (logit) layer. */
  classes: number;
  /** The parameterised layers in forward order; the last is the dense output layer. */
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

/**
 * Lays out the parameters of `spec` for inputs of `height × width × channels` (1 channel by default:
 * grayscale images; a table of F features is `1 × F × 1`) and `classes` classes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { modelLayout, parseModelSpec } from "kstar";
 * const layout = modelLayout(parseModelSpec("mlp:128,64"), 28, 28, 10);
 * assert.equal(layout.size, 109386);
 * assert.deepEqual(layout.layers.map((l) => l.wShape), [[784, 128], [128, 64], [64, 10]]);
 * assert.deepEqual(modelLayout(parseModelSpec("cnn"), 32, 32, 10, 3).layers[0].wShape, [3, 3, 3, 16]); // RGB
 * ```
 */
export function modelLayout(
  spec: ModelSpec,
  height: number,
  width: number,
  classes: number,
  channels = 1,
): ModelLayout {
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
    let inF = height * width * channels;
    for (const h of spec.hidden) {
      dense(inF, h, [inF]);
      inF = h;
    }
    dense(inF, classes, [inF]);
    return { spec, inputShape: [height * width * channels], classes, layers, size: offset };
  }
  let shape = [height, width, channels];
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
  return { spec, inputShape: [height, width, channels], classes, layers, size: offset };
}

/**
 * He-normal weights (std √(2/fan_in)) and zero biases, from `seed`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { initParams, modelLayout, parseModelSpec } from "kstar";
 * const layout = modelLayout(parseModelSpec("mlp:4"), 2, 2, 2);
 * const w = initParams(layout, 0);
 * assert.deepEqual([w.length, w[layout.layers[0].bOffset]], [30, 0]); // biases start at zero
 * assert.deepEqual(initParams(layout, 0), w); // seeded
 * ```
 */
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
