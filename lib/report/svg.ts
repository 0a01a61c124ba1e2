/**
 * The SVG renderer of a {@link FigureSpec}: standalone `<svg>` markup (for the self-contained report) with
 * linear or log10 axes, bands, broken lines, bars, markers whose labels never overlap, a title and a legend.
 * Non-finite values (and non-positive ones on a log axis) are skipped, breaking the line; the output never
 * contains "NaN". The steps: {@link chartLayout} (legend rows, plot box), {@link axisScale} per axis, then the
 * drawing of frame, data, markers and labels.
 * @module
 */
import { fmtTick, MARKUP } from "../present/format.ts";
import type { AxisSpec, Dash, FigureSpec, MarkerSpec } from "../present/figures.ts";
import { DASH_PATTERNS, labelLanes } from "../present/figures.ts";
import { MARK_COLORS } from "../present/palette.ts";

/** A white outline behind labels that sit on the data. */
const HALO = `stroke="#ffffff" stroke-width="3" paint-order="stroke"`;
const FONT = `font-family="system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"`;

/**
 * Escapes text for XML/HTML content and attribute values.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { escapeXml } from "./svg.ts";
 * assert.equal(escapeXml('a < b & "c"'), "a &lt; b &amp; &quot;c&quot;");
 * ```
 */
export function escapeXml(text: string): string {
  return String(text).replace(
    /[&<>"']/g,
    (c) => c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : c === '"' ? "&quot;" : "&#39;",
  );
}

/**
 * Text with `_{sub}` / `^{sup}` markup without the markup (for `<title>` and width estimates).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { plainText } from "./svg.ts";
 * assert.equal(plainText("Δ_{tol}"), "Δtol");
 * ```
 */
export function plainText(text: string): string {
  return String(text).replace(MARKUP, "$2");
}

/**
 * Escaped SVG text content in which `_{…}` and `^{…}` become subscript / superscript `<tspan>`s (shifted with
 * `dy` in px, which every SVG renderer supports). Other text, underscores included, is kept literally.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { richText } from "./svg.ts";
 * assert.equal(richText("Δ_{k}", 12), 'Δ<tspan dy="3" font-size="9">k</tspan>');
 * ```
 */
export function richText(text: string, fontSize = 12): string {
  const src = String(text);
  let out = "";
  let last = 0;
  let shift = 0;
  const small = px(fontSize * 0.75);
  for (const m of src.matchAll(MARKUP)) {
    const before = src.slice(last, m.index);
    if (before !== "") {
      out += shift !== 0 ? `<tspan dy="${px(-shift)}">${escapeXml(before)}</tspan>` : escapeXml(before);
      shift = 0;
    }
    const dy = (m[1] === "_" ? 0.25 : -0.4) * fontSize - shift;
    out += `<tspan dy="${px(dy)}" font-size="${small}">${escapeXml(m[2])}</tspan>`;
    shift += dy;
    last = m.index + m[0].length;
  }
  const rest = src.slice(last);
  if (rest !== "") {
    out += shift !== 0 ? `<tspan dy="${px(-shift)}">${escapeXml(rest)}</tspan>` : escapeXml(rest);
  }
  return out;
}

/**
 * Evenly spaced "nice" tick values (steps 1, 2, 2.5 or 5 × 10ⁿ) covering [min, max], about `count` of them.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { niceTicks } from "./svg.ts";
 * assert.deepEqual(niceTicks(0, 9.3, 5), [0, 2, 4, 6, 8, 10]);
 * ```
 */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (min > max) [min, max] = [max, min];
  if (min === max) {
    const d = min === 0 ? 1 : Math.abs(min) * 0.1;
    min -= d;
    max += d;
  }
  const step = niceStep((max - min) / Math.max(1, count));
  const lo = Math.floor(min / step + 1e-9);
  const hi = Math.ceil(max / step - 1e-9);
  const ticks: number[] = [];
  for (let i = lo; i <= hi && ticks.length < 1000; i++) ticks.push(cleanFloat(i * step, step));
  return ticks;
}

function niceStep(raw: number): number {
  const p = 10 ** Math.floor(Math.log10(raw));
  const f = raw / p;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * p;
}

/** Removes binary noise (0.30000000000000004 → 0.3) at the resolution of `step`. */
function cleanFloat(v: number, step: number): number {
  const decimals = Math.max(0, Math.min(20, -Math.floor(Math.log10(step)) + 2));
  const r = Number(v.toFixed(decimals));
  return Object.is(r, -0) ? 0 : r;
}

