/**
 * chart.js configurations of the run and compare pages, built from result curves (pure functions, no DOM),
 * and the marker plugin that draws the tolerance and k* lines.
 * @module
 */
import type { Plugin } from "npm:chart.js@4.6.1";
import type { AnalysisResult, CurveName, PowerFit } from "../lib/analysis/types.ts";
import type { Curves } from "./threshold.ts";
import { curveValues } from "./threshold.ts";
import { CURVE_LABELS, CURVE_NAMES, fmt } from "./format.ts";

/** A chart.js configuration (line or bar), typed loosely: chart.js checks it at run time. */
export interface ChartSpec {
  type: "line" | "bar";
  data: { labels?: string[]; datasets: Dataset[] };
  options: Record<string, unknown>;
}
/** A chart.js dataset. */
export type Dataset = Record<string, unknown> & { label: string; data: unknown[] };
/** A point of a line. */
export type Point = { x: number; y: number | null };

/** Colours of the curves and markers. */
export const COLORS = {
  empirical: "#2563eb",
  band: "rgba(37, 99, 235, 0.14)",
  theory: "#ea580c",
  secondOrder: "#16a34a",
  smoothed: "#1e3a8a",
  fit: "#7c3aed",
  tolerance: "#dc2626",
  kStar: "#7c3aed",
  grid: "#e5e7eb",
  text: "#475569",
};

/** A categorical palette (eigenvalue trajectories, compared runs). */
export const PALETTE = [
  "#2563eb",
  "#ea580c",
  "#16a34a",
  "#dc2626",
  "#7c3aed",
  "#0891b2",
  "#db2777",
  "#65a30d",
  "#ca8a04",
  "#475569",
];

/** A vertical or horizontal marker line. */
export interface Marker {
  value: number;
  color: string;
  label?: string;
}

/** Options of the marker plugin (`options.plugins.kstarMarkers`). */
export interface MarkerOptions {
  vlines?: Marker[];
  hlines?: Marker[];
}

/** Draws `kstarMarkers` lines: dashed verticals (k*) and horizontals (tolerance), each with a label. */
export const markerPlugin: Plugin = {
  id: "kstarMarkers",
  afterDatasetsDraw(chart, _args, options) {
    const o = options as MarkerOptions;
    const { ctx, chartArea: a, scales } = chart;
    const x = scales.x, y = scales.y;
    if (!a || !x || !y) return;
    ctx.save();
    ctx.font = "600 11px system-ui, -apple-system, 'Segoe UI', sans-serif";
    ctx.setLineDash([6, 4]);
    ctx.lineWidth = 1.5;
    (o.hlines ?? []).forEach((m) => {
      const py = y.getPixelForValue(m.value);
      if (!Number.isFinite(py) || py < a.top - 1 || py > a.bottom + 1) return;
      ctx.strokeStyle = ctx.fillStyle = m.color;
      ctx.beginPath();
      ctx.moveTo(a.left, py);
      ctx.lineTo(a.right, py);
      ctx.stroke();
      if (m.label) {
        ctx.textAlign = "right";
        ctx.textBaseline = "bottom";
        ctx.fillText(m.label, a.right - 4, py - 3);
      }
    });
    (o.vlines ?? []).forEach((m, i) => {
      const px = x.getPixelForValue(m.value);
      if (!Number.isFinite(px) || px < a.left - 1 || px > a.right + 1) return;
      ctx.strokeStyle = ctx.fillStyle = m.color;
      ctx.beginPath();
      ctx.moveTo(px, a.top);
      ctx.lineTo(px, a.bottom);
      ctx.stroke();
      if (m.label) {
        const w = ctx.measureText(m.label).width;
        const right = px + 4 + w < a.right;
        ctx.textAlign = right ? "left" : "right";
        ctx.textBaseline = "top";
        ctx.fillText(m.label, right ? px + 4 : px - 4, a.top + 4 + 14 * i);
      }
    });
    ctx.restore();
  },
};

/** At most `max` points, evenly strided, always keeping the last. */
export function thin<T>(xs: T[], max = 1500): T[] {
  if (xs.length <= max) return xs;
  const step = xs.length / max;
  const out: T[] = [];
  for (let i = 0; i < max; i++) out.push(xs[Math.floor(i * step)]);
  out[out.length - 1] = xs[xs.length - 1];
  return out;
}

/** Points (k, v) for k = 1..n; non-positive values dropped when `positive` (log scales). */
export function series(values: number[] | undefined, positive: boolean, scale = (_k: number) => 1): Point[] {
  return thin((values ?? []).map((v, i) => {
    const y = Number.isFinite(v) ? v * scale(i + 1) : null;
    return { x: i + 1, y: positive && (y === null || y <= 0) ? null : y };
  }));
}

function line(label: string, data: Point[], color: string, extra: Record<string, unknown> = {}): Dataset {
  return {
    type: "line" as const,
    label,
    data,
    borderColor: color,
    backgroundColor: color,
    borderWidth: 1.5,
    pointRadius: 0,
    pointHoverRadius: 3,
    tension: 0,
    spanGaps: false,
    ...extra,
  };
}

