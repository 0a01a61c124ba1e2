/**
 * What a sweep found: its runs grouped by grid point across seeds (every config field but `seed` equal), with
 * each group's k*·B per run (and the per-run interval when the result has one), its median, and the median
 * smoothed empirical Δ_k over the group's finished runs. The sweep document (`sweep.json`) and its CSV are
 * built here, once, for the server's downloads and the CLI's files alike.
 *
 * Browser-safe.
 * @module
 */
import type { AnalysisConfig, AnalysisResult, Threshold } from "../analysis/types.ts";
import { csvRow } from "../report/csv.ts";
import { fmt, fmtInt } from "../present/format.ts";
import { datasetLabel } from "../present/labels.ts";
import type { SweepSpec } from "./spec.ts";

/** One run of a sweep as the summary sees it. */
export interface SweepRunRow {
  id: string;
  /** The point's index in the sweep. */
  index: number;
  /** `queued`, `running`, `done`, `failed`, `cancelled` or `interrupted`. */
  status: string;
  worker: string | null;
  attempts: number;
  /** How many times the run went back to the queue. */
  retries: number;
  config: AnalysisConfig;
  /** The headline threshold (smoothed empirical, first tolerance) once done. */
  headline: Threshold | null;
  error: string | null;
  /** Seconds from (last) start to finish. */
  duration: number | null;
}

/** A grid point across seeds: the runs whose configs differ at most in `seed`. */
export interface SweepGroup {
  /** The values that tell this group apart from the others (empty when the sweep varies only the seed). */
  values: Record<string, unknown>;
  /** A label for people: `MNIST · mlp:128 · d 5`. */
  label: string;
  /** Indices into the sweep's runs. */
  runs: number[];
  /** The runs' seeds, in the same order. */
  seeds: number[];
  /** k*·B of each run (null: not done, or not reached). */
  samples: (number | null)[];
  /** Each run's interval of k*·B, when its result has one. */
  intervals: ([number, number] | null)[];
  /** The median of the reached k*·B, or null. */
  medianSamples: number | null;
  /** How many of the runs are done. */
  done: number;
}

/** The median smoothed empirical Δ_k of a group, against |D| = k·B. */
export interface SweepDeltaMedian {
  label: string;
  /** |D| = k·B. */
  samples: number[];
  /** The median over the group's finished runs at each k (runs shorter than k are left out). */
  median: number[];
  /** Finished runs the median is taken over. */
  runs: number;
}

/** The sweep document: `sweep.json`. */
export interface SweepDocument {
  schema: "kstar.sweep/1";
  id: string;
  name: string | null;
  createdAt: string;
  spec: SweepSpec;
  size: number;
  /** Runs per status. */
  counts: Record<string, number>;
  runs: SweepRunRow[];
  groups: SweepGroup[];
  /** The median Δ_k per group (from the finished runs' results). */
  deltaMedians: SweepDeltaMedian[];
  /** The tolerance of the headline thresholds (the first run's), for the Δ_k figure. */
  tolerance: number | null;
}

function finiteNumber(v: unknown): v is number {
  return typeof v === "number" && Number.isFinite(v);
}

/**
 * The interval of k*·B a threshold carries, if any (the uncertainty fields: `interval` as `{ lower, upper }`,
 * `{ low, high }` or `[lower, upper]` in batches k, or `{ samples: [lower, upper] }`); null when absent.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { thresholdInterval } from "./summary.ts";
 * assert.deepEqual(thresholdInterval({ interval: { lower: 20, upper: 30 } }, 64), [1280, 1920]);
 * assert.equal(thresholdInterval({}, 64), null);
 * ```
 */
export function thresholdInterval(t: unknown, batchSize: number): [number, number] | null {
  const iv = (t as { interval?: unknown } | null)?.interval;
  if (iv === null || iv === undefined) return null;
  const pair = (a: unknown, b: unknown, scale: number): [number, number] | null =>
    finiteNumber(a) && finiteNumber(b) ? [Math.min(a, b) * scale, Math.max(a, b) * scale] : null;
  if (Array.isArray(iv)) return pair(iv[0], iv[1], batchSize);
  if (typeof iv !== "object") return null;
  const o = iv as Record<string, unknown>;
  if (Array.isArray(o.samples)) return pair(o.samples[0], o.samples[1], 1);
  return pair(o.lower ?? o.low ?? o.lo, o.upper ?? o.high ?? o.hi, batchSize);
}