/**
 * Tick values of a log10 axis over [min, max] (both > 0): the decades, thinned to at most ~`count`+2 when the
 * range is wide, with 2× and 5× ticks added when it spans at most two decades.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { logTicks } from "./svg.ts";
 * assert.deepEqual(logTicks(0.003, 20), [0.001, 0.01, 0.1, 1, 10, 100]);
 * ```
 */
export function logTicks(min: number, max: number, count = 6): number[] {
  if (!(min > 0) || !(max > 0) || !Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (min > max) [min, max] = [max, min];
  const lo = Math.floor(Math.log10(min) + 1e-9);
  let hi = Math.ceil(Math.log10(max) - 1e-9);
  if (hi === lo) hi = lo + 1;
  const decades = hi - lo;
  const every = Math.max(1, Math.ceil(decades / Math.max(1, count)));
  const ticks: number[] = [];
  for (let e = lo; e <= hi; e++) {
    if ((e - lo) % every === 0 || e === hi) ticks.push(pow10(e));
    if (decades <= 2 && e < hi) ticks.push(2 * pow10(e), 5 * pow10(e));
  }
  return ticks.filter((t) => t >= pow10(lo) && t <= pow10(hi)).sort((a, b) => a - b);
}

/** 10^e without binary noise (1e-3 rather than 0.0010000000000000002). */
function pow10(e: number): number {
  return Number(`1e${e}`);
}

/** A mapping from data to pixels along one axis, with its ticks. */
export interface Scale {
  type: "linear" | "log";
  d0: number;
  d1: number;
  r0: number;
  r1: number;
  ticks: number[];
}

function valid(v: number | null | undefined, type: "linear" | "log"): v is number {
  return typeof v === "number" && Number.isFinite(v) && (type === "linear" || v > 0);
}

function project(s: Scale, v: number): number {
  const t = s.type === "log"
    ? (Math.log10(v) - Math.log10(s.d0)) / (Math.log10(s.d1) - Math.log10(s.d0))
    : (v - s.d0) / (s.d1 - s.d0);
  return s.r0 + t * (s.r1 - s.r0);
}

function inside(s: Scale, v: number): boolean {
  return v >= Math.min(s.d0, s.d1) - 1e-9 * Math.abs(s.d1 - s.d0) &&
    v <= Math.max(s.d0, s.d1) + 1e-9 * Math.abs(s.d1 - s.d0);
}

/**
 * The scale of an axis over the values it shows (or its fixed domain), extended to nice ticks, mapped to the
 * pixel range [r0, r1].
 */
export function axisScale(axis: AxisSpec, values: number[], r0: number, r1: number, count: number): Scale {
  const type = axis.scale;
  const fixed = axis.domain;
  if (fixed && valid(fixed[0], type) && valid(fixed[1], type) && fixed[0] !== fixed[1]) {
    const [lo, hi] = fixed[0] < fixed[1] ? fixed : [fixed[1], fixed[0]];
    let ticks = type === "log" ? logTicks(lo, hi, count) : niceTicks(lo, hi, count);
    ticks = ticks.filter((t) => t >= lo - 1e-12 * Math.abs(hi - lo) && t <= hi + 1e-12 * Math.abs(hi - lo));
    if (type === "log" && ticks.length < 2) ticks = [lo, hi];
    return { type, d0: lo, d1: hi, r0, r1, ticks: axis.integer ? ticks.filter(Number.isInteger) : ticks };
  }
  const vs = values.filter((v) => valid(v, type));
  let lo = vs.length ? Math.min(...vs) : type === "log" ? 1 : 0;
  let hi = vs.length ? Math.max(...vs) : type === "log" ? 10 : 1;
  if (type === "log") {
    const ticks = logTicks(lo, hi, count);
    return { type, d0: ticks[0], d1: ticks[ticks.length - 1], r0, r1, ticks };
  }
  if (axis.integer && hi - lo < count) {
    lo = Math.floor(lo);
    hi = Math.max(Math.ceil(hi), lo + 1);
    return { type, d0: lo, d1: hi, r0, r1, ticks: Array.from({ length: hi - lo + 1 }, (_, i) => lo + i) };
  }
  let ticks = niceTicks(lo, hi, count);
  if (axis.integer) ticks = ticks.filter(Number.isInteger);
  return { type, d0: ticks[0], d1: ticks[ticks.length - 1], r0, r1, ticks };
}

/** A pixel coordinate as text (2 decimals). */
function px(v: number): string {
  const r = Math.round(v * 100) / 100;
  return String(Object.is(r, -0) ? 0 : r);
}

/** Rough text width at a font size (for legend and label layout). */
function textWidth(text: string, size: number): number {
  return [...plainText(text)].length * size * 0.56;
}

/** The SVG dash array of a pattern. */
export const DASH_ARRAYS: Readonly<Record<Dash, string>> = Object.fromEntries(
  Object.entries(DASH_PATTERNS).map(([d, p]) => [d, p.join(" ")]),
) as Record<Dash, string>;

function dashAttr(d: Dash): string {
  return d === "solid" ? "" : ` stroke-dasharray="${DASH_ARRAYS[d]}"`;
}

/** A CSS colour fit for an attribute (anything else becomes grey). */
function color(c: string): string {
  return /^(#[0-9a-f]{3,8}|rgba?\([\d\s.,%]+\)|hsla?\([\d\s.,%]+\)|[a-z]+)$/i.test(c) ? c : "#868e96";
}

interface LegendEntry {
  label: string;
  color: string;
  kind: "line" | "band" | "point" | "bar";
  dash: Dash;
}

/** Where the parts of a chart go. */
export interface ChartLayout {
  width: number;
  height: number;
  left: number;
  top: number;
  plotW: number;
  plotH: number;
  legend: { x: number; y: number; entry: LegendEntry }[];
}

/** The legend rows under the title and the plot box below them. */
export function chartLayout(fig: FigureSpec, width: number, height: number, title = true): ChartLayout {
  const entries: LegendEntry[] = [
    ...fig.bands.filter((b) => b.label).map((b) => ({
      label: b.label,
      color: b.color,
      kind: "band" as const,
      dash: "solid" as Dash,
    })),
    ...fig.series.filter((s) => s.legend).map((s) => ({
      label: s.label,
      color: s.color,
      kind: s.kind === "points" ? "point" as const : s.kind === "bars" ? "bar" as const : "line" as const,
      dash: s.dash,
    })),
  ];
  const left = 64, right = 20;
  let top = fig.title && title ? 34 : 14;
  const legend: ChartLayout["legend"] = [];
  let x = left, row = 0;
  for (const entry of entries) {
    const w = 28 + textWidth(entry.label, 12) + 16;
    if (x > left && x + w > width - right) {
      row++;
      x = left;
    }
    legend.push({ x, y: top + row * 18 + 9, entry });
    x += w;
  }
  if (entries.length) top += (row + 1) * 18 + 6;
  const bottom = fig.x.label ? 50 : 32;
  return {
    width,
    height,
    left,
    top,
    plotW: Math.max(10, width - left - right),
    plotH: Math.max(10, height - top - bottom),
    legend,
  };
}

function dataValues(fig: FigureSpec): { xs: number[]; ys: number[] } {
  const xs: number[] = [], ys: number[] = [];
  const tx = fig.x.scale, ty = fig.y.scale;
  for (const s of fig.series) {
    s.x.forEach((x, i) => {
      const y = s.y[i];
      if (valid(x, tx) && valid(y, ty)) {
        xs.push(x);
        ys.push(y);
      }
    });
    if (s.kind === "bars" && ty === "linear") ys.push(0);
  }
  for (const b of fig.bands) {
    b.x.forEach((x, i) => {
      if (!valid(x, tx)) return;
      if (valid(b.upper[i], ty)) {
        xs.push(x);
        ys.push(b.upper[i]!);
      }
      if (valid(b.lower[i], ty)) ys.push(b.lower[i]!);
    });
  }
  for (const m of fig.hMarkers) if (valid(m.value, ty)) ys.push(m.value);
  for (const m of fig.vMarkers) if (valid(m.value, tx)) xs.push(m.value);
  return { xs, ys };
}

/** The size of a rendered figure, and whether its title is drawn inside it. */
export interface SvgOptions {
  /** Width in px (default 640). */
  width?: number;
  /** Height in px (default 360). */
  height?: number;
  /** Draw the title in the SVG (default true; false when a frame shows it). */
  title?: boolean;
}

/**
 * Renders a figure as a standalone `<svg>` element (with `viewBox`, so it scales to its container).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { deltaFigure, renderSvg } from "kstar";
 * const fig = deltaFigure({ empirical: [5, 1.2, 0.6], theory: [4, 1, 0.5], secondOrder: [4, 1, 0.4] }, {
 *   tolerances: [0.025],
 *   thresholds: [],
 * });
 * const svg = renderSvg(fig);
 * assert.ok(svg.startsWith("<svg") && svg.includes("Empirical") && !svg.includes("NaN"));
 * ```
 */
export function renderSvg(fig: FigureSpec, size: SvgOptions = {}): string {
  const L = chartLayout(fig, size.width ?? 640, size.height ?? 360, size.title ?? true);
  const id = `chart-${fig.id}`.replace(/[^A-Za-z0-9_-]/g, "-");
  const { xs, ys } = dataValues(fig);
  const X = axisScale(
    fig.x,
    xs,
    L.left,
    L.left + L.plotW,
    Math.max(3, Math.round(L.plotW / (fig.x.scale === "log" ? 50 : 80))),
  );
  const Y = axisScale(
    fig.y,
    ys,
    L.top + L.plotH,
    L.top,
    Math.max(3, Math.round(L.plotH / (fig.y.scale === "log" ? 24 : 50))),
  );
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-figure="${
      escapeXml(fig.id)
    }" viewBox="0 0 ${L.width} ${L.height}" ` +
    `width="${L.width}" height="${L.height}" role="img" aria-labelledby="${id}-title" ${FONT} font-size="12">`,
    `<title id="${id}-title">${escapeXml(plainText(fig.title))}</title>`,
    `<desc>${escapeXml(plainText(fig.caption))}</desc>`,
    `<defs><clipPath id="${id}-clip"><rect x="${px(L.left)}" y="${px(L.top)}" width="${
      px(L.plotW)
    }" height="${px(L.plotH)}"/></clipPath></defs>`,
    `<rect x="0" y="0" width="${L.width}" height="${L.height}" fill="#ffffff"/>`,
  ];
  if (fig.title && (size.title ?? true)) {
    out.push(
      `<text x="${L.left}" y="22" font-size="15" font-weight="600" fill="#1a1d21">${
        richText(fig.title, 15)
      }</text>`,
    );
  }
  out.push(...drawLegend(L), ...drawFrame(fig, L, X, Y));
  out.push(
    `<g clip-path="url(#${id}-clip)">${
      [...drawBands(fig, X, Y), ...drawSeries(fig, L, X, Y), ...drawMarkerLines(fig, L, X, Y)].join("")
    }</g>`,
  );
  out.push(...drawMarkerLabels(fig, L, X, Y));
  if (xs.length === 0 && ys.length === 0) {
    out.push(
      `<text x="${px(L.left + L.plotW / 2)}" y="${
        px(L.top + L.plotH / 2)
      }" text-anchor="middle" fill="#868e96">no data</text>`,
    );
  }
  out.push("</svg>");
  return out.join("");
}

