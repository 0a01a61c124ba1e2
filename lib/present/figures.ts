/**
 * The figures of a result, each defined once as a {@link FigureSpec} — series, bands, markers, scales, title
 * and a caption that states what the data show — and rendered by the SVG renderer in the report
 * (`lib/report/svg.ts`) and by chart.js in the dashboard (`components/chartjs.ts`). The same run shows the same
 * curves, band, labels and colours in both.
 *
 * Text may carry `_{sub}` and `^{sup}` markup; renderers show it as sub- and superscripts.
 * @module
 */
import type {
  AnalysisResult,
  CurveName,
  KStarInterval,
  LearningCurve,
  PowerFit,
  Threshold,
  Uncertainty,
} from "../analysis/types.ts";
import { fitsOf, thresholdOf } from "../analysis/thresholds.ts";
import { intervalAt } from "../analysis/intervals.ts";
import { CURVES } from "../config/choices.ts";
import { fmt, fmtInt, fmtPercent, fmtTolerance, plural } from "./format.ts";
import { CURVE_LABELS } from "./labels.ts";
import { CURVE_COLORS, MARK_COLORS, seriesColor } from "./palette.ts";
import { tolerancesIn } from "./threshold_view.ts";

/** An axis. */
export interface AxisSpec {
  /** The axis title (markup allowed). */
  label: string;
  /** Linear or log10. */
  scale: "linear" | "log";
  /** A fixed range; otherwise the renderer takes the data's. */
  domain?: [number, number];
  /** Integer ticks only. */
  integer?: boolean;
  /** Category labels (bar charts): x value i + 1 is `categories[i]`. */
  categories?: string[];
}

/** A line pattern. */
export type Dash = "solid" | "dashed" | "dotted" | "dashdot";

/** The dash and gap lengths (px) of each pattern, for every renderer: canvas line dashes, SVG dash arrays. */
export const DASH_PATTERNS: Readonly<Record<Dash, number[]>> = {
  solid: [],
  dashed: [6, 4],
  dotted: [2, 3],
  dashdot: [8, 3, 2, 3],
};

/** A data series: `y[i]` at `x[i]`; a null or non-finite value breaks the line. */
export interface SeriesSpec {
  /** Stable id (tests, chart updates). */
  id: string;
  /** The legend label (markup allowed). */
  label: string;
  /** CSS colour. */
  color: string;
  /** Line pattern (lines only). */
  dash: Dash;
  /** Stroke width in px. */
  width: number;
  /** A line, markers only, or bars from the axis floor. */
  kind: "line" | "points" | "bars";
  /** x values. */
  x: readonly number[];
  /** y values. */
  y: readonly (number | null)[];
  /** Shown in the legend. */
  legend: boolean;
}

/** A shaded band between `lower[i]` and `upper[i]` at `x[i]`. */
export interface BandSpec {
  /** Stable id. */
  id: string;
  /** The legend label. */
  label: string;
  /** CSS colour (filled with `opacity`). */
  color: string;
  /** Fill opacity in (0, 1]. */
  opacity: number;
  /** x values. */
  x: readonly number[];
  /** Lower edge. */
  lower: readonly (number | null)[];
  /** Upper edge. */
  upper: readonly (number | null)[];
}

/** A reference line at a value of one axis, with a label. */
export interface MarkerSpec {
  /** The position on its axis. */
  value: number;
  /** The label (markup allowed). */
  label: string;
  /** CSS colour. */
  color: string;
}

/** Everything one chart shows. */
export interface FigureSpec {
  /** Stable id: `delta`, `scaled`, `eigen`, `eigen-diff`, `spectrum`, `compare`, … */
  id: string;
  /** The title (markup allowed). */
  title: string;
  /** A caption stating what the data show (markup allowed). */
  caption: string;
  /** The x axis. */
  x: AxisSpec;
  /** The y axis. */
  y: AxisSpec;
  /** Bands, drawn first. */
  bands: BandSpec[];
  /** Series, in drawing order. */
  series: SeriesSpec[];
  /** Vertical reference lines (at x values), e.g. k*. */
  vMarkers: MarkerSpec[];
  /** Horizontal reference lines (at y values), e.g. Δ_tol. */
  hMarkers: MarkerSpec[];
}

/** The band drawn around the empirical Δ_k: the 95% interval of the Monte Carlo mean. */
export const BAND_Z = 1.96;
/** The band's name in legends and captions. */
export const BAND_LABEL = "95% interval of the Monte Carlo mean (±1.96 SE)";

/** The dash pattern of each curve. */
export const CURVE_DASH: Readonly<Record<CurveName, Dash>> = {
  empirical: "solid",
  theory: "dashed",
  secondOrder: "dotted",
};

/** The curves a figure is drawn from: a result's, or a partial result's while the run goes on. */
export type FigureCurves =
  & Pick<AnalysisResult["curves"], "empirical" | "theory" | "secondOrder">
  & Partial<Pick<AnalysisResult["curves"], "k" | "empiricalSE" | "eigenvalues" | "smoothed">>;

