/**
 * The figure specs: one per chart, rendered by the report's SVG renderer and the dashboard's chart.js renderer
 * with the same series, band, labels, colours and markers; the fixes users asked for (log k axis, a robust
 * Δ_k·k² range, captions that state the data, marker labels that do not collide).
 */
import assert from "node:assert/strict";
import { toChartJs } from "../../components/chartjs.ts";
import {
  BAND_LABEL,
  defaultView,
  figureSource,
  runFigures,
  scaledFigure,
  type SeriesSpec,
} from "../../lib/present/figures.ts";
import { unicodeMarkup } from "../../lib/present/format.ts";
import { CURVE_COLORS } from "../../lib/present/palette.ts";
import { htmlReport } from "../../lib/report/html.tsx";
import { plainText, renderSvg } from "../../lib/report/svg.ts";
import { kStarOf, makeResult } from "../report/fixture.ts";

Deno.test("figures: the report's SVG and the dashboard's chart.js draw the same spec alike", () => {
  const r = makeResult({ tolerances: [0.025, 0.001] });
  // Both views open a result with the same view, so they build the same spec.
  const figs = runFigures(figureSource(r), defaultView(r));
  const spec = figs.delta;
  const svg = renderSvg(spec);
  const cj = toChartJs(spec);
  const datasets = cj.data.datasets;
  // Every legend series of the spec is a chart.js dataset with its label and colour, and an SVG legend entry.
  for (const s of spec.series.filter((x: SeriesSpec) => x.legend)) {
    const d = datasets.find((x) => x.label === unicodeMarkup(s.label));
    assert.ok(d, `chart.js has ${s.label}`);
    assert.equal(d.borderColor, s.color);
    assert.ok(
      svg.includes(`fill="#343a40">${plainText(s.label).replaceAll("<", "&lt;")}`) || svg.includes(s.color),
    );
    assert.ok(svg.includes(`stroke="${s.color}"`), `svg draws ${s.id} in ${s.color}`);
  }
  // The bands: the spread over batch orders and the 95% interval of the Monte Carlo mean, in both.
  assert.deepEqual(spec.bands.map((b) => b.id), ["order-band", "empirical-band"]);
  const mc = spec.bands[1];
  assert.equal(mc.label, BAND_LABEL);
  assert.ok(svg.includes("<polygon ") && svg.includes(BAND_LABEL));
  const band = datasets.find((d) => d.label === BAND_LABEL)!;
  assert.equal(band.fill, "+1");
  // Same band values: chart.js' upper edge is the spec's.
  const upper = (band.data as { x: number; y: number | null }[]).map((p) => p.y);
  assert.deepEqual(upper.slice(0, 5), mc.upper.slice(0, 5));
  const orders = spec.bands[0];
  const u = r.uncertainty!.bands.find((b) => b.curve === "empirical" && b.smoothed)!;
  assert.deepEqual([orders.lower, orders.upper], [u.values[0], u.values[2]]);
  assert.ok(datasets.some((d) => d.label === unicodeMarkup(orders.label)), "chart.js draws the order band");
  // The curves keep their colours across views, and the markers are the same.
  assert.equal(spec.series.find((s) => s.id === "empirical")!.color, CURVE_COLORS.empirical);
  const markers =
    (cj.options.plugins as { kstarMarkers: { vlines: unknown[]; hlines: unknown[] } }).kstarMarkers;
  assert.deepEqual(markers.vlines, spec.vMarkers);
  assert.deepEqual(markers.hlines, spec.hMarkers);
  for (const m of [...spec.vMarkers, ...spec.hMarkers]) assert.ok(svg.includes(m.color));
  // And the report embeds exactly this figure.
  const html = htmlReport(r);
  const inReport = /<svg [^>]*data-figure="delta"[\s\S]*?<\/svg>/.exec(html)![0];
  assert.equal(inReport, renderSvg(spec, { width: 960, height: 420, title: false }));
});

