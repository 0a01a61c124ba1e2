/**
 * `deno task bench:uncertainty`: how sure is k* on the default MNIST run (BENCHMARKS.md, "How sure is k*?").
 *
 * 1. The default analysis (200 batch orders, 90% intervals) with the learning curve: for every curve and
 *    smoothing, the fixed-order k*, its interval, the fraction of orders that reach the tolerance; the learning
 *    curve; the time of each stage.
 * 2. The same analysis for `--seeds` training seeds (default 5: 0..4): k*·B per seed and its spread.
 *
 * Flags: `--seeds N` (default 5), `--orderings R` (default 200), `--limit N` (default all), `--json FILE`.
 * Prints markdown tables to stdout.
 * @module
 */
import { analyze } from "../lib/analysis/analyze.ts";
import type { AnalysisResult } from "../lib/analysis/types.ts";
import { findThreshold } from "../lib/analysis/thresholds.ts";
import { CURVES } from "../lib/config/choices.ts";
import { benchFlags } from "./flags.ts";
import { fmtInt, fmtPercent } from "../lib/present/format.ts";
import { CURVE_LABELS } from "../lib/present/labels.ts";
import { intervalCell } from "../lib/present/threshold_view.ts";
import { median } from "../lib/sweep/summary.ts";

const values = benchFlags({
  "seeds": "integer",
  "orderings": "integer",
  "limit": "integer",
  "json": "string",
}, { seeds: 5, orderings: 200, limit: null });
const { seeds, orderings, limit } = values as { seeds: number; orderings: number; limit: number | null };
const cores = navigator.hardwareConcurrency;
const started = new Date().toISOString();
const log = (s: string) => console.error(s);
const s1 = (x: number | undefined) => (x === undefined ? "—" : `${x.toFixed(1)} s`);

log(`default MNIST analysis, ${orderings} batch orders, learning curve (${cores} cores)`);
const head = await analyze({ orderings, learningCurve: true, limit });
const tol = head.thresholds[0].tolerance;
const B = head.config.batchSize;

const lines: string[] = [];
lines.push(
  `Default MNIST run (${head.model.spec}, ${fmtInt(head.dataset.usedSamples)} samples in ${
    fmtInt(head.dataset.batches)
  } batches of ${B}, ${head.config.mcDraws} draws, d = ${head.config.d}), Δ_tol = ${tol}, ${orderings} random ` +
    `batch orders each with resampled draws, ${
      fmtPercent(head.config.level)
    } intervals; backend ${head.backend}, ` +
    `${head.workers} workers, ${cores} cores, ${started.slice(0, 10)}.`,
  "",
  "| curve | k* (fixed order) | k*·B | 90% interval of k* | of k*·B | median k* | orders reaching Δ_tol |",
  "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
);
for (const curve of CURVES) {
  for (const smoothed of [true, false]) {
    const t = findThreshold(head, tol, curve, smoothed)!;
    const iv = intervalCell(t.interval, B, orderings);
    lines.push(
      `| ${CURVE_LABELS[curve]}${smoothed ? ", smoothed" : ", raw"} | ${t.kStar ?? "not reached"} | ${
        fmtInt(t.samples)
      } | ${iv.k} | ${iv.samples} | ${fmtInt(t.interval?.median)} | ${
        fmtPercent(t.interval?.reached ?? null, 1)
      } |`,
    );
  }
}
lines.push("", "Stage times of this run:", "", "| stage | seconds |", "| --- | ---: |");
for (const [k, v] of Object.entries(head.timings)) lines.push(`| ${k} | ${v.toFixed(2)} |`);
const lc = head.learningCurve!;
lines.push(
  "",
  `Learning curve (${lc.rule}):`,
  "",
  "| training samples | test accuracy | test loss |",
  "| ---: | ---: | ---: |",
  ...lc.points.map((p) =>
    `| ${fmtInt(p.samples)}${p.samples === lc.kStarSamples ? " (k*·B)" : ""} | ${
      fmtPercent(p.testAccuracy, 2)
    } | ${p.testLoss.toFixed(4)} |`
  ),
);
if (lc.gapAtKStar) {
  lines.push(
    "",
    `Stopping at k*·B = ${fmtInt(lc.kStarSamples)} samples costs ${
      (100 * lc.gapAtKStar.accuracy).toFixed(2)
    } points of test accuracy against all ${fmtInt(lc.points.at(-1)!.samples)}.`,
  );
}

// Seeds.
const perSeed: { seed: number; result: AnalysisResult; seconds: number }[] = [];
for (let seed = 0; seed < seeds; seed++) {
  log(`seed ${seed + 1}/${seeds}`);
  const t0 = performance.now();
  const result = seed === 0 && head.config.seed === 0
    ? head
    : await analyze({ orderings, seed, limit, learningCurve: false });
  perSeed.push({ seed, result, seconds: seed === 0 ? head.timings.total : (performance.now() - t0) / 1000 });
}
lines.push(
  "",
  `Training seeds 0..${
    seeds - 1
  } (each a whole analysis: initialisation, shuffles, Lanczos start and draws):`,
  "",
  "| seed | k* | k*·B | 90% interval of k*·B | test accuracy | seconds |",
  "| ---: | ---: | ---: | ---: | ---: | ---: |",
);
for (const { seed, result, seconds } of perSeed) {
  const t = findThreshold(result, tol)!;
  lines.push(
    `| ${seed} | ${t.kStar ?? "not reached"} | ${fmtInt(t.samples)} | ${
      intervalCell(t.interval, B).samples
    } | ${fmtPercent(result.training.testAccuracy, 2)} | ${seconds.toFixed(1)} |`,
  );
}
const samples = perSeed.map(({ result }) => findThreshold(result, tol)!.samples);
const reached = samples.filter((x): x is number => x !== null);
lines.push(
  "",
  reached.length
    ? `Spread over seeds: k*·B median ${fmtInt(median(samples))}, range ${fmtInt(Math.min(...reached))}–${
      fmtInt(Math.max(...reached))
    } (${reached.length} of ${seeds} seeds reach Δ_tol).`
    : `No seed reaches Δ_tol = ${tol} within the data.`,
  "",
  `Cost: the ${orderings} batch orders took ${s1(head.timings.orderings)} of ${s1(head.timings.total)}; ` +
    `the learning curve ${s1(head.timings.learningCurve)}.`,
);
console.log(lines.join("\n"));
if (values.json) {
  await Deno.writeTextFile(
    String(values.json),
    JSON.stringify(
      { started, cores, head, perSeed: perSeed.map((p) => ({ ...p, result: undefined })) },
      null,
      1,
    ),
  );
}
