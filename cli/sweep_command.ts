/**
 * `deno task sweep`: many analyses from one grid (`--grid seed=0..9 --grid model=mlp:128,mlp:128,64`, the
 * product of the lists, at most 256 points) or a preset (`--preset paper-table`), over the config flags as the
 * base. They run here one after another, or through `--redis` on the workers of a Redis queue
 * (`deno task worker`). Writes `sweep.json`, `sweep.csv` and `report.html` (k*·B per grid point across seeds,
 * median Δ_k) into `--out`, each run's `result.json` and `report.html` under `runs/`, and prints the table.
 * @module
 */
import { analyze } from "../lib/analysis/analyze.ts";
import type { AnalysisConfig, AnalysisResult } from "../lib/analysis/types.ts";
import { headlineThreshold } from "../lib/analysis/thresholds.ts";
import { ConfigError } from "../lib/errors.ts";
import { datasetLabel } from "../lib/present/labels.ts";
import { fmtDuration } from "../lib/present/format.ts";
import { curvesCsv } from "../lib/report/csv.ts";
import { htmlReport } from "../lib/report/html.tsx";
import { sweepReport } from "../lib/report/sweep_html.tsx";
import { summaryTable } from "../lib/report/table.ts";
import { presetSweep, SWEEP_PRESETS, type SweepPreset } from "../lib/sweep/presets.ts";
import { expandSweep, type SweepSpec } from "../lib/sweep/spec.ts";
import { groupLine, sweepCsv, sweepDocument, type SweepRunRow } from "../lib/sweep/summary.ts";
import { hidePassword, parseRedisUrl } from "../server/redis_url.ts";
import { configFlags, flagNames, type FlagSpec, helpFlag, helpText, parseArgs } from "./flags.ts";
import { parseGridFlag } from "./grid_flag.ts";
import { checkOutDir, type Interrupt, onInterrupt, writeFiles } from "./io.ts";
import { progressPrinter } from "./progress.ts";

const GROUP = "Sweep";

/** The sweep command's own flags (the config flags set the base every point starts from). */
export const SWEEP_OPTIONS: FlagSpec[] = [
  {
    flag: "grid",
    key: "grid",
    kind: "string",
    repeatable: true,
    help:
      "field=values to sweep (repeat for more fields; the sweep runs every combination), e.g. seed=0..9, " +
      "model=mlp:128,mlp:128,64, sigma=0.5,1, tolerances=0.05;0.025",
    group: GROUP,
  },
  {
    flag: "preset",
    key: "preset",
    kind: "choice",
    help: "sweep a preset's points (with --grid: every point crossed with the grid)",
    allowed: '"paper-table" (the six configurations of the paper\'s table)',
    group: GROUP,
  },
  {
    flag: "redis",
    key: "redis",
    kind: "string",
    help: "run the points on the workers of this Redis queue (deno task worker) instead of here in sequence",
    allowed: "redis://[:password@]host[:port][/db] or rediss://…",
    group: GROUP,
  },
  { flag: "name", key: "name", kind: "string", help: "a name for the sweep", group: GROUP },
  {
    flag: "out",
    key: "out",
    kind: "string",
    help: "output folder for sweep.json, sweep.csv, report.html and runs/",
    default: "out/sweep",
    group: GROUP,
  },
  {
    flag: "data-root",
    key: "dataRoot",
    kind: "string",
    help: "a folder dataset must lie under this folder (with --redis: at the same path under every worker's)",
    group: GROUP,
  },
  {
    flag: "json",
    key: "json",
    kind: "boolean",
    help: "print sweep.json to stdout instead of the table",
    group: GROUP,
  },
  { flag: "quiet", key: "quiet", kind: "boolean", help: "no progress output", group: GROUP },
  helpFlag(GROUP),
];

/** Every flag of the sweep command. */
export function sweepFlags(): FlagSpec[] {
  return [...configFlags("analysis"), ...SWEEP_OPTIONS];
}

function help(): string {
  return `kstar sweep — many analyses from a grid of configurations

Runs every combination of the --grid lists (at most 256), each a normal analysis over the config flags below;
here one after another, or with --redis on the workers of a Redis queue. Writes sweep.json, sweep.csv and
report.html (k*·B per grid point across seeds, median Δ_k) into --out.

Usage: deno task sweep --grid seed=0..4 --grid model=mlp:128,mlp:128,64 [config flags] [--redis URL]

${helpText(sweepFlags())}`;
}

