/**
 * The formatters of every view — the CLI table, the HTML report and the dashboard: numbers, integers,
 * percentages, durations, times, tolerances and tick labels. Browser-safe, locale-independent.
 * @module
 */

/** Missing values read as this everywhere. */
export const MISSING = "—";

const isNum = (x: unknown): x is number => typeof x === "number" && !Number.isNaN(x);

/**
 * A number with `digits` significant digits; exponent form (`1.23e-4`) below 1e-3 and from 1e5 on; `—` when
 * missing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fmt } from "kstar";
 * assert.deepEqual([fmt(null), fmt(0.025), fmt(1234567), fmt(0.00012345), fmt(-Infinity)], [
 *   "—", "0.025", "1.23e6", "1.23e-4", "−∞",
 * ]);
 * ```
 */
export function fmt(x: number | null | undefined, digits = 3): string {
  if (!isNum(x)) return MISSING;
  if (!Number.isFinite(x)) return x > 0 ? "∞" : "−∞";
  if (x === 0) return "0";
  const a = Math.abs(x);
  if (a >= 1e5 || a < 1e-3) {
    const [m, e] = x.toExponential(Math.max(0, digits - 1)).split("e");
    return `${m.includes(".") ? m.replace(/\.?0+$/, "") : m}e${e.replace("+", "")}`;
  }
  return String(Number(x.toPrecision(digits)));
}

/**
 * An integer with thousands separators (`1,536`); `—` when missing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fmtInt } from "kstar";
 * assert.deepEqual([fmtInt(1536), fmtInt(-12000.4), fmtInt(NaN)], ["1,536", "−12,000", "—"]);
 * ```
 */
export function fmtInt(x: number | null | undefined): string {
  if (!isNum(x) || !Number.isFinite(x)) return MISSING;
  const s = String(Math.round(Math.abs(x))).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return Math.round(x) < 0 ? `−${s}` : s;
}

/**
 * A confidence level as a percentage, to one decimal where it has one (interval headings).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fmtLevel } from "./format.ts";
 * assert.deepEqual([fmtLevel(0.9), fmtLevel(0.925)], ["90%", "92.5%"]);
 * ```
 */
export function fmtLevel(level: number): string {
  return `${Math.round(level * 1000) / 10}%`;
}

/**
 * A share of batch orders as a whole percentage rounded down, so that 199 of 200 never reads `100%`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fmtShareDown } from "./format.ts";
 * assert.deepEqual([fmtShareDown(0.995), fmtShareDown(0.93)], ["99%", "93%"]);
 * ```
 */
export function fmtShareDown(f: number): string {
  return `${Math.floor(100 * f)}%`;
}

/**
 * A fraction in [0, 1] as a percentage.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fmtPercent } from "kstar";
 * assert.deepEqual([fmtPercent(0.9743, 2), fmtPercent(0.5), fmtPercent(null)], ["97.43%", "50%", "—"]);
 * ```
 */
export function fmtPercent(f: number | null | undefined, digits = 0): string {
  if (!isNum(f) || !Number.isFinite(f)) return MISSING;
  return `${(100 * f).toFixed(digits)}%`;
}

/**
 * A duration for people: `850 ms`, `3.2 s`, `42 s`, `3 min 05 s`, `1 h 02 min`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fmtDuration } from "kstar";
 * assert.deepEqual([0.0425, 3.21, 42.4, 185, 3720].map(fmtDuration), ["43 ms", "3.2 s", "42 s", "3 min 05 s", "1 h 02 min"]);
 * ```
 */