/**
 * Tick labels of a log axis: 1·10ⁿ always, 2 and 5·10ⁿ as well when the axis spans few decades, none for the
 * other ticks (their grid lines stay).
 */
export function logTickLabel(value: number, ticks: { value: number }[]): string {
  if (!(value > 0)) return "";
  const vs = ticks.map((t) => t.value).filter((v) => v > 0);
  const decades = vs.length ? Math.log10(Math.max(...vs) / Math.min(...vs)) : 1;
  const m = value / 10 ** Math.floor(Math.log10(value) + 1e-9);
  const near = (x: number) => Math.abs(m - x) < 1e-6 * x;
  return near(1) || (decades <= 4 && (near(2) || near(5))) ? fmt(value, 2) : "";
}

function baseOptions(xTitle: string, yTitle: string, logX: boolean, logY: boolean, markers?: MarkerOptions) {
  return {
    responsive: true,
    maintainAspectRatio: false,
    animation: false as const,
    parsing: false as const,
    normalized: true,
    interaction: { mode: "nearest" as const, axis: "x" as const, intersect: false },
    scales: {
      x: {
        type: logX ? "logarithmic" as const : "linear" as const,
        title: { display: true, text: xTitle, color: COLORS.text },
        grid: { color: COLORS.grid },
        ticks: {
          color: COLORS.text,
          maxTicksLimit: 10,
          ...(logX
            ? {
              callback: (v: number | string, _i: number, t: { value: number }[]) =>
                logTickLabel(Number(v), t),
            }
            : {}),
        },
      },
      y: {
        type: logY ? "logarithmic" as const : "linear" as const,
        title: { display: true, text: yTitle, color: COLORS.text },
        grid: { color: COLORS.grid },
        ticks: {
          color: COLORS.text,
          maxTicksLimit: 8,
          ...(logY
            ? {
              callback: (v: number | string, _i: number, t: { value: number }[]) =>
                logTickLabel(Number(v), t),
            }
            : {}),
        },
      },
    },
    plugins: {
      legend: {
        position: "bottom" as const,
        labels: {
          boxWidth: 14,
          boxHeight: 2,
          color: COLORS.text,
          filter: (item: { text: string }) => !item.text.startsWith("_"),
        },
      },
      tooltip: {
        filter: (item: { dataset: { label?: string } }) => !item.dataset.label?.startsWith("_"),
        callbacks: {
          label: (item: { dataset: { label?: string }; parsed: { y: number | null } }) =>
            `${item.dataset.label}: ${fmt(item.parsed.y, 4)}`,
        },
      },
      kstarMarkers: markers ?? {},
    },
  };
}

/** Options of {@link deltaChart}. */
export interface DeltaChartOptions {
  curve: CurveName;
  smoothed: boolean;
  tolerance: number | null;
  kStar: number | null;
  fit: PowerFit | null;
  logX: boolean;
}

/** Δ_k: empirical with its ±2 SE band, the theoretical bound and the second-order estimate (log y). */
export function deltaChart(curves: Curves, o: DeltaChartOptions): ChartSpec {
  const emp = curves.empirical ?? [], se = curves.empiricalSE ?? [];
  const positives = [...emp, ...(curves.theory ?? []), ...(curves.secondOrder ?? [])].filter((v) => v > 0);
  const floor = positives.length ? Math.min(...positives) / 2 : 1e-12;
  const upper = emp.map((v, i) => v + 2 * (se[i] ?? 0));
  const lower = emp.map((v, i) => Math.max(v - 2 * (se[i] ?? 0), floor));
  const datasets: Dataset[] = [
    line("_band_upper", series(upper, true), "transparent", {
      fill: "+1",
      backgroundColor: COLORS.band,
      borderWidth: 0,
    }),
    line("_band_lower", series(lower, true), "transparent", { borderWidth: 0 }),
    line(`${CURVE_LABELS.empirical} ± 2 SE`, series(emp, true), COLORS.empirical),
    line(CURVE_LABELS.theory, series(curves.theory, true), COLORS.theory, { borderDash: [6, 3] }),
    line(CURVE_LABELS.secondOrder, series(curves.secondOrder, true), COLORS.secondOrder, {
      borderDash: [2, 2],
    }),
  ];
  if (o.smoothed) {
    datasets.push(
      line(
        `Smoothed ${CURVE_NAMES[o.curve]}`,
        series(curveValues(curves, o.curve, true), true),
        COLORS.smoothed,
        {
          borderWidth: 2.5,
        },
      ),
    );
  }
  if (o.fit) {
    const f = o.fit;
    const ks: Point[] = [];
    const n = 60;
    for (let i = 0; i <= n; i++) {
      const k = f.fromK * (f.toK / f.fromK) ** (i / n);
      ks.push({ x: k, y: f.C * k ** -f.alpha });
    }
    datasets.push(
      line(`Fit ${fmt(f.C)}·k^−${fmt(f.alpha)} (R² ${fmt(f.r2, 2)})`, ks, COLORS.fit, {
        borderDash: [3, 3],
        borderWidth: 1.5,
      }),
    );
  }
  const markers: MarkerOptions = {
    hlines: o.tolerance !== null
      ? [{ value: o.tolerance, color: COLORS.tolerance, label: `Δ_tol = ${fmt(o.tolerance)}` }]
      : [],
    vlines: o.kStar !== null ? [{ value: o.kStar, color: COLORS.kStar, label: `k* = ${o.kStar}` }] : [],
  };
  return {
    type: "line",
    data: { datasets },
    options: baseOptions("k (batches)", "Δₖ", o.logX, true, markers),
  };
}