const ks = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
const finite = (v: number | null | undefined): number | null =>
  typeof v === "number" && Number.isFinite(v) ? v : null;

/** Options of {@link deltaFigure}. */
export interface DeltaFigureOptions {
  /** Tolerance lines. */
  tolerances: readonly number[];
  /** The thresholds whose k* are marked (one per tolerance, on the chosen curve). */
  thresholds: readonly (Threshold | null | undefined)[];
  /** The curve the thresholds are read from; its smoothed version is drawn bold. Default `"empirical"`. */
  curve?: CurveName;
  /** Whether the thresholds use the smoothed curve. Default true. */
  smoothed?: boolean;
  /** The power-law fit to draw, if any. */
  fit?: PowerFit | null;
  /** Log k axis (default true: the threshold region k ≲ 50 is a sliver of a linear axis). */
  logX?: boolean;
  /** Monte Carlo draws, for the caption. */
  draws?: number;
  /** The range of the chosen curve over random batch orders (its outer quantile curves), if any. */
  orderBand?: OrderBand | null;
}

/** The spread of a curve over random batch orders: its lower and upper quantile curves. */
export interface OrderBand {
  /** Lower quantile curve, k = 1..K−1. */
  lower: readonly number[];
  /** Upper quantile curve, k = 1..K−1. */
  upper: readonly number[];
  /** The share of orders between them, e.g. 0.9. */
  level: number;
  /** Number of orders. */
  orderings: number;
}

/** The band label of an {@link OrderBand}. */
export function orderBandLabel(b: Pick<OrderBand, "level" | "orderings">): string {
  return `central ${fmtPercent(b.level)} of ${fmtInt(b.orderings)} batch orders`;
}

/** The k* markers of thresholds, one per tolerance with a reached k*, labelled with the tolerance when several. */
function kStarMarkers(thresholds: readonly (Threshold | null | undefined)[], several: boolean): MarkerSpec[] {
  return thresholds.flatMap((t) =>
    t && t.kStar !== null
      ? [{
        value: t.kStar,
        label: several ? `k* = ${t.kStar} (Δ_{tol} = ${fmtTolerance(t.tolerance)})` : `k* = ${t.kStar}`,
        color: MARK_COLORS.kStar,
      }]
      : []
  );
}

/**
 * Δ_k: the empirical curve with the 95% band of its Monte Carlo mean, the paper's formula and the second-order
 * form, the chosen curve smoothed, the tail fit, the tolerances and k*.
 */
export function deltaFigure(curves: FigureCurves, o: DeltaFigureOptions): FigureSpec {
  const curve = o.curve ?? "empirical", smoothed = o.smoothed ?? true;
  const n = curves.empirical.length;
  const x = ks(n);
  const se = curves.empiricalSE ?? [];
  const series: SeriesSpec[] = CURVES.map((c) => ({
    id: c,
    label: CURVE_LABELS[c],
    color: CURVE_COLORS[c],
    dash: CURVE_DASH[c],
    width: c === "empirical" ? 1.6 : 1.8,
    kind: "line" as const,
    x,
    y: (curves[c] ?? []).map(finite),
    legend: true,
  }));
  const sm = smoothed ? curves.smoothed?.[curve] : undefined;
  if (sm) {
    series.push({
      id: `${curve}-smoothed`,
      label: `${CURVE_LABELS[curve]}, smoothed (5 points)`,
      color: curve === "empirical" ? MARK_COLORS.smoothed : CURVE_COLORS[curve],
      dash: "solid",
      width: 2.6,
      kind: "line",
      x,
      y: sm.map(finite),
      legend: true,
    });
  }
  if (o.fit) {
    const f = o.fit;
    const fx = Array.from({ length: 61 }, (_, i) => f.fromK * (f.toK / f.fromK) ** (i / 60));
    series.push({
      id: "fit",
      label: `Fit ${fmt(f.C)}·k^{−${fmt(f.alpha)}} (r² ${fmt(f.r2, 2)})`,
      color: MARK_COLORS.fit,
      dash: "dashdot",
      width: 1.4,
      kind: "line",
      x: fx,
      y: fx.map((k) => f.C * k ** -f.alpha),
      legend: true,
    });
  }
  const bands: BandSpec[] = se.length
    ? [{
      id: "empirical-band",
      label: BAND_LABEL,
      color: CURVE_COLORS.empirical,
      opacity: 0.18,
      x,
      lower: curves.empirical.map((v, i) => finite(v - BAND_Z * (se[i] ?? NaN))),
      upper: curves.empirical.map((v, i) => finite(v + BAND_Z * (se[i] ?? NaN))),
    }]
    : [];
  if (o.orderBand) {
    const b = o.orderBand;
    bands.unshift({
      id: "order-band",
      label: `${CURVE_LABELS[curve]}${smoothed ? ", smoothed" : ""}: ${orderBandLabel(b)}`,
      color: curve === "empirical" && smoothed ? MARK_COLORS.smoothed : CURVE_COLORS[curve],
      opacity: 0.12,
      x,
      lower: b.lower.map(finite),
      upper: b.upper.map(finite),
    });
  }
  const several = o.tolerances.length > 1;
  const reached = o.thresholds.filter((t) => t && t.kStar !== null) as Threshold[];
  const name = `${smoothed ? "smoothed " : ""}${CURVE_LABELS[curve].toLowerCase()}`;
  const found = reached.length
    ? reached.map((t) =>
      `k* = ${t.kStar} (|D| = ${fmtInt(t.samples)}) at Δ_{tol} = ${fmtTolerance(t.tolerance)}`
    )
      .join("; ")
    : `Δ_{tol} = ${o.tolerances.map(fmtTolerance).join(", ")} is not reached within the ${n + 1} batches`;
  const fitText = o.fit ? ` Its tail decays as k^{−${fmt(o.fit.alpha)}} (theory: k^{−2}).` : "";
  return {
    id: "delta",
    title: "Δ_{k}: Monte Carlo vs the paper's formula vs second order",
    caption: `On the ${name} curve, ${found}.${fitText}` +
      (se.length ? ` Shaded: the ${BAND_LABEL}${o.draws ? ` over ${plural(o.draws, "draw")}` : ""}.` : "") +
      (o.orderBand ? ` Lightly shaded: the ${name} curve's ${orderBandLabel(o.orderBand)}.` : ""),
    x: { label: "k (batches)", scale: o.logX ?? true ? "log" : "linear", domain: n ? [1, n] : undefined },
    y: { label: "Δ_{k} (nats²)", scale: "log" },
    bands,
    series,
    vMarkers: kStarMarkers(o.thresholds, several),
    hMarkers: o.tolerances.map((t) => ({
      value: t,
      label: `Δ_{tol} = ${fmtTolerance(t)}`,
      color: MARK_COLORS.tolerance,
    })),
  };
}

