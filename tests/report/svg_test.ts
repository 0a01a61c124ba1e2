/** The SVG renderer of figure specs: log axes with zeros/negatives/NaN, broken lines, bands, escaping, ticks, labels. */
import assert from "node:assert/strict";
import { escapeXml, logTicks, niceTicks, plainText, renderSvg, richText } from "../../lib/report/svg.ts";
import type { FigureSpec, SeriesSpec } from "../../lib/present/figures.ts";
import { markupProblems } from "./markup.ts";

const BAD = /NaN|Infinity|undefined|null/;

/** A figure with defaults. */
function figure(p: Partial<FigureSpec>): FigureSpec {
  return {
    id: "t",
    title: "",
    caption: "",
    x: { label: "", scale: "linear" },
    y: { label: "", scale: "linear" },
    bands: [],
    series: [],
    vMarkers: [],
    hMarkers: [],
    ...p,
  };
}

function line(id: string, x: number[], y: (number | null)[], extra: Partial<SeriesSpec> = {}): SeriesSpec {
  return {
    id,
    label: id,
    color: "#1f5fbf",
    dash: "solid",
    width: 1.8,
    kind: "line",
    x,
    y,
    legend: true,
    ...extra,
  };
}

/** The `d` attributes of the chart's paths. */
function paths(svg: string): string[] {
  return [...svg.matchAll(/<path d="([^"]*)"/g)].map((m) => m[1]);
}

Deno.test("svg: log y with zeros, negatives, NaN and infinities never emits NaN and breaks the line", () => {
  const svg = renderSvg(figure({
    title: "log axes",
    y: { label: "", scale: "log" },
    series: [line("s", [1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 0.5, 0, 0.2, -1, NaN, 0.05, Infinity, 0.01])],
  }));
  assert.ok(!BAD.test(svg), svg);
  assert.deepEqual(markupProblems(svg), []);
  const d = paths(svg);
  assert.equal(d.length, 1);
  // Segments: [1, 2] then lone 4, lone 7, lone 9: one path with one M…L run, lone points drawn as dots.
  assert.equal((d[0].match(/M/g) ?? []).length, 1);
  assert.equal((d[0].match(/L/g) ?? []).length, 1);
  assert.equal((svg.match(/<circle /g) ?? []).length, 3);
});

Deno.test("svg: log x and log y together, only invalid data → an empty chart without NaN", () => {
  const svg = renderSvg(figure({
    x: { label: "", scale: "log" },
    y: { label: "", scale: "log" },
    series: [line("none", [0, -1, NaN], [NaN, 0, -3])],
    hMarkers: [{ value: 0, label: "zero", color: "#c92a2a" }, { value: NaN, label: "nan", color: "#c92a2a" }],
    vMarkers: [{ value: -2, label: "neg", color: "#5f3dc4" }],
  }));
  assert.ok(!BAD.test(svg), svg);
  assert.ok(svg.includes("no data"));
  assert.ok(!svg.includes("zero") && !svg.includes(">neg<"));
  assert.deepEqual(markupProblems(svg), []);
});

Deno.test("svg: every coordinate is a finite number on log/linear mixes", () => {
  const xs = Array.from({ length: 50 }, (_, i) => i);
  const svg = renderSvg(figure({
    x: { label: "", scale: "log" }, // x = 0 is skipped
    y: { label: "", scale: "log" },
    series: [
      line("a", xs, xs.map((x) => 5 / (x * x))),
      line("b", xs, xs.map((x) => (x % 7 === 0 ? 0 : 1 / x)), { dash: "dashed" }),
      line("bars", xs, xs.map((x) => x - 10), { kind: "bars" }),
      line("pts", xs, xs.map((x) => (x % 3 ? x : NaN)), { kind: "points" }),
    ],
    bands: [{
      id: "band",
      label: "band",
      color: "#1f5fbf",
      opacity: 0.2,
      x: xs,
      lower: xs.map((x) => 1 / x - 0.5),
      upper: xs.map((x) => 1 / x + 0.5),
    }],
    hMarkers: [{ value: 0.025, label: "Δ_{tol} = 0.025", color: "#c92a2a" }],
    vMarkers: [{ value: 14, label: "k* = 14", color: "#5f3dc4" }],
  }));
  assert.ok(!BAD.test(svg));
  assert.deepEqual(markupProblems(svg), []);
  for (const m of svg.matchAll(/\s(?:x|y|x1|x2|y1|y2|cx|cy|width|height|r)="([^"]*)"/g)) {
    assert.ok(Number.isFinite(Number(m[1])), `${m[0]}`);
  }
  for (const m of svg.matchAll(/points="([^"]*)"/g)) {
    for (const n of m[1].split(/[ ,]/)) assert.ok(Number.isFinite(Number(n)), m[0]);
  }
  for (const d of paths(svg)) {
    for (const n of d.split(/[ML ]/).filter(Boolean)) assert.ok(Number.isFinite(Number(n)));
  }
  // The band keeps its segment where the lower edge is ≤ 0 (clamped to the axis floor).
  assert.equal((svg.match(/<polygon /g) ?? []).length, 1);
  assert.ok(svg.includes('stroke-dasharray="6 4"'));
  assert.ok(svg.includes("k* = 14"));
});

