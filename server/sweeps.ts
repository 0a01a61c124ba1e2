/**
 * Sweeps on the server: a submitted sweep (a spec, or a preset over a base config) is expanded and every point
 * validated like a single run — config, dataset and plan — before anything is stored; then a sweep record and
 * one normal run per point are created and queued. The sweep's views (its runs with their status, the groups
 * across seeds, the sweep document) are built from the store.
 * @module
 */
import type { AnalysisResult } from "../lib/analysis/types.ts";
import { ConfigError } from "../lib/errors.ts";
import { presetSweep, SWEEP_PRESETS, type SweepPreset } from "../lib/sweep/presets.ts";
import { expandSweep, fieldOfPoint, type SweepSpec } from "../lib/sweep/spec.ts";
import { type SweepDocument, sweepDocument, type SweepRunRow } from "../lib/sweep/summary.ts";
import { newRunId } from "./ids.ts";
import type { AppContext } from "./context.ts";
import { cancelRun } from "./queue.ts";
import { isFinal, type RunSummary, type SweepRecord } from "./types.ts";
import { checkRun } from "./validate.ts";

/** The spec of a `POST /api/sweeps` body: a sweep spec, or `{ preset, base?, name? }`. */
export function sweepSpecOf(body: unknown): SweepSpec {
  if (body !== null && typeof body === "object" && !Array.isArray(body) && "preset" in body) {
    const { preset, base, name, ...rest } = body as Record<string, unknown>;
    const extra = Object.keys(rest)[0];
    if (extra !== undefined) {
      throw new ConfigError(extra, rest[extra], "with a preset: base and name only");
    }
    if (!(SWEEP_PRESETS as readonly unknown[]).includes(preset)) {
      throw new ConfigError("preset", preset, SWEEP_PRESETS.map((p) => JSON.stringify(p)).join(", "));
    }
    if (base !== undefined && (base === null || typeof base !== "object" || Array.isArray(base))) {
      throw new ConfigError("base", base, "an object of config fields");
    }
    for (const k of ["dataset", "model"]) {
      if (base && k in base) {
        throw new ConfigError(
          `base.${k}`,
          (base as Record<string, unknown>)[k],
          "no value with a preset",
          "the preset sets the dataset and model of each of its points",
        );
      }
    }
    const spec = presetSweep(preset as SweepPreset, (base ?? {}) as Record<string, unknown>);
    return name === undefined ? spec : { ...spec, name: name as string };
  }
  return body as SweepSpec;
}

/**
 * Validates a sweep and queues one run per point; returns the stored sweep.
 *
 * @throws {ConfigError} naming the value as typed (`grid.seed[3]`, `points[2].model`, `base.d`)
 * @throws {QueueFullError} when the queue has no room for all its runs
 */
export async function submitSweep(ctx: AppContext, body: unknown): Promise<SweepRecord> {
  const spec = sweepSpecOf(body);
  const points = expandSweep(spec);
  for (const p of points) {
    try {
      await checkRun(p.config, ctx.options);
    } catch (e) {
      if (e instanceof ConfigError) throw e.renamed(fieldOfPoint(spec, p, e.field));
      throw e;
    }
  }
  await ctx.queue.checkCapacity(points.length);
  const id = newRunId("sw-");
  const sweep = await ctx.store.createSweep({ id, name: spec.name ?? null, spec, size: points.length });
  const created: string[] = [];
  try {
    for (const p of points) {
      created.push(await ctx.submit(p.config, { sweepId: id, sweepIndex: p.index, force: true }));
    }
  } catch (e) {
    // All or nothing: the runs queued so far are cancelled and the sweep removed.
    for (const runId of created) await ctx.queue.cancel(runId).catch(() => null);
    await ctx.store.deleteSweep(id);
    throw e;
  }
  return sweep;
}

/** A stored run as a row of its sweep. */
export function sweepRow(r: RunSummary): SweepRunRow {
  return {
    id: r.id,
    index: r.sweepIndex ?? 0,
    status: r.status,
    worker: r.worker,
    attempts: r.attempts,
    retries: r.retries.length,
    config: r.config,
    headline: r.headline,
    error: r.error ? r.error.message : null,
    duration: r.duration,
  };
}

/** A sweep with its runs as `GET /api/sweeps/:id` answers. */
export interface SweepDetail extends SweepRecord {
  runs: RunSummary[];
  /** The sweep document without the Δ_k medians (no results are read). */
  summary: Omit<SweepDocument, "deltaMedians">;
  /** True once every run has ended. */
  finished: boolean;
}

/** The sweep, its runs and their summary; null when there is no such sweep. */
export async function sweepDetail(ctx: AppContext, id: string): Promise<SweepDetail | null> {
  const sweep = await ctx.store.getSweep(id);
  if (!sweep) return null;
  const runs = await ctx.store.sweepRuns(id);
  const { deltaMedians: _d, ...summary } = sweepDocument(
    { ...sweep, spec: sweep.spec as SweepSpec },
    runs.map(sweepRow),
  );
  return { ...sweep, runs, summary, finished: runs.every((r) => isFinal(r.status)) };
}

/** The sweep document (`sweep.json`) with the Δ_k medians of its finished runs; null when there is none. */
export async function sweepDocumentOf(ctx: AppContext, id: string): Promise<SweepDocument | null> {
  const sweep = await ctx.store.getSweep(id);
  if (!sweep) return null;
  const runs = await ctx.store.sweepRuns(id);
  const results = new Map<string, AnalysisResult>();
  for (const r of runs) {
    if (r.status !== "done") continue;
    const res = await ctx.store.getResult(r.id);
    if (res) results.set(r.id, res);
  }
  return sweepDocument({ ...sweep, spec: sweep.spec as SweepSpec }, runs.map(sweepRow), results);
}

/** Cancels every run of a sweep (its `runs`, as {@link sweepDetail} read them) that has not ended; returns how many. */
export async function cancelSweep(ctx: AppContext, runs: readonly RunSummary[]): Promise<number> {
  let n = 0;
  for (const r of runs) {
    if (isFinal(r.status)) continue;
    if (await cancelRun(ctx, r.id)) n++;
  }
  return n;
}
