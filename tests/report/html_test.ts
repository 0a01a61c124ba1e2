/** `htmlReport`: embedded JSON, no NaN/undefined, no external references, every chart and card present. */
import assert from "node:assert/strict";
import { htmlReport } from "../../lib/report/html.tsx";
import { scriptJson } from "../../lib/present/script_json.ts";
import { fmtInt } from "../../lib/present/format.ts";
import { kStarOf, makeResult } from "./fixture.ts";
import { markupProblems } from "./markup.ts";

const CHARTS = [
  "chart-delta",
  "chart-scaled",
  "chart-eigen",
  "chart-eigen-diff",
  "chart-spectrum",
  "chart-kstar-histogram",
];

/** The text of `<script type="application/json" id="kstar-result">`. */
function embedded(html: string): string {
  const m = /<script type="application\/json" id="kstar-result">([\s\S]*?)<\/script>/.exec(html);
  assert.ok(m, "embedded result missing");
  return m[1];
}

Deno.test("html: the embedded JSON parses back to the same result", () => {
  const res = makeResult({ exact: true });
  const html = htmlReport(res);
  assert.deepEqual(JSON.parse(embedded(html)), JSON.parse(JSON.stringify(res)));
  assert.deepEqual(JSON.parse(embedded(html)), res); // the fixture holds no NaN
});

Deno.test("html: '</script>' in the data cannot end the JSON element", () => {
  const res = makeResult({ warnings: ["bad </script><script>alert(1)</script> <!-- x"] });
  const html = htmlReport(res);
  assert.equal((html.match(/<\/script>/g) ?? []).length, 1);
  assert.ok(!html.includes("<script>alert"));
  assert.ok(html.includes("bad &lt;/script>&lt;script>alert(1)&lt;/script> &lt;!-- x"));
  assert.deepEqual(JSON.parse(embedded(html)).warnings, res.warnings);
  assert.equal(scriptJson({ a: "</x>\u2028" }), '{"a":"\\u003c/x\\u003e\\u2028"}');
});

Deno.test("html: no NaN or undefined text, even with gaps in the data", () => {
  const res = makeResult({ K: 30, d: 4 });
  res.curves.empirical[3] = NaN;
  res.curves.empiricalSE[5] = NaN;
  res.curves.secondOrder[0] = -1;
  res.curves.eigenvalues[2][1] = NaN;
  res.spectrum.values[3] = -0.5; // a negative eigenvalue: the spectrum falls back to a linear axis
  res.quadraticCheck.relativeError = NaN;
  res.fits[1].alpha = NaN;
  delete (res.timings as Record<string, number>).total;
  for (const html of [htmlReport(res), htmlReport(makeResult({ exact: true, K: 12, d: 12 }))]) {
    const visible = html.replace(embedded(html), "");
    assert.ok(
      !/NaN|undefined|Infinity/.test(visible),
      visible.match(/.{80}(NaN|undefined|Infinity).{80}/)?.[0],
    );
    assert.ok(!/\bnull\b/.test(visible));
    assert.deepEqual(markupProblems(html), []);
  }
});

