/**
 * A small dependency-free SVG chart renderer: line/point/bar series on linear or log10 axes, shaded bands,
 * reference lines, nice ticks, a title, axis labels and a legend. Non-finite values (and non-positive ones on
 * a log axis) are skipped, breaking the line; the output never contains "NaN".
 * @module
 */

/** A white outline behind reference-line labels. */
const halo = `stroke="#ffffff" stroke-width="3" paint-order="stroke"`;

/** An axis scale. */
export type ScaleType = "linear" | "log";

/** A data series. `y[i]` belongs to `x[i]`; a null or non-finite value breaks the line. */
export interface Series {
  name: string;
  x: readonly number[];
  y: readonly (number | null | undefined)[];
  /** CSS colour; default from the palette by series index. */
  color?: string;
  /** Dash pattern: `true` for "6 4", or an SVG `stroke-dasharray`. */
  dashed?: boolean | string;
  /** Stroke width in px. Default 1.8. */
  width?: number;
  /** `line` (default), `points` (markers only), `line+points`, or `bars` (from the axis floor). */
  kind?: "line" | "points" | "line+points" | "bars";
  /** Leave this series out of the legend. */
  hideInLegend?: boolean;
}

/** A shaded band between `lower[i]` and `upper[i]` at `x[i]`. */
export interface Band {
  name?: string;
  x: readonly number[];
  lower: readonly (number | null | undefined)[];
  upper: readonly (number | null | undefined)[];
  color?: string;
  /** Fill opacity. Default 0.22. */
  opacity?: number;
}

/** A horizontal (`y`) or vertical (`x`) reference line with an optional label. */
export interface RefLine {
  value: number;
  label?: string;
  color?: string;
  /** Default `true`. */
  dashed?: boolean;
}

/** Everything a chart shows. */
export interface ChartSpec {
  /** Unique id prefix within a page (clip paths). Default derived from the title. */
  id?: string;
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** Width and height of the viewBox in px. Default 640 × 360. */
  width?: number;
  height?: number;
  xScale?: ScaleType;
  yScale?: ScaleType;
  /** Fixed axis ranges (otherwise from the data, reference lines included, padded to nice ticks). */
  xDomain?: [number, number];
  yDomain?: [number, number];
  series: readonly Series[];
  bands?: readonly Band[];
  hLines?: readonly RefLine[];
  vLines?: readonly RefLine[];
  /** Show the legend (default `true` when something has a name). */
  legend?: boolean;
  /** Include 0 in a data-driven linear y range (e.g. for ratios). Default `false`. */
  includeZero?: boolean;
  /** Integer ticks only on x (e.g. k). */
  xIntegers?: boolean;
  /** Accessible description. */
  description?: string;
}

/** The default colour cycle (colour-blind friendly, Okabe–Ito-like with a few more). */
export const PALETTE: readonly string[] = [
  "#1f5fbf",
  "#d9480f",
  "#2b8a3e",
  "#862e9c",
  "#e8590c",
  "#0b7285",
  "#c2255c",
  "#5c940d",
  "#495057",
  "#a61e4d",
];

/**
 * Escapes text for XML/HTML content and attribute values.
 * @example
 * ```ts
 * escapeXml('a < b & "c"'); // "a &lt; b &amp; &quot;c&quot;"
 * ```
 */
