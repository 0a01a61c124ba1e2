/**
 * A self-contained HTML report of an analysis: inline CSS and SVG, no external requests (opens from file://),
 * with the full result embedded as JSON.
 * @module
 */
import type { AnalysisResult, CurveName, PowerFit, Threshold } from "../analysis/types.ts";
import { type ChartSpec, escapeXml, lineChart, PALETTE, type RefLine, type Series } from "./svg.ts";
import { datasetLabel, findThreshold, formatDuration, formatTolerance } from "./table.ts";

/** Options of {@link htmlReport}. */
export interface HtmlReportOptions {
  /** Page title. Default `"kstar report — <dataset> · <model>"`. */
  title?: string;
}

const CURVE_LABEL: Record<CurveName, string> = {
  empirical: "Empirical (Monte Carlo)",
  theory: "Theory (top-d bound)",
  secondOrder: "Second order",
};

const COLORS = {
  empirical: "#1f5fbf",
  theory: "#d9480f",
  secondOrder: "#2b8a3e",
  smoothed: "#0b2f66",
  tolerance: "#c92a2a",
  kStar: "#5f3dc4",
};

/** Stage order of the timings table. */
const STAGES = ["load", "train", "eigensolve", "project", "montecarlo", "exact", "thresholds"];

const esc = escapeXml;

/** A number with `sig` significant digits, `—` when missing. */
function num(x: number | null | undefined, sig = 4): string {
  if (typeof x !== "number" || !Number.isFinite(x)) return "—";
  if (x === 0) return "0";
  const a = Math.abs(x);
  if (a >= 1e-4 && a < 1e6) return String(Number(x.toPrecision(sig)));
  const [m, e] = x.toExponential(sig - 1).split("e");
  return `${String(Number(m))}×10<sup>${Number(e)}</sup>`;
}

/** An integer with thousands separators, `—` when missing. */
function int(x: number | null | undefined): string {
  if (typeof x !== "number" || !Number.isFinite(x)) return "—";
  const s = String(Math.round(Math.abs(x))).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return x < 0 ? `−${s}` : s;
}

function pct(x: number | null | undefined): string {
  if (typeof x !== "number" || !Number.isFinite(x)) return "—";
  return `${(x * 100).toFixed(2)}%`;
}

/** ISO time → `2025-06-01 12:34:56 UTC` (no locale dependence). */
function when(iso: string | undefined): string {
  if (!iso) return "—";
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}(?::\d{2})?)(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/.exec(iso);
  if (!m) return iso;
  return `${m[1]} ${m[2]}${m[3] === "Z" ? " UTC" : m[3] ? ` ${m[3]}` : ""}`;
}

/** `λ⁽ⁱ⁾` in chart markup. */
function lambdaName(i: number): string {
  return `λ^{(${i})}`;
}

/** The colour of eigenvalue line i of n: the palette for few lines, a hue ramp for many. */
function seriesColor(i: number, n: number): string {
  if (n <= PALETTE.length) return PALETTE[i % PALETTE.length];
  return `hsl(${Math.round((i / n) * 300)}, 65%, 42%)`;
}

/** Tolerances, in order: those of the thresholds, else the configured ones. */
function tolerances(r: AnalysisResult): number[] {
  const seen: number[] = [];
  for (const t of r.thresholds ?? []) if (!seen.includes(t.tolerance)) seen.push(t.tolerance);
  if (seen.length === 0) { for (const t of r.config?.tolerances ?? []) seen.push(t); }
  return seen;
}

/** The Δ curves' x values: k = 1..K−1. */
function deltaK(r: AnalysisResult, n: number): number[] {
  return Array.from({ length: n }, (_, i) => r.curves.k[i] ?? i + 1);
}

/** The k axis: exactly 1..K (no padding to a round number beyond the data). */
function kDomain(r: AnalysisResult): [number, number] | undefined {
  const ks = r.curves.k.filter((k) => Number.isFinite(k));
  return ks.length > 1 ? [Math.min(...ks), Math.max(...ks)] : undefined;
}