/** Δ_k·k² of the three curves: flat when Δ_k = O(1/k²). */
export function scaledChart(curves: Curves, logX: boolean, kStar: number | null): ChartSpec {
  const sq = (k: number) => k * k;
  return {
    type: "line",
    data: {
      datasets: [
        line(CURVE_LABELS.empirical, series(curves.empirical, false, sq), COLORS.empirical),
        line(CURVE_LABELS.theory, series(curves.theory, false, sq), COLORS.theory, { borderDash: [6, 3] }),
        line(CURVE_LABELS.secondOrder, series(curves.secondOrder, false, sq), COLORS.secondOrder, {
          borderDash: [2, 2],
        }),
      ],
    },
    options: baseOptions("k (batches)", "Δₖ · k²", logX, false, {
      vlines: kStar !== null ? [{ value: kStar, color: COLORS.kStar, label: `k* = ${kStar}` }] : [],
    }),
  };
}

/** The eigenvalue trajectories λ_k^(i) of Λ_k = PᵀH_kP, one line per direction. */
export function eigenChart(curves: Curves, logX: boolean, kStar: number | null): ChartSpec {
  const ev = curves.eigenvalues ?? [];
  const d = ev[0]?.length ?? 0;
  const datasets = Array.from(
    { length: d },
    (_, i) =>
      line(`λ${sub(i + 1)}`, series(ev.map((row) => row[i]), false), PALETTE[i % PALETTE.length], {
        borderWidth: 1.25,
      }),
  );
  return {
    type: "line",
    data: { datasets },
    options: baseOptions("k (batches)", "λₖ⁽ⁱ⁾", logX, false, {
      vlines: kStar !== null ? [{ value: kStar, color: COLORS.kStar, label: `k* = ${kStar}` }] : [],
    }),
  };
}

/** The top-d eigenvalues of the full-data Hessian at w*. */
export function spectrumChart(spectrum: AnalysisResult["spectrum"]): ChartSpec {
  const values = spectrum.values ?? [];
  const opts = baseOptions("eigen-direction i", "λᵢ (full data)", false, false);
  return {
    type: "bar",
    data: {
      labels: values.map((_, i) => `λ${sub(i + 1)}`),
      datasets: [{
        type: "bar",
        label: "Top-d Hessian eigenvalues",
        data: values,
        backgroundColor: values.map((_, i) => PALETTE[i % PALETTE.length] + "cc"),
        borderColor: values.map((_, i) => PALETTE[i % PALETTE.length]),
        borderWidth: 1,
      }],
    },
    options: {
      ...opts,
      parsing: true,
      scales: { ...opts.scales, x: { ...opts.scales.x, type: "category" } },
      plugins: { ...opts.plugins, legend: { display: false } },
    },
  };
}

/** One run in the compare chart. */
export interface CompareSeries {
  label: string;
  values: number[];
  batchSize: number;
  kStar: number | null;
  color: string;
}

/** Δ_k of several runs overlaid, against k or against |D| = k·B, with each run's k*. */
export function compareChart(
  runs: CompareSeries[],
  o: { bySamples: boolean; logX: boolean; tolerance: number | null },
): ChartSpec {
  const datasets = runs.map((r) =>
    line(
      r.label,
      thin(r.values.map((v, i) => ({ x: o.bySamples ? (i + 1) * r.batchSize : i + 1, y: v > 0 ? v : null }))),
      r.color,
      { borderWidth: 1.75 },
    )
  );
  const vlines = runs.filter((r) => r.kStar !== null).map((r) => ({
    value: o.bySamples ? r.kStar! * r.batchSize : r.kStar!,
    color: r.color,
    label: o.bySamples ? `|D| = ${(r.kStar! * r.batchSize).toLocaleString("en-US")}` : `k* = ${r.kStar}`,
  }));
  return {
    type: "line",
    data: { datasets },
    options: baseOptions(o.bySamples ? "|D| = k·B (samples)" : "k (batches)", "Δₖ", o.logX, true, {
      vlines,
      hlines: o.tolerance !== null
        ? [{ value: o.tolerance, color: COLORS.tolerance, label: `Δ_tol = ${fmt(o.tolerance)}` }]
        : [],
    }),
  };
}

function sub(n: number): string {
  return String(n).split("").map((c) => "₀₁₂₃₄₅₆₇₈₉"[Number(c)]).join("");
}
