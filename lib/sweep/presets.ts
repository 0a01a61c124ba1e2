/**
 * The sweep presets: `paper-table`, the six configurations of the paper's "Practical Measurements" table, as a
 * sweep of six points (so that it fans out over workers like any sweep).
 *
 * Browser-safe.
 * @module
 */
import type { AnalysisConfig } from "../config/types.ts";
import type { SweepSpec } from "./spec.ts";

/** The six configurations of the paper's "Practical Measurements" table, each with its learning curve. */
export const PAPER_TABLE: Partial<AnalysisConfig>[] = [
  { dataset: "mnist", model: "mlp:128", tolerances: [0.025], learningCurve: true },
  { dataset: "mnist", model: "mlp:128,64", tolerances: [0.025], learningCurve: true },
  { dataset: "mnist", model: "cnn", tolerances: [0.025], learningCurve: true },
  { dataset: "fashion-mnist", model: "mlp:128", tolerances: [0.03], learningCurve: true },
  { dataset: "fashion-mnist", model: "mlp:128,64", tolerances: [0.03], learningCurve: true },
  { dataset: "fashion-mnist", model: "cnn", tolerances: [0.03], learningCurve: true },
];

/** The preset names. */
export const SWEEP_PRESETS = ["paper-table"] as const;
/** A preset's name. */
export type SweepPreset = typeof SWEEP_PRESETS[number];

/**
 * The sweep of a preset over a base config (the fields every point shares; the preset's points set the
 * dataset, model and tolerance, except where the base sets them: a tolerance given by the user wins).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { presetSweep } from "./presets.ts";
 * import { expandSweep } from "./spec.ts";
 * const points = expandSweep(presetSweep("paper-table", { limit: 1024 }));
 * assert.deepEqual([points.length, points[2].config.model, points[5].config.limit], [6, "cnn", 1024]);
 * ```
 */
export function presetSweep(preset: SweepPreset, base: Record<string, unknown> = {}): SweepSpec {
  const points = PAPER_TABLE.map((p) => Object.fromEntries(Object.entries(p).filter(([k]) => !(k in base))));
  return { name: preset, base, points };
}