/** The `q`-quantile of the finite values (linear interpolation); NaN when none. */
export function quantile(values: readonly (number | null | undefined)[], q: number): number {
  const v = values.filter((x): x is number => typeof x === "number" && Number.isFinite(x)).sort((a, b) =>
    a - b
  );
  if (v.length === 0) return NaN;
  const pos = (v.length - 1) * q, lo = Math.floor(pos), hi = Math.ceil(pos);
  return v[lo] + (v[hi] - v[lo]) * (pos - lo);
}

/**
 * Δ_k·k² of the three curves (flat when Δ_k = O(1/k²)). The y range is robust: up to 1.5× the largest 90th
 * percentile of the smoothed curves, so one spike cannot flatten the rest.
 */
export function scaledFigure(
  curves: FigureCurves,
  fits: readonly PowerFit[],
  thresholds: readonly (Threshold | null | undefined)[],
  logX = true,
): FigureSpec {
  const n = curves.empirical.length;
  const x = ks(n);
  const times = (ys: readonly number[] | undefined) => (ys ?? []).map((y, i) => finite(y * (i + 1) ** 2));
  const series: SeriesSpec[] = CURVES.map((c) => ({
    id: c,
    label: CURVE_LABELS[c],
    color: CURVE_COLORS[c],
    dash: CURVE_DASH[c],
    width: 1.8,
    kind: "line" as const,
    x,
    y: times(curves[c]),
    legend: true,
  }));
  // Up to 1.5× the largest 90th percentile of the smoothed curves: a spike (spread over 5 points by the
  // smoothing) stays above the range instead of flattening everything else.
  const smoothed = CURVES.map((c) => times(curves.smoothed?.[c] ?? curves[c]));
  const top = 1.5 * Math.max(...smoothed.map((v) => quantile(v, 0.9)).filter(Number.isFinite));
  const bottom = Math.min(0, ...smoothed.map((v) => quantile(v, 0.01)).filter(Number.isFinite));
  const alphas = CURVES.flatMap((c) => {
    const f = fits.find((x) => x.curve === c);
    return f ? [`${CURVE_LABELS[c]} α = ${fmt(f.alpha)}`] : [];
  });
  return {
    id: "scaled",
    title: "Δ_{k}·k² (flat when Δ_{k} = O(1/k²))",
    caption: alphas.length
      ? `Tail fits Δ_{k} ≈ C·k^{−α}: ${
        alphas.join(", ")
      }; α = 2 is the O(1/k²) rate, where this panel is flat.`
      : "No curve's tail fits a power law (too few positive values).",
    x: { label: "k (batches)", scale: logX ? "log" : "linear", domain: n ? [1, n] : undefined },
    y: {
      label: "Δ_{k}·k²",
      scale: "linear",
      domain: Number.isFinite(top) && top > bottom ? [bottom, top] : undefined,
    },
    bands: [],
    series,
    vMarkers: kStarMarkers(thresholds, thresholds.length > 1),
    hMarkers: [],
  };
}

