/**
 * `deno task analyze`: runs the analysis (or Algorithm 1 with --online, or the paper's table with --preset),
 * prints the summary table and writes result.json, curves.csv and report.html.
 * @module
 */
import { analyze } from "../lib/analysis/analyze.ts";
import { DEFAULT_CONFIG } from "../lib/analysis/config.ts";
import type { AnalysisConfig, AnalysisResult } from "../lib/analysis/types.ts";
import { ConfigError } from "../lib/errors.ts";
import { curvesCsv } from "../lib/report/csv.ts";
import { htmlReport } from "../lib/report/html.ts";
import { summaryTable } from "../lib/report/table.ts";
import { flagHelp, type FlagSpec, parseFlags } from "./args.ts";
import { progressPrinter } from "./progress.ts";
import { onlineHelp, runOnlineCommand } from "./online_command.ts";
import { ONLINE_FLAG_SPECS } from "./online_flags.ts";

const D = DEFAULT_CONFIG;
/** Flags of the analysis, each mapped to a config field. */
export const ANALYZE_FLAGS: FlagSpec[] = [
  {
    name: "dataset",
    kind: "string",
    help: "mnist, fashion-mnist, or a folder of IDX files",
    default: D.dataset,
  },
  { name: "model", kind: "string", help: "mlp:W1,W2,… (ReLU MLP) or cnn / cnn:C1,C2", default: D.model },
  { name: "limit", kind: "int", help: "use only the first N training samples", default: "all" },
  {
    name: "batch-size",
    field: "batchSize",
    kind: "int",
    help: "batch size B of the fixed-order batches",
    default: String(D.batchSize),
  },
  { name: "d", kind: "int", help: "number of top Hessian eigen-directions", default: String(D.d) },
  { name: "samples", kind: "int", help: "Monte Carlo samples K", default: String(D.samples) },
  { name: "sigma", kind: "number", help: "σ of θ ~ N(0, σ²I_d)", default: String(D.sigma) },
  {
    name: "tol",
    field: "tolerances",
    kind: "numbers",
    help: "tolerance(s) Δ_tol",
    default: "0.025 (fashion-mnist: 0.03)",
  },
  { name: "epochs", kind: "int", help: "training epochs", default: String(D.epochs) },
  {
    name: "lr",
    field: "learningRate",
    kind: "number",
    help: "Adam learning rate",
    default: String(D.learningRate),
  },
  {
    name: "train-batch-size",
    field: "trainBatchSize",
    kind: "int",
    help: "training mini-batch size",
    default: String(D.trainBatchSize),
  },
  {
    name: "seed",
    kind: "int",
    help: "seed for init, shuffles, Lanczos and Monte Carlo",
    default: String(D.seed),
  },
  { name: "backend", kind: "string", help: "auto, webgpu, wasm or cpu", default: D.backend },
  { name: "workers", kind: "int", help: "compute workers (0 = in-process)", default: "one per core" },
  {
    name: "lanczos-tol",
    field: "lanczosTol",
    kind: "number",
    help: "relative Ritz residual tolerance",
    default: String(D.lanczosTol),
  },
  {
    name: "eigen-mode",
    field: "eigenMode",
    kind: "string",
    help: "projected, or exact (also Lanczos on H_k every --exact-every batches)",
    default: D.eigenMode,
  },
  {
    name: "exact-every",
    field: "exactEvery",
    kind: "int",
    help: "batches between exact solves",
    default: String(D.exactEvery),
  },
];

const OUTPUT_FLAGS: FlagSpec[] = [
  {
    name: "out",
    kind: "string",
    help: "output folder for result.json, curves.csv, report.html",
    default: "out/<dataset>-<model>",
  },
  { name: "preset", kind: "string", help: "paper-table: the six configurations of the paper's table" },
  {
    name: "online",
    kind: "boolean",
    help: "run Algorithm 1 (grow the data batch by batch; see --help --online)",
  },
  {
    name: "data-root",
    field: "dataRoot",
    kind: "string",
    help: "a folder dataset must lie under this folder",
  },
  { name: "json", kind: "boolean", help: "print the result JSON to stdout instead of the table" },
  { name: "quiet", kind: "boolean", help: "no progress output" },
  { name: "help", kind: "boolean", help: "this help" },
];

/** The six configurations of the paper's "Practical Measurements" table. */
export const PAPER_TABLE: Partial<AnalysisConfig>[] = [
  { dataset: "mnist", model: "mlp:128", tolerances: [0.025] },
  { dataset: "mnist", model: "mlp:128,64", tolerances: [0.025] },
  { dataset: "mnist", model: "cnn", tolerances: [0.025] },
  { dataset: "fashion-mnist", model: "mlp:128", tolerances: [0.03] },
  { dataset: "fashion-mnist", model: "mlp:128,64", tolerances: [0.03] },
  { dataset: "fashion-mnist", model: "cnn", tolerances: [0.03] },
];

/** The paper's reported times (s) per row of its table, for comparison. */
export const PAPER_TIMES = [2000, 3500, 1800, 2100, 4400, 2400];

