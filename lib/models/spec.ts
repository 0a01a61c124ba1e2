/**
 * Model specifications: `mlp:128,64` (ReLU MLP with those hidden widths) or `cnn:16,32`
 * (two 3×3 stride-2 conv+ReLU layers with those channel counts and a linear head).
 * @module
 */
import { ConfigError } from "../errors.ts";

/** A fully connected ReLU network; `hidden` lists the hidden widths (one = the paper's "single-layer MLP"). */
export interface MlpSpec {
  /** The discriminant: a fully connected network. */
  kind: "mlp";
  /** Hidden-layer widths, input side first: at least one, each an integer in [1, 4096]. */
  hidden: number[];
}

/** Two 3×3 stride-2 "same" conv+ReLU layers with `channels` filters each, then a linear head. */
export interface CnnSpec {
  /** The discriminant: a convolutional network. */
  kind: "cnn";
  /** Filters of the first and second conv layer, each an integer in [1, 256]; default `[16, 32]`. */
  channels: [number, number];
  /** Side length of the square conv kernels in pixels (3 for every parsed spec). */
  kernel: number;
}

/** A model architecture. */
export type ModelSpec = MlpSpec | CnnSpec;

/** The default model: the paper's multi-layer MLP, 784-128-64-10 on MNIST (109,386 parameters). */
export const DEFAULT_MODEL = "mlp:128,64";

const ALLOWED =
  '"mlp:W1,W2,..." (hidden widths, integers in [1, 4096]) or "cnn" / "cnn:C1,C2" (channels in [1, 256])';

/**
 * Parses `mlp:128,64`, `mlp:128`, `cnn` or `cnn:16,32`; anything else is a ConfigError on `model`.
 * A spec object is validated and returned as is.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConfigError, parseModelSpec } from "kstar";
 * assert.deepEqual(parseModelSpec("mlp:128,64"), { kind: "mlp", hidden: [128, 64] });
 * assert.deepEqual(parseModelSpec("cnn"), { kind: "cnn", channels: [16, 32], kernel: 3 });
 * assert.throws(() => parseModelSpec("rnn"), ConfigError);
 * ```
 */
export function parseModelSpec(text: string | ModelSpec): ModelSpec {
  if (typeof text !== "string") return validateSpec(text);
  const t = text.trim();
  const colon = t.indexOf(":");
  const kind = colon < 0 ? t : t.slice(0, colon);
  const rest = colon < 0 ? undefined : t.slice(colon + 1);
  if (rest !== undefined && !/^\d+(,\d+)*$/.test(rest.replace(/\s+/g, ""))) {
    throw new ConfigError("model", text, ALLOWED, "widths must be comma-separated positive integers");
  }
  const nums = rest === undefined ? [] : rest.split(",").map((s) => Number(s.trim()));
  if (kind === "mlp") {
    if (nums.length === 0) {
      throw new ConfigError("model", text, ALLOWED, "mlp needs at least one hidden width");
    }
    return validateSpec({ kind: "mlp", hidden: nums });
  }
  if (kind === "cnn") {
    const ch = nums.length === 0 ? [16, 32] : nums;
    if (ch.length !== 2) {
      throw new ConfigError("model", text, ALLOWED, "cnn takes exactly two channel counts");
    }
    return validateSpec({ kind: "cnn", channels: [ch[0], ch[1]], kernel: 3 });
  }
  throw new ConfigError("model", text, ALLOWED);
}

function validateSpec(spec: ModelSpec): ModelSpec {
  const ints = spec.kind === "mlp" ? spec.hidden : spec.channels;
  const max = spec.kind === "mlp" ? 4096 : 256;
  for (const n of ints) {
    if (!Number.isInteger(n) || n < 1 || n > max) {
      throw new ConfigError("model", formatModelSpec(spec), ALLOWED);
    }
  }
  return spec;
}

/**
 * The canonical string of a spec, e.g. `mlp:128,64`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatModelSpec, parseModelSpec } from "kstar";
 * assert.equal(formatModelSpec(parseModelSpec("cnn")), "cnn:16,32");
 * ```
 */
export function formatModelSpec(spec: ModelSpec): string {
  return spec.kind === "mlp" ? `mlp:${spec.hidden.join(",")}` : `cnn:${spec.channels.join(",")}`;
}

/**
 * A short human description, in the paper's words where they apply.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeModel, parseModelSpec } from "kstar";
 * assert.equal(describeModel(parseModelSpec("mlp:128")), "Single-layer MLP");
 * assert.equal(describeModel(parseModelSpec("cnn:8,16")), "CNN (conv 8→16, linear head)");
 * ```
 */
export function describeModel(spec: ModelSpec): string {
  if (spec.kind === "cnn") return `CNN (conv ${spec.channels.join("→")}, linear head)`;
  return spec.hidden.length === 1 ? "Single-layer MLP" : "Multi-layer MLP";
}
