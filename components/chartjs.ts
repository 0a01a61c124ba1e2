/**
 * The chart.js renderer of a {@link FigureSpec} (the dashboard's): the same series, band, markers, colours and
 * scales the report's SVG renderer draws, as a chart.js configuration (a pure function, no DOM), plus the plugin
 * that draws the marker lines with labels in non-overlapping lanes.
 * @module
 */
import type { Plugin } from "npm:chart.js@4.6.1";
import type { FigureSpec, MarkerSpec } from "../lib/present/figures.ts";
import { DASH_PATTERNS, labelLanes } from "../lib/present/figures.ts";
import { fmt, fmtTick, unicodeMarkup } from "../lib/present/format.ts";
import { MARK_COLORS } from "../lib/present/palette.ts";

/** A chart.js configuration (line or bar), typed loosely: chart.js checks it at run time. */
export interface ChartJsConfig {
  type: "line" | "bar";
  data: { labels?: string[]; datasets: ChartDataset[] };
  options: Record<string, unknown>;
}
/** A chart.js dataset. */
export type ChartDataset = Record<string, unknown> & { label: string; data: unknown[] };
/** A point of a line. */
export type Point = { x: number; y: number | null };

/** Legend entries and tooltips skip datasets whose label starts with this (the band's lower edge). */
const HIDDEN = "\u200b";

/** At most `max` points, evenly strided, always keeping the last. */
export function thin<T>(xs: T[], max = 1500): T[] {
  if (xs.length <= max) return xs;
  const step = xs.length / max;
  const out: T[] = [];
  for (let i = 0; i < max; i++) out.push(xs[Math.floor(i * step)]);
  out[out.length - 1] = xs[xs.length - 1];
  return out;
}

function points(x: readonly number[], y: readonly (number | null)[], log: boolean): Point[] {
  return thin(x.map((xi, i) => {
    const v = y[i];
    return { x: xi, y: v === null || !Number.isFinite(v) || (log && v <= 0) ? null : v };
  }));
}