export function escapeXml(text: string): string {
  return String(text).replace(
    /[&<>"']/g,
    (c) => c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : c === '"' ? "&quot;" : "&#39;",
  );
}

const MARKUP = /([_^])\{([^{}]*)\}/g;

/**
 * Text with `_{sub}` / `^{sup}` markup without the markup (for `<title>` and width estimates).
 * @example
 * ```ts
 * plainText("Δ_{tol}"); // "Δtol"
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
 * richText("Δ_{k}", 12); // 'Δ<tspan dy="3" font-size="9">k</tspan>'
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
 * niceTicks(0, 9.3, 5); // [0, 2, 4, 6, 8, 10]
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
 * logTicks(0.003, 20); // [0.001, 0.01, 0.1, 1, 10, 100]
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

const SUPERSCRIPT: Record<string, string> = {
  "-": "⁻",
  "0": "⁰",
  "1": "¹",
  "2": "²",
  "3": "³",
  "4": "⁴",
  "5": "⁵",
  "6": "⁶",
  "7": "⁷",
  "8": "⁸",
  "9": "⁹",
};

/**
 * A compact tick label: plain decimals for moderate magnitudes, otherwise `m·10ⁿ` (`10ⁿ` for a power of ten).
 * Non-finite values give an empty string.
 * @example
 * ```ts
 * formatTick(0.025); // "0.025"
 * formatTick(1e-6); // "10⁻⁶"
 * formatTick(25000); // "2.5·10⁴"
 * ```
 */
export function formatTick(v: number): string {
  if (!Number.isFinite(v)) return "";
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e-3 && a < 1e5) return String(Number(v.toPrecision(6)));
  const [m, e] = v.toExponential().split("e");
  const exp = String(Number(e)).split("").map((c) => SUPERSCRIPT[c] ?? c).join("");
  const mant = String(Number(Number(m).toPrecision(4)));
  return mant === "1" ? `10${exp}` : mant === "-1" ? `−10${exp}` : `${mant}·10${exp}`;
}

/** A mapping from data to pixels along one axis. */
interface Scale {
  type: ScaleType;
  d0: number;
  d1: number;
  r0: number;
  r1: number;
  ticks: number[];
}

function valid(v: number | null | undefined, type: ScaleType): v is number {
  return typeof v === "number" && Number.isFinite(v) && (type === "linear" || v > 0);
}

function project(s: Scale, v: number): number {
  const t = s.type === "log"
    ? (Math.log10(v) - Math.log10(s.d0)) / (Math.log10(s.d1) - Math.log10(s.d0))
    : (v - s.d0) / (s.d1 - s.d0);
  return s.r0 + t * (s.r1 - s.r0);
}

/** Builds a scale over the values (or a fixed domain), extended to nice ticks. */
function makeScale(
  type: ScaleType,
  values: number[],
  fixed: [number, number] | undefined,
  r0: number,
  r1: number,
  count: number,
  integers: boolean,
): Scale {
  let lo: number;
  let hi: number;
  if (fixed && valid(fixed[0], type) && valid(fixed[1], type) && fixed[0] !== fixed[1]) {
    [lo, hi] = fixed[0] < fixed[1] ? fixed : [fixed[1], fixed[0]];
    const ticks = (type === "log" ? logTicks(lo, hi, count) : niceTicks(lo, hi, count))
      .filter((t) => t >= lo - 1e-12 * Math.abs(hi - lo) && t <= hi + 1e-12 * Math.abs(hi - lo));
    return { type, d0: lo, d1: hi, r0, r1, ticks: integerTicks(ticks, integers) };
  }
  const vs = values.filter((v) => valid(v, type));
  if (vs.length === 0) {
    [lo, hi] = type === "log" ? [1, 10] : [0, 1];
  } else {
    lo = Math.min(...vs);
    hi = Math.max(...vs);
  }
  if (type === "log") {
    const ticks = logTicks(lo, hi, count);
    return { type, d0: ticks[0], d1: ticks[ticks.length - 1], r0, r1, ticks };
  }
  if (integers && hi - lo < count) {
    const a = Math.floor(lo);
    const b = Math.max(Math.ceil(hi), a + 1);
    const ticks: number[] = [];
    for (let i = a; i <= b; i++) ticks.push(i);
    return { type, d0: a, d1: b, r0, r1, ticks };
  }
  const ticks = integerTicks(niceTicks(lo, hi, count), integers);
  return { type, d0: ticks[0], d1: ticks[ticks.length - 1], r0, r1, ticks };
}