function drawLegend(L: ChartLayout): string[] {
  return L.legend.flatMap(({ x, y, entry }) => {
    const c = color(entry.color);
    const mark = entry.kind === "band"
      ? `<rect x="${px(x)}" y="${px(y - 6)}" width="22" height="12" fill="${c}" fill-opacity="0.25"/>`
      : entry.kind === "point"
      ? `<circle cx="${px(x + 11)}" cy="${px(y)}" r="3.5" fill="${c}"/>`
      : entry.kind === "bar"
      ? `<rect x="${px(x + 5)}" y="${px(y - 6)}" width="12" height="12" fill="${c}"/>`
      : `<line x1="${px(x)}" y1="${px(y)}" x2="${px(x + 22)}" y2="${px(y)}" stroke="${c}" stroke-width="2.2"${
        dashAttr(entry.dash)
      }/>`;
    return [
      mark,
      `<text x="${px(x + 28)}" y="${px(y + 4)}" fill="#343a40">${richText(entry.label, 12)}</text>`,
    ];
  });
}

function drawFrame(fig: FigureSpec, L: ChartLayout, X: Scale, Y: Scale): string[] {
  const grid: string[] = [], labels: string[] = [];
  for (const t of Y.ticks) {
    if (!inside(Y, t)) continue;
    const y = px(project(Y, t));
    grid.push(`<line x1="${px(L.left)}" y1="${y}" x2="${px(L.left + L.plotW)}" y2="${y}"/>`);
    labels.push(
      `<text x="${px(L.left - 6)}" y="${y}" dy="0.32em" text-anchor="end">${escapeXml(fmtTick(t))}</text>`,
    );
  }
  const cats = fig.x.categories;
  for (const t of X.ticks) {
    if (!inside(X, t)) continue;
    const x = px(project(X, t));
    grid.push(`<line x1="${x}" y1="${px(L.top)}" x2="${x}" y2="${px(L.top + L.plotH)}"/>`);
    const text = cats
      ? (Number.isInteger(t) && cats[t - 1] !== undefined ? richText(cats[t - 1], 11) : "")
      : escapeXml(fmtTick(t));
    if (text) {
      labels.push(`<text x="${x}" y="${px(L.top + L.plotH + 16)}" text-anchor="middle">${text}</text>`);
    }
  }
  const out = [
    `<g stroke="${MARK_COLORS.grid}" stroke-width="1">${grid.join("")}</g>`,
    `<rect x="${px(L.left)}" y="${px(L.top)}" width="${px(L.plotW)}" height="${
      px(L.plotH)
    }" fill="none" stroke="#adb5bd" stroke-width="1"/>`,
    `<g fill="${MARK_COLORS.text}" font-size="11">${labels.join("")}</g>`,
  ];
  if (fig.x.label) {
    out.push(
      `<text x="${px(L.left + L.plotW / 2)}" y="${px(L.height - 10)}" text-anchor="middle" fill="#343a40">${
        richText(fig.x.label, 12)
      }</text>`,
    );
  }
  if (fig.y.label) {
    const cy = L.top + L.plotH / 2;
    out.push(
      `<text x="14" y="${px(cy)}" text-anchor="middle" fill="#343a40" transform="rotate(-90 14 ${px(cy)})">${
        richText(fig.y.label, 12)
      }</text>`,
    );
  }
  return out;
}

