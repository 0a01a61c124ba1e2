/** `curvesCsv`: header, one row per k, full-precision values that parse back, empty trailing Δ cells. */
import assert from "node:assert/strict";
import {
  bandColumn,
  csvField,
  csvRow,
  CURVE_COLUMNS,
  curvesCsv,
  THRESHOLD_COLUMNS,
  thresholdsCsv,
} from "../../lib/report/csv.ts";
import { makeResult } from "./fixture.ts";
import { parseCsv } from "./markup.ts";

const num = (s: string) => (s === "" ? null : Number(s));

Deno.test("csv: header has the fixed columns then lambda_1..lambda_d", () => {
  const rows = parseCsv(curvesCsv(makeResult({ K: 40, d: 3, orderings: 0 })));
  assert.deepEqual(rows[0], [...CURVE_COLUMNS, "lambda_1", "lambda_2", "lambda_3"]);
  assert.equal(
    rows[0].slice(0, 12).join(","),
    "k,samples,loss,delta_empirical,delta_empirical_se,delta_theory,delta_second_order,delta_empirical_smoothed," +
      "delta_theory_smoothed,delta_second_order_smoothed,delta_empirical_k2,mean_perturbed_loss",
  );
});

Deno.test("csv: one row per k = 1..K, every row as wide as the header, trailing newline", () => {
  const csv = curvesCsv(makeResult({ K: 40, d: 3, orderings: 0 }));
  assert.ok(csv.endsWith("\n") && !csv.endsWith("\n\n"));
  const rows = parseCsv(csv);
  assert.equal(rows.length, 41);
  for (const r of rows) assert.equal(r.length, 15);
  assert.deepEqual(rows.slice(1).map((r) => Number(r[0])), Array.from({ length: 40 }, (_, i) => i + 1));
});

Deno.test("csv: numbers round-trip exactly (full precision, no rounding)", () => {
  const res = makeResult({ K: 40, d: 3, batchSize: 64, orderings: 0 });
  const c = res.curves;
  const rows = parseCsv(curvesCsv(res)).slice(1);
  rows.forEach((r, i) => {
    const k = i + 1;
    assert.equal(num(r[1]), k * 64);
    assert.equal(num(r[2]), c.loss[i]);
    assert.equal(num(r[11]), c.meanPerturbedLoss[i]);
    assert.deepEqual(r.slice(12).map(num), c.eigenvalues[i]);
    if (i < 39) {
      assert.equal(num(r[3]), c.empirical[i]);
      assert.equal(num(r[4]), c.empiricalSE[i]);
      assert.equal(num(r[5]), c.theory[i]);
      assert.equal(num(r[6]), c.secondOrder[i]);
      assert.equal(num(r[7]), c.smoothed.empirical[i]);
      assert.equal(num(r[8]), c.smoothed.theory[i]);
      assert.equal(num(r[9]), c.smoothed.secondOrder[i]);
      assert.equal(num(r[10]), c.empirical[i] * k * k);
    }
  });
  // Full precision: at least one value needs more than 3 significant digits.
  assert.ok(rows.some((r) => r[3].replace(/^0\.0*/, "").length > 6));
});

Deno.test("csv: the last row leaves the K−1-long Δ cells empty", () => {
  const rows = parseCsv(curvesCsv(makeResult({ K: 40, d: 3, orderings: 0 })));
  const last = rows[rows.length - 1];
  assert.equal(last[0], "40");
  assert.deepEqual(last.slice(3, 11), ["", "", "", "", "", "", "", ""]);
  assert.ok(last[2] !== "" && last[11] !== "" && last[12] !== "");
  assert.ok(rows[rows.length - 2].slice(3, 11).every((v) => v !== ""));
});

Deno.test("csv: NaN, null and infinities are empty cells; never 'NaN'", () => {
  const res = makeResult({ K: 10, d: 2 });
  res.curves.loss[2] = NaN;
  (res.curves.empirical as (number | null)[])[1] = null;
  res.curves.theory[3] = Infinity;
  res.curves.eigenvalues[4][1] = NaN;
  const csv = curvesCsv(res);
  assert.ok(!/NaN|Infinity|undefined|null/.test(csv));
  const rows = parseCsv(csv);
  assert.equal(rows[3][2], "");
  assert.equal(rows[2][3], "");
  assert.equal(rows[2][10], ""); // Δ·k² of a missing Δ
  assert.equal(rows[4][5], "");
  assert.equal(rows[5][13], "");
});

Deno.test("csv: RFC 4180 quoting and CRLF option", () => {
  assert.equal(csvField("plain"), "plain");
  assert.equal(csvField("a,b"), '"a,b"');
  assert.equal(csvField('say "hi"'), '"say ""hi"""');
  assert.equal(csvField("two\nlines"), '"two\nlines"');
  assert.equal(csvField(0.1 + 0.2), "0.30000000000000004");
  assert.equal(csvField(1e-21), "1e-21");
  assert.equal(csvField(NaN), "");
  assert.equal(csvField(undefined), "");
  assert.equal(csvRow([1, "x,y", null, -2.5]), '1,"x,y",,-2.5');
  assert.deepEqual(parseCsv(csvRow(['a "q", b', "c"]) + "\n"), [['a "q", b', "c"]]);
  const crlf = curvesCsv(makeResult({ K: 5, d: 1 }), { newline: "\r\n" });
  assert.equal(crlf.split("\r\n").length, 7);
  assert.ok(!/[^\r]\n/.test(crlf));
});

Deno.test("csv: with ordering replicates, each curve's quantile bands follow the eigenvalues", () => {
  const res = makeResult({ K: 40, d: 3 });
  const rows = parseCsv(curvesCsv(res));
  const u = res.uncertainty!;
  const extra = rows[0].slice(CURVE_COLUMNS.length + 3);
  assert.equal(extra.length, u.bands.length * 3);
  assert.deepEqual(extra.slice(0, 3), [
    "delta_empirical_smoothed_q05",
    "delta_empirical_smoothed_q50",
    "delta_empirical_smoothed_q95",
  ]);
  assert.equal(bandColumn("secondOrder", false, 0.95), "delta_second_order_q95");
  const col = rows[0].indexOf("delta_empirical_smoothed_q95");
  const band = u.bands.find((b) => b.curve === "empirical" && b.smoothed)!;
  assert.deepEqual(rows.slice(1, 40).map((r) => num(r[col])), band.values[2]);
  for (const r of rows) assert.equal(r.length, rows[0].length);
});

Deno.test("csv: thresholds with their intervals, one row per tolerance × curve × smoothing", () => {
  const res = makeResult({ K: 40, d: 3 });
  const rows = parseCsv(thresholdsCsv(res));
  assert.deepEqual(rows[0], [...THRESHOLD_COLUMNS]);
  assert.equal(rows.length, 1 + res.thresholds.length);
  res.thresholds.forEach((t, i) => {
    const r = rows[i + 1];
    assert.deepEqual([num(r[0]), r[1], r[2], num(r[3])], [t.tolerance, t.curve, String(t.smoothed), t.kStar]);
    assert.deepEqual([num(r[9]), num(r[10]), num(r[11]), num(r[12]), num(r[13])], [
      t.interval!.low,
      t.interval!.median,
      t.interval!.high,
      t.interval!.reached,
      40,
    ]);
  });
  const off = parseCsv(thresholdsCsv(makeResult({ orderings: 0 })));
  assert.ok(off.slice(1).every((r) => r.slice(8).every((v) => v === "")), "no interval: empty cells");
});