/** The eigenvalue trajectories λ_k^(i) of Λ_k = PᵀH_kP, one line per direction, with exact solves as points. */
export function eigenFigure(
  curves: FigureCurves,
  exact: AnalysisResult["exact"] | null | undefined,
  thresholds: readonly (Threshold | null | undefined)[],
  logX = true,
): FigureSpec {
  const ev = curves.eigenvalues ?? [];
  const d = ev.reduce((m, row) => Math.max(m, row?.length ?? 0), 0);
  const x = curves.k ?? ks(ev.length);
  const series: SeriesSpec[] = Array.from({ length: d }, (_, i) => ({
    id: `lambda-${i + 1}`,
    label: `λ^{(${i + 1})}`,
    color: seriesColor(i),
    dash: "solid" as const,
    width: 1.5,
    kind: "line" as const,
    x,
    y: ev.map((row) => finite(row?.[i])),
    legend: d <= 12,
  }));
  if (exact && exact.k.length) {
    for (let i = 0; i < d; i++) {
      series.push({
        id: `exact-${i + 1}`,
        label: "exact eigenvalues of H_{k}",
        color: seriesColor(i),
        dash: "solid",
        width: 1.5,
        kind: "points",
        x: exact.k,
        y: exact.eigenvalues.map((row) => finite(row?.[i])),
        legend: i === 0,
      });
    }
  }
  const last = ev[ev.length - 1] ?? [];
  return {
    id: "eigen",
    title: `Eigenvalues of Λ_{k} = PᵀH_{k}P (top ${d})`,
    caption: last.length
      ? `They settle as the data grow; at k = ${ev.length}: λ^{(1)} = ${fmt(last[0])}, λ^{(${d})} = ${
        fmt(last[d - 1])
      }.`
      : "No eigenvalues yet.",
    x: { label: "k (batches)", scale: logX ? "log" : "linear", domain: x.length ? [1, x.length] : undefined },
    y: { label: "λ_{k}^{(i)}", scale: "linear" },
    bands: [],
    series,
    vMarkers: kStarMarkers(thresholds, thresholds.length > 1),
    hMarkers: [],
  };
}

/** |λ_{k+1} − λ_k| per direction (a plateau signals the threshold). */
export function eigenDiffFigure(curves: FigureCurves, logX = true): FigureSpec {
  const ev = curves.eigenvalues ?? [];
  const d = ev.reduce((m, row) => Math.max(m, row?.length ?? 0), 0);
  const n = Math.max(0, ev.length - 1);
  const x = ks(n);
  const series: SeriesSpec[] = Array.from({ length: d }, (_, i) => ({
    id: `dlambda-${i + 1}`,
    label: `|Δλ^{(${i + 1})}|`,
    color: seriesColor(i),
    dash: "solid" as const,
    width: 1.3,
    kind: "line" as const,
    x,
    y: x.map((_, j) => finite(Math.abs((ev[j + 1]?.[i] ?? NaN) - (ev[j]?.[i] ?? NaN)))),
    legend: d <= 12,
  }));
  return {
    id: "eigen-diff",
    title: "Eigenvalue changes |λ_{k+1} − λ_{k}|",
    caption:
      "Each direction's eigenvalue change per added batch; they shrink roughly as 1/k once the landscape settles.",
    x: { label: "k (batches)", scale: logX ? "log" : "linear", domain: n ? [1, n] : undefined },
    y: { label: "|λ_{k+1} − λ_{k}|", scale: "log" },
    bands: [],
    series,
    vMarkers: [],
    hMarkers: [],
  };
}

/** The top-d eigenvalues of the full-data Hessian at w* (bars). */
export function spectrumFigure(spectrum: AnalysisResult["spectrum"]): FigureSpec {
  const vals = spectrum.values ?? [];
  const positive = vals.length > 0 && vals.every((v) => Number.isFinite(v) && v > 0);
  const maxRes = spectrum.residuals?.length ? Math.max(...spectrum.residuals) : NaN;
  return {
    id: "spectrum",
    title: `Top-${vals.length} spectrum of the full-data Hessian at w*`,
    caption: `Lanczos: ${plural(spectrum.iterations, "iteration")}, ${
      plural(spectrum.hvps, "Hessian-vector product")
    }, ${spectrum.converged ? "converged" : "not converged"}; largest relative residual ${fmt(maxRes, 2)}.`,
    x: {
      label: "eigen-direction i",
      scale: "linear",
      integer: true,
      categories: vals.map((_, i) => `λ_{${i + 1}}`),
      domain: [0.5, vals.length + 0.5],
    },
    y: { label: "λ_{i}", scale: positive ? "log" : "linear" },
    bands: [],
    series: [{
      id: "spectrum",
      label: "λ_{i} (Lanczos)",
      color: CURVE_COLORS.empirical,
      dash: "solid",
      width: 1,
      kind: "bars",
      x: vals.map((_, i) => i + 1),
      y: vals.map(finite),
      legend: false,
    }],
    vMarkers: [],
    hMarkers: [],
  };
}

