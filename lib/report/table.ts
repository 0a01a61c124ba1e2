/**
 * Summary tables in the paper's "Practical Measurements" format (Dataset, Model, Δ, k, L_k, Time), as aligned
 * plain text or as markdown.
 * @module
 */
import type { AnalysisResult, CurveName, Threshold } from "../analysis/types.ts";

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
  /** The dataset's display name (see {@link datasetLabel}) on its group's first row, else `""`. */
  dataset: string;
  /** The model's description on each result's first row, else `""`. */
  model: string;
  /** The tolerance Δ_tol (see {@link formatTolerance}), or `"—"` when the result has none. */
  tolerance: string;
  /** k* or the "not reached" label (see {@link kLabel}). */
  k: string;
  /** |D| = k*·B, `"≈N"` for a predicted size, or `"—"`. */
  samples: string;
  /** L_k at k* with `digits` significant digits (see {@link formatValue}), or `"—"`. */
  loss: string;
  /** The result's total run time in seconds (see {@link formatSeconds}) on its first row, else `""`. */
  time: string;
  /** The threshold behind the row (null when the result has none for this tolerance). */
  threshold: Threshold | null;
}

/**
 * The display name of a dataset: `MNIST`, `Fashion-MNIST`, or the name (last path segment of a folder).
 * @example
 * ```ts
 * import { datasetLabel } from "./table.ts";
 * datasetLabel("fashion-mnist"); // "Fashion-MNIST"
 * ```
 */
export function datasetLabel(name: string): string {
  if (name === "mnist") return "MNIST";
  if (name === "fashion-mnist") return "Fashion-MNIST";
  const parts = name.split(/[\\/]+/).filter((p) => p !== "");
  return parts.length > 0 ? parts[parts.length - 1] : name;
}

/**
 * A duration for people: `"850 ms"`, `"12.3 s"`, `"3 min 20 s"`, `"1 h 02 min"`; `"—"` when not finite.
 * @example
 * ```ts
 * import { formatDuration } from "./table.ts";
 * formatDuration(200); // "3 min 20 s"
 * formatDuration(0.0425); // "43 ms"
 * ```
 */
export function formatDuration(seconds: number | null | undefined): string {
  if (typeof seconds !== "number" || !Number.isFinite(seconds)) return "—";
  const sign = seconds < 0 ? "−" : "";
  const s = Math.abs(seconds);
  if (s < 1) return `${sign}${Math.round(s * 1000)} ms`;
  if (s < 10) return `${sign}${s.toFixed(2)} s`;
  if (s < 60) return `${sign}${s.toFixed(1)} s`;
  const whole = Math.round(s);
  if (whole < 3600) return `${sign}${Math.floor(whole / 60)} min ${String(whole % 60).padStart(2, "0")} s`;
  const minutes = Math.round(s / 60);
  return `${sign}${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
}

/**
 * Seconds for a "Time (s)" column: whole seconds from 100 s on, otherwise 3 significant digits.
 * @example
 * ```ts
 * import { formatSeconds } from "./table.ts";
 * formatSeconds(2000.4); // "2000"
 * formatSeconds(12.345); // "12.3"
 * ```
 */
export function formatSeconds(seconds: number | null | undefined): string {
  if (typeof seconds !== "number" || !Number.isFinite(seconds)) return "—";
  if (Math.abs(seconds) >= 100) return String(Math.round(seconds));
  return String(Number(seconds.toPrecision(3)));
}

/**
 * A number with `digits` decimals when that shows at least two significant digits (`0.013`, `2.500`),
 * otherwise `digits` significant digits (`0.000412`, `1.2e-7`); `"—"` when not finite.
 * @example
 * ```ts
 * import { formatValue } from "./table.ts";
 * formatValue(0.0131); // "0.013"
 * formatValue(0.000412); // "0.000412"
 * ```
 */
export function formatValue(x: number | null | undefined, digits = 3): string {
  if (typeof x !== "number" || !Number.isFinite(x)) return "—";
  if (x === 0) return "0";
  if (Math.abs(x) >= 10 ** (1 - digits) && Math.abs(x) < 1e6) return x.toFixed(digits);
  return String(Number(x.toPrecision(digits)));
}

/**
 * A tolerance as in the paper (`0.030`): 3 decimals when they are exact, else the shortest round-trip form.
 * @example
 * ```ts
 * import { formatTolerance } from "./table.ts";
 * formatTolerance(0.03); // "0.030"
 * formatTolerance(1e-5); // "0.00001"
 * ```
 */
export function formatTolerance(tol: number): string {
  if (!Number.isFinite(tol)) return "—";
  const fixed = tol.toFixed(3);
  return Number(fixed) === tol ? fixed : String(tol);
}

/** Total run time: `timings.total`, else the sum of the stages. */
function totalSeconds(r: AnalysisResult): number | null {
  const t = r.timings ?? {};
  if (typeof t.total === "number") return t.total;
  const parts = Object.values(t).filter((v) => typeof v === "number" && Number.isFinite(v));
  return parts.length > 0 ? parts.reduce((a, b) => a + b, 0) : null;
}

/** The tolerances of a result, in order: the thresholds', else the configured ones. */
function tolerancesIn(r: AnalysisResult): number[] {
  const seen: number[] = [];
  for (const t of r.thresholds ?? []) if (!seen.includes(t.tolerance)) seen.push(t.tolerance);
  if (seen.length === 0) { for (const t of r.config?.tolerances ?? []) seen.push(t); }
  return seen;
}

/**
 * The k cell of a threshold: k*, or `"not reached (≈N predicted)"` / `"not reached"`.
 * @example
 * ```ts
 * import { kLabel } from "./table.ts";
 * import type { Threshold } from "../analysis/types.ts";
 * kLabel({ kStar: null, predictedKStar: 123.4 } as Threshold); // "not reached (≈123 predicted)"
 * ```
 */
export function kLabel(t: Threshold | null): string {
  if (t === null) return "—";
  if (t.kStar !== null) return String(t.kStar);
  const p = t.predictedKStar;
  return typeof p === "number" && Number.isFinite(p)
    ? `not reached (≈${Math.ceil(p - 1e-9)} predicted)`
    : "not reached";
}

/**
 * Finds the threshold of a curve and tolerance (`smoothed` picks the smoothed or raw curve's), or null.
 * @example
 * ```ts
 * import { findThreshold } from "./table.ts";
 * import type { AnalysisResult } from "../analysis/types.ts";
 * // a result saved by `kstar analyze` (result.json in its --out folder)
 * const result: AnalysisResult = JSON.parse(await Deno.readTextFile("result.json"));
 * const t = findThreshold(result, 0.025); // empirical, smoothed
 * const raw = findThreshold(result, 0.025, "theory", false);
 * console.log(t?.kStar, raw?.kStar);
 * ```
 */
export function findThreshold(
  r: AnalysisResult,
  tolerance: number,
  curve: CurveName = "empirical",
  smoothed = true,
): Threshold | null {
  return (r.thresholds ?? []).find((t) =>
    t.curve === curve && t.smoothed === smoothed && t.tolerance === tolerance
  ) ?? null;
}

/**
 * The rows of the summary table: one per result and tolerance, results grouped by dataset (first-appearance
 * order), the dataset shown on its group's first row, the model and time on each result's first row.
 * @example
 * ```ts
 * import { summaryRows } from "./table.ts";
 * import type { AnalysisResult } from "../analysis/types.ts";
 * // a result saved by `kstar analyze` (result.json in its --out folder)
 * const result: AnalysisResult = JSON.parse(await Deno.readTextFile("result.json"));
 * const rows = summaryRows([result]);
 * console.log(rows[0].k); // e.g. "40"
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
        rows.push({
          dataset: first ? datasetLabel(name) : "",
          model: ti === 0 ? model : "",
          tolerance: Number.isNaN(tol) ? "—" : formatTolerance(tol),
          k: kLabel(t),
          samples: t === null
            ? "—"
            : t.samples !== null
            ? String(t.samples)
            : t.predictedSamples !== null && Number.isFinite(t.predictedSamples)
            ? `≈${Math.ceil(t.predictedSamples - 1e-9)}`
            : "—",
          loss: t === null || t.lossAtK === null ? "—" : formatValue(t.lossAtK, digits),
          time: ti === 0 ? formatSeconds(totalSeconds(r)) : "",
          threshold: t,
        });
        first = false;
      });
    });
  }
  return rows;
}

