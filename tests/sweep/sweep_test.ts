/**
 * Sweeps without a server: expansion of grids and points (order, errors as typed, the size bound), the
 * paper-table preset as six points with the same configs the analyze command has always run, the summary per
 * grid point across seeds (medians, intervals when the results carry them, none when they do not), the CSV, the
 * sweep figures in both renderers, and the `--grid` flag.
 */
import { assert, assertEquals, assertMatch } from "../assert.ts";
import { resolveConfig } from "../../lib/config/resolve.ts";
import { ConfigError } from "../../lib/errors.ts";
import { PAPER_TABLE, presetSweep } from "../../lib/sweep/presets.ts";
import { expandSweep, MAX_SWEEP_POINTS } from "../../lib/sweep/spec.ts";
import {
  sweepCsv,
  sweepDocument,
  sweepGroups,
  type SweepRunRow,
  thresholdInterval,
} from "../../lib/sweep/summary.ts";
import { sweepDeltaFigure, sweepSamplesFigure } from "../../lib/present/figures.ts";
import { renderSvg } from "../../lib/report/svg.ts";
import { sweepReport } from "../../lib/report/sweep_html.tsx";
import { toChartJs } from "../../components/chartjs.ts";
import { parseGridFlag } from "../../cli/grid_flag.ts";
import type { AnalysisResult, Threshold } from "../../lib/analysis/types.ts";

function fieldOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof ConfigError) return e.field;
    throw e;
  }
  throw new Error("no error");
}

Deno.test("sweep spec: grid product (last list fastest), points × grid, errors where typed, at most 256", () => {
  const pts = expandSweep({ base: { limit: 512 }, grid: { model: ["mlp:8", "cnn"], seed: [1, 2, 3] } });
  assertEquals(pts.map((p) => `${p.config.model}/${p.config.seed}`), [
    "mlp:8/1",
    "mlp:8/2",
    "mlp:8/3",
    "cnn/1",
    "cnn/2",
    "cnn/3",
  ]);
  assert(pts.every((p, i) => p.index === i && p.config.limit === 512));
  assertEquals(pts[4].values, { model: "cnn", seed: 2 });
  const crossed = expandSweep({ points: [{ d: 2 }, { d: 3 }], grid: { seed: [0, 1] } });
  assertEquals(crossed.map((p) => [p.config.d, p.config.seed]), [[2, 0], [2, 1], [3, 0], [3, 1]]);
  assertEquals(expandSweep({}).length, 1, "no grid, no points: the base alone");
  assertEquals(fieldOf(() => expandSweep({ grid: { seed: [0, 1, 2, 1.5] } })), "grid.seed[3]");
  assertEquals(fieldOf(() => expandSweep({ points: [{}, { sigma: -1 }] })), "points[1].sigma");
  assertEquals(fieldOf(() => expandSweep({ base: { batchSize: 0 }, grid: { seed: [0] } })), "base.batchSize");
  assertEquals(fieldOf(() => expandSweep({ grid: { seed: [] } })), "grid.seed");
  assertEquals(fieldOf(() => expandSweep({ grid: { seed: 3 } as never })), "grid.seed");
  assertEquals(fieldOf(() => expandSweep({ gird: {} } as never)), "gird");
  assertEquals(fieldOf(() => expandSweep({ points: [{ modle: "cnn" }] })), "points[0].modle");
  const big = { grid: { seed: Array.from({ length: 64 }, (_, i) => i), d: [1, 2, 3, 4, 5] } };
  assert(64 * 5 > MAX_SWEEP_POINTS);
  let msg = "";
  try {
    expandSweep(big);
  } catch (e) {
    msg = (e as Error).message;
  }
  assertMatch(msg, /^grid: got 320; allowed: at most 256 points/);
});

Deno.test("sweep presets: paper-table is six points giving the configs analyze --preset always ran", () => {
  const base = { limit: 2048, epochs: 1, tolerances: [0.05] };
  const points = expandSweep(presetSweep("paper-table", base));
  assertEquals(points.length, 6);
  // The analyze command's former expansion: each row with the flags on top.
  assertEquals(points.map((p) => p.config), PAPER_TABLE.map((p) => resolveConfig({ ...p, ...base })));
  assertEquals(
    expandSweep(presetSweep("paper-table")).map((p) => p.config.tolerances),
    PAPER_TABLE.map((p) => p.tolerances),
  );
});

function row(
  index: number,
  model: string,
  seed: number,
  samples: number | null,
  extra: Partial<Threshold> = {},
): SweepRunRow {
  return {
    id: `r${index}`,
    index,
    status: samples === null ? "running" : "done",
    worker: "w1",
    attempts: 1,
    retries: 0,
    config: resolveConfig({ model, seed, batchSize: 10 }),
    headline: samples === null
      ? null
      : { kStar: samples / 10, samples, tolerance: 0.025, ...extra } as Threshold,
    error: null,
    duration: 2,
  };
}