/** One run of a comparison. */
export interface CompareRun {
  /** Legend label. */
  label: string;
  /** Δ_k values (k = 1..). */
  values: readonly number[];
  /** B, to plot against |D| = k·B. */
  batchSize: number;
  /** k* at the common tolerance, or null. */
  kStar: number | null;
}

/** Δ_k of several runs overlaid, against k or |D| = k·B, with each run's k* at one tolerance. */
export function compareFigure(
  runs: readonly CompareRun[],
  o: { bySamples: boolean; logX: boolean; tolerance: number | null; curveName: string },
): FigureSpec {
  const at = (r: CompareRun, k: number) => (o.bySamples ? k * r.batchSize : k);
  return {
    id: "compare",
    title: `Δ_{k} (${o.curveName}) of ${plural(runs.length, "run")}`,
    caption: o.bySamples
      ? "Against |D| = k·B, runs with different batch sizes line up by the data they have seen."
      : "Against k, the batch count.",
    x: { label: o.bySamples ? "|D| = k·B (samples)" : "k (batches)", scale: o.logX ? "log" : "linear" },
    y: { label: "Δ_{k} (nats²)", scale: "log" },
    bands: [],
    series: runs.map((r, i) => ({
      id: `run-${i}`,
      label: r.label,
      color: seriesColor(i),
      dash: "solid" as const,
      width: 1.8,
      kind: "line" as const,
      x: r.values.map((_, j) => at(r, j + 1)),
      y: r.values.map(finite),
      legend: true,
    })),
    vMarkers: runs.flatMap((r, i) =>
      r.kStar === null ? [] : [{
        value: at(r, r.kStar),
        label: o.bySamples ? `|D| = ${fmtInt(r.kStar * r.batchSize)}` : `k* = ${r.kStar}`,
        color: seriesColor(i),
      }]
    ),
    hMarkers: o.tolerance === null ? [] : [{
      value: o.tolerance,
      label: `Δ_{tol} = ${fmtTolerance(o.tolerance)}`,
      color: MARK_COLORS.tolerance,
    }],
  };
}

/** What {@link kStarHistogramFigure} draws: the k* of every batch order at one curve, smoothing and tolerance. */
export interface KStarHistogramInput {
  /** k* per order (null: not reached). */
  values: readonly (number | null)[];
  /** The curve. */
  curve: CurveName;
  /** Whether k* was read from the smoothed curve. */
  smoothed: boolean;
  /** The tolerance. */
  tolerance: number;
  /** The run's own (fixed-order) k*, or null. */
  fixed: number | null;
  /** The interval of the values. */
  interval: KStarInterval | null;
  /** B, for the caption's sample counts. */
  batchSize: number;
}

/** At most this many bars in a k* histogram (wider bins beyond). */
const HISTOGRAM_BINS = 30;

/**
 * The distribution of k* over random batch orders: counts per k (bins of equal width), a last bar for the orders
 * that do not reach the tolerance, the run's own k* and the interval's ends marked.
 */
export function kStarHistogramFigure(h: KStarHistogramInput): FigureSpec {
  const reached = h.values.filter((v): v is number => v !== null);
  const missing = h.values.length - reached.length;
  const lo = reached.length ? Math.min(...reached) : 1, hi = reached.length ? Math.max(...reached) : 1;
  const w = Math.max(1, Math.ceil((hi - lo + 1) / HISTOGRAM_BINS));
  const bins = reached.length ? Math.floor((hi - lo) / w) + 1 : 0;
  const counts = new Array<number>(bins).fill(0);
  for (const k of reached) counts[Math.floor((k - lo) / w)]++;
  const categories = counts.map((_, i) => {
    const a = lo + i * w, b = a + w - 1;
    return w === 1 ? String(a) : `${a}–${b}`;
  });
  if (missing) categories.push("not reached");
  // Bin i is drawn at x = i + 1; a k within it sits proportionally.
  const at = (k: number) => 1 + (k - lo - (w - 1) / 2) / w;
  const name = `${h.smoothed ? "smoothed " : ""}${CURVE_LABELS[h.curve].toLowerCase()}`;
  const iv = h.interval;
  const ivText = iv && iv.low !== null && iv.high !== null
    ? `${fmtPercent(iv.level)} of them lie in k* ∈ [${fmtInt(iv.low)}, ${fmtInt(iv.high)}] (|D| ${
      fmtInt(iv.low * h.batchSize)
    }–${fmtInt(iv.high * h.batchSize)})`
    : iv
    ? `fewer than ${fmtPercent(iv.level)} of them reach it, so there is no interval`
    : "";
  const vMarkers: MarkerSpec[] = [];
  if (h.fixed !== null && reached.length) {
    vMarkers.push({
      value: at(h.fixed),
      label: `this run's order: k* = ${h.fixed}`,
      color: MARK_COLORS.kStar,
    });
  }
  if (iv && iv.low !== null && iv.high !== null) {
    const pct = fmtPercent(iv.level);
    vMarkers.push(
      { value: at(iv.low), label: `${pct} interval from ${iv.low}`, color: MARK_COLORS.tolerance },
      { value: at(iv.high), label: `to ${iv.high}`, color: MARK_COLORS.tolerance },
    );
  }
  return {
    id: "kstar-histogram",
    title: `k* over ${plural(h.values.length, "batch order")} (Δ_{tol} = ${fmtTolerance(h.tolerance)})`,
    caption:
      `The ${name} curve's k* when the same batches come in ${
        plural(h.values.length, "random order")
      }, each with resampled Monte Carlo draws: ${
        fmtPercent(reached.length / Math.max(1, h.values.length))
      } ` +
      `reach Δ_{tol} = ${fmtTolerance(h.tolerance)} within the data${ivText ? `; ${ivText}` : ""}.`,
    x: {
      label: w === 1 ? "k* (batches)" : `k* (batches, bins of ${w})`,
      scale: "linear",
      integer: true,
      categories,
      domain: [0.5, categories.length + 0.5],
    },
    y: { label: "batch orders", scale: "linear", integer: true },
    bands: [],
    series: [{
      id: "kstar-counts",
      label: "orders",
      color: CURVE_COLORS[h.curve],
      dash: "solid",
      width: 1,
      kind: "bars",
      x: categories.map((_, i) => i + 1),
      y: missing ? [...counts, missing] : counts,
      legend: false,
    }],
    vMarkers,
    hMarkers: [],
  };
}