export function fmtDuration(s: number | null | undefined): string {
  if (!isNum(s) || !Number.isFinite(s)) return MISSING;
  const sign = s < 0 ? "−" : "";
  const a = Math.abs(s);
  if (a < 1) return `${sign}${Math.round(a * 1000)} ms`;
  if (a < 10) return `${sign}${a.toFixed(1)} s`;
  if (a < 59.5) return `${sign}${Math.round(a)} s`;
  const whole = Math.round(a);
  if (whole < 3600) return `${sign}${Math.floor(whole / 60)} min ${String(whole % 60).padStart(2, "0")} s`;
  const minutes = Math.round(a / 60);
  return `${sign}${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
}

/**
 * Seconds for a "Time (s)" column: whole seconds from 100 s on, otherwise 3 significant digits.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fmtSeconds } from "kstar";
 * assert.deepEqual([fmtSeconds(2000.4), fmtSeconds(12.345), fmtSeconds(0.5)], ["2000", "12.3", "0.5"]);
 * ```
 */
export function fmtSeconds(seconds: number | null | undefined): string {
  if (!isNum(seconds) || !Number.isFinite(seconds)) return MISSING;
  if (Math.abs(seconds) >= 100) return String(Math.round(seconds));
  return String(Number(seconds.toPrecision(3)));
}

/**
 * A loss for the paper's table: `digits` decimals when that shows two significant digits (`0.013`, `2.500`),
 * otherwise `digits` significant digits (`0.000412`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fmtLoss } from "kstar";
 * assert.deepEqual([fmtLoss(0.0131), fmtLoss(0.000412), fmtLoss(2.5), fmtLoss(null)], ["0.013", "0.000412", "2.500", "—"]);
 * ```
 */
export function fmtLoss(x: number | null | undefined, digits = 3): string {
  if (!isNum(x) || !Number.isFinite(x)) return MISSING;
  if (x === 0) return "0";
  if (Math.abs(x) >= 10 ** (1 - digits) && Math.abs(x) < 1e6) return x.toFixed(digits);
  return String(Number(x.toPrecision(digits)));
}

/**
 * A tolerance as the paper writes it (`0.030`): three decimals when they are exact (below 1), else the shortest
 * form.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fmtTolerance } from "kstar";
 * assert.deepEqual([0.03, 0.025, 1e-5, 0.0125].map(fmtTolerance), ["0.030", "0.025", "0.00001", "0.0125"]);
 * ```
 */
export function fmtTolerance(tol: number | null | undefined): string {
  if (!isNum(tol) || !Number.isFinite(tol)) return MISSING;
  const fixed = tol.toFixed(3);
  return Math.abs(tol) < 1 && Number(fixed) === tol ? fixed : String(tol);
}

/**
 * An ISO time as `2025-06-01 12:34 UTC` (the same on the server and in every browser).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fmtTime } from "kstar";
 * assert.equal(fmtTime("2025-06-01T12:34:56.789Z"), "2025-06-01 12:34 UTC");
 * assert.equal(fmtTime(undefined), "—");
 * ```
 */
export function fmtTime(iso: string | null | undefined): string {
  if (!iso) return MISSING;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return MISSING;
  return `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/**
 * `n` and a noun, pluralised: `1 epoch`, `3 epochs`, `1,536 samples`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { plural } from "kstar";
 * assert.deepEqual([plural(1, "epoch"), plural(3, "epoch"), plural(1536, "sample")], ["1 epoch", "3 epochs", "1,536 samples"]);
 * ```
 */
export function plural(n: number, noun: string, many = `${noun}s`): string {
  return `${fmtInt(n)} ${n === 1 ? noun : many}`;
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
 * A compact axis tick label: plain decimals for moderate magnitudes, else `m·10ⁿ` (`10ⁿ` for a power of ten).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fmtTick } from "kstar";
 * assert.deepEqual([fmtTick(0.025), fmtTick(1e-6), fmtTick(250000), fmtTick(NaN)], ["0.025", "10⁻⁶", "2.5·10⁵", ""]);
 * ```
 */
export function fmtTick(v: number): string {
  if (!Number.isFinite(v)) return "";
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e-3 && a < 1e5) return String(Number(v.toPrecision(6)));
  const [m, e] = v.toExponential().split("e");
  const exp = String(Number(e)).split("").map((c) => SUPERSCRIPT[c] ?? c).join("");
  const mant = String(Number(Number(m).toPrecision(4)));
  return mant === "1" ? `10${exp}` : mant === "-1" ? `−10${exp}` : `${mant}·10${exp}`;
}

const SUBS: Record<string, string> = {
  "0": "₀",
  "1": "₁",
  "2": "₂",
  "3": "₃",
  "4": "₄",
  "5": "₅",
  "6": "₆",
  "7": "₇",
  "8": "₈",
  "9": "₉",
  "+": "₊",
  "-": "₋",
  "−": "₋",
  "=": "₌",
  "(": "₍",
  ")": "₎",
  a: "ₐ",
  e: "ₑ",
  h: "ₕ",
  i: "ᵢ",
  j: "ⱼ",
  k: "ₖ",
  l: "ₗ",
  m: "ₘ",
  n: "ₙ",
  o: "ₒ",
  p: "ₚ",
  r: "ᵣ",
  s: "ₛ",
  t: "ₜ",
  u: "ᵤ",
  v: "ᵥ",
  x: "ₓ",
};
const SUPS: Record<string, string> = {
  ...SUPERSCRIPT,
  "+": "⁺",
  "−": "⁻",
  "(": "⁽",
  ")": "⁾",
  "=": "⁼",
  i: "ⁱ",
  n: "ⁿ",
  α: "ᵅ",
};

/**
 * The `_{sub}` / `^{sup}` markup of figure text: group 1 is `_` or `^`, group 2 the body. Global; use it only
 * with `replace` and `matchAll`, which do not depend on its `lastIndex`.
 */
export const MARKUP = /([_^])\{([^{}]*)\}/g;

/**
 * Text with `_{sub}` / `^{sup}` markup in plain Unicode (for canvas text such as chart.js legends): sub- and
 * superscript characters where Unicode has them all, else the text in parentheses after `_` or `^`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { unicodeMarkup } from "kstar";
 * assert.equal(unicodeMarkup("Δ_{k}·k^{−2}"), "Δₖ·k⁻²");
 * assert.equal(unicodeMarkup("Δ_{tol}"), "Δₜₒₗ");
 * assert.equal(unicodeMarkup("λ^{(12)}"), "λ⁽¹²⁾");
 * assert.equal(unicodeMarkup("x_{g}"), "x_g");
 * ```
 */
export function unicodeMarkup(text: string): string {
  return String(text).replace(MARKUP, (_m, kind: string, body: string) => {
    const table = kind === "_" ? SUBS : SUPS;
    const chars = [...body];
    return chars.every((c) => table[c] !== undefined)
      ? chars.map((c) => table[c]).join("")
      : `${kind}${body}`;
  });
}