function refLines(r: AnalysisResult): { h: RefLine[]; v: RefLine[] } {
  const tols = tolerances(r);
  const h: RefLine[] = tols.map((t) => ({
    value: t,
    label: `Δ_{tol} = ${t}`,
    color: COLORS.tolerance,
  }));
  const v: RefLine[] = [];
  for (const t of tols) {
    const th = findThreshold(r, t);
    if (th && th.kStar !== null) {
      v.push({
        value: th.kStar,
        label: `k* = ${th.kStar}${tols.length > 1 ? ` (Δ_{tol} = ${t})` : ""}`,
        color: COLORS.kStar,
      });
    }
  }
  return { h, v };
}

function deltaChart(r: AnalysisResult): string {
  const c = r.curves;
  const x = deltaK(r, c.empirical.length);
  const { h, v } = refLines(r);
  const series: Series[] = [
    { name: "empirical Δ_{k}", x, y: c.empirical, color: COLORS.empirical, width: 2 },
  ];
  if (c.smoothed?.empirical?.length) {
    series.push({
      name: "empirical (smoothed)",
      x,
      y: c.smoothed.empirical,
      color: COLORS.smoothed,
      width: 1.2,
    });
  }
  series.push(
    { name: "theory", x, y: c.theory, color: COLORS.theory, dashed: true, width: 2 },
    { name: "second order", x, y: c.secondOrder, color: COLORS.secondOrder, dashed: "2 3", width: 2 },
  );
  const spec: ChartSpec = {
    id: "chart-delta",
    title: "Δ_{k}: empirical (±SE) vs theoretical bound",
    xLabel: "k (batches)",
    xDomain: kDomain(r),
    yLabel: "Δ_{k}",
    yScale: "log",
    width: 960,
    height: 420,
    xIntegers: true,
    bands: [{
      name: "empirical ± SE",
      x,
      lower: c.empirical.map((e, i) => e - (c.empiricalSE[i] ?? NaN)),
      upper: c.empirical.map((e, i) => e + (c.empiricalSE[i] ?? NaN)),
      color: COLORS.empirical,
    }],
    series,
    hLines: h,
    vLines: v,
    description:
      "Empirical Δ_k with a ±1 standard-error band, the theoretical and second-order estimates, on a log scale.",
  };
  return lineChart(spec);
}

function deltaK2Chart(r: AnalysisResult): string {
  const c = r.curves;
  const x = deltaK(r, c.empirical.length);
  const times = (ys: readonly number[]) => ys.map((y, i) => y * x[i] * x[i]);
  return lineChart({
    id: "chart-delta-k2",
    title: "Δ_{k} · k² (flat ⇔ Δ_{k} = O(1/k²))",
    xLabel: "k (batches)",
    xDomain: kDomain(r),
    yLabel: "Δ_{k} · k²",
    includeZero: true,
    width: 560,
    height: 340,
    xIntegers: true,
    series: [
      { name: "empirical", x, y: times(c.empirical), color: COLORS.empirical, width: 2 },
      { name: "theory", x, y: times(c.theory), color: COLORS.theory, dashed: true, width: 2 },
    ],
    vLines: refLines(r).v,
  });
}

function eigenChart(r: AnalysisResult): string {
  const c = r.curves;
  const d = Math.max(0, ...c.eigenvalues.map((e) => e?.length ?? 0));
  const series: Series[] = [];
  for (let i = 0; i < d; i++) {
    series.push({
      name: lambdaName(i + 1),
      x: c.k,
      y: c.eigenvalues.map((e) => e?.[i]),
      color: seriesColor(i, d),
      width: 1.6,
      hideInLegend: d > 10,
    });
  }
  if (r.exact && r.exact.k.length > 0) {
    for (let i = 0; i < d; i++) {
      series.push({
        name: "exact eigenvalues of H_{k}",
        x: r.exact.k,
        y: r.exact.eigenvalues.map((e) => e?.[i]),
        color: seriesColor(i, d),
        kind: "points",
        width: 1.5,
        hideInLegend: i > 0,
      });
    }
  }
  return lineChart({
    id: "chart-eigen",
    title: `Eigenvalues of Λ_{k} (top ${d}) vs k`,
    xLabel: "k (batches)",
    xDomain: kDomain(r),
    yLabel: "λ_{k}",
    width: 560,
    height: 340,
    xIntegers: true,
    series,
    legend: d <= 10 || (r.exact?.k.length ?? 0) > 0,
  });
}