/** The test accuracy of fresh models trained on n samples, with k*·B marked. */
export function learningCurveFigure(lc: LearningCurve): FigureSpec {
  const pts = lc.points;
  const all = pts[pts.length - 1];
  const gap = lc.gapAtKStar;
  return {
    id: "learning-curve",
    title: "What k*·B samples buy: test accuracy against training samples",
    caption:
      (gap && lc.kStarSamples !== null
        ? `Stopping at k*·B = ${fmtInt(lc.kStarSamples)} samples costs ${
          fmt(100 * gap.accuracy, 2)
        } points ` +
          `of test accuracy (${fmtPercent(all.testAccuracy - gap.accuracy, 2)} against ` +
          `${fmtPercent(all.testAccuracy, 2)} with all ${fmtInt(all.samples)}). `
        : lc.kStarSamples === null
        ? "The tolerance is not reached within the data, so the sizes are fractions of it. "
        : "") + `Rule: ${lc.rule}.`,
    x: { label: "training samples n", scale: "log" },
    y: { label: "test accuracy (%)", scale: "linear" },
    bands: [],
    series: [{
      id: "test-accuracy",
      label: "test accuracy",
      color: CURVE_COLORS.empirical,
      dash: "solid",
      width: 2,
      kind: "line",
      x: pts.map((p) => p.samples),
      y: pts.map((p) => finite(100 * p.testAccuracy)),
      legend: false,
    }, {
      id: "test-accuracy-points",
      label: "sizes trained",
      color: CURVE_COLORS.empirical,
      dash: "solid",
      width: 2,
      kind: "points",
      x: pts.map((p) => p.samples),
      y: pts.map((p) => finite(100 * p.testAccuracy)),
      legend: false,
    }],
    vMarkers: lc.kStarSamples === null
      ? []
      : [{ value: lc.kStarSamples, label: `k*·B = ${fmtInt(lc.kStarSamples)}`, color: MARK_COLORS.kStar }],
    hMarkers: [],
  };
}

/**
 * Lanes for labels along one axis so that none overlaps another: labels sorted by position take the first
 * lane whose last label ends `gap` before them. Returns each label's lane (0 = nearest the axis edge).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { labelLanes } from "kstar";
 * // three labels 60 px wide at 100, 120 and 300 px: the second one would overlap the first
 * assert.deepEqual(labelLanes([{ pos: 100, size: 60 }, { pos: 120, size: 60 }, { pos: 300, size: 60 }]), [0, 1, 0]);
 * ```
 */
export function labelLanes(items: readonly { pos: number; size: number }[], gap = 6): number[] {
  const order = items.map((_, i) => i).sort((a, b) => items[a].pos - items[b].pos);
  const ends: number[] = [];
  const lanes = new Array<number>(items.length).fill(0);
  for (const i of order) {
    const { pos, size } = items[i];
    let lane = ends.findIndex((end) => end + gap <= pos);
    if (lane < 0) lane = ends.length;
    ends[lane] = pos + size;
    lanes[i] = lane;
  }
  return lanes;
}

/** What a reader has chosen to look at: the curve and smoothing k* is read from, the tolerances, the k axis. */
export interface FigureView {
  /** The curve k* is read from. */
  curve: CurveName;
  /** Whether k* is read from its smoothed version. */
  smoothed: boolean;
  /** The tolerances drawn (and whose k* are marked). */
  tolerances: number[];
  /** Log k axis. */
  logX: boolean;
}

/** The view a result opens with, in the report and the dashboard alike: smoothed empirical, its tolerances, log k. */
export function defaultView(r: Pick<AnalysisResult, "thresholds" | "config">): FigureView {
  return { curve: "empirical", smoothed: true, tolerances: tolerancesIn(r), logX: true };
}

