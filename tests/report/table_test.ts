/** `summaryTable` / `summaryMarkdown`: headline k, "not reached" wording, grouping, alignment; `formatDuration`. */
import assert from "node:assert/strict";
import { summaryMarkdown, summaryRows, summaryTable } from "../../lib/report/table.ts";
import { fmtInt, fmtLoss } from "../../lib/present/format.ts";
import { thresholdCell } from "../../lib/present/threshold_view.ts";
import type { Threshold } from "../../lib/analysis/types.ts";
import { kStarOf, makeResult } from "./fixture.ts";

Deno.test("table: the headline k is the smoothed empirical curve's k*, with |D| and L_k", () => {
  const res = makeResult({ orderings: 0 });
  const expected = kStarOf(res.curves.smoothed.empirical, 0.025)!;
  assert.ok(expected !== null && expected !== kStarOf(res.curves.smoothed.theory, 0.025));
  const rows = summaryRows([res], { samples: true });
  assert.equal(rows.length, 2);
  assert.equal(rows[0].k, String(expected));
  assert.equal(rows[0].samples, fmtInt(expected * 64));
  assert.equal(rows[0].loss, fmtLoss(res.curves.loss[expected - 1]));
  const text = summaryTable([res]);
  const first = text.split("\n")[2];
  assert.match(
    first,
    new RegExp(`^MNIST\\s+Multi-layer MLP\\s+0\\.025\\s+${expected}\\s+0\\.\\d{3}\\s+123$`),
  );
});

Deno.test("table: an unreached tolerance reads 'not reached (≈N predicted)'", () => {
  const res = makeResult({ orderings: 0 });
  const t = res.thresholds.find((x) => x.curve === "empirical" && x.smoothed && x.tolerance === 0.001)!;
  assert.equal(t.kStar, null);
  const n = t.predictedKStar!;
  const text = summaryTable([res]);
  assert.ok(text.includes(`not reached (≈ ${fmtInt(n)} predicted)`), text);
  const row = text.split("\n")[3];
  assert.match(row, /^\s+0\.001\s+not reached \(≈ [\d,]+ predicted\)\s+—$/);
  // Without a usable fit: plain "not reached"; no threshold at all: a dash.
  assert.equal(thresholdCell({ ...t, predictedKStar: null, predictedSamples: null }).kLong, "not reached");
  assert.equal(thresholdCell(null).kLong, "—");
});

Deno.test("table: dataset shown once per group, groups in first-appearance order, columns aligned", () => {
  const a = makeResult({
    dataset: "mnist",
    model: "mlp:128",
    description: "Single-layer MLP",
    tolerances: [0.025],
  });
  const b = makeResult({ dataset: "fashion-mnist", tolerances: [0.03], total: 4400 });
  const c = makeResult({ dataset: "mnist", tolerances: [0.025], total: 3500.4 });
  const text = summaryTable([a, b, c]);
  const lines = text.trimEnd().split("\n");
  assert.equal(lines.length, 5);
  assert.equal((text.match(/MNIST/g) ?? []).length, 2); // "MNIST" and "Fashion-MNIST"
  assert.ok(lines[2].startsWith("MNIST ") && lines[2].includes("Single-layer MLP"));
  assert.ok(lines[3].startsWith(" ") && lines[3].includes("Multi-layer MLP") && lines[3].endsWith(" 3500"));
  assert.ok(lines[4].startsWith("Fashion-MNIST ") && lines[4].endsWith(" 4400"));
  // Right-aligned last column: every full row ends where the header ends.
  for (const l of lines) assert.equal([...l].length, [...lines[0]].length);
  const at = lines[0].indexOf("Model");
  for (const l of lines.slice(2)) assert.notEqual(l[at], " ");
});

Deno.test("table: models that read the same within a group are qualified by their spec", () => {
  const a = makeResult({ model: "mlp:128,64" });
  const b = makeResult({ model: "mlp:256,128" });
  const rows = summaryRows([a, b]);
  assert.equal(rows[0].model, "Multi-layer MLP (mlp:128,64)");
  assert.equal(rows[2].model, "Multi-layer MLP (mlp:256,128)");
  assert.equal(rows[1].model, ""); // second tolerance of the same result
});

Deno.test("table: markdown variant", () => {
  const md = summaryMarkdown([makeResult({ orderings: 0 })]);
  const lines = md.trimEnd().split("\n");
  assert.equal(lines[0], "| Dataset | Model | Δ | k | L_k | Time (s) |");
  assert.equal(lines[1], "| --- | --- | ---: | ---: | ---: | ---: |");
  assert.equal(lines.length, 4);
  assert.match(lines[3], /\| not reached \(≈ [\d,]+ predicted\) \|/);
  const odd = makeResult({ description: "MLP | odd" });
  assert.ok(summaryMarkdown([odd]).includes("MLP \\| odd"));
});

Deno.test("table: curve and smoothing options pick another threshold", () => {
  const res = makeResult({ orderings: 0 });
  const rows = summaryRows([res], { curve: "theory", smoothed: false });
  assert.equal(rows[0].k, String(kStarOf(res.curves.theory, 0.025)));
  const th: Threshold = rows[0].threshold!;
  assert.equal(th.curve, "theory");
  assert.equal(th.smoothed, false);
});

Deno.test("table: tolerances read as the paper writes them", () => {
  assert.ok(summaryTable([makeResult({ dataset: "fashion-mnist", tolerances: [0.03] })]).includes(" 0.030 "));
});

Deno.test("table: with ordering replicates, a 'k (90% CI)' column beside k", () => {
  const res = makeResult();
  const t = res.thresholds.find((x) => x.curve === "empirical" && x.smoothed && x.tolerance === 0.025)!;
  const iv = t.interval!;
  assert.ok(iv.low !== null && iv.high !== null && iv.low <= t.kStar! + 5);
  const lines = summaryTable([res]).split("\n");
  assert.match(lines[0], /^Dataset\s+Model\s+Δ\s+k\s+k \(90% CI\)\s+L_k\s+Time \(s\)$/);
  assert.match(
    lines[2],
    new RegExp(`\\s${t.kStar}\\s+${iv.low}–${iv.high}(, \\d+% reach it)?\\s+0\\.\\d{3}\\s`),
  );
  // The unreached tolerance: how many orders reach it.
  assert.match(lines[3], /reached in \d+% of orders/);
  assert.equal(
    summaryMarkdown([res]).split("\n")[0],
    "| Dataset | Model | Δ | k | k (90% CI) | L_k | Time (s) |",
  );
});
