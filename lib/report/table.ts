/**
 * Summary tables in the paper's "Practical Measurements" format (Dataset, Model, Δ, k, L_k, Time), as aligned
 * plain text or as markdown.
 * @module
 */
import { findThreshold } from "../analysis/thresholds.ts";
import type { AnalysisResult, CurveName, Threshold } from "../analysis/types.ts";
import { fmtLevel, fmtLoss, fmtSeconds, fmtTolerance } from "../present/format.ts";
import { datasetLabel } from "../present/labels.ts";
import { totalTime } from "../present/timings.ts";
import { intervalCell, thresholdCell, tolerancesIn } from "../present/threshold_view.ts";

/** Options of {@link summaryTable} and {@link summaryMarkdown}. */
export interface SummaryOptions {
  /** The curve whose threshold is the headline k. Default `"empirical"`. */
  curve?: CurveName;
  /** Use the smoothed curve's threshold. Default `true`. */
  smoothed?: boolean;
  /** Significant digits of L_k. Default 3. */
  digits?: number;
  /** Add a `|D|` column (k*·B). Default `false`. */
  samples?: boolean;
}

/** One row of the summary: the display strings of each column (blank where a group repeats a value). */
export interface SummaryRow {
  /** The dataset's display name on its group's first row, else `""`. */
  dataset: string;
  /** The model's description on each result's first row, else `""`. */
  model: string;
  /** The tolerance Δ_tol, or `"—"` when the result has none. */
  tolerance: string;
  /** k*, or why not: `"not reached (≈ 123 predicted)"`, `"not reached"` (see `thresholdCell`). */
  k: string;
  /** |D| = k*·B, `"≈ N"` for a predicted size, or `"—"`. */
  samples: string;
  /** k*'s interval over batch orders (see `intervalCell`), or `"—"`. */
  interval: string;
  /** L_k at k* (see `fmtLoss`), or `"—"`. */
  loss: string;
  /** The result's total run time in seconds on its first row, else `""`. */
  time: string;
  /** The threshold behind the row (null when the result has none for this tolerance). */
  threshold: Threshold | null;
}

/**
 * The rows of the summary table: one per result and tolerance, results grouped by dataset (first-appearance
 * order), the dataset shown on its group's first row, the model and time on each result's first row.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { analyze, summaryRows } from "kstar";
 * const result = await analyze({ limit: 256, batchSize: 16, epochs: 1, d: 2, mcDraws: 4, workers: 0, tolerances: [1e6] });
 * const [row] = summaryRows([result]);
 * assert.deepEqual([row.dataset, row.model, row.tolerance, row.k], ["MNIST", "Multi-layer MLP", "1000000", "1"]);
 * ```
 */
export function summaryRows(results: readonly AnalysisResult[], opts: SummaryOptions = {}): SummaryRow[] {
  const curve = opts.curve ?? "empirical";
  const smoothed = opts.smoothed ?? true;
  const digits = opts.digits ?? 3;
  const order: string[] = [];
  const groups = new Map<string, AnalysisResult[]>();
  for (const r of results) {
    const name = r.dataset?.name ?? r.config?.dataset ?? "";
    if (!groups.has(name)) {
      groups.set(name, []);
      order.push(name);
    }
    groups.get(name)!.push(r);
  }
  const rows: SummaryRow[] = [];
  for (const name of order) {
    const group = groups.get(name)!;
    // Paper-style model names, qualified by the spec where two models of a group would read the same.
    const described = group.map((r) => r.model?.description || r.model?.spec || r.config?.model || "");
    let first = true;
    group.forEach((r, gi) => {
      const clash = group.some((o, oi) =>
        oi !== gi && described[oi] === described[gi] && o.model?.spec !== r.model?.spec
      );
      const model = clash ? `${described[gi]} (${r.model.spec})` : described[gi];
      const tols = tolerancesIn(r);
      const list = tols.length > 0 ? tols : [NaN];
      list.forEach((tol, ti) => {
        const t = Number.isNaN(tol) ? null : findThreshold(r, tol, curve, smoothed);
        const cell = thresholdCell(t);
        rows.push({
          dataset: first ? datasetLabel(name) : "",
          model: ti === 0 ? model : "",
          tolerance: Number.isNaN(tol) ? "—" : fmtTolerance(tol),
          k: cell.kLong,
          samples: cell.samples,
          interval: intervalCell(t?.interval, r.config?.batchSize ?? 0).k,
          loss: t === null || t.lossAtK === null ? "—" : fmtLoss(t.lossAtK, digits),
          time: ti === 0 ? fmtSeconds(totalTime(r.timings)) : "",
          threshold: t,
        });
        first = false;
      });
    });
  }
  return rows;
}