/** What the run figures are drawn from: the curves, fits and (optionally) exact solves and spectrum. */
export interface FigureSource {
  curves: FigureCurves & Pick<AnalysisResult["curves"], "loss">;
  fits?: readonly PowerFit[];
  exact?: AnalysisResult["exact"] | null;
  spectrum?: AnalysisResult["spectrum"] | null;
  batchSize: number;
  draws?: number;
  /** The ordering replicates, when the run has them. */
  uncertainty?: Uncertainty | null;
  /** The learning curve, when the run has one. */
  learningCurve?: LearningCurve | null;
}

/**
 * The thresholds a view marks: one per tolerance on the view's curve, computed from the curves, each with its
 * interval over batch orders read from the stored replicates (exact at a configured tolerance, else from their
 * tolerance grid; see `intervalAt`).
 */
export function viewThresholds(src: FigureSource, view: FigureView): Threshold[] {
  const fit = src.fits?.find((f) => f.curve === view.curve) ?? null;
  return view.tolerances.map((t) => {
    const th = thresholdOf(src.curves, fit, src.batchSize, view.curve, view.smoothed, t);
    const at = src.uncertainty ? intervalAt(src.uncertainty, view.curve, view.smoothed, t) : null;
    return at ? { ...th, interval: at.interval } : th;
  });
}

/** The k* histogram of a view: at its first tolerance, or the first configured one when that has no replicates. */
export function viewHistogram(src: FigureSource, view: FigureView): FigureSpec | null {
  const u = src.uncertainty;
  if (!u) return null;
  const pick = (tol: number) =>
    u.kStars.find((x) => x.curve === view.curve && x.smoothed === view.smoothed && x.tolerance === tol);
  const entry = (view.tolerances.length ? pick(view.tolerances[0]) : undefined) ??
    u.kStars.find((x) => x.curve === view.curve && x.smoothed === view.smoothed);
  if (!entry) return null;
  const fit = src.fits?.find((f) => f.curve === view.curve) ?? null;
  const fixed = thresholdOf(src.curves, fit, src.batchSize, view.curve, view.smoothed, entry.tolerance).kStar;
  return kStarHistogramFigure({
    values: entry.values,
    curve: view.curve,
    smoothed: view.smoothed,
    tolerance: entry.tolerance,
    fixed,
    interval: intervalAt(u, view.curve, view.smoothed, entry.tolerance)?.interval ?? null,
    batchSize: src.batchSize,
  });
}

/**
 * The figures of a run for a view: Δ_k (with the spread over batch orders), Δ_k·k², the eigenvalue trajectories,
 * their changes, the spectrum, the k* histogram over batch orders and the learning curve (the last three when the
 * run has them).
 */
export function runFigures(src: FigureSource, view: FigureView): {
  delta: FigureSpec;
  scaled: FigureSpec;
  eigen: FigureSpec;
  eigenDiff: FigureSpec;
  spectrum: FigureSpec | null;
  kStarHistogram: FigureSpec | null;
  learningCurve: FigureSpec | null;
} {
  const thresholds = viewThresholds(src, view);
  const fits = src.fits ?? [];
  const u = src.uncertainty;
  const band = u?.bands.find((b) => b.curve === view.curve && b.smoothed === view.smoothed);
  return {
    delta: deltaFigure(src.curves, {
      tolerances: view.tolerances,
      thresholds,
      curve: view.curve,
      smoothed: view.smoothed,
      fit: fits.find((f) => f.curve === view.curve) ?? null,
      logX: view.logX,
      draws: src.draws,
      orderBand: u && band
        ? { lower: band.values[0], upper: band.values[2], level: u.level, orderings: u.orderings }
        : null,
    }),
    scaled: scaledFigure(src.curves, fits, thresholds, view.logX),
    eigen: eigenFigure(src.curves, src.exact, thresholds, view.logX),
    eigenDiff: eigenDiffFigure(src.curves, view.logX),
    spectrum: src.spectrum ? spectrumFigure(src.spectrum) : null,
    kStarHistogram: viewHistogram(src, view),
    learningCurve: src.learningCurve ? learningCurveFigure(src.learningCurve) : null,
  };
}

/**
 * The figure source of a (finished or partial) result; a partial one without fits gets them from its curves
 * (`fitsOf`).
 */
export function figureSource(
  r: Partial<AnalysisResult> & Pick<AnalysisResult, "curves" | "config">,
): FigureSource & { fits: readonly PowerFit[] } {
  return {
    curves: r.curves,
    fits: r.fits ?? fitsOf(r.curves),
    exact: r.exact,
    spectrum: r.spectrum,
    batchSize: r.config.batchSize,
    draws: r.config.mcDraws,
    uncertainty: r.uncertainty ?? null,
    learningCurve: r.learningCurve ?? null,
  };
}