function eigenDiffChart(r: AnalysisResult): string {
  const c = r.curves;
  const d = Math.max(0, ...c.eigenvalues.map((e) => e?.length ?? 0));
  const n = Math.max(0, c.eigenvalues.length - 1);
  const x = deltaK(r, n);
  const series: Series[] = [];
  for (let i = 0; i < d; i++) {
    series.push({
      name: `|Δ${lambdaName(i + 1)}|`,
      x,
      y: x.map((_, j) => Math.abs((c.eigenvalues[j + 1]?.[i] ?? NaN) - (c.eigenvalues[j]?.[i] ?? NaN))),
      color: seriesColor(i, d),
      width: 1.4,
      hideInLegend: d > 10,
    });
  }
  return lineChart({
    id: "chart-eigen-diff",
    title: "Eigenvalue differences |λ_{k+1} − λ_{k}|",
    xLabel: "k (batches)",
    xDomain: kDomain(r),
    yLabel: "|λ_{k+1} − λ_{k}|",
    yScale: "log",
    width: 560,
    height: 340,
    xIntegers: true,
    series,
  });
}

function spectrumChart(r: AnalysisResult): string {
  const vals = r.spectrum?.values ?? [];
  const positive = vals.length > 0 && vals.every((v) => Number.isFinite(v) && v > 0);
  return lineChart({
    id: "chart-spectrum",
    title: `Top-${vals.length} spectrum of the full Hessian at w*`,
    xLabel: "eigenvalue index i",
    yLabel: "λ_{i}",
    yScale: positive ? "log" : "linear",
    width: 560,
    height: 340,
    xIntegers: true,
    xDomain: [0.5, vals.length + 0.5],
    series: [{
      name: "λ_{i} (Lanczos)",
      x: vals.map((_, i) => i + 1),
      y: vals,
      kind: "bars",
      color: "#1f5fbf",
    }],
    legend: false,
  });
}

function header(r: AnalysisResult, title: string): string {
  const ds = r.dataset;
  const tr = r.training;
  const cfg = r.config;
  const dl = (rows: [string, string][]) =>
    `<dl>${rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`).join("")}</dl>`;
  const timings = r.timings ?? {};
  const keys = [
    ...STAGES.filter((s) => typeof timings[s] === "number"),
    ...Object.keys(timings).filter((s) =>
      !STAGES.includes(s) && s !== "total" && typeof timings[s] === "number"
    ),
  ];
  const total = typeof timings.total === "number" ? timings.total : keys.reduce((a, k) => a + timings[k], 0);
  const timingRows = keys.map((k) => {
    const share = total > 0 && Number.isFinite(timings[k]) ? Math.max(0, Math.min(1, timings[k] / total)) : 0;
    return `<tr><td>${esc(k)}</td><td class="num">${esc(formatDuration(timings[k]))}</td>` +
      `<td class="bar"><span style="width:${(share * 100).toFixed(1)}%"></span></td></tr>`;
  }).join("");
  return `<header>
<p class="kicker">kstar · Δ-sufficient dataset size from Hessian geometry</p>
<h1>${esc(title)}</h1>
<p class="sub">${esc(datasetLabel(ds?.name ?? cfg?.dataset ?? ""))} · ${
    esc(r.model?.description ?? "")
  } <code>${esc(r.model?.spec ?? cfg?.model ?? "")}</code> · ${int(r.model?.parameters)} parameters · ${
    esc(r.backend ?? "")
  } backend · ${esc(when(r.createdAt))}</p>
