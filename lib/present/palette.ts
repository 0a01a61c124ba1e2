/**
 * The one colour palette of every view: the Δ_k curves, the markers, and a categorical palette for series
 * (eigenvalue trajectories, compared runs) whose 12 colours stay distinguishable, extended for more series by
 * golden-angle hues at alternating lightness.
 * @module
 */
import type { CurveName } from "../config/choices.ts";

/** The colour of each Δ_k curve. */
export const CURVE_COLORS: Readonly<Record<CurveName, string>> = {
  empirical: "#1f5fbf",
  theory: "#d9480f",
  secondOrder: "#2b8a3e",
};

/** Colours of the other marks. */
export const MARK_COLORS = {
  /** The smoothed curve drawn over its raw one. */
  smoothed: "#0b2f66",
  /** The power-law fit. */
  fit: "#862e9c",
  /** Tolerance lines. */
  tolerance: "#c92a2a",
  /** k* lines. */
  kStar: "#5f3dc4",
  /** Interval bands and histograms over orderings. */
  interval: "#74c0fc",
  /** Grid lines. */
  grid: "#e9ecef",
  /** Axis text. */
  text: "#495057",
} as const;

/** Twelve categorical colours (Tableau 10 plus two), distinguishable side by side. */
export const SERIES_PALETTE: readonly string[] = [
  "#4e79a7",
  "#f28e2b",
  "#e15759",
  "#76b7b2",
  "#59a14f",
  "#edc948",
  "#b07aa1",
  "#ff9da7",
  "#9c755f",
  "#1f3b73",
  "#8c6d31",
  "#bab0ac",
];

/**
 * The colour of series `i` (0-based): the palette for the first 12, then golden-angle hues.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { seriesColor } from "kstar";
 * const colors = Array.from({ length: 20 }, (_, i) => seriesColor(i));
 * assert.equal(new Set(colors).size, 20);
 * ```
 */
export function seriesColor(i: number): string {
  if (i < SERIES_PALETTE.length) return SERIES_PALETTE[i];
  const j = i - SERIES_PALETTE.length;
  const hue = Math.round((j * 137.508 + 20) % 360);
  return `hsl(${hue}, 62%, ${j % 2 === 0 ? 40 : 55}%)`;
}