function integerTicks(ticks: number[], integers: boolean): number[] {
  return integers ? ticks.filter((t) => Number.isInteger(t)) : ticks;
}

/** A pixel coordinate as text (2 decimals). */
function px(v: number): string {
  const r = Math.round(v * 100) / 100;
  return String(Object.is(r, -0) ? 0 : r);
}

/** A stable short hash for default ids. */
function hash(text: string): string {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return (h >>> 0).toString(36);
}

/** Rough text width at a font size (for legend layout). */
function textWidth(text: string, size: number): number {
  return [...plainText(text)].length * size * 0.56;
}

function dashOf(d: boolean | string | undefined): string {
  if (d === true) return ` stroke-dasharray="6 4"`;
  if (typeof d === "string" && /^[\d.\s,]+$/.test(d)) return ` stroke-dasharray="${d}"`;
  return "";
}

/**
 * Renders a chart to a standalone `<svg>` element (with `viewBox`, so it scales to its container).
 * @example
 * ```ts
 * const svg = lineChart({
 *   title: "Δ_k",
 *   yScale: "log",
 *   series: [{ name: "empirical", x: [1, 2, 3], y: [5, 1.2, 0.6] }],
 *   hLines: [{ value: 0.025, label: "Δ_tol" }],
 * });
 * ```
 */