</header>
<section class="grid meta">
<div class="card"><h3>Dataset</h3>${
    dl([
      ["name", esc(datasetLabel(ds?.name ?? ""))],
      ["image", `${int(ds?.height)} × ${int(ds?.width)}, ${int(ds?.classes)} classes`],
      ["train / test", `${int(ds?.trainSamples)} / ${int(ds?.testSamples)}`],
      ["analysed", `${int(ds?.batches)} batches × ${int(cfg?.batchSize)} = ${int(ds?.usedSamples)} samples`],
    ])
  }</div>
<div class="card"><h3>Model &amp; training</h3>${
    dl([
      ["model", `${esc(r.model?.description ?? "")} <code>${esc(r.model?.spec ?? "")}</code>`],
      ["parameters", int(r.model?.parameters)],
      ["training", `${int(cfg?.epochs)} epochs, Adam lr ${num(cfg?.learningRate)}`],
      ["train", `${pct(tr?.trainAccuracy)} acc · loss ${num(tr?.trainLoss)}`],
      ["test", `${pct(tr?.testAccuracy)} acc · loss ${num(tr?.testLoss)}`],
    ])
  }</div>
<div class="card"><h3>Analysis</h3>${
    dl([
      ["subspace d", int(cfg?.d)],
      ["Monte Carlo samples", int(cfg?.samples)],
      ["σ", num(cfg?.sigma)],
      ["eigen mode", esc(cfg?.eigenMode ?? "")],
      ["backend", `${esc(r.backend ?? "")}, ${int(r.workers)} worker${r.workers === 1 ? "" : "s"}`],
      ["seed", int(cfg?.seed)],
    ])
  }</div>
<div class="card"><h3>Timings</h3><table class="timings"><tbody>${timingRows}</tbody><tfoot><tr><td>total</td><td class="num">${
    esc(formatDuration(total))
  }</td><td></td></tr></tfoot></table></div>
</section>`;
}

function thresholdLine(t: Threshold | null): string {
  if (t === null) return "—";
  if (t.kStar !== null) return `${int(t.kStar)}`;
  return t.predictedKStar !== null && Number.isFinite(t.predictedKStar)
    ? `not reached (≈${int(Math.ceil(t.predictedKStar - 1e-9))})`
    : "not reached";
}

function thresholdCards(r: AnalysisResult): string {
  const tols = tolerances(r);
  if (tols.length === 0) return `<p class="muted">No thresholds in this result.</p>`;
  const B = r.config?.batchSize;
  const K = r.dataset?.batches ?? r.curves.k.length;
  const cards = tols.map((tol) => {
    const t = findThreshold(r, tol);
    let main: string;
    if (t && t.kStar !== null) {
      main = `<div class="big">k* = ${int(t.kStar)}</div>
<dl><dt>|D| = k*·B</dt><dd>${int(t.samples ?? t.kStar * B)} samples <span class="muted">(B = ${
        int(B)
      })</span></dd>
<dt>L<sub>k</sub> at k*</dt><dd>${num(t.lossAtK)}</dd></dl>`;
    } else {
      const p = t?.predictedKStar;
      const predicted = typeof p === "number" && Number.isFinite(p);
      main = `<div class="big miss">not reached</div>
<p>Δ<sub>k</sub> stays above ${esc(String(tol))} within the ${int(K)} analysed batches.</p>
<dl><dt>predicted k*</dt><dd>${
        predicted ? `≈ ${int(Math.ceil(p! - 1e-9))} (power-law extrapolation)` : "— (no usable fit)"
      }</dd>
<dt>predicted |D|</dt><dd>${
        t && t.predictedSamples !== null && Number.isFinite(t.predictedSamples)
          ? `≈ ${int(Math.ceil(t.predictedSamples - 1e-9))} samples`
          : predicted
          ? `≈ ${int(Math.ceil(p! - 1e-9) * B)} samples`
          : "—"
      }</dd></dl>`;
    }
    const others = (["empirical", "theory", "secondOrder"] as CurveName[]).map((curve) =>
      `<tr><td>${esc(CURVE_LABEL[curve])}</td><td class="num">${
        esc(thresholdLine(findThreshold(r, tol, curve, true)))
      }</td><td class="num">${esc(thresholdLine(findThreshold(r, tol, curve, false)))}</td></tr>`
    ).join("");
    return `<div class="card threshold${t && t.kStar !== null ? " ok" : " warn"}">
