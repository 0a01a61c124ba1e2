/**
 * The one label table of every view: curve names, stage names, dataset and model names. A curve reads the
 * same in the CLI, the report, the dashboard, the CSV header notes and the chart legends.
 * @module
 */
import type { Stage } from "../analysis/types.ts";
import type { CurveName } from "../config/choices.ts";

/** One word (or compound) per Δ_k curve, used in legends, tables and selectors. */
export const CURVE_LABELS: Readonly<Record<CurveName, string>> = {
  empirical: "Empirical",
  theory: "Theory",
  secondOrder: "Second-order",
};

/** What each curve is, for captions, tooltips and help. */
export const CURVE_DESCRIPTIONS: Readonly<Record<CurveName, string>> = {
  empirical: "Monte Carlo estimate E_θ(L_{k+1} − L_k)² along all d directions",
  theory: "the paper's eigenvalue formula σ⁴/4·(2Σδλ_i² + (Σδλ_i)²)",
  secondOrder: "the exact Δ_k of the second-order model (loss, gradient and curvature changes)",
};

/** Labels of the pipeline stages. */
export const STAGE_LABELS: Readonly<Record<Stage, string>> = {
  load: "Load data",
  train: "Train",
  eigensolve: "Top-d eigenvectors",
  project: "Project & Monte Carlo",
  exact: "Exact eigenvalues",
  thresholds: "Thresholds",
  orderings: "Batch orders (k* interval)",
  learningCurve: "Learning curve",
  done: "Done",
};

/**
 * A dataset for display: `MNIST`, `Fashion-MNIST`, or a folder's last segment.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { datasetLabel } from "kstar";
 * assert.deepEqual(["mnist", "fashion-mnist", "data/my-set/"].map(datasetLabel), ["MNIST", "Fashion-MNIST", "my-set"]);
 * ```
 */
export function datasetLabel(name: string): string {
  if (name === "mnist") return "MNIST";
  if (name === "fashion-mnist") return "Fashion-MNIST";
  const parts = String(name).split(/[\\/]+/).filter((p) => p !== "");
  return parts.length > 0 ? parts[parts.length - 1] : name;
}
