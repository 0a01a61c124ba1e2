/**
 * `deno task analyze`: runs the analysis (or Algorithm 1 with --online, or the paper's table with --preset),
 * prints the summary table and writes result.json, curves.csv, thresholds.csv and report.html.
 * @module
 */
import { analyze } from "../lib/analysis/analyze.ts";
import type { AnalysisConfig, AnalysisResult, LearningCurve } from "../lib/analysis/types.ts";
import { resolveConfig } from "../lib/config/resolve.ts";
import { ConfigError } from "../lib/errors.ts";
import { PAPER_TABLE, presetSweep } from "../lib/sweep/presets.ts";
import { expandSweep } from "../lib/sweep/spec.ts";
import { seedList, SEEDS_ALLOWED } from "../lib/sweep/seeds.ts";
import { predictionLine } from "../lib/present/threshold_view.ts";
import { datasetLabel } from "../lib/present/labels.ts";
import { fmtInt, fmtPercent } from "../lib/present/format.ts";
import { curvesCsv, thresholdsCsv } from "../lib/report/csv.ts";
import { htmlReport } from "../lib/report/html.tsx";
import { summaryTable } from "../lib/report/table.ts";
import { configFlags, flagNames, type FlagSpec, helpFlag, helpText, parseArgs } from "./flags.ts";
import { checkOutDir, type Interrupt, onInterrupt, writeFiles } from "./io.ts";
import { progressPrinter } from "./progress.ts";
import { ONLINE_OPTIONS, runOnline } from "./online_command.ts";

/** Options of the analyze command that are not config fields. */
export const ANALYZE_OPTIONS: FlagSpec[] = [
  {
    flag: "out",
    key: "out",
    kind: "string",
    help: "output folder for result.json, curves.csv, thresholds.csv and report.html",
    default: "out/<dataset>-<model>",
    group: "Output and modes",
  },
  {
    flag: "preset",
    key: "preset",
    kind: "choice",
    help: "run a preset instead of one configuration",
    allowed: '"paper-table" (the six configurations of the paper\'s table)',
    group: "Output and modes",
  },
  {
    flag: "online",
    key: "online",
    kind: "boolean",
    help: "run Algorithm 1: grow the data batch by batch (see --online --help)",
    group: "Output and modes",
  },
  {
    flag: "data-root",
    key: "dataRoot",
    kind: "string",
    help: "a folder dataset must lie under this folder",
    group: "Output and modes",
  },
  {
    flag: "redis",
    key: "redis",
    kind: "string",
    help: "run on the workers of this Redis queue (deno task worker); with --preset the rows fan out",
    allowed: "redis://[:password@]host[:port][/db] or rediss://…",
    group: "Output and modes",
  },
  {
    flag: "seeds",
    key: "seeds",
    kind: "string",
    help: "run the whole analysis once per training seed and summarise k*·B per seed and its spread " +
      "(a sweep: with --redis the seeds fan out)",
    allowed: SEEDS_ALLOWED,
    group: "Output and modes",
  },
  {
    flag: "json",
    key: "json",
    kind: "boolean",
    help: "print the result JSON to stdout instead of the table",
    group: "Output and modes",
  },
  { flag: "quiet", key: "quiet", kind: "boolean", help: "no progress output", group: "Output and modes" },
  helpFlag("Output and modes"),
];

export { PAPER_TABLE };

/** The paper's reported times (s) per row of its table, for comparison. */
export const PAPER_TIMES = [2000, 3500, 1800, 2100, 4400, 2400];

/** Flags that only one mode has, and why they do not apply in the other. */
function notHere(mode: "analysis" | "online"): Map<string, string> {
  const mine = new Set(flagsOf(mode).map((s) => s.flag));
  const other = flagsOf(mode === "analysis" ? "online" : "analysis");
  return new Map(
    other.filter((s) => !mine.has(s.flag)).map((s) => [
      s.flag,
      mode === "online" ? "it does not apply to --online (Algorithm 1)" : "it applies only with --online",
    ]),
  );
}

/** Every flag of a mode: its config fields and the command's options. */
export function flagsOf(mode: "analysis" | "online"): FlagSpec[] {
  return mode === "analysis" ? [...configFlags("analysis"), ...ANALYZE_OPTIONS] : [
    ...configFlags("online"),
    ...ANALYZE_OPTIONS.filter((s) => s.flag !== "preset" && s.flag !== "redis"),
    ...ONLINE_OPTIONS,
  ];
}

function help(mode: "analysis" | "online"): string {
  if (mode === "online") {
    return `kstar analyze --online — Algorithm 1: how much data is enough, found by growing it

Grows D one batch at a time, trains --steps-per-batch Adam steps, finds the top-d Hessian eigenvectors at the
current weights, estimates Δ_k, and stops once Δ_k < --tol for --patience consecutive batches. The defaults
below are online mode's own.

Usage: deno task analyze --online [flags]

${helpText(flagsOf("online"))}`;
  }
  return `kstar analyze — how much training data is enough?

Trains the model, finds the top-d Hessian eigenvectors at w* (Lanczos on exact Hessian-vector products),
estimates Δ_k = E(L_{k+1} − L_k)² along them for every k, and reports k* and |D| = k*·B.

Usage: deno task analyze [flags]

${helpText(flagsOf("analysis"))}`;
}