Deno.test("html: self-contained — no http(s) references except the SVG namespace", () => {
  const html = htmlReport(makeResult({ exact: true }));
  const rest = html.replaceAll('xmlns="http://www.w3.org/2000/svg"', "");
  assert.ok(!/https?:\/\//i.test(rest));
  assert.ok(!/<(link|img|iframe|object|embed)\b/i.test(html));
  assert.ok(!/@import|url\((?!#)/i.test(html));
  assert.ok(!/<script(?![^>]*type="application\/json")/i.test(html));
  assert.ok(/^<!DOCTYPE html>\n<html lang="en">/.test(html));
  assert.ok(html.includes('<meta charset="utf-8"/>'));
});

Deno.test("html: every chart, the threshold cards, fits, quadratic check and warnings are present", () => {
  const res = makeResult({ exact: true, warnings: ["something to look at"] });
  const html = htmlReport(res);
  assert.deepEqual(markupProblems(html), []);
  for (const id of CHARTS) {
    assert.equal((html.match(new RegExp(`<title id="${id}-title">`, "g")) ?? []).length, 1, id);
  }
  assert.equal((html.match(/<svg /g) ?? []).length, CHARTS.length);
  const k = kStarOf(res.curves.smoothed.empirical, 0.025)!;
  assert.ok(html.includes(`data-testid="kstar">${k}</div>`));
  assert.ok(html.includes(`${fmtInt(k * 64)} <span class="unit">samples</span>`));
  assert.ok(html.includes("not reached"));
  const t = res.thresholds.find((x) => x.curve === "empirical" && x.smoothed && x.tolerance === 0.001)!;
  assert.ok(html.includes(`k* ≈ <strong>${fmtInt(t.predictedKStar!)}</strong> (power-law extrapolation)`));
  assert.ok(html.includes("Δ<sub>tol</sub> = 0.025") && html.includes("Δ<sub>tol</sub> = 0.001"));
  // Δ chart: the 95% band, the dashed theory, both tolerance lines and the k* marker; its caption states k*.
  const delta = /<svg [^>]*data-figure="delta"[\s\S]*?<\/svg>/.exec(html)![0];
  assert.ok(delta.includes("<polygon "));
  assert.ok(delta.includes('stroke-dasharray="6 4"'));
  assert.ok(delta.includes(`k* = ${k}`));
  assert.ok(delta.includes("95% interval of the Monte Carlo mean"));
  assert.ok(html.includes(`k* = ${k} (|D| = ${fmtInt(k * 64)}) at Δ<sub>tol</sub> = 0.025`));
  // Fits table, quadratic check, warnings, header facts.
  for (const f of res.fits) {
    assert.ok(html.includes(`>${Number(f.alpha.toPrecision(3))}<`), `alpha ${f.alpha}`);
  }
  assert.ok(html.includes("Quadratic-regime check"));
  assert.ok(html.includes("<li>something to look at</li>"));
  assert.ok(html.includes("Exact vs projected eigenvalues"));
  // How sure is k*: the interval beside k* in its card and the table, the histogram, the band over orders.
  const head = res.thresholds.find((x) => x.curve === "empirical" && x.smoothed && x.tolerance === 0.025)!;
  const iv = head.interval!;
  assert.ok(html.includes("How sure is k*?"));
  assert.ok(
    html.includes(`data-testid="interval-k">${fmtInt(iv.low)}–${fmtInt(iv.high)}</strong>`),
    "the interval in the threshold card",
  );
  assert.ok(html.includes("90% interval (smoothed)"), "the interval column of the thresholds table");
  const hist = /<svg [^>]*data-figure="kstar-histogram"[\s\S]*?<\/svg>/.exec(html)![0];
  assert.ok(
    hist.includes("<rect ") && hist.includes(`this run&#39;s order: k* = ${k}`),
    "bars and the run's k*",
  );
  assert.ok(delta.includes("central 90% of 40 batch orders"), "the band over batch orders on the Δ chart");
  for (
    const s of [
      "MNIST",
      "mlp:128,64",
      "109,386",
      "97.61%",
      "97.02%",
      "2025-06-01 12:34 UTC",
      "cpu",
      "3 epochs",
    ]
  ) {
    assert.ok(html.includes(s), s);
  }
  for (
    const stage of ["Load data", "Train", "Top-d eigenvectors", "Project &amp; Monte Carlo", "Thresholds"]
  ) {
    assert.ok(html.includes(`<td>${stage}</td>`), stage);
  }
  assert.ok(html.includes("2 min 03 s"));
});

Deno.test("html: a result without warnings or exact block says so and omits the exact table", () => {
  const html = htmlReport(makeResult());
  assert.ok(html.includes("No warnings."));
  assert.ok(!html.includes("Exact vs projected"));
});

Deno.test("html: a learning curve is drawn beside the histogram, with its gap at k*·B", () => {
  const html = htmlReport(makeResult({ learningCurve: true }));
  const lc = /<svg [^>]*data-figure="learning-curve"[\s\S]*?<\/svg>/.exec(html)![0];
  assert.ok(lc.includes("k*·B = 1,024"), "k*·B marked");
  assert.ok(html.includes("costs 10 points of test accuracy"), "the gap in the caption");
  const none = htmlReport(makeResult({ orderings: 0 }));
  assert.ok(!none.includes("How sure is k*?") && !none.includes("kstar-histogram"));
});
