/**
 * The one view of a threshold: reached (k* and |D|), not reached but predicted by the power-law fit (≈ k*),
 * or not reached with no usable prediction. The CLI table, the report and the dashboard all render this.
 * @module
 */
import type { KStarInterval, PowerFit, Threshold } from "../analysis/types.ts";
import { fmt, fmtInt, fmtPercent, fmtShareDown, fmtTolerance } from "./format.ts";

/** What {@link tolerancesIn} reads: thresholds and (optionally) the configured tolerances. */
export interface ToleranceSource {
  thresholds?: readonly Pick<Threshold, "tolerance">[] | null;
  config?: { tolerances?: readonly number[] | null } | null;
}

/**
 * The tolerances of a result, in order of first appearance: its thresholds', else the configured ones.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tolerancesIn } from "./threshold_view.ts";
 * const thresholds = [{ tolerance: 0.03 }, { tolerance: 0.01 }, { tolerance: 0.03 }];
 * assert.deepEqual(tolerancesIn({ thresholds, config: { tolerances: [0.5] } }), [0.03, 0.01]);
 * assert.deepEqual(tolerancesIn({ thresholds: [], config: { tolerances: [0.5] } }), [0.5]);
 * ```
 */
export function tolerancesIn(r: ToleranceSource): number[] {
  const seen = [...new Set((r.thresholds ?? []).map((t) => t.tolerance))];
  return seen.length > 0 ? seen : [...(r.config?.tolerances ?? [])];
}

/** What a threshold cell shows. */
export interface ThresholdCell {
  /** `reached`, `predicted` (not reached; extrapolated), `not-reached` (no usable fit), `none` (no threshold). */
  kind: "reached" | "predicted" | "not-reached" | "none";
  /** k*: `"24"`, `"≈ 123"`, `"not reached"` or `"—"`. */
  k: string;
  /** The k cell with its reason spelt out, for plain text: `"not reached (≈ 123 predicted)"`. */
  kLong: string;
  /** |D| = k*·B: `"1,536"`, `"≈ 7,872"` or `"—"`. */
  samples: string;
  /** A sentence on what the cell means (tooltips, footnotes); empty when reached. */
  note: string;
}

/**
 * The cell of a threshold.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { thresholdCell } from "kstar";
 * const base = { curve: "empirical", smoothed: true, tolerance: 0.025, lossAtK: null, interval: null } as const;
 * const reached = thresholdCell({ ...base, kStar: 24, samples: 1536, predictedKStar: null, predictedSamples: null });
 * assert.deepEqual([reached.kind, reached.k, reached.samples], ["reached", "24", "1,536"]);
 * const predicted = thresholdCell({ ...base, kStar: null, samples: null, predictedKStar: 123, predictedSamples: 7872 });
 * assert.deepEqual([predicted.k, predicted.kLong, predicted.samples], ["≈ 123", "not reached (≈ 123 predicted)", "≈ 7,872"]);
 * assert.equal(thresholdCell(undefined).kind, "none");
 * ```
 */
export function thresholdCell(t: Threshold | null | undefined): ThresholdCell {
  if (!t) return { kind: "none", k: "—", kLong: "—", samples: "—", note: "" };
  if (t.kStar !== null) {
    return {
      kind: "reached",
      k: fmtInt(t.kStar),
      kLong: fmtInt(t.kStar),
      samples: fmtInt(t.samples),
      note: "",
    };
  }
  if (t.predictedKStar !== null) {
    return {
      kind: "predicted",
      k: `≈ ${fmtInt(t.predictedKStar)}`,
      kLong: `not reached (≈ ${fmtInt(t.predictedKStar)} predicted)`,
      samples: `≈ ${fmtInt(t.predictedSamples)}`,
      note: "not reached within the data; extrapolated from the power-law fit of the curve's tail",
    };
  }
  return {
    kind: "not-reached",
    k: "not reached",
    kLong: "not reached",
    samples: "—",
    note:
      "not reached within the data, and the tail does not fit a decaying power law well enough to extrapolate",
  };
}