type Align = "left" | "right";

function columns(
  results: readonly AnalysisResult[],
  opts: SummaryOptions,
): { head: string; key: keyof SummaryRow; align: Align }[] {
  const cols: { head: string; key: keyof SummaryRow; align: Align }[] = [
    { head: "Dataset", key: "dataset", align: "left" },
    { head: "Model", key: "model", align: "left" },
    { head: "Δ", key: "tolerance", align: "right" },
    { head: "k", key: "k", align: "right" },
  ];
  // The interval column when any result has intervals (at its level; mixed levels are named per cell's run).
  const levels = [...new Set(results.flatMap((r) => r.uncertainty ? [r.uncertainty.level] : []))];
  if (levels.length) {
    const level = levels.length === 1 ? `${fmtLevel(levels[0])} ` : "";
    cols.push({ head: `k (${level}CI)`, key: "interval", align: "right" });
  }
  if (opts.samples) cols.push({ head: "|D|", key: "samples", align: "right" });
  cols.push({ head: "L_k", key: "loss", align: "right" }, { head: "Time (s)", key: "time", align: "right" });
  return cols;
}

const width = (s: string) => [...s].length;
const pad = (s: string, w: number, align: Align) =>
  align === "left" ? s + " ".repeat(w - width(s)) : " ".repeat(w - width(s)) + s;

/**
 * The summary as an aligned plain-text table (paper's "Practical Measurements"): Dataset, Model, Δ, k, L_k,
 * Time (s), one row per result and tolerance, the headline k being the smoothed empirical curve's k*.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { analyze, summaryTable } from "kstar";
 * const result = await analyze({ limit: 256, batchSize: 16, epochs: 1, d: 2, mcDraws: 4, workers: 0, tolerances: [1e6] });
 * const [head, rule, row] = summaryTable([result]).split("\n");
 * assert.match(head, /^Dataset\s+Model\s+Δ\s+k\s+k \(90% CI\)\s+L_k\s+Time \(s\)$/);
 * assert.match(rule, /^-+ +-+/);
 * assert.match(row, /^MNIST\s+Multi-layer MLP\s+1000000\s+1\s+1–1\s/);
 * ```
 */
export function summaryTable(results: readonly AnalysisResult[], opts: SummaryOptions = {}): string {
  const cols = columns(results, opts);
  const rows = summaryRows(results, opts);
  const cells = rows.map((r) => cols.map((c) => String(r[c.key])));
  const widths = cols.map((c, j) => Math.max(width(c.head), ...cells.map((row) => width(row[j]))));
  const line = (vals: string[]) => vals.map((v, j) => pad(v, widths[j], cols[j].align)).join("  ").trimEnd();
  return [
    line(cols.map((c) => c.head)),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...cells.map(line),
  ].join("\n") + "\n";
}

/** Escapes a markdown table cell (pipes, newlines). */
function mdCell(s: string): string {
  return s.replaceAll("\\", "\\\\").replaceAll("|", "\\|").replace(/\r?\n/g, " ");
}

/**
 * The summary as a GitHub-flavoured markdown table (same rows as {@link summaryTable}).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { analyze, summaryMarkdown } from "kstar";
 * const result = await analyze({ limit: 256, batchSize: 16, epochs: 1, d: 2, mcDraws: 4, workers: 0, orderings: 0 });
 * assert.equal(summaryMarkdown([result]).split("\n")[0], "| Dataset | Model | Δ | k | L_k | Time (s) |");
 * ```
 */
export function summaryMarkdown(results: readonly AnalysisResult[], opts: SummaryOptions = {}): string {
  const cols = columns(results, opts);
  const rows = summaryRows(results, opts);
  const row = (vals: string[]) => `| ${vals.map(mdCell).join(" | ")} |`;
  return [
    row(cols.map((c) => c.head)),
    `|${cols.map((c) => (c.align === "right" ? " ---: " : " --- ")).join("|")}|`,
    ...rows.map((r) => row(cols.map((c) => String(r[c.key])))),
  ].join("\n") + "\n";
}
