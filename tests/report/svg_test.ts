/** The SVG renderer: log axes with zeros/negatives/NaN, broken lines, bands, escaping, ticks. */
import assert from "node:assert/strict";
import {
  escapeXml,
  formatTick,
  lineChart,
  logTicks,
  niceTicks,
  plainText,
  richText,
} from "../../lib/report/svg.ts";
import { markupProblems } from "./markup.ts";

const BAD = /NaN|Infinity|undefined|null/;

/** The `d` attributes of the chart's paths. */
function paths(svg: string): string[] {
  return [...svg.matchAll(/<path d="([^"]*)"/g)].map((m) => m[1]);
}

Deno.test("svg: log y with zeros, negatives, NaN and infinities never emits NaN and breaks the line", () => {
  const svg = lineChart({
    id: "t1",
    title: "log axes",
    yScale: "log",
    series: [{
      name: "s",
      x: [1, 2, 3, 4, 5, 6, 7, 8, 9],
      y: [1, 0.5, 0, 0.2, -1, NaN, 0.05, Infinity, 0.01],
    }],
  });
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
  const svg = lineChart({
    id: "t2",
    xScale: "log",
    yScale: "log",
    series: [{ name: "none", x: [0, -1, NaN], y: [NaN, 0, -3] }],
    hLines: [{ value: 0, label: "zero" }, { value: NaN }],
    vLines: [{ value: -2, label: "neg" }],
  });
  assert.ok(!BAD.test(svg), svg);
  assert.ok(svg.includes("no data"));
  assert.ok(!svg.includes("zero") && !svg.includes("neg"));
  assert.deepEqual(markupProblems(svg), []);
});

Deno.test("svg: every coordinate is a finite number on log/linear mixes", () => {
  const xs = Array.from({ length: 50 }, (_, i) => i);
  const svg = lineChart({
    id: "t3",
    xScale: "log", // x = 0 is skipped
    yScale: "log",
    series: [
      { name: "a", x: xs, y: xs.map((x) => 5 / (x * x)) },
      { name: "b", x: xs, y: xs.map((x) => (x % 7 === 0 ? 0 : 1 / x)), dashed: true },
      { name: "bars", x: xs, y: xs.map((x) => x - 10), kind: "bars" },
      { name: "pts", x: xs, y: xs.map((x) => (x % 3 ? x : NaN)), kind: "points" },
    ],
    bands: [{ name: "band", x: xs, lower: xs.map((x) => 1 / x - 0.5), upper: xs.map((x) => 1 / x + 0.5) }],
    hLines: [{ value: 0.025, label: "Δ_{tol} = 0.025" }],
    vLines: [{ value: 14, label: "k* = 14" }],
  });
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

Deno.test("svg: text is escaped; markup becomes sub/superscripts", () => {
  const svg = lineChart({
    id: "bad id <x>",
    title: 'A <b>&"quote"',
    xLabel: "k & more",
    yLabel: "Δ_{k}",
    series: [{ name: "<script>alert(1)</script>", x: [1, 2], y: [1, 2], color: '"red" onload="x"' }],
  });
  assert.ok(!svg.includes("<script>") && !svg.includes("<b>"));
  assert.ok(svg.includes("A &lt;b&gt;&amp;&quot;quote&quot;"));
  assert.ok(svg.includes("&lt;script&gt;alert(1)&lt;/script&gt;"));
  assert.ok(svg.includes('id="bad-id--x--clip"'));
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
  assert.equal(formatTick(0.025), "0.025");
  assert.equal(formatTick(1e-6), "10⁻⁶");
  assert.equal(formatTick(25000), "25000");
  assert.equal(formatTick(250000), "2.5·10⁵");
  assert.equal(formatTick(-1e7), "−10⁷");
  assert.equal(formatTick(NaN), "");
});