function drawBands(fig: FigureSpec, X: Scale, Y: Scale): string[] {
  const out: string[] = [];
  const floor = Y.type === "log" ? Math.min(Y.d0, Y.d1) : -Infinity;
  for (const b of fig.bands) {
    let seg: { x: number; lo: number; hi: number }[] = [];
    const flush = () => {
      if (seg.length >= 2) {
        const pts = [
          ...seg.map((p) => `${px(project(X, p.x))},${px(project(Y, p.hi))}`),
          ...seg.slice().reverse().map((p) => `${px(project(X, p.x))},${px(project(Y, p.lo))}`),
        ];
        out.push(
          `<polygon points="${pts.join(" ")}" fill="${
            color(b.color)
          }" fill-opacity="${b.opacity}" stroke="none"/>`,
        );
      }
      seg = [];
    };
    b.x.forEach((x, i) => {
      const hi = b.upper[i];
      let lo = b.lower[i];
      // On a log axis a non-positive lower edge is drawn at the axis floor.
      if (Y.type === "log" && typeof lo === "number" && Number.isFinite(lo) && lo <= 0) lo = floor;
      if (valid(x, X.type) && valid(hi, Y.type) && valid(lo, Y.type)) {
        seg.push({ x, lo: Math.min(lo, hi), hi });
      } else flush();
    });
    flush();
  }
  return out;
}