type Align = "left" | "right";

function columns(opts: SummaryOptions): { head: string; key: keyof SummaryRow; align: Align }[] {
  const cols: { head: string; key: keyof SummaryRow; align: Align }[] = [
    { head: "Dataset", key: "dataset", align: "left" },
    { head: "Model", key: "model", align: "left" },
    { head: "Δ", key: "tolerance", align: "right" },
    { head: "k", key: "k", align: "right" },
  ];
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
 * import { summaryTable } from "./table.ts";
 * import type { AnalysisResult } from "../analysis/types.ts";
 * // results saved by `kstar analyze` (result.json in each run's --out folder)
 * const load = async (path: string): Promise<AnalysisResult> => JSON.parse(await Deno.readTextFile(path));
 * const mnistResult = await load("out/mnist/result.json");
 * const fashionResult = await load("out/fashion-mnist/result.json");
 * console.log(summaryTable([mnistResult, fashionResult]));
 * // Dataset        Model            Δ      k    L_k  Time (s)
 * // -------------  ---------------  -----  --  -----  --------
 * // MNIST          Multi-layer MLP  0.025  40  0.010      3500
 * ```
 */
export function summaryTable(results: readonly AnalysisResult[], opts: SummaryOptions = {}): string {
  const cols = columns(opts);
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
 * import { summaryMarkdown } from "./table.ts";
 * import type { AnalysisResult } from "../analysis/types.ts";
 * // a result saved by `kstar analyze` (result.json in its --out folder)
 * const result: AnalysisResult = JSON.parse(await Deno.readTextFile("result.json"));
 * summaryMarkdown([result]).split("\n")[0]; // "| Dataset | Model | Δ | k | L_k | Time (s) |"
 * ```
 */
export function summaryMarkdown(results: readonly AnalysisResult[], opts: SummaryOptions = {}): string {
  const cols = columns(opts);
  const rows = summaryRows(results, opts);
  const row = (vals: string[]) => `| ${vals.map(mdCell).join(" | ")} |`;
  return [
    row(cols.map((c) => c.head)),
    `|${cols.map((c) => (c.align === "right" ? " ---: " : " --- ")).join("|")}|`,
    ...rows.map((r) => row(cols.map((c) => String(r[c.key])))),
  ].join("\n") + "\n";
}