/** The median of the finite values; null when none. */
export function median(values: readonly (number | null | undefined)[]): number | null {
  const v = values.filter(finiteNumber).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

function withoutSeed(c: AnalysisConfig): Record<string, unknown> {
  const { seed: _s, ...rest } = c;
  return rest;
}

function valueLabel(key: string, v: unknown): string {
  if (key === "dataset") return datasetLabel(String(v));
  if (key === "model") return String(v);
  const name = key === "sigma" ? "σ" : key === "batchSize" ? "B" : key === "mcDraws" ? "draws" : key;
  const text = typeof v === "number" ? fmt(v) : Array.isArray(v) ? v.join(",") : String(v);
  return `${name} ${text}`;
}

/**
 * The runs grouped by grid point across seeds, in order of first appearance; each group is labelled by the
 * fields in which the groups differ.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveConfig } from "../config/resolve.ts";
 * import { sweepGroups } from "./summary.ts";
 * const row = (index: number, model: string, seed: number, kStar: number) => ({
 *   id: `r${index}`, index, status: "done", worker: null, attempts: 1, retries: 0, error: null, duration: 1,
 *   config: resolveConfig({ model, seed, batchSize: 10 }),
 *   headline: { kStar, samples: kStar * 10 } as never,
 * });
 * const g = sweepGroups([row(0, "mlp:128", 0, 3), row(1, "mlp:128", 1, 5), row(2, "cnn", 0, 4)]);
 * assert.deepEqual(g.map((x) => [x.label, x.samples, x.medianSamples]), [
 *   ["mlp:128", [30, 50], 40],
 *   ["cnn", [40], 40],
 * ]);
 * ```
 */
export function sweepGroups(runs: readonly SweepRunRow[]): SweepGroup[] {
  const byKey = new Map<string, number[]>();
  const keyOf = runs.map((r) => JSON.stringify(withoutSeed(r.config)));
  runs.forEach((_, i) => {
    const list = byKey.get(keyOf[i]);
    if (list) list.push(i);
    else byKey.set(keyOf[i], [i]);
  });
  const configs = [...byKey.values()].map((ix) => withoutSeed(runs[ix[0]].config));
  const varying = configs.length > 1
    ? Object.keys(configs[0]).filter((k) =>
      configs.some((c) => JSON.stringify(c[k]) !== JSON.stringify(configs[0][k]))
    )
    : [];
  return [...byKey.values()].map((ix, g) => {
    const values = Object.fromEntries(varying.map((k) => [k, configs[g][k]]));
    const samples = ix.map((i) => runs[i].status === "done" ? runs[i].headline?.samples ?? null : null);
    return {
      values,
      label: varying.length ? varying.map((k) => valueLabel(k, values[k])).join(" · ") : "all runs",
      runs: ix,
      seeds: ix.map((i) => runs[i].config.seed),
      samples,
      intervals: ix.map((i) =>
        runs[i].status === "done" ? thresholdInterval(runs[i].headline, runs[i].config.batchSize) : null
      ),
      medianSamples: median(samples),
      done: ix.filter((i) => runs[i].status === "done").length,
    };
  });
}

/** The median smoothed empirical Δ_k of each group over its finished runs (`results` by run id). */
export function deltaMedians(
  runs: readonly SweepRunRow[],
  groups: readonly SweepGroup[],
  results: ReadonlyMap<string, Pick<AnalysisResult, "curves" | "config">>,
): SweepDeltaMedian[] {
  return groups.flatMap((g) => {
    const curves = g.runs.flatMap((i) => {
      const r = results.get(runs[i].id);
      const c = r?.curves.smoothed?.empirical ?? r?.curves.empirical;
      return r && c?.length ? [{ values: c, batchSize: r.config.batchSize }] : [];
    });
    if (curves.length === 0) return [];
    const n = Math.max(...curves.map((c) => c.values.length));
    const med = Array.from({ length: n }, (_, k) => median(curves.map((c) => c.values[k])) ?? NaN);
    const B = curves[0].batchSize;
    return [{ label: g.label, samples: med.map((_, k) => (k + 1) * B), median: med, runs: curves.length }];
  });
}

/** Builds the sweep document from its record, its runs and the results of its finished runs. */
export function sweepDocument(
  sweep: { id: string; name: string | null; createdAt: string; spec: SweepSpec; size: number },
  runs: readonly SweepRunRow[],
  results: ReadonlyMap<string, Pick<AnalysisResult, "curves" | "config">> = new Map(),
): SweepDocument {
  const groups = sweepGroups(runs);
  const counts: Record<string, number> = {};
  for (const r of runs) counts[r.status] = (counts[r.status] ?? 0) + 1;
  return {
    schema: "kstar.sweep/1",
    id: sweep.id,
    name: sweep.name,
    createdAt: sweep.createdAt,
    spec: sweep.spec,
    size: sweep.size,
    counts,
    runs: [...runs],
    groups,
    deltaMedians: deltaMedians(runs, groups, results),
    tolerance: runs.find((r) => r.headline)?.headline?.tolerance ?? null,
  };
}

/** The columns of {@link sweepCsv}. */
export const SWEEP_COLUMNS = [
  "index",
  "run_id",
  "status",
  "worker",
  "attempts",
  "group",
  "dataset",
  "model",
  "seed",
  "sigma",
  "d",
  "batch_size",
  "limit",
  "tolerance",
  "k_star",
  "samples",
  "samples_lower",
  "samples_upper",
  "predicted_samples",
  "duration_s",
  "error",
] as const;

/** The sweep as CSV: one row per run, with its group's label. */
export function sweepCsv(doc: SweepDocument): string {
  const groupOf = new Map<number, string>();
  for (const g of doc.groups) for (const i of g.runs) groupOf.set(i, g.label);
  const lines = [SWEEP_COLUMNS.join(",")];
  doc.runs.forEach((r, i) => {
    const h = r.status === "done" ? r.headline : null;
    const iv = h ? thresholdInterval(h, r.config.batchSize) : null;
    lines.push(csvRow([
      r.index,
      r.id,
      r.status,
      r.worker,
      r.attempts,
      groupOf.get(i),
      r.config.dataset,
      r.config.model,
      r.config.seed,
      r.config.sigma,
      r.config.d,
      r.config.batchSize,
      r.config.limit,
      h?.tolerance,
      h?.kStar,
      h?.samples,
      iv?.[0],
      iv?.[1],
      h?.predictedSamples,
      r.duration,
      r.error,
    ]));
  });
  return lines.join("\n") + "\n";
}

/** One line per group: `mlp:128: |D| median 1,536 over 3 of 3 runs (1,280–1,920)`. */
export function groupLine(g: SweepGroup): string {
  const reached = g.samples.filter(finiteNumber);
  const range = reached.length > 1
    ? ` (${fmtInt(Math.min(...reached))}–${fmtInt(Math.max(...reached))})`
    : "";
  return `${g.label}: |D| = k*·B median ${
    g.medianSamples === null ? "—" : fmtInt(g.medianSamples)
  } over ${reached.length} of ${g.runs.length} runs${range}`;
}