/** The sweep spec of the parsed flags. */
export function sweepSpecOfFlags(values: Record<string, unknown>, base: Record<string, unknown>): SweepSpec {
  const grid: Record<string, unknown[]> = {};
  for (const raw of (values.grid as string[] | undefined) ?? []) {
    const [key, list] = parseGridFlag(raw);
    if (key in grid) throw new ConfigError("--grid", raw, "each field once", `${key} is already swept`);
    if (key in base) {
      throw new ConfigError(
        "--grid",
        raw,
        "a field not also given as a flag",
        `--${key} sets it for every point`,
      );
    }
    grid[key] = list;
  }
  const preset = values.preset as string | undefined;
  if (preset !== undefined && !(SWEEP_PRESETS as readonly string[]).includes(preset)) {
    throw new ConfigError("--preset", preset, SWEEP_OPTIONS[1].allowed!);
  }
  if (preset === undefined && Object.keys(grid).length === 0) {
    throw new ConfigError("--grid", undefined, "at least one --grid field=values, or --preset paper-table");
  }
  const spec: SweepSpec = preset ? presetSweep(preset as SweepPreset, base) : { base };
  if (Object.keys(grid).length) spec.grid = grid;
  const name = (values.name as string | undefined) ?? preset;
  return name ? { ...spec, name } : spec;
}

/** A config's folder name under `runs/`. */
function runDir(i: number, c: AnalysisConfig): string {
  const ds = (c.dataset.split(/[\\/]/).filter(Boolean).pop() ?? "data").replace(/[^\w.-]/g, "-");
  return `${String(i).padStart(3, "0")}-${ds}-${c.model.replace(/[:,]/g, "-")}-seed${c.seed}`;
}

/** One point's outcome. */
interface PointOutcome {
  status: "done" | "failed" | "cancelled";
  result: AnalysisResult | null;
  error: string | null;
  worker: string | null;
  attempts: number;
  duration: number | null;
}

/** Runs the sweep command; returns the exit code (1 when a run failed). ConfigErrors name the flag typed. */
export async function runSweepCommand(args: string[]): Promise<number> {
  const specs = sweepFlags();
  const names = flagNames(specs);
  try {
    return await run(args, specs);
  } catch (e) {
    if (e instanceof ConfigError) {
      const f = e.field.replace(/^base\./, "");
      const grid = /^grid\.(\w+)(\[\d+\])$/.exec(e.field);
      if (grid) throw e.renamed(`--grid ${names.get(grid[1])?.slice(2) ?? grid[1]}${grid[2]}`);
      if (names.has(f)) throw e.renamed(names.get(f)!);
    }
    throw e;
  }
}

async function run(args: string[], specs: FlagSpec[]): Promise<number> {
  const { values, notes } = parseArgs(args, specs);
  if (values.help) {
    console.log(help());
    return 0;
  }
  for (const n of notes) console.error(`note: ${n}`);
  const own = new Set(SWEEP_OPTIONS.map((s) => s.key));
  const base = Object.fromEntries(Object.entries(values).filter(([k]) => !own.has(k)));
  const spec = sweepSpecOfFlags(values, base);
  return await runSweep(spec, {
    out: String(values.out ?? "out/sweep"),
    quiet: Boolean(values.quiet),
    json: Boolean(values.json),
    redis: values.redis as string | undefined,
    dataRoot: values.dataRoot as string | undefined,
  });
}

/** Where and how {@link runSweep} runs a sweep and writes what it found. */
export interface SweepRunOptions {
  /** Output folder (sweep.json, sweep.csv, report.html, runs/). */
  out: string;
  /** No progress output. */
  quiet: boolean;
  /** Print sweep.json instead of the table. */
  json: boolean;
  /** Run on the workers of this Redis queue instead of here in sequence. */
  redis?: string;
  /** Folder datasets must lie under this folder. */
  dataRoot?: string;
}

/**
 * Runs every point of a sweep (here in sequence, or on a Redis queue's workers), writes its files and prints
 * the table and one line per grid point; returns the exit code (1 when a run failed). Also behind
 * `deno task analyze --seeds`.
 */