Deno.test("svg: text is escaped; markup becomes sub/superscripts; colours are attribute-safe", () => {
  const svg = renderSvg(figure({
    id: "bad id <x>",
    title: 'A <b>&"quote"',
    caption: "c",
    x: { label: "k & more", scale: "linear" },
    y: { label: "Δ_{k}", scale: "linear" },
    series: [line("<script>alert(1)</script>", [1, 2], [1, 2], { color: '"red" onload="x"' })],
  }));
  assert.ok(!svg.includes("<script>") && !svg.includes("<b>"));
  assert.ok(svg.includes("A &lt;b&gt;&amp;&quot;quote&quot;"));
  assert.ok(svg.includes("&lt;script&gt;alert(1)&lt;/script&gt;"));
  assert.ok(svg.includes('id="chart-bad-id--x--clip"'));
  assert.ok(!svg.includes('onload="x"'));
  assert.deepEqual(markupProblems(svg), []);
  assert.equal(escapeXml(`<&>"'`), "&lt;&amp;&gt;&quot;&#39;");
  assert.equal(richText("Δ_{k}", 12), 'Δ<tspan dy="3" font-size="9">k</tspan>');
  assert.equal(
    richText("λ^{(1)} x", 12),
    'λ<tspan dy="-4.8" font-size="9">(1)</tspan><tspan dy="4.8"> x</tspan>',
  );
  assert.equal(richText("a_b <c>", 12), "a_b &lt;c&gt;");
  assert.equal(plainText("|λ_{k+1} − λ_{k}|"), "|λk+1 − λk|");
});

Deno.test("svg: nice linear ticks and decade log ticks", () => {
  assert.deepEqual(niceTicks(0, 9.3, 5), [0, 2, 4, 6, 8, 10]);
  assert.deepEqual(niceTicks(0.1, 0.7, 6), [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]);
  assert.deepEqual(niceTicks(-3, 3, 3), [-4, -2, 0, 2, 4]);
  const flat = niceTicks(5, 5);
  assert.ok(flat[0] < 5 && flat.includes(5) && flat[flat.length - 1] > 5);
  assert.deepEqual(logTicks(0.003, 20), [0.001, 0.01, 0.1, 1, 10, 100]);
  assert.deepEqual(logTicks(2, 30), [1, 2, 5, 10, 20, 50, 100]);
  assert.deepEqual(logTicks(1e-12, 1e12, 6), [1e-12, 1e-8, 1e-4, 1, 1e4, 1e8, 1e12]);
  assert.deepEqual(logTicks(0, 10), []);
});

Deno.test("svg: k* and Δ_tol labels of several tolerances never overlap", () => {
  const xs = Array.from({ length: 100 }, (_, i) => i + 1);
  const svg = renderSvg(
    figure({
      x: { label: "k", scale: "log", domain: [1, 100] },
      y: { label: "Δ", scale: "log" },
      series: [line("e", xs, xs.map((k) => 1 / k ** 2))],
      hMarkers: [0.025, 0.02, 0.0015].map((v) => ({ value: v, label: `Δ_{tol} = ${v}`, color: "#c92a2a" })),
      vMarkers: [6, 7, 26].map((v) => ({ value: v, label: `k* = ${v} (Δ_{tol} = 0.0xx)`, color: "#5f3dc4" })),
    }),
    { width: 640, height: 360 },
  );
  const labels = [
    ...svg.matchAll(/<text x="([\d.]+)" y="([\d.]+)" text-anchor="(start|end)"[^>]*>(k\* = \d+|Δ)/g),
  ]
    .map((m) => ({ x: Number(m[1]), y: Number(m[2]), anchor: m[3], text: m[4] }));
  assert.equal(labels.length, 6, svg);
  // Labels that start at nearly the same place are in different rows (y) or, for Δ_tol, shifted along x.
  for (let i = 0; i < labels.length; i++) {
    for (let j = i + 1; j < labels.length; j++) {
      const a = labels[i], b = labels[j];
      if (a.text.startsWith("k*") !== b.text.startsWith("k*")) continue;
      assert.ok(Math.abs(a.y - b.y) >= 12 || Math.abs(a.x - b.x) >= 60, `${a.text} and ${b.text} overlap`);
    }
  }
});