/** A grid point of a sweep, as {@link sweepSamplesFigure} draws it. */
export interface SweepFigureGroup {
  /** The category label (markup allowed). */
  label: string;
  /** The runs' seeds (for the spread of the points). */
  seeds: readonly number[];
  /** k*·B of each run; null: not done or not reached (not drawn). */
  samples: readonly (number | null)[];
  /** Each run's interval of k*·B, when its result has one. */
  intervals?: readonly ([number, number] | null)[];
  /** The median of the reached k*·B. */
  medianSamples: number | null;
}

/**
 * A sweep's k*·B per grid point across seeds: a strip plot, one point per run (spread sideways by seed so that
 * equal values stay visible), each run's interval as a vertical line when the results carry one, and the
 * group's median as a short horizontal bar.
 */
export function sweepSamplesFigure(groups: readonly SweepFigureGroup[]): FigureSpec {
  const xs: number[] = [], ys: (number | null)[] = [];
  const ix: number[] = [], iy: (number | null)[] = [];
  const mx: number[] = [], my: (number | null)[] = [];
  let intervals = 0, missing = 0;
  groups.forEach((g, gi) => {
    const n = g.samples.length;
    g.samples.forEach((s, j) => {
      const x = gi + 1 + (n > 1 ? (j / (n - 1) - 0.5) * 0.5 : 0);
      if (s === null || !Number.isFinite(s)) {
        missing++;
        return;
      }
      xs.push(x);
      ys.push(s);
      const iv = g.intervals?.[j];
      if (iv) {
        intervals++;
        ix.push(x, x, x);
        iy.push(iv[0], iv[1], null);
      }
    });
    if (g.medianSamples !== null) {
      mx.push(gi + 0.65, gi + 1.35, gi + 1.35);
      my.push(g.medianSamples, g.medianSamples, null);
    }
  });
  const all = [...ys, ...iy].filter((v): v is number => v !== null && v > 0);
  const log = all.length > 1 && Math.max(...all) / Math.min(...all) > 20;
  const series: SeriesSpec[] = [];
  if (ix.length) {
    series.push({
      id: "intervals",
      label: "interval of k*·B (per run)",
      color: MARK_COLORS.fit,
      dash: "solid",
      width: 1.4,
      kind: "line",
      x: ix,
      y: iy,
      legend: true,
    });
  }
  series.push({
    id: "runs",
    label: "k*·B of one run",
    color: CURVE_COLORS.empirical,
    dash: "solid",
    width: 2.5,
    kind: "points",
    x: xs,
    y: ys,
    legend: true,
  });
  if (mx.length) {
    series.push({
      id: "median",
      label: "median over seeds",
      color: MARK_COLORS.kStar,
      dash: "solid",
      width: 2.6,
      kind: "line",
      x: mx,
      y: my,
      legend: true,
    });
  }
  const runs = groups.reduce((n, g) => n + g.samples.length, 0);
  return {
    id: "sweep-samples",
    title: "|D| = k*·B per grid point across seeds",
    caption:
      `${plural(xs.length, "run")} of ${runs} with k* reached, over ${plural(groups.length, "grid point")}` +
      (missing ? `; ${missing} not done or not reached (not drawn)` : "") +
      (intervals ? `; vertical lines: each run's interval of k*·B` : "") + ".",
    x: {
      label: "grid point",
      scale: "linear",
      integer: true,
      categories: groups.map((g) => g.label),
      domain: [0.5, groups.length + 0.5],
    },
    y: { label: "|D| = k*·B (samples)", scale: log ? "log" : "linear" },
    bands: [],
    series,
    vMarkers: [],
    hMarkers: [],
  };
}

/** The median Δ_k of one grid point of a sweep. */
export interface SweepDeltaSeries {
  label: string;
  /** |D| = k·B. */
  samples: readonly number[];
  median: readonly number[];
  /** Runs the median is taken over. */
  runs: number;
}

/** The median smoothed empirical Δ_k of each grid point against |D| = k·B, with the tolerance. */
export function sweepDeltaFigure(groups: readonly SweepDeltaSeries[], tolerance: number | null): FigureSpec {
  return {
    id: "sweep-delta",
    title: "Median Δ_{k} per grid point (smoothed empirical)",
    caption: `Each line is the median over a grid point's finished runs (${
      groups.map((g) => `${g.label}: ${g.runs}`).join("; ") || "none yet"
    }), against |D| = k·B.`,
    x: { label: "|D| = k·B (samples)", scale: "log" },
    y: { label: "Δ_{k} (nats²)", scale: "log" },
    bands: [],
    series: groups.map((g, i) => ({
      id: `group-${i}`,
      label: g.label,
      color: seriesColor(i),
      dash: "solid" as const,
      width: 1.8,
      kind: "line" as const,
      x: g.samples,
      y: g.median.map(finite),
      legend: true,
    })),
    vMarkers: [],
    hMarkers: tolerance === null ? [] : [{
      value: tolerance,
      label: `Δ_{tol} = ${fmtTolerance(tolerance)}`,
      color: MARK_COLORS.tolerance,
    }],
  };
}