<h3 class="plain">Δ<sub>tol</sub> = ${esc(formatTolerance(tol))}</h3>
${main}
<table class="mini"><thead><tr><th>curve</th><th class="num">k* smoothed</th><th class="num">k* raw</th></tr></thead><tbody>${others}</tbody></table>
</div>`;
  });
  return `<section><h2>Thresholds</h2><p class="muted">Headline k*: the first k after which the smoothed empirical Δ<sub>k</sub> stays below the tolerance.</p><div class="grid cards">${
    cards.join("")
  }</div></section>`;
}

function fitsTable(r: AnalysisResult): string {
  const fits: PowerFit[] = r.fits ?? [];
  if (fits.length === 0) return `<p class="muted">No power-law fits.</p>`;
  const rows = fits.map((f) =>
    `<tr><td>${esc(CURVE_LABEL[f.curve] ?? f.curve)}</td><td class="num">${num(f.C)}</td><td class="num">${
      num(f.alpha, 3)
    }</td><td class="num">${num(f.r2, 3)}</td><td class="num">${int(f.fromK)}–${int(f.toK)}</td></tr>`
  ).join("");
  return `<table class="data"><thead><tr><th>curve</th><th class="num">C</th><th class="num">α</th><th class="num">r²</th><th class="num">range of k</th></tr></thead><tbody>${rows}</tbody></table>
<p class="muted">Δ<sub>k</sub> ≈ C·k<sup>−α</sup>, least squares on log Δ over the tail; the theory predicts α ≈ 2.</p>`;
}

function quadraticCard(r: AnalysisResult): string {
  const q = r.quadraticCheck;
  if (!q) return `<p class="muted">No quadratic-regime check.</p>`;
  return `<div class="card ${q.ok ? "ok" : "warn"}"><h3>Quadratic-regime check <span class="badge ${
    q.ok ? "good" : "bad"
  }">${q.ok ? "OK" : "outside"}</span></h3>