function slug(c: Partial<AnalysisConfig>): string {
  const ds = (c.dataset ?? "mnist").split(/[\\/]/).filter(Boolean).pop() ?? "data";
  return `${ds}-${(c.model ?? "mlp:128,64").replace(/[:,]/g, "-")}`;
}

/** The config fields of the parsed values (the rest are command options). */
function configPart(values: Record<string, unknown>, specs: FlagSpec[]): Record<string, unknown> {
  const keys = new Set(
    specs.filter((s) => !ANALYZE_OPTIONS.includes(s) && !ONLINE_OPTIONS.includes(s)).map((s) => s.key),
  );
  return Object.fromEntries(Object.entries(values).filter(([k]) => keys.has(k)));
}

/** Runs the analyze command; returns the process exit code. ConfigErrors name the flag the user typed. */
export async function runAnalyzeCommand(args: string[]): Promise<number> {
  const mode = args.some((a) => a === "--online" || a === "--online=true") ? "online" : "analysis";
  const specs = flagsOf(mode);
  const names = flagNames(specs);
  try {
    return await run(args, mode, specs);
  } catch (e) {
    if (e instanceof ConfigError && names.has(e.field)) throw e.renamed(names.get(e.field)!);
    throw e;
  }
}

async function run(args: string[], mode: "analysis" | "online", specs: FlagSpec[]): Promise<number> {
  const { values, given, notes } = parseArgs(args, specs, { notHere: notHere(mode) });
  if (values.help) {
    console.log(help(mode));
    return 0;
  }
  for (const n of notes) console.error(`note: ${n}`);
  const quiet = Boolean(values.quiet);
  const base = configPart(values, specs);
  if (mode === "online") return await runOnline(base, values, quiet);

  const preset = values.preset as string | undefined;
  if (values.seeds !== undefined) {
    if (preset !== undefined) {
      throw new ConfigError(
        "--seeds",
        values.seeds,
        "no --seeds with --preset",
        "for the preset's rows over seeds: deno task sweep --preset paper-table --grid seed=0..4",
      );
    }
    const { seed, ...rest } = base;
    const seeds = seedList(String(values.seeds), typeof seed === "number" ? seed : 0, "--seeds");
    const c = resolveConfig(rest);
    const { runSweep } = await import("./sweep_command.ts");
    return await runSweep({ name: `seeds ${seeds.join(", ")}`, base: rest, grid: { seed: seeds } }, {
      out: String(values.out ?? `out/${slug(c)}-seeds`),
      quiet,
      json: Boolean(values.json),
      redis: values.redis as string | undefined,
      dataRoot: values.dataRoot as string | undefined,
    });
  }
  if (preset !== undefined && preset !== "paper-table") {
    throw new ConfigError("--preset", preset, ANALYZE_OPTIONS[1].allowed!);
  }
  for (const f of ["--dataset", "--model"]) {
    if (preset && given.includes(f)) {
      throw new ConfigError(
        f,
        values[f === "--dataset" ? "dataset" : "model"],
        "no value with --preset paper-table",
        "the preset sets the dataset and model of each of its six rows; run without --preset to choose them",
      );
    }
  }
  const configs = preset === undefined ? [resolveConfig(base)] : presetConfigs(base);
  const outRoot = String(values.out ?? (configs.length > 1 ? "out/paper-table" : `out/${slug(configs[0])}`));
  const dirs = configs.map((c) => configs.length > 1 ? `${outRoot}/${slug(c)}` : outRoot);
  await checkOutDir(outRoot);

  const results: AnalysisResult[] = [];
  const interrupt: Interrupt = onInterrupt();
  const write = async (i: number, r: AnalysisResult) => {
    const wrote = await writeFiles(dirs[i], [
      ["result.json", () => JSON.stringify(r, null, 1)],
      ["curves.csv", () => curvesCsv(r)],
      ["thresholds.csv", () => thresholdsCsv(r)],
      ["report.html", () => htmlReport(r)],
    ]);
    for (const w of r.warnings) console.error(`warning: ${w}`);
    if (!quiet) console.error(`wrote ${wrote.join(", ")}`);
  };
  if (values.redis) {
    try {
      results.push(...await runRemotely(configs, values, quiet, interrupt.signal));
    } finally {
      interrupt.dispose();
    }
    for (const [i, r] of results.entries()) await write(i, r);
    if (values.json) console.log(JSON.stringify(results.length === 1 ? results[0] : results));
    else console.log(summaryText(results));
    return 0;
  }
  try {
    for (const [i, c] of configs.entries()) {
      if (configs.length > 1 && !quiet) {
        console.error(`\n=== ${i + 1}/${configs.length}: ${datasetLabel(c.dataset)} ${c.model}`);
      }
      const r = await analyze(c, {
        onProgress: progressPrinter(quiet),
        signal: interrupt.signal,
        dataRoot: values.dataRoot as string | undefined,
      });
      results.push(r);
      await write(i, r);
    }
  } finally {
    interrupt.dispose();
  }
  if (values.json) console.log(JSON.stringify(results.length === 1 ? results[0] : results));
  else console.log(summaryText(results));
  return 0;
}

