/** The one set of formatters every view uses (the CLI table, the report, the dashboard). */
import assert from "node:assert/strict";
import * as F from "../../lib/present/format.ts";

const { fmt, fmtDuration, fmtInt, fmtLoss, fmtPercent, fmtSeconds, fmtTick, fmtTime, fmtTolerance, plural } =
  F;
const { unicodeMarkup } = F;
import { datasetLabel } from "../../lib/present/labels.ts";
import { seriesColor } from "../../lib/present/palette.ts";

Deno.test("format: numbers, integers, percentages", () => {
  assert.deepEqual([fmt(null), fmt(0.025), fmt(1234567), fmt(0.00012345), fmt(NaN), fmt(Infinity)], [
    "—",
    "0.025",
    "1.23e6",
    "1.23e-4",
    "—",
    "∞",
  ]);
  assert.deepEqual([fmtInt(1536), fmtInt(1e6), fmtInt(-3.4), fmtInt(undefined)], [
    "1,536",
    "1,000,000",
    "−3",
    "—",
  ]);
  assert.deepEqual([fmtPercent(0.9743, 2), fmtPercent(1), fmtPercent(NaN)], ["97.43%", "100%", "—"]);
});

Deno.test("format: durations and the table's seconds", () => {
  assert.deepEqual(
    [0.0425, 1.2, 3.21, 30.54, 42.4, 59.6, 185, 200, 3725, NaN].map(fmtDuration),
    ["43 ms", "1.2 s", "3.2 s", "31 s", "42 s", "1 min 00 s", "3 min 05 s", "3 min 20 s", "1 h 02 min", "—"],
  );
  assert.deepEqual([fmtSeconds(2000.4), fmtSeconds(12.345), fmtSeconds(0.5), fmtSeconds(null)], [
    "2000",
    "12.3",
    "0.5",
    "—",
  ]);
});

Deno.test("format: losses, tolerances, times, ticks, plurals", () => {
  assert.deepEqual([fmtLoss(0.0131), fmtLoss(0.000412), fmtLoss(2.5), fmtLoss(null)], [
    "0.013",
    "0.000412",
    "2.500",
    "—",
  ]);
  assert.deepEqual([0.03, 0.025, 1e-5, 0.0125, 1e-9].map(fmtTolerance), [
    "0.030",
    "0.025",
    "0.00001",
    "0.0125",
    "1e-9",
  ]);
  assert.equal(fmtTime("2025-06-01T12:34:56.789Z"), "2025-06-01 12:34 UTC");
  assert.deepEqual([0.025, 1e-6, 25000, 250000, -1e7, NaN].map(fmtTick), [
    "0.025",
    "10⁻⁶",
    "25000",
    "2.5·10⁵",
    "−10⁷",
    "",
  ]);
  assert.deepEqual([plural(1, "epoch"), plural(3, "epoch"), plural(1, "batch", "batches")], [
    "1 epoch",
    "3 epochs",
    "1 batch",
  ]);
  assert.equal(unicodeMarkup("Δ_{k}·k^{−2}, Δ_{tol}, λ^{(3)}"), "Δₖ·k⁻², Δₜₒₗ, λ⁽³⁾");
});

Deno.test("labels and palette: dataset names; 20 series stay distinct", () => {
  assert.deepEqual(["mnist", "fashion-mnist", "data/my-set/", "C:\\\\x\\\\y"].map(datasetLabel), [
    "MNIST",
    "Fashion-MNIST",
    "my-set",
    "y",
  ]);
  assert.equal(new Set(Array.from({ length: 20 }, (_, i) => seriesColor(i))).size, 20);
});