Deno.test("figures: Δ_k on a log k axis; k* and both tolerances marked; the caption states k* and α", () => {
  const r = makeResult({ tolerances: [0.025, 0.001] });
  const spec = runFigures(figureSource(r), defaultView(r)).delta;
  assert.equal(spec.x.scale, "log");
  assert.equal(spec.y.scale, "log");
  const k = kStarOf(r.curves.smoothed.empirical, 0.025)!;
  assert.deepEqual(spec.hMarkers.map((m) => m.value), [0.025, 0.001]);
  assert.ok(spec.vMarkers.some((m) => m.value === k && m.label.includes("0.025")), "labelled by tolerance");
  const alpha = r.fits.find((f) => f.curve === "empirical")!.alpha;
  assert.ok(spec.caption.includes(`k* = ${k}`), spec.caption);
  assert.ok(spec.caption.includes(`k^{−${Number(alpha.toPrecision(3))}}`), spec.caption);
});

Deno.test("figures: one spike does not set the Δ_k·k² range; its caption gives each curve's α", () => {
  const K = 60;
  const emp = Array.from({ length: K - 1 }, (_, i) => 2 / (i + 1) ** 2);
  emp[40] = 500; // one spike: 500·41² ≈ 840,000 against values near 2
  const smooth = (v: number[]) =>
    v.map((_, i) => v.slice(Math.max(0, i - 2), i + 3).reduce((a, b) => a + b) / 5);
  const curves = {
    empirical: emp,
    theory: emp.map((v) => 2 * v),
    secondOrder: emp.map((v) => 1.5 * v),
    smoothed: { empirical: smooth(emp), theory: smooth(emp.map((v) => 2 * v)), secondOrder: smooth(emp) },
  };
  const fits = [{ curve: "empirical" as const, C: 2, alpha: 2, r2: 0.99, fromK: 15, toK: 59 }];
  const spec = scaledFigure(curves, fits, []);
  const [, top] = spec.y.domain!;
  assert.ok(top < 1000, `robust top ${top}`);
  assert.ok(top >= 4, `the curves fit: top ${top}`); // theory's Δ_k·k² is 4 everywhere but the spike
  assert.ok(spec.caption.includes("Empirical α = 2"), spec.caption);
});

Deno.test("figures: training facts say '1 epoch', not '1 epochs'", () => {
  const r = makeResult();
  r.config.epochs = 1;
  assert.ok(htmlReport(r).includes("1 epoch, Adam"));
});

Deno.test("figures: the k* histogram is one spec in both renderers, markers on the same bins", () => {
  const r = makeResult({ tolerances: [0.025] });
  const h = runFigures(figureSource(r), defaultView(r)).kStarHistogram!;
  const cats = h.x.categories!;
  const counts = h.series[0].y as number[];
  const ks = r.uncertainty!.kStars.find((x) => x.curve === "empirical" && x.smoothed)!.values;
  assert.equal(counts.reduce((a, b) => a + b, 0), ks.length, "every order is counted once");
  assert.equal(cats.length, counts.length);
  const cj = toChartJs(h);
  assert.equal(cj.type, "bar");
  assert.deepEqual(cj.data.labels, cats.map(unicodeMarkup));
  // chart.js counts categories from 0, the spec from 1: the marker lands on the same bar.
  const markers = (cj.options.plugins as { kstarMarkers: { vlines: { value: number }[] } }).kstarMarkers;
  assert.deepEqual(markers.vlines.map((m) => m.value + 1), h.vMarkers.map((m) => m.value));
  const svg = renderSvg(h);
  assert.equal(
    (svg.match(/<rect [^>]*fill-opacity="0.85"/g) ?? []).length,
    counts.filter((c) => c > 0).length,
  );
});

Deno.test("figures: a tolerance below the curves keeps its line on the chart, in both renderers", () => {
  const r = makeResult({ tolerances: [0.025] });
  const spec = runFigures(figureSource(r), { ...defaultView(r), tolerances: [1e-9] }).delta;
  const y = (toChartJs(spec).options.scales as { y: { suggestedMin?: number } }).y;
  assert.equal(y.suggestedMin, 1e-9, "chart.js extends the y axis to the tolerance");
  assert.ok(renderSvg(spec).includes('<tspan dy="-2.75"> = 1e-9</tspan></text>'), "the SVG labels its line");
});