function help(): string {
  return `kstar analyze — how much training data is enough?

Trains the model, finds the top-d Hessian eigenvectors at w* (Lanczos on exact Hessian-vector products),
estimates Δ_k = E(L_{k+1} − L_k)² along them for every k, and reports k* and |D| = k*·B.

Usage: deno task analyze [flags]

Analysis:
${flagHelp(ANALYZE_FLAGS)}

Output and modes:
${flagHelp(OUTPUT_FLAGS)}
`;
}

async function writeOutputs(dir: string, r: AnalysisResult): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  const put = async (name: string, text: string) => {
    const tmp = `${dir}/.${name}.tmp`;
    await Deno.writeTextFile(tmp, text);
    await Deno.rename(tmp, `${dir}/${name}`);
  };
  await put("result.json", JSON.stringify(r, null, 1));
  await put("curves.csv", curvesCsv(r));
  await put("report.html", htmlReport(r));
}

function slug(c: Partial<AnalysisConfig>): string {
  const ds = (c.dataset ?? D.dataset).split("/").filter(Boolean).pop() ?? "data";
  return `${ds}-${(c.model ?? D.model).replace(/[:,]/g, "-")}`;
}

/** Runs the analyze command; returns the process exit code. */
export async function runAnalyzeCommand(args: string[]): Promise<number> {
  const { values } = parseFlags(args, [
    ...ANALYZE_FLAGS,
    ...OUTPUT_FLAGS,
    ...(args.includes("--online") ? ONLINE_FLAG_SPECS : []),
  ]);
  if (values.help) {
    console.log(help());
    if (values.online) console.log(onlineHelp());
    return 0;
  }
  const { out, preset, online, dataRoot, json, quiet, help: _h, ...rest } = values as Record<string, unknown>;
  if (online) return await runOnlineCommand(values);
  const base = rest as Partial<AnalysisConfig>;
  const configs = preset === undefined ? [base] : presetConfigs(String(preset), base);
  const results: AnalysisResult[] = [];
  const controller = new AbortController();
  const onSignal = () => controller.abort(new Error("interrupted"));
  Deno.addSignalListener("SIGINT", onSignal);
  try {
    for (const [i, c] of configs.entries()) {
      if (configs.length > 1 && !quiet) {
        console.error(`\n=== ${i + 1}/${configs.length}: ${c.dataset} ${c.model}`);
      }
      const r = await analyze(c, {
        onProgress: progressPrinter(Boolean(quiet)),
        signal: controller.signal,
        dataRoot: dataRoot as string | undefined,
      });
      results.push(r);
      const dir = configs.length > 1
        ? `${out ?? "out/paper-table"}/${slug(c)}`
        : String(out ?? `out/${slug(c)}`);
      await writeOutputs(dir, r);
      for (const w of r.warnings) console.error(`warning: ${w}`);
      if (!quiet) console.error(`wrote ${dir}/result.json, curves.csv, report.html`);
    }
  } finally {
    Deno.removeSignalListener("SIGINT", onSignal);
  }
  if (json) console.log(JSON.stringify(results.length === 1 ? results[0] : results));
  else {
    console.log("\n" + summaryTable(results));
    for (const r of results) for (const line of predictionLines(r)) console.log(line);
    if (results.length > 1) {
      const total = results.reduce((a, r) => a + (r.timings.total ?? 0), 0);
      console.log(
        `\nTotal: ${total.toFixed(0)} s (the original needed ${
          PAPER_TIMES.reduce((a, b) => a + b)
        } s for the six).`,
      );
    }
  }
  return 0;
}

/** Plain sentences for tolerances the data do not reach (headline curve: smoothed empirical). */
export function predictionLines(r: AnalysisResult): string[] {
  const out: string[] = [];
  const B = r.config.batchSize;
  const fit = r.fits.find((f) => f.curve === "empirical");
  for (const t of r.thresholds) {
    if (t.curve !== "empirical" || !t.smoothed || t.kStar !== null) continue;
    const have = r.dataset.usedSamples;
    if (t.predictedSamples !== null && fit) {
      out.push(
        `Δ_tol = ${t.tolerance}: not reached within ${have} samples; the tail fit Δ_k ≈ ${
          fit.C.toPrecision(3)
        }·k^−${fit.alpha.toFixed(2)} (r² ${fit.r2.toFixed(2)}) predicts k* ≈ ${t.predictedKStar}: about ${
          Math.max(0, t.predictedSamples - have)
        } more samples would be needed (|D| ≈ ${t.predictedSamples} at B = ${B}).`,
      );
    } else {
      out.push(
        `Δ_tol = ${t.tolerance}: not reached within ${have} samples, and the tail does not fit a decaying power law well enough to extrapolate.`,
      );
    }
  }
  return out;
}

function presetConfigs(name: string, base: Partial<AnalysisConfig>): Partial<AnalysisConfig>[] {
  if (name !== "paper-table") throw new ConfigError("--preset", name, '"paper-table"');
  return PAPER_TABLE.map((p) => ({
    ...base,
    ...p,
    ...(base.tolerances ? { tolerances: base.tolerances } : {}),
  }));
}