export async function runSweep(spec: SweepSpec, o: SweepRunOptions): Promise<number> {
  const points = expandSweep(spec);
  const { quiet, dataRoot, out, redis, json } = o;
  await checkOutDir(out);
  const started = new Date().toISOString();
  const say = (line: string) => quiet || console.error(line);
  say(
    `sweep: ${points.length} run(s)${redis ? ` through ${hidePassword(redis)}` : " here, in sequence"}`,
  );

  const outcomes: PointOutcome[] = [];
  const interrupt: Interrupt = onInterrupt();
  try {
    if (redis) {
      const { runOnRedis } = await import("./redis_runner.ts");
      const remote = await runOnRedis(points.map((p) => p.config), {
        target: parseRedisUrl(redis, "--redis"),
        dataRoot,
        signal: interrupt.signal,
        onUpdate: (i, what, info) =>
          say(
            what === "started"
              ? `  ${i + 1}/${points.length} started on ${info.worker ?? "a worker"}`
              : `  ${i + 1}/${points.length} ${info.outcome!.status} on ${info.worker ?? "?"} (${
                fmtDuration(info.outcome!.duration)
              })${info.outcome!.error ? `: ${info.outcome!.error.message}` : ""}`,
          ),
      });
      for (const r of remote) {
        outcomes.push({ ...r, error: r.error?.message ?? null });
      }
    } else {
      for (const p of points) {
        const c = p.config;
        say(`\n=== ${p.index + 1}/${points.length}: ${datasetLabel(c.dataset)} ${c.model} seed ${c.seed}`);
        const t0 = performance.now();
        try {
          const result = await analyze(c, {
            onProgress: progressPrinter(quiet),
            signal: interrupt.signal,
            dataRoot,
          });
          outcomes.push({
            status: "done",
            result,
            error: null,
            worker: null,
            attempts: 1,
            duration: (performance.now() - t0) / 1000,
          });
        } catch (e) {
          if (interrupt.signal.aborted) throw interrupt.signal.reason;
          say(`run ${p.index + 1} failed: ${(e as Error).message}`);
          outcomes.push({
            status: "failed",
            result: null,
            error: (e as Error).message,
            worker: null,
            attempts: 1,
            duration: (performance.now() - t0) / 1000,
          });
        }
      }
    }
  } finally {
    interrupt.dispose();
  }

  const id = `sweep-${Date.now().toString(36)}`;
  const rows: SweepRunRow[] = points.map((p, i) => {
    const o = outcomes[i];
    return {
      id: runDir(p.index, p.config),
      index: p.index,
      status: o.status,
      worker: o.worker,
      attempts: o.attempts,
      retries: Math.max(0, o.attempts - 1),
      config: p.config,
      headline: o.result ? headlineThreshold(o.result) ?? o.result.thresholds[0] ?? null : null,
      error: o.error,
      duration: o.duration,
    };
  });
  const results = new Map(
    rows.flatMap((r, i) => (outcomes[i].result ? [[r.id, outcomes[i].result!] as const] : [])),
  );
  const doc = sweepDocument(
    { id, name: spec.name ?? null, createdAt: started, spec, size: points.length },
    rows,
    results,
  );
  for (const [i, o] of outcomes.entries()) {
    if (!o.result) continue;
    await writeFiles(`${out}/runs/${rows[i].id}`, [
      ["result.json", () => JSON.stringify(o.result, null, 1)],
      ["curves.csv", () => curvesCsv(o.result!)],
      ["report.html", () => htmlReport(o.result!)],
    ]);
  }
  const wrote = await writeFiles(out, [
    ["sweep.json", () => JSON.stringify(doc, null, 1)],
    ["sweep.csv", () => sweepCsv(doc)],
    [
      "report.html",
      () => sweepReport(doc, (runId) => (results.has(runId) ? `runs/${runId}/report.html` : "#")),
    ],
  ]);
  say(`wrote ${wrote.join(", ")} and runs/`);
  if (json) console.log(JSON.stringify(doc));
  else {
    const done = outcomes.flatMap((o) => (o.result ? [o.result] : []));
    console.log(
      ["", done.length ? summaryTable(done) : "no run finished", "", ...doc.groups.map(groupLine)].join("\n"),
    );
  }
  return outcomes.every((o) => o.status === "done") ? 0 : 1;
}
