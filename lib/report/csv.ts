/**
 * CSV export of an analysis' per-k curves (RFC 4180 quoting, full-precision numbers).
 * @module
 */
import type { AnalysisResult } from "../analysis/types.ts";

/** A CSV cell value: numbers in shortest round-trip form; null, undefined and non-finite numbers are empty. */
export type CsvValue = number | string | null | undefined;

/** Options of {@link curvesCsv}. */
export interface CsvOptions {
  /** Line terminator; RFC 4180 prescribes `"\r\n"`. Default `"\n"`. */
  newline?: "\n" | "\r\n";
}

/**
 * One CSV field: a finite number as `String(x)` (shortest round-trip), NaN/±Infinity/null/undefined as an
 * empty field, and a string quoted (with doubled quotes) when it holds a comma, a quote, CR or LF.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { csvField } from "./csv.ts";
 * assert.equal(csvField(0.1 + 0.2), "0.30000000000000004");
 * assert.equal(csvField(NaN), "");
 * assert.equal(csvField('say "hi", twice'), '"say ""hi"", twice"');
 * ```
 */
export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/**
 * One CSV record (without its line terminator).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { csvRow } from "./csv.ts";
 * assert.equal(csvRow([1, "a,b", null]), '1,"a,b",');
 * ```
 */
export function csvRow(values: readonly CsvValue[]): string {
  return values.map(csvField).join(",");
}

/** The fixed columns of {@link curvesCsv}, before `lambda_1..lambda_d`. */
export const CURVE_COLUMNS = [
  "k",
  "samples",
  "loss",
  "delta_empirical",
  "delta_empirical_se",
  "delta_theory",
  "delta_second_order",
  "delta_empirical_smoothed",
  "delta_theory_smoothed",
  "delta_second_order_smoothed",
  "delta_empirical_k2",
  "mean_perturbed_loss",
] as const;

/** The column of a curve's quantile band: `delta_empirical_smoothed_q05`, `delta_theory_q95`, … */
export function bandColumn(curve: string, smoothed: boolean, q: number): string {
  const name = curve.replace(/[A-Z]/g, (m) => `_${m.toLowerCase()}`);
  return `delta_${name}${smoothed ? "_smoothed" : ""}_q${String(Math.round(q * 100)).padStart(2, "0")}`;
}

/**
 * The per-k curves as CSV: a header, then one row per k = 1..K with k, the samples k·B, L_k(w*), the Δ_k
 * curves (empirical, its standard error, theory, second order), their smoothed versions, Δ_k^emp·k², the mean
 * perturbed loss, the eigenvalues `lambda_1..lambda_d` of Λ_k and, when the run has ordering replicates, the
 * quantile bands of every curve over batch orders (`delta_<curve>[_smoothed]_q05`, `_q50`, `_q95` at level
 * 0.9). The Δ arrays have K − 1 entries, so the last row leaves those cells empty. Numbers keep full precision;
 * missing values are empty cells.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { analyze, curvesCsv } from "kstar";
 * const result = await analyze({ limit: 256, batchSize: 16, epochs: 1, d: 2, mcDraws: 4, workers: 0 });
 * const lines = curvesCsv(result, { newline: "\r\n" }).split("\r\n");
 * assert.ok(lines[0].startsWith("k,samples,loss,delta_empirical"));
 * assert.ok(lines[1].startsWith("1,16,"));
 * assert.equal(lines.length, 16 + 2); // header, K = 16 rows, and the final newline
 * ```
 */
export function curvesCsv(result: AnalysisResult, opts: CsvOptions = {}): string {
  const nl = opts.newline ?? "\n";
  const c = result.curves;
  const batch = result.config.batchSize;
  const rows = Math.max(c.k.length, c.loss.length, c.eigenvalues.length);
  let d = 0;
  for (const ev of c.eigenvalues) d = Math.max(d, ev?.length ?? 0);
  const bands = result.uncertainty?.bands ?? [];
  const quantiles = result.uncertainty?.quantiles ?? [];
  const header = [
    ...CURVE_COLUMNS,
    ...Array.from({ length: d }, (_, i) => `lambda_${i + 1}`),
    ...bands.flatMap((b) => quantiles.map((q) => bandColumn(b.curve, b.smoothed, q))),
  ];
  const lines = [csvRow(header)];
  for (let i = 0; i < rows; i++) {
    const k = c.k[i] ?? i + 1;
    const emp = c.empirical[i];
    const ev = c.eigenvalues[i] ?? [];
    lines.push(csvRow([
      k,
      k * batch,
      c.loss[i],
      emp,
      c.empiricalSE[i],
      c.theory[i],
      c.secondOrder[i],
      c.smoothed?.empirical[i],
      c.smoothed?.theory[i],
      c.smoothed?.secondOrder[i],
      typeof emp === "number" ? emp * k * k : null,
      c.meanPerturbedLoss[i],
      ...Array.from({ length: d }, (_, j) => ev[j]),
      ...bands.flatMap((b) => b.values.map((v) => v[i])),
    ]));
  }
  return lines.join(nl) + nl;
}

/** The columns of {@link thresholdsCsv}. */
export const THRESHOLD_COLUMNS = [
  "tolerance",
  "curve",
  "smoothed",
  "k_star",
  "samples",
  "loss_at_k",
  "predicted_k_star",
  "predicted_samples",
  "interval_level",
  "interval_low",
  "interval_median",
  "interval_high",
  "interval_reached",
  "interval_orderings",
] as const;

/**
 * Every threshold of a result as CSV, one row per tolerance × curve × smoothing: k*, |D|, L_k at k*, the
 * prediction when not reached, and the interval over batch orders (empty without replicates).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { analyze, thresholdsCsv } from "kstar";
 * const result = await analyze({ limit: 256, batchSize: 16, epochs: 1, d: 2, mcDraws: 4, workers: 0, orderings: 20 });
 * const [head, first] = thresholdsCsv(result).split("\n");
 * assert.ok(head.startsWith("tolerance,curve,smoothed,k_star,samples"));
 * assert.ok(first.startsWith("0.025,empirical,true,"));
 * assert.ok(first.endsWith(",20"));
 * ```
 */
export function thresholdsCsv(result: AnalysisResult, opts: CsvOptions = {}): string {
  const nl = opts.newline ?? "\n";
  const R = result.uncertainty?.orderings ?? null;
  const lines = [csvRow(THRESHOLD_COLUMNS)];
  for (const t of result.thresholds) {
    const iv = t.interval;
    lines.push(csvRow([
      t.tolerance,
      t.curve,
      String(t.smoothed),
      t.kStar,
      t.samples,
      t.lossAtK,
      t.predictedKStar,
      t.predictedSamples,
      iv?.level,
      iv?.low,
      iv?.median,
      iv?.high,
      iv?.reached,
      iv ? R : null,
    ]));
  }
  return lines.join(nl) + nl;
}