/** `#rrggbb` (or any CSS colour) with an alpha, for fills. */
export function withAlpha(color: string, alpha: number): string {
  const m = /^#([0-9a-f]{6})$/i.exec(color);
  if (!m) return color;
  const n = parseInt(m[1], 16);
  return `rgba(${n >> 16}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

/** Options of the marker plugin (`options.plugins.kstarMarkers`). */
export interface MarkerOptions {
  vlines?: MarkerSpec[];
  hlines?: MarkerSpec[];
}

/** Draws `kstarMarkers`: dashed verticals (k*) and horizontals (Δ_tol), labels in lanes that never overlap. */
export const markerPlugin: Plugin = {
  id: "kstarMarkers",
  afterDatasetsDraw(chart, _args, options) {
    const o = options as MarkerOptions;
    const { ctx, chartArea: a, scales } = chart;
    const x = scales.x, y = scales.y;
    if (!a || !x || !y) return;
    ctx.save();
    ctx.font = "600 11px system-ui, -apple-system, 'Segoe UI', sans-serif";
    ctx.setLineDash(DASH_PATTERNS.dashed);
    ctx.lineWidth = 1.5;
    const hs = (o.hlines ?? []).map((m) => ({ m, py: y.getPixelForValue(m.value) }))
      .filter(({ py }) => Number.isFinite(py) && py >= a.top - 1 && py <= a.bottom + 1);
    const hLanes = labelLanes(hs.map(({ py }) => ({ pos: -py, size: 13 })), 1);
    hs.forEach(({ m, py }, i) => {
      ctx.strokeStyle = ctx.fillStyle = m.color;
      ctx.beginPath();
      ctx.moveTo(a.left, py);
      ctx.lineTo(a.right, py);
      ctx.stroke();
      const label = unicodeMarkup(m.label);
      ctx.textAlign = "right";
      ctx.textBaseline = "bottom";
      ctx.fillText(label, a.right - 4 - hLanes[i] * (ctx.measureText(label).width + 12), py - 3);
    });
    const vs = (o.vlines ?? []).map((m) => ({
      m,
      px: x.getPixelForValue(m.value),
      label: unicodeMarkup(m.label),
    }))
      .filter(({ px }) => Number.isFinite(px) && px >= a.left - 1 && px <= a.right + 1)
      .map((v) => {
        const w = ctx.measureText(v.label).width;
        const right = v.px + 4 + w < a.right;
        return { ...v, w, right, pos: right ? v.px + 4 : v.px - 4 - w };
      });
    const vLanes = labelLanes(vs.map((v) => ({ pos: v.pos, size: v.w })), 8);
    vs.forEach((v, i) => {
      ctx.strokeStyle = ctx.fillStyle = v.m.color;
      ctx.beginPath();
      ctx.moveTo(v.px, a.top);
      ctx.lineTo(v.px, a.bottom);
      ctx.stroke();
      ctx.textAlign = v.right ? "left" : "right";
      ctx.textBaseline = "top";
      ctx.fillText(v.label, v.right ? v.px + 4 : v.px - 4, a.top + 4 + 14 * vLanes[i]);
    });
    ctx.restore();
  },
};

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
  return near(1) || (decades <= 4 && (near(2) || near(5))) ? fmtTick(value) : "";
}

/**
 * A chart.js axis. Categories of a bar chart are chart.js categories; on a point chart (a strip plot) they label
 * the integer positions of a linear axis. `include` are values (reference lines) the axis must show even beyond
 * the data.
 */
function axis(spec: FigureSpec["x"], title: string, bars = false, include: readonly number[] = []) {
  const cats = spec.categories;
  const type = cats && bars ? "category" : spec.scale === "log" ? "logarithmic" : "linear";
  const shown = include.filter((v) => Number.isFinite(v) && (type !== "logarithmic" || v > 0));
  return {
    type,
    ...(spec.domain && !(cats && bars) ? { min: spec.domain[0], max: spec.domain[1] } : {}),
    ...(shown.length && !spec.domain && !cats
      ? { suggestedMin: Math.min(...shown), suggestedMax: Math.max(...shown) }
      : {}),
    title: { display: true, text: unicodeMarkup(title), color: MARK_COLORS.text },
    grid: { color: MARK_COLORS.grid },
    ticks: {
      color: MARK_COLORS.text,
      maxTicksLimit: 10,
      ...(spec.integer && !cats ? { precision: 0 } : {}),
      ...(type === "logarithmic"
        ? { callback: (v: number | string, _i: number, t: { value: number }[]) => logTickLabel(Number(v), t) }
        : type === "linear" && cats
        ? {
          stepSize: 1,
          autoSkip: false,
          callback: (v: number | string) =>
            Number.isInteger(Number(v)) ? unicodeMarkup(cats[Number(v) - 1] ?? "") : "",
        }
        : type === "linear"
        ? { callback: (v: number | string) => fmtTick(Number(v)) }
        : {}),
    },
  };
}

/** The chart.js configuration of a figure. */
export function toChartJs(fig: FigureSpec): ChartJsConfig {
  const logY = fig.y.scale === "log";
  const datasets: ChartDataset[] = [];
  for (const b of fig.bands) {
    datasets.push(
      {
        type: "line",
        label: unicodeMarkup(b.label),
        data: points(b.x, b.upper, logY),
        borderColor: "transparent",
        backgroundColor: withAlpha(b.color, b.opacity),
        borderWidth: 0,
        pointRadius: 0,
        fill: "+1",
        spanGaps: false,
      },
      {
        type: "line",
        label: `${HIDDEN}${b.id}-lower`,
        data: points(b.x, b.lower.map((v) => (logY && v !== null && v <= 0 ? null : v)), logY),
        borderColor: "transparent",
        backgroundColor: "transparent",
        borderWidth: 0,
        pointRadius: 0,
        fill: false,
        spanGaps: false,
      },
    );
  }
  const bars = fig.series.some((s) => s.kind === "bars");
  for (const s of fig.series) {
    const label = s.legend ? unicodeMarkup(s.label) : `${HIDDEN}${unicodeMarkup(s.label)}`;
    if (s.kind === "bars") {
      datasets.push({
        type: "bar",
        label,
        data: s.y.map((v) => (v === null || !Number.isFinite(v) ? null : v)),
        backgroundColor: withAlpha(s.color, 0.8),
        borderColor: s.color,
        borderWidth: 1,
      });
      continue;
    }
    datasets.push({
      type: "line",
      label,
      data: points(s.x, s.y, logY),
      borderColor: s.color,
      backgroundColor: s.color,
      borderWidth: s.kind === "points" ? 0 : s.width,
      borderDash: DASH_PATTERNS[s.dash],
      showLine: s.kind !== "points",
      pointRadius: s.kind === "points" ? s.width + 1.5 : 0,
      pointHoverRadius: 3,
      tension: 0,
      spanGaps: false,
    });
  }
  return {
    type: bars ? "bar" : "line",
    data: bars ? { labels: (fig.x.categories ?? []).map(unicodeMarkup), datasets } : { datasets },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      parsing: bars,
      normalized: true,
      interaction: { mode: "nearest", axis: "x", intersect: false },
      // A tolerance line below (or above) the curves stays on the chart, as in the SVG renderer.
      scales: {
        x: axis(fig.x, fig.x.label, bars),
        y: axis(fig.y, fig.y.label, false, fig.hMarkers.map((m) => m.value)),
      },
      plugins: {
        legend: {
          display: !bars,
          position: "bottom",
          labels: {
            boxWidth: 14,
            boxHeight: 2,
            color: MARK_COLORS.text,
            filter: (item: { text: string }) => !item.text.startsWith(HIDDEN),
          },
        },
        tooltip: {
          filter: (item: { dataset: { label?: string } }) => !item.dataset.label?.startsWith(HIDDEN),
          callbacks: {
            label: (item: { dataset: { label?: string }; parsed: { y: number | null } }) =>
              `${item.dataset.label}: ${fmt(item.parsed.y, 4)}`,
          },
        },
        // On a category axis chart.js counts from 0; a figure counts its categories from 1.
        kstarMarkers: {
          vlines: fig.x.categories && bars
            ? fig.vMarkers.map((m) => ({ ...m, value: m.value - 1 }))
            : fig.vMarkers,
          hlines: fig.hMarkers,
        } satisfies MarkerOptions,
      },
    },
  };
}