function drawSeries(fig: FigureSpec, L: ChartLayout, X: Scale, Y: Scale): string[] {
  const out: string[] = [];
  for (const s of fig.series) {
    const c = color(s.color);
    const pts = s.x.map((x, i) => {
      const y = s.y[i];
      return valid(x, X.type) && valid(y, Y.type) ? { x: project(X, x), y: project(Y, y) } : null;
    });
    if (s.kind === "bars") {
      const n = pts.filter((p) => p !== null).length;
      const bw = Math.max(2, Math.min(40, (L.plotW / Math.max(1, n)) * 0.6));
      const base = Y.type === "log" ? L.top + L.plotH : project(Y, Math.min(Math.max(0, Y.d0), Y.d1));
      for (const p of pts) {
        if (p) {
          out.push(
            `<rect x="${px(p.x - bw / 2)}" y="${px(Math.min(p.y, base))}" width="${px(bw)}" height="${
              px(Math.abs(base - p.y))
            }" fill="${c}" fill-opacity="0.85"/>`,
          );
        }
      }
      continue;
    }
    if (s.kind === "points") {
      for (const p of pts) {
        if (p) out.push(`<circle cx="${px(p.x)}" cy="${px(p.y)}" r="${px(s.width + 1.5)}" fill="${c}"/>`);
      }
      continue;
    }
    // Contiguous runs of valid points; a run of one is drawn as a dot (a lone "M" would be invisible).
    const runs: { x: number; y: number }[][] = [[]];
    for (const p of pts) {
      if (p !== null) runs[runs.length - 1].push(p);
      else if (runs[runs.length - 1].length > 0) runs.push([]);
    }
    const d = runs.filter((r) => r.length > 1)
      .map((r) => r.map((p, i) => `${i === 0 ? "M" : "L"}${px(p.x)} ${px(p.y)}`).join("")).join("");
    if (d) {
      out.push(
        `<path d="${d}" fill="none" stroke="${c}" stroke-width="${s.width}" stroke-linejoin="round" stroke-linecap="round"${
          dashAttr(s.dash)
        }/>`,
      );
    }
    for (const r of runs) {
      if (r.length === 1) {
        out.push(`<circle cx="${px(r[0].x)}" cy="${px(r[0].y)}" r="${px(s.width)}" fill="${c}"/>`);
      }
    }
  }
  return out;
}