<dl><dt>L(w*)</dt><dd>${num(q.lossAtOptimum)}</dd>
<dt>mean L(w* + Pθ)</dt><dd>${num(q.meanPerturbed)}</dd>
<dt>predicted L + σ²/2·tr Λ</dt><dd>${num(q.predicted)}</dd>
<dt>relative error</dt><dd>${num(q.relativeError, 3)}</dd></dl>
<p class="muted">The second-order expansion behind the theoretical Δ<sub>k</sub> holds when the perturbed loss matches its quadratic prediction.</p></div>`;
}

function spectrumNote(r: AnalysisResult): string {
  const s = r.spectrum;
  if (!s) return "";
  const maxRes = s.residuals?.length ? Math.max(...s.residuals.filter((x) => Number.isFinite(x))) : NaN;
  return `Lanczos: ${int(s.iterations)} iterations, ${int(s.hvps)} Hessian-vector products, ${
    s.converged ? "converged" : "<strong>not converged</strong>"
  }; max residual ${num(maxRes, 3)}.`;
}

function exactTable(r: AnalysisResult): string {
  const e = r.exact;
  if (!e || e.k.length === 0) return "";
  const rows = e.k.map((k, i) =>
    `<tr><td class="num">${int(k)}</td><td class="num">${num(e.maxRelativeGap[i], 3)}</td></tr>`
  ).join("");
  return `<section><h2>Exact vs projected eigenvalues</h2><table class="data narrow"><thead><tr><th class="num">k</th><th class="num">max relative gap</th></tr></thead><tbody>${rows}</tbody></table></section>`;
}

function warningsBlock(r: AnalysisResult): string {
  const w = r.warnings ?? [];
  if (w.length === 0) return `<section><h2>Warnings</h2><p class="muted">No warnings.</p></section>`;
  return `<section><h2>Warnings</h2><ul class="warnings">${
    w.map((x) => `<li>${esc(String(x))}</li>`).join("")
  }</ul></section>`;
}

/**
 * JSON for a `<script type="application/json">` element: every `<` is written `\u003c`, so neither `</script>`
 * nor `<!--` can end or confuse the element; `JSON.parse` restores the text.
 * @example
 * ```ts
 * import { scriptJson } from "./html.ts";
 * scriptJson({ a: "</script>" }); // '{"a":"\\u003c/script>"}'
 * ```
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replaceAll("<", "\\u003c").replaceAll("\u2028", "\\u2028").replaceAll(
    "\u2029",
    "\\u2029",
  );
}

const CSS = `
:root{--fg:#1a1d21;--muted:#5c636a;--line:#dee2e6;--bg:#f6f7f9;--card:#fff;--accent:#1f5fbf;--good:#2b8a3e;--bad:#c92a2a;color-scheme:light}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;-webkit-font-smoothing:antialiased}
main{max-width:1120px;margin:0 auto;padding:28px 20px 48px}
header{margin-bottom:18px}
.kicker{margin:0;color:var(--accent);font-size:12px;font-weight:600;letter-spacing:.06em;text-transform:uppercase}
h1{margin:4px 0 6px;font-size:26px;line-height:1.25}
h2{margin:30px 0 10px;font-size:19px;border-bottom:1px solid var(--line);padding-bottom:6px}
h3{margin:0 0 10px;font-size:14px;color:var(--muted);font-weight:600;text-transform:uppercase;letter-spacing:.04em}
.sub{margin:0;color:var(--muted)}
h3.plain{text-transform:none;letter-spacing:0;font-size:15px;color:var(--fg)}
sub{font-size:.75em}
code{font:13px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#eef1f4;border-radius:4px;padding:1px 5px}
.grid{display:grid;gap:14px}
.meta{grid-template-columns:repeat(auto-fit,minmax(240px,1fr))}
.cards{grid-template-columns:repeat(auto-fit,minmax(300px,1fr))}
.charts{grid-template-columns:repeat(auto-fit,minmax(440px,1fr))}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:14px 16px;box-shadow:0 1px 2px rgba(0,0,0,.04)}
.threshold.ok{border-top:4px solid var(--good)}
.threshold.warn{border-top:4px solid var(--bad)}
.big{font-size:30px;font-weight:700;margin:2px 0 8px;font-variant-numeric:tabular-nums}
.big.miss{color:var(--bad);font-size:24px}
dl{display:grid;grid-template-columns:auto 1fr;gap:4px 12px;margin:0;font-size:14px}
dt{color:var(--muted)}
dd{margin:0;font-variant-numeric:tabular-nums}
table{border-collapse:collapse;font-size:14px;font-variant-numeric:tabular-nums}
th,td{padding:5px 10px;text-align:left;border-bottom:1px solid var(--line)}
th{font-weight:600;color:var(--muted);font-size:12.5px}
.num{text-align:right;white-space:nowrap}
table.data{background:var(--card);border:1px solid var(--line);border-radius:8px;width:100%}
table.narrow{width:auto}
table.mini{margin-top:12px;width:100%;font-size:13px}
table.timings{width:100%;font-size:13px}
table.timings td{padding:3px 6px}
table.timings tfoot td{font-weight:600;border-bottom:0}
td.bar{width:40%}
td.bar span{display:block;height:8px;border-radius:4px;background:var(--accent);opacity:.7;min-width:1px}
figure{margin:0;background:var(--card);border:1px solid var(--line);border-radius:10px;padding:10px;overflow:hidden}
figure.wide{margin-bottom:14px}
figcaption{color:var(--muted);font-size:13px;padding:4px 6px 0}
svg.chart{display:block;width:100%;height:auto}
.badge{display:inline-block;font-size:11px;padding:1px 8px;border-radius:10px;color:#fff;vertical-align:1px;margin-left:6px;letter-spacing:.04em}
.badge.good{background:var(--good)}
.badge.bad{background:var(--bad)}
.muted{color:var(--muted);font-size:13px}
.two{grid-template-columns:repeat(auto-fit,minmax(320px,1fr));align-items:start}
ul.warnings{margin:0;padding:12px 16px 12px 34px;background:#fff4e6;border:1px solid #ffd8a8;border-radius:8px}
ul.warnings li{margin:2px 0}
footer{margin-top:36px;color:var(--muted);font-size:12px;border-top:1px solid var(--line);padding-top:10px}
@media (max-width:520px){.charts{grid-template-columns:1fr}h1{font-size:21px}}
@media print{body{background:#fff}.card,figure{box-shadow:none;break-inside:avoid}}
`;

/**
 * The HTML report of one analysis: a header (dataset, model, backend, date, accuracy, timings), a threshold
 * card per tolerance, charts of Δ_k (with ±SE band, theory and second order, tolerance and k*), Δ_k·k², the
 * eigenvalue trajectories and their differences, the full-Hessian spectrum, the power-law fits, the
 * quadratic-regime check and the warnings. Self-contained; the result is embedded as JSON in
 * `<script type="application/json" id="kstar-result">`.
 * @example
 * ```ts
 * import { htmlReport } from "./html.ts";
 * import type { AnalysisResult } from "../analysis/types.ts";
 * // a result saved by `kstar analyze` (result.json in its --out folder)
 * const result: AnalysisResult = JSON.parse(await Deno.readTextFile("result.json"));
 * const html = htmlReport(result, { title: "My run" });
 * await Deno.writeTextFile("report.html", html); // opens from file://, no network needed
 * ```
 */
export function htmlReport(result: AnalysisResult, opts: HtmlReportOptions = {}): string {
  const r = result;
  const title = opts.title ??
    `kstar report — ${datasetLabel(r.dataset?.name ?? r.config?.dataset ?? "")} · ${
      r.model?.spec ?? r.config?.model ?? ""
    }`;
  const body = [
    header(r, title),
    thresholdCards(r),
    `<section><h2>Δ<sub>k</sub> convergence</h2>
<figure class="wide">${
      deltaChart(r)
    }<figcaption>Δ<sub>k</sub> = E(L<sub>k+1</sub> − L<sub>k</sub>)² over θ ~ N(0, σ²I<sub>d</sub>) in the top-d eigen-subspace. Solid: Monte Carlo estimate with ±1 SE band; dashed: the theoretical bound from the eigenvalue differences; dotted: second-order estimate. Red: tolerance; purple: k*.</figcaption></figure>
<div class="grid charts">
<figure>${deltaK2Chart(r)}<figcaption>A flat Δ<sub>k</sub>·k² confirms the O(1/k²) rate.</figcaption></figure>
<figure>${spectrumChart(r)}<figcaption>${spectrumNote(r)}</figcaption></figure>
<figure>${
      eigenChart(r)
    }<figcaption>Eigenvalues of Λ<sub>k</sub> = Pᵀ H<sub>k</sub> P per k; they settle as data grows.</figcaption></figure>
<figure>${
      eigenDiffChart(r)
    }<figcaption>A plateau of |λ<sub>k+1</sub> − λ<sub>k</sub>| signals the threshold.</figcaption></figure>
</div></section>`,
    `<section><h2>Power-law fits &amp; validity</h2><div class="grid two"><div>${fitsTable(r)}</div>${
      quadraticCard(r)
    }</div></section>`,
    exactTable(r),
    warningsBlock(r),
    `<footer>Schema <code>${esc(r.schema ?? "")}</code> · generated ${
      esc(when(r.createdAt))
    } · the full result is embedded in this page as JSON (<code>#kstar-result</code>).</footer>`,
  ].join("\n");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
${body}
</main>
<script type="application/json" id="kstar-result">${scriptJson(r)}</script>
</body>
</html>
`;
}