/**
 * Runs the configs on the workers of the `--redis` queue (all at once: they fan out) and returns their results in
 * order; a run that failed there is an error naming it.
 */
async function runRemotely(
  configs: AnalysisConfig[],
  values: Record<string, unknown>,
  quiet: boolean,
  signal: AbortSignal,
): Promise<AnalysisResult[]> {
  const { parseRedisUrl } = await import("../server/redis_url.ts");
  const { runOnRedis } = await import("./redis_runner.ts");
  const label = (i: number) =>
    `${i + 1}/${configs.length} ${datasetLabel(configs[i].dataset)} ${configs[i].model}`;
  const outcomes = await runOnRedis(configs, {
    target: parseRedisUrl(String(values.redis), "--redis"),
    dataRoot: values.dataRoot as string | undefined,
    signal,
    onUpdate: (i, what, info) => {
      if (!quiet) {
        console.error(
          `${label(i)}: ${what === "started" ? "started" : info.outcome!.status} on ${
            info.worker ?? "a worker"
          }`,
        );
      }
    },
  });
  const failed = outcomes.findIndex((o) => o.status !== "done");
  if (failed >= 0) {
    const o = outcomes[failed];
    throw new Error(`${label(failed)} ${o.status} on ${o.worker ?? "a worker"}: ${o.error?.message ?? ""}`);
  }
  return outcomes.map((o) => o.result!);
}

/** The preset's six configs over the flags' base; a bad base value is reported on its field (then its flag). */
function presetConfigs(base: Record<string, unknown>): AnalysisConfig[] {
  try {
    return expandSweep(presetSweep("paper-table", base)).map((p) => p.config);
  } catch (e) {
    if (e instanceof ConfigError && e.field.startsWith("base.")) throw e.renamed(e.field.slice(5));
    throw e;
  }
}

/**
 * What a finished run prints: the table, a sentence for each tolerance not reached (with its row's name when
 * there are several rows) and, for several rows, the total time.
 */
export function summaryText(results: readonly AnalysisResult[]): string {
  const lines = ["", summaryTable(results)];
  for (const r of results) {
    const named = (line: string) => lines.push(results.length > 1 ? `${rowName(r)}: ${line}` : line);
    predictionLines(r).forEach(named);
    if (r.learningCurve) named(learningCurveLine(r.learningCurve));
  }
  if (results.length > 1) lines.push("", totalLine(results));
  return lines.join("\n");
}

function rowName(r: AnalysisResult): string {
  return `${datasetLabel(r.dataset.name)} · ${r.model.spec}`;
}

/** The total time of a preset, compared with the paper's only when the runs are the paper's (all data). */
export function totalLine(results: readonly AnalysisResult[]): string {
  const total = results.reduce((a, r) => a + (r.timings.total ?? 0), 0);
  const paper = PAPER_TIMES.reduce((a, b) => a + b);
  const full = results.length === PAPER_TABLE.length &&
    results.every((r) => r.config.limit === null && r.dataset.usedSamples >= 0.99 * r.dataset.trainSamples);
  return full
    ? `Total: ${fmtInt(total)} s (the original needed ${fmtInt(paper)} s for the six on the same full data).`
    : `Total: ${fmtInt(total)} s. These runs did not use all the training data (--limit), so the paper's ` +
      `${fmtInt(paper)} s for the six full runs are not a comparison.`;
}

/** What stopping at k*·B costs in test accuracy, in one sentence. */
export function learningCurveLine(lc: LearningCurve): string {
  const all = lc.points[lc.points.length - 1];
  const at = lc.kStarSamples === null ? undefined : lc.points.find((p) => p.samples === lc.kStarSamples);
  const sizes = lc.points.map((p) => `${fmtInt(p.samples)} → ${fmtPercent(p.testAccuracy, 2)}`).join(", ");
  const head = at && lc.gapAtKStar
    ? `Stopping at k*·B = ${fmtInt(at.samples)} samples costs ${
      (100 * lc.gapAtKStar.accuracy).toFixed(1)
    } points of test accuracy (${fmtPercent(at.testAccuracy, 2)} against ${
      fmtPercent(all.testAccuracy, 2)
    } with all ${fmtInt(all.samples)})`
    : "Learning curve (k* not reached, so the sizes are fractions of the data)";
  return `${head}. Test accuracy by training samples: ${sizes}; ${lc.rule}.`;
}

/** Plain sentences for tolerances the data do not reach (headline curve: smoothed empirical). */
export function predictionLines(r: AnalysisResult): string[] {
  const fit = r.fits.find((f) => f.curve === "empirical") ?? null;
  return r.thresholds
    .filter((t) => t.curve === "empirical" && t.smoothed && t.kStar === null)
    .map((t) => predictionLine(t, fit, r.dataset.usedSamples, r.config.batchSize));
}