function visibleMarkers(ms: MarkerSpec[], S: Scale): MarkerSpec[] {
  return ms.filter((m) => valid(m.value, S.type) && inside(S, m.value));
}

function drawMarkerLines(fig: FigureSpec, L: ChartLayout, X: Scale, Y: Scale): string[] {
  return [
    ...visibleMarkers(fig.hMarkers, Y).map((m) => {
      const y = px(project(Y, m.value));
      return `<line x1="${px(L.left)}" y1="${y}" x2="${px(L.left + L.plotW)}" y2="${y}" stroke="${
        color(m.color)
      }" stroke-width="1.3"${dashAttr("dashed")}/>`;
    }),
    ...visibleMarkers(fig.vMarkers, X).map((m) => {
      const x = px(project(X, m.value));
      return `<line x1="${x}" y1="${px(L.top)}" x2="${x}" y2="${px(L.top + L.plotH)}" stroke="${
        color(m.color)
      }" stroke-width="1.3"${dashAttr("dashed")}/>`;
    }),
  ];
}

/** Marker labels outside the clip, in lanes so that none overlaps another. */
function drawMarkerLabels(fig: FigureSpec, L: ChartLayout, X: Scale, Y: Scale): string[] {
  const out: string[] = [];
  const hs = visibleMarkers(fig.hMarkers, Y);
  // Horizontal markers: labels at the right edge, one lane per 14 px of height, alternating above and below.
  const hLanes = labelLanes(hs.map((m) => ({ pos: -project(Y, m.value), size: 13 })), 1);
  hs.forEach((m, i) => {
    const y = project(Y, m.value);
    const above = y - L.top > 16;
    const lane = hLanes[i];
    const x = L.left + L.plotW - 4 - lane * (textWidth(m.label, 11) + 12);
    out.push(
      `<text x="${px(x)}" y="${px(above ? y - 4 : y + 13)}" text-anchor="end" fill="${
        color(m.color)
      }" ${HALO}>${richText(m.label, 11)}</text>`,
    );
  });
  // Vertical markers: labels beside their line at the top, stacked in rows where they would overlap.
  const vs = visibleMarkers(fig.vMarkers, X);
  const boxes = vs.map((m) => {
    const x = project(X, m.value), w = textWidth(m.label, 11);
    const toRight = x + 6 + w < L.left + L.plotW;
    return { x, w, toRight, pos: toRight ? x + 4 : x - 4 - w };
  });
  const vLanes = labelLanes(boxes.map((b) => ({ pos: b.pos, size: b.w })), 8);
  vs.forEach((m, i) => {
    const b = boxes[i];
    out.push(
      `<text x="${px(b.toRight ? b.x + 4 : b.x - 4)}" y="${px(L.top + 13 + 14 * vLanes[i])}" text-anchor="${
        b.toRight ? "start" : "end"
      }" fill="${color(m.color)}" ${HALO}>${richText(m.label, 11)}</text>`,
    );
  });
  return out.length ? [`<g font-size="11" font-weight="600">${out.join("")}</g>`] : [];
}
