/**
 * Number, time and label formatting shared by pages and islands (browser-safe, no Deno APIs).
 * @module
 */

/** A number with `digits` significant digits; exponent form for very large or small magnitudes; "—" for none. */
export function fmt(x: number | null | undefined, digits = 3): string {
  if (x === null || x === undefined || Number.isNaN(x)) return "—";
  if (!Number.isFinite(x)) return x > 0 ? "∞" : "−∞";
  if (x === 0) return "0";
  const a = Math.abs(x);
  if (a >= 1e5 || a < 1e-3) {
    const [m, e] = x.toExponential(Math.max(0, digits - 1)).split("e");
    return `${m.includes(".") ? m.replace(/\.?0+$/, "") : m}e${e.replace("+", "")}`;
  }
  return String(Number(x.toPrecision(digits)));
}

/** An integer with thousands separators; "—" for none. */
export function fmtInt(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return "—";
  return Math.round(x).toLocaleString("en-US");
}

/** A percentage of a fraction in [0, 1]. */
export function fmtPercent(f: number | null | undefined, digits = 0): string {
  if (f === null || f === undefined || !Number.isFinite(f)) return "—";
  return `${(100 * f).toFixed(digits)}%`;
}

/** Seconds as "0.8 s", "42 s", "3 min 05 s", "1 h 02 min". */
export function fmtDuration(s: number | null | undefined): string {
  if (s === null || s === undefined || !Number.isFinite(s)) return "—";
  if (s < 10) return `${s.toFixed(1)} s`;
  if (s < 60) return `${Math.round(s)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(Math.round(s % 60)).padStart(2, "0")} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")} min`;
}

/** An ISO time as "2025-01-31 14:05" (UTC, so that server and browser agree). */
export function fmtTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "—";
  return d.toISOString().slice(0, 16).replace("T", " ");
}

/** A dataset spec for display: "MNIST", "Fashion-MNIST", or the folder's last segment. */
export function datasetLabel(spec: string): string {
  if (spec === "mnist") return "MNIST";
  if (spec === "fashion-mnist") return "Fashion-MNIST";
  const parts = spec.split(/[\\/]/).filter((s) => s !== "");
  return parts.length ? parts[parts.length - 1] : spec;
}

/** Labels of the pipeline stages. */
export const STAGE_LABELS: Record<string, string> = {
  load: "Load data",
  train: "Train",
  eigensolve: "Top-d eigenvectors",
  project: "Project & Monte Carlo",
  montecarlo: "Monte Carlo",
  exact: "Exact eigenvalues",
  thresholds: "Thresholds",
  done: "Done",
};

/** Short lower-case names of the Δ_k curves (for running text). */
export const CURVE_NAMES = {
  empirical: "empirical (Monte Carlo)",
  theory: "theoretical bound",
  secondOrder: "second order",
} as const;

/** Labels of the Δ_k curves. */
export const CURVE_LABELS = {
  empirical: "Empirical (Monte Carlo)",
  theory: "Theoretical bound",
  secondOrder: "Second order",
} as const;