Deno.test("sweep summary: groups across seeds with medians; intervals drawn when present, absent otherwise", () => {
  const rows = [
    row(0, "mlp:8", 0, 100, { interval: { lower: 8, upper: 12 } } as never),
    row(1, "mlp:8", 1, 300),
    row(2, "mlp:8", 2, 200),
    row(3, "cnn", 0, 50),
    row(4, "cnn", 1, null),
  ];
  const groups = sweepGroups(rows);
  assertEquals(groups.map((g) => [g.label, g.seeds, g.samples, g.medianSamples, g.done]), [
    ["mlp:8", [0, 1, 2], [100, 300, 200], 200, 3],
    ["cnn", [0, 1], [50, null], 50, 1],
  ]);
  assertEquals(groups[0].intervals, [[80, 120], null, null]);
  assertEquals(thresholdInterval({ interval: [3, 1] }, 10), [10, 30]);
  assertEquals(thresholdInterval({ interval: { samples: [5, 9] } }, 10), [5, 9]);
  assertEquals(thresholdInterval({ interval: null }, 10), null);

  const curves = (v: number[]) =>
    ({
      config: resolveConfig({ batchSize: 10 }),
      curves: { empirical: v, smoothed: { empirical: v } },
    }) as unknown as AnalysisResult;
  const results = new Map([["r0", curves([4, 2, 1])], ["r1", curves([6, 3, 1, 0.5])], [
    "r2",
    curves([5, 1, 1]),
  ]]);
  const doc = sweepDocument(
    { id: "s", name: "t", createdAt: "2026-12-01T00:00:00Z", spec: {}, size: 5 },
    rows,
    results,
  );
  assertEquals(doc.counts, { done: 4, running: 1 });
  assertEquals(doc.deltaMedians[0].median, [5, 2, 1, 0.5]);
  assertEquals(doc.deltaMedians[0].samples, [10, 20, 30, 40]);
  assertEquals(doc.deltaMedians.length, 1, "a group without finished results has no median curve");
  const csv = sweepCsv(doc).trim().split("\n");
  assertEquals(csv.length, 6);
  assertMatch(csv[1], /^0,r0,done,w1,1,mlp:8,mnist,mlp:8,0,.*,100,80,120,/);

  // The strip plot: one point per reached run, interval lines only where present, a median bar per group.
  const fig = sweepSamplesFigure(groups);
  assertEquals(fig.series.find((s) => s.id === "runs")!.y, [100, 300, 200, 50]);
  assertEquals(fig.series.find((s) => s.id === "intervals")!.y, [80, 120, null]);
  assertEquals(fig.x.categories, ["mlp:8", "cnn"]);
  assertMatch(fig.caption, /4 runs of 5 with k\* reached.*1 not done or not reached/);
  const plain = sweepSamplesFigure(sweepGroups(rows.slice(1)));
  assert(!plain.series.some((s) => s.id === "intervals"), "no interval series without intervals");
  // Both renderers draw the same spec.
  const svg = renderSvg(fig);
  assert(svg.includes("<circle") && svg.includes("mlp:8") && !svg.includes("NaN"));
  const cj = toChartJs(fig);
  assertEquals(
    (cj.options.scales as { x: { type: string } }).x.type,
    "linear",
    "a strip plot's categories label a linear axis",
  );
  assertEquals(cj.data.datasets.length, fig.series.length);
  const delta = sweepDeltaFigure(doc.deltaMedians, doc.tolerance);
  assertEquals([delta.series.length, delta.hMarkers[0].value], [1, 0.025]);
  const html = sweepReport(doc);
  assert(html.includes('data-figure="sweep-samples"') && html.includes('data-figure="sweep-delta"'));
  assert(html.includes('id="kstar-sweep"'));
});

Deno.test("--grid flag: ranges, lists, models with commas, list fields, all; errors name the flag", () => {
  assertEquals(parseGridFlag("seed=0..2,7"), ["seed", [0, 1, 2, 7]]);
  assertEquals(parseGridFlag("model=mlp:128,mlp:128,64,cnn,cnn:8,16"), ["model", [
    "mlp:128",
    "mlp:128,64",
    "cnn",
    "cnn:8,16",
  ]]);
  assertEquals(parseGridFlag("sigma=0.5,1,2e0"), ["sigma", [0.5, 1, 2]]);
  assertEquals(parseGridFlag("tolerances=0.05;0.025,0.01"), ["tolerances", [[0.05], [0.025, 0.01]]]);
  assertEquals(parseGridFlag("limit=1024,all"), ["limit", [1024, null]]);
  assertEquals(parseGridFlag("dataset=mnist,fashion-mnist"), ["dataset", ["mnist", "fashion-mnist"]]);
  const err = (raw: string) => {
    try {
      parseGridFlag(raw);
    } catch (e) {
      return (e as Error).message;
    }
    return "no error";
  };
  assertMatch(err("sed=1"), /^--grid: got "sed=1".*did you mean seed\?/);
  assertMatch(err("seed=5..1"), /^--grid seed: got "5..1"/);
  assertMatch(err("seed=0..1000"), /at most 256 values/);
  assertMatch(err("d=three"), /^--grid d: got "three"/);
  assertMatch(err("model=64,mlp:8"), /^--grid model: .*each model starts with mlp or cnn/);
  assertMatch(err("seed="), /no values after =/);
});