/**
 * A sentence for a tolerance the data do not reach: what the tail fit predicts and how many more samples that
 * means, or that no prediction can be made.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { predictionLine } from "kstar";
 * const t = { curve: "empirical", smoothed: true, tolerance: 0.001, kStar: null, samples: null, lossAtK: null, predictedKStar: 40, predictedSamples: 2560, interval: null } as const;
 * const fit = { curve: "empirical", C: 1.6, alpha: 2, r2: 0.9, fromK: 5, toK: 19 } as const;
 * assert.match(predictionLine(t, fit, 1280, 64), /about 1,280 more samples/);
 * ```
 */
export function predictionLine(t: Threshold, fit: PowerFit | null, have: number, batchSize: number): string {
  const head = `Δ_tol = ${fmtTolerance(t.tolerance)}: not reached within ${fmtInt(have)} samples`;
  if (t.predictedSamples === null || t.predictedKStar === null || !fit) {
    return `${head}, and the tail does not fit a decaying power law well enough to extrapolate.`;
  }
  const more = t.predictedSamples - have;
  const fitText = `the tail fit Δ_k ≈ ${fmt(fit.C)}·k^−${fit.alpha.toFixed(2)} (r² ${fit.r2.toFixed(2)})`;
  const need = more <= batchSize
    ? `at the edge of the data: one more batch of ${batchSize} would tell`
    : `about ${fmtInt(more)} more samples would be needed (|D| ≈ ${
      fmtInt(t.predictedSamples)
    } at B = ${batchSize})`;
  return `${head}; ${fitText} predicts k* ≈ ${fmtInt(t.predictedKStar)}: ${need}.`;
}

/** What an interval cell shows. */
export interface IntervalCell {
  /** `"18–31"` (batches), `"18–31, 95% reach it"`, `"reached in 40% of orders"`, or `"—"` (no interval). */
  k: string;
  /** The same in samples (k·B): `"1,152–1,984"`, or `"—"`. */
  samples: string;
  /** The level as a heading: `"90% interval"`, or `""`. */
  heading: string;
  /** A sentence for tooltips and footnotes: what the interval is over. */
  note: string;
}

/**
 * The cell of a k* interval over batch orders (`Threshold.interval`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { intervalCell } from "kstar";
 * const all = intervalCell({ level: 0.9, low: 18, median: 24, high: 31, reached: 1 }, 64, 200);
 * assert.deepEqual([all.k, all.samples, all.heading], ["18–31", "1,152–1,984", "90% interval"]);
 * assert.equal(intervalCell({ level: 0.9, low: 18, median: 30, high: 60, reached: 0.93 }, 64).k, "18–60, 93% reach it");
 * assert.equal(intervalCell({ level: 0.9, low: null, median: null, high: null, reached: 0.4 }, 64).k, "reached in 40% of orders");
 * assert.equal(intervalCell(null, 64).k, "—");
 * ```
 */
export function intervalCell(
  iv: KStarInterval | null | undefined,
  batchSize: number,
  orderings?: number,
): IntervalCell {
  if (!iv) return { k: "—", samples: "—", heading: "", note: "" };
  const heading = `${fmtPercent(iv.level)} interval`;
  const over = `over ${orderings ? `${fmtInt(orderings)} ` : ""}random batch orders, each with resampled ` +
    `Monte Carlo draws`;
  if (iv.low === null || iv.high === null) {
    return {
      k: `reached in ${fmtPercent(iv.reached)} of orders`,
      samples: "—",
      heading,
      note: `fewer than ${fmtPercent(iv.level)} of the orders reach this tolerance within the data (${over})`,
    };
  }
  // Rounded down, so that 199 of 200 orders never read "100% reach it".
  const reach = iv.reached < 1 ? `, ${fmtShareDown(iv.reached)} reach it` : "";
  return {
    k: `${fmtInt(iv.low)}–${fmtInt(iv.high)}${reach}`,
    samples: `${fmtInt(iv.low * batchSize)}–${fmtInt(iv.high * batchSize)}`,
    heading,
    note: `k* lies in this range in ${fmtPercent(iv.level)} of the orders (median ${
      fmtInt(iv.median)
    }), ${over}`,
  };
}