export function lineChart(spec: ChartSpec): string {
  const W = spec.width ?? 640;
  const H = spec.height ?? 360;
  const id = (spec.id ?? `chart-${hash(`${spec.title ?? ""}|${spec.series.map((s) => s.name).join("|")}`)}`)
    .replace(/[^A-Za-z0-9_-]/g, "-");
  const xType = spec.xScale ?? "linear";
  const yType = spec.yScale ?? "linear";
  const font = `font-family="system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"`;

  // Legend entries (laid out in rows under the title).
  const entries: { name: string; color: string; kind: "line" | "band" | "point" | "bar"; dash: string }[] =
    [];
  (spec.bands ?? []).forEach((b, i) => {
    if (b.name) {
      entries.push({ name: b.name, color: b.color ?? PALETTE[i % PALETTE.length], kind: "band", dash: "" });
    }
  });
  spec.series.forEach((s, i) => {
    if (s.hideInLegend || !s.name) return;
    const kind = s.kind === "points" ? "point" : s.kind === "bars" ? "bar" : "line";
    entries.push({
      name: s.name,
      color: s.color ?? PALETTE[i % PALETTE.length],
      kind,
      dash: dashOf(s.dashed),
    });
  });
  const showLegend = (spec.legend ?? true) && entries.length > 0;

  const left = 64;
  const right = 20;
  let top = spec.title ? 34 : 14;
  const legendRows: { x: number; entry: typeof entries[number] }[][] = [];
  if (showLegend) {
    let row: { x: number; entry: typeof entries[number] }[] = [];
    let x = left;
    for (const e of entries) {
      const w = 28 + textWidth(e.name, 12) + 16;
      if (row.length > 0 && x + w > W - right) {
        legendRows.push(row);
        row = [];
        x = left;
      }
      row.push({ x, entry: e });
      x += w;
    }
    if (row.length > 0) legendRows.push(row);
  }
  const legendTop = top;
  top += legendRows.length * 18 + (legendRows.length > 0 ? 6 : 0);
  const bottom = spec.xLabel ? 50 : 32;
  const plotW = Math.max(10, W - left - right);
  const plotH = Math.max(10, H - top - bottom);

  // Domains.
  const xs: number[] = [];
  const ys: number[] = [];
  for (const s of spec.series) {
    s.x.forEach((x, i) => {
      const y = s.y[i];
      if (valid(x, xType) && valid(y, yType)) {
        xs.push(x);
        ys.push(y);
      }
    });
    if (s.kind === "bars" && yType === "linear") ys.push(0);
  }
  for (const b of spec.bands ?? []) {
    b.x.forEach((x, i) => {
      if (!valid(x, xType)) return;
      const lo = b.lower[i];
      const hi = b.upper[i];
      if (valid(hi, yType)) {
        xs.push(x);
        ys.push(hi);
        if (valid(lo, yType)) ys.push(lo);
      }
    });
  }
  for (const l of spec.hLines ?? []) if (valid(l.value, yType)) ys.push(l.value);
  if (spec.includeZero && yType === "linear" && ys.length > 0) ys.push(0);
  for (const l of spec.vLines ?? []) if (valid(l.value, xType)) xs.push(l.value);
  const xs0 = makeScale(
    xType,
    xs,
    spec.xDomain,
    left,
    left + plotW,
    Math.max(3, Math.round(plotW / (xType === "log" ? 50 : 80))),
    !!spec.xIntegers,
  );
  const ys0 = makeScale(
    yType,
    ys,
    spec.yDomain,
    top + plotH,
    top,
    Math.max(3, Math.round(plotH / (yType === "log" ? 24 : 50))),
    false,
  );
  const X = (v: number) => project(xs0, v);
  const Y = (v: number) => project(ys0, v);
  const inX = (v: number) => v >= Math.min(xs0.d0, xs0.d1) && v <= Math.max(xs0.d0, xs0.d1);
  const inY = (v: number) => v >= Math.min(ys0.d0, ys0.d1) && v <= Math.max(ys0.d0, ys0.d1);

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" ` +
      `role="img" aria-labelledby="${id}-title" ${font} font-size="12">`,
  );
  out.push(`<title id="${id}-title">${escapeXml(plainText(spec.title ?? "chart"))}</title>`);
  if (spec.description) out.push(`<desc>${escapeXml(spec.description)}</desc>`);
  out.push(
    `<defs><clipPath id="${id}-clip"><rect x="${px(left)}" y="${px(top)}" width="${px(plotW)}" height="${
      px(plotH)
    }"/></clipPath></defs>`,
  );
  out.push(`<rect x="0" y="0" width="${W}" height="${H}" fill="#ffffff"/>`);
  if (spec.title) {
    out.push(
      `<text x="${left}" y="22" font-size="15" font-weight="600" fill="#1a1d21">${
        richText(spec.title, 15)
      }</text>`,
    );
  }

  // Legend.
  legendRows.forEach((row, ri) => {
    const y = legendTop + ri * 18 + 9;
    for (const { x, entry } of row) {
      const c = escapeXml(entry.color);
      if (entry.kind === "band") {
        out.push(
          `<rect x="${px(x)}" y="${px(y - 6)}" width="22" height="12" fill="${c}" fill-opacity="0.25"/>`,
        );
      } else if (entry.kind === "point") {
        out.push(`<circle cx="${px(x + 11)}" cy="${px(y)}" r="3.5" fill="${c}"/>`);
      } else if (entry.kind === "bar") {
        out.push(`<rect x="${px(x + 5)}" y="${px(y - 6)}" width="12" height="12" fill="${c}"/>`);
      } else {
        out.push(
          `<line x1="${px(x)}" y1="${px(y)}" x2="${px(x + 22)}" y2="${
            px(y)
          }" stroke="${c}" stroke-width="2.2"${entry.dash}/>`,
        );
      }
      out.push(`<text x="${px(x + 28)}" y="${px(y + 4)}" fill="#343a40">${richText(entry.name, 12)}</text>`);
    }
  });

  // Grid and axes.
  const grid: string[] = [];
  const labels: string[] = [];
  for (const t of ys0.ticks) {
    if (!inY(t)) continue;
    const y = px(Y(t));
    grid.push(`<line x1="${px(left)}" y1="${y}" x2="${px(left + plotW)}" y2="${y}"/>`);
    labels.push(
      `<text x="${px(left - 6)}" y="${y}" dy="0.32em" text-anchor="end">${escapeXml(formatTick(t))}</text>`,
    );
  }
  for (const t of xs0.ticks) {
    if (!inX(t)) continue;
    const x = px(X(t));
    grid.push(`<line x1="${x}" y1="${px(top)}" x2="${x}" y2="${px(top + plotH)}"/>`);
    labels.push(
      `<text x="${x}" y="${px(top + plotH + 16)}" text-anchor="middle">${escapeXml(formatTick(t))}</text>`,
    );
  }
  out.push(`<g stroke="#e9ecef" stroke-width="1">${grid.join("")}</g>`);
  out.push(
    `<rect x="${px(left)}" y="${px(top)}" width="${px(plotW)}" height="${
      px(plotH)
    }" fill="none" stroke="#adb5bd" stroke-width="1"/>`,
  );
  out.push(`<g fill="#495057" font-size="11">${labels.join("")}</g>`);
  if (spec.xLabel) {
    out.push(
      `<text x="${px(left + plotW / 2)}" y="${px(H - 10)}" text-anchor="middle" fill="#343a40">${
        richText(spec.xLabel, 12)
      }</text>`,
    );
  }
  if (spec.yLabel) {
    const cy = top + plotH / 2;
    out.push(
      `<text x="14" y="${px(cy)}" text-anchor="middle" fill="#343a40" transform="rotate(-90 14 ${px(cy)})">${
        richText(spec.yLabel, 12)
      }</text>`,
    );
  }

  // Data, clipped to the plot area.
  const data: string[] = [];
  (spec.bands ?? []).forEach((b, bi) => {
    const color = escapeXml(b.color ?? PALETTE[bi % PALETTE.length]);
    const floor = ys0.type === "log" ? Math.min(ys0.d0, ys0.d1) : -Infinity;
    let seg: { x: number; lo: number; hi: number }[] = [];
    const flush = () => {
      if (seg.length >= 2) {
        const pts = [
          ...seg.map((p) => `${px(X(p.x))},${px(Y(p.hi))}`),
          ...seg.slice().reverse().map((p) => `${px(X(p.x))},${px(Y(p.lo))}`),
        ];
        data.push(
          `<polygon points="${pts.join(" ")}" fill="${color}" fill-opacity="${
            b.opacity ?? 0.22
          }" stroke="none"/>`,
        );
      }
      seg = [];
    };
    b.x.forEach((x, i) => {
      const hi = b.upper[i];
      let lo = b.lower[i];
      // On a log axis a non-positive lower edge is drawn at the axis floor.
      if (ys0.type === "log" && typeof lo === "number" && Number.isFinite(lo) && lo <= 0) lo = floor;
      if (valid(x, xType) && valid(hi, yType) && valid(lo, yType)) seg.push({ x, lo: Math.min(lo, hi), hi });
      else flush();
    });
    flush();
  });
  spec.series.forEach((s, si) => {
    const color = escapeXml(s.color ?? PALETTE[si % PALETTE.length]);
    const w = s.width ?? 1.8;
    const kind = s.kind ?? "line";
    const pts: ({ x: number; y: number } | null)[] = s.x.map((x, i) => {
      const y = s.y[i];
      return valid(x, xType) && valid(y, yType) ? { x: X(x), y: Y(y) } : null;
    });
    if (kind === "bars") {
      const n = pts.filter((p) => p !== null).length;
      const bw = Math.max(2, Math.min(40, (plotW / Math.max(1, n)) * 0.6));
      const base = ys0.type === "log" ? top + plotH : Y(Math.min(Math.max(0, ys0.d0), ys0.d1));
      for (const p of pts) {
        if (p === null) continue;
        const y0 = Math.min(p.y, base);
        data.push(
          `<rect x="${px(p.x - bw / 2)}" y="${px(y0)}" width="${px(bw)}" height="${
            px(Math.abs(base - p.y))
          }" fill="${color}" fill-opacity="0.85"/>`,
        );
      }
      return;
    }
    if (kind !== "points") {
      // Contiguous runs of valid points; a run of one is drawn as a dot (a lone "M" would be invisible).
      const runs: { x: number; y: number }[][] = [[]];
      for (const p of pts) {
        if (p !== null) runs[runs.length - 1].push(p);
        else if (runs[runs.length - 1].length > 0) runs.push([]);
      }
      const lone = runs.filter((r) => r.length === 1).map((r) => r[0]);
      const d = runs.filter((r) => r.length > 1)
        .map((r) => r.map((p, i) => `${i === 0 ? "M" : "L"}${px(p.x)} ${px(p.y)}`).join(""))
        .join("");
      if (d !== "") {
        data.push(
          `<path d="${d}" fill="none" stroke="${color}" stroke-width="${w}" stroke-linejoin="round" stroke-linecap="round"${
            dashOf(s.dashed)
          }/>`,
        );
      }
      if (kind === "line") {
        for (const p of lone) {
          data.push(`<circle cx="${px(p.x)}" cy="${px(p.y)}" r="${px(w)}" fill="${color}"/>`);
        }
      }
    }
    if (kind === "points" || kind === "line+points") {
      for (const p of pts) {
        if (p !== null) {
          data.push(`<circle cx="${px(p.x)}" cy="${px(p.y)}" r="${px(w + 1.5)}" fill="${color}"/>`);
        }
      }
    }
  });
  for (const l of spec.hLines ?? []) {
    if (!valid(l.value, yType) || !inY(l.value)) continue;
    const y = px(Y(l.value));
    const c = escapeXml(l.color ?? "#c92a2a");
    data.push(
      `<line x1="${px(left)}" y1="${y}" x2="${px(left + plotW)}" y2="${y}" stroke="${c}" stroke-width="1.3"${
        dashOf(l.dashed ?? true)
      }/>`,
    );
  }
  for (const l of spec.vLines ?? []) {
    if (!valid(l.value, xType) || !inX(l.value)) continue;
    const x = px(X(l.value));
    const c = escapeXml(l.color ?? "#2f9e44");
    data.push(
      `<line x1="${x}" y1="${px(top)}" x2="${x}" y2="${px(top + plotH)}" stroke="${c}" stroke-width="1.3"${
        dashOf(l.dashed ?? true)
      }/>`,
    );
  }
  out.push(`<g clip-path="url(#${id}-clip)">${data.join("")}</g>`);

  // Reference-line labels (outside the clip so they stay readable).
  const refLabels: string[] = [];
  for (const l of spec.hLines ?? []) {
    if (!l.label || !valid(l.value, yType) || !inY(l.value)) continue;
    const y = Y(l.value);
    const above = y - top > 16;
    refLabels.push(
      `<text x="${px(left + plotW - 4)}" y="${px(above ? y - 4 : y + 13)}" text-anchor="end" fill="${
        escapeXml(l.color ?? "#c92a2a")
      }" ${halo}>${richText(l.label, 11)}</text>`,
    );
  }
  for (const l of spec.vLines ?? []) {
    if (!l.label || !valid(l.value, xType) || !inX(l.value)) continue;
    const x = X(l.value);
    const toRight = x + 6 + textWidth(l.label, 11) < left + plotW;
    refLabels.push(
      `<text x="${px(toRight ? x + 4 : x - 4)}" y="${px(top + 13)}" text-anchor="${
        toRight ? "start" : "end"
      }" fill="${escapeXml(l.color ?? "#2f9e44")}" ${halo}>${richText(l.label, 11)}</text>`,
    );
  }
  if (refLabels.length > 0) out.push(`<g font-size="11" font-weight="600">${refLabels.join("")}</g>`);
  if (xs.length === 0 && ys.length === 0) {
    out.push(
      `<text x="${px(left + plotW / 2)}" y="${
        px(top + plotH / 2)
      }" text-anchor="middle" fill="#868e96">no data</text>`,
    );
  }
  out.push(`</svg>`);
  return out.join("");
}
