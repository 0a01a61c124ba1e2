/**
 * A sweep: many analyses from one spec — a base config, a grid (`{ seed: [0, 1, 2], model: ["mlp:128", "cnn"] }`,
 * the product of its lists) and/or a list of points (each a partial config, e.g. the paper's six table rows) —
 * expanded into one resolved config per point. Every value is validated by the run specification
 * (`resolveConfig`), and an error names where the value was typed: `base.d`, `grid.seed[3]`, `points[2].model`.
 * A sweep has at most {@link MAX_SWEEP_POINTS} points.
 *
 * Browser-safe.
 * @module
 */
import { ConfigError } from "../errors.ts";
import { ANALYSIS_FIELDS } from "../config/fields.ts";
import { resolveConfig } from "../config/resolve.ts";
import { closest } from "../config/suggest.ts";
import type { AnalysisConfig } from "../config/types.ts";

/** The most points one sweep may have. */
export const MAX_SWEEP_POINTS = 256;

/** A sweep as submitted (`POST /api/sweeps`, `sweep.json`'s `spec`). */
export interface SweepSpec {
  /** A name for people (optional). */
  name?: string;
  /** The config every point starts from (default: the defaults). */
  base?: Record<string, unknown>;
  /** Lists of values per config field: the sweep runs every combination. */
  grid?: Record<string, unknown[]>;
  /** Explicit points (partial configs); with a grid, every point is crossed with every grid combination. */
  points?: Record<string, unknown>[];
}

/** One point of an expanded sweep. */
export interface SweepPoint {
  /** Its position in the sweep (0-based). */
  index: number;
  /** The fields this point sets beyond the base (from its point entry and the grid). */
  values: Record<string, unknown>;
  /** The resolved config of its run. */
  config: AnalysisConfig;
}

const SPEC_KEYS = ["name", "base", "grid", "points"];
const FIELD_KEYS = Object.keys(ANALYSIS_FIELDS);

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function checkFieldKey(where: string, key: string, value: unknown): void {
  if (FIELD_KEYS.includes(key)) return;
  const near = closest(key, FIELD_KEYS);
  throw new ConfigError(
    `${where}.${key}`,
    value,
    `a config field: ${FIELD_KEYS.join(", ")}`,
    near ? `did you mean ${near}?` : undefined,
  );
}

/** The number of points a spec expands to (before validating the values), or throws on its shape. */
function checkShape(spec: unknown): { spec: SweepSpec; size: number } {
  if (!isObject(spec)) throw new ConfigError("sweep", spec, "an object with base, grid and/or points");
  for (const k of Object.keys(spec)) {
    if (!SPEC_KEYS.includes(k)) {
      const near = closest(k, SPEC_KEYS);
      throw new ConfigError(
        k,
        spec[k],
        `a sweep key: ${SPEC_KEYS.join(", ")}`,
        near ? `did you mean ${near}?` : undefined,
      );
    }
  }
  if (spec.name !== undefined && (typeof spec.name !== "string" || spec.name.length > 200)) {
    throw new ConfigError("name", spec.name, "a text of at most 200 characters");
  }
  if (spec.base !== undefined && !isObject(spec.base)) {
    throw new ConfigError("base", spec.base, "an object of config fields");
  }
  let size = 1;
  if (spec.grid !== undefined) {
    if (!isObject(spec.grid)) throw new ConfigError("grid", spec.grid, "an object of field → list of values");
    for (const [k, list] of Object.entries(spec.grid)) {
      checkFieldKey("grid", k, list);
      if (!Array.isArray(list) || list.length === 0 || list.length > MAX_SWEEP_POINTS) {
        throw new ConfigError(`grid.${k}`, list, `a list of 1 to ${MAX_SWEEP_POINTS} values`);
      }
      size *= list.length;
    }
  }
  if (spec.points !== undefined) {
    if (!Array.isArray(spec.points) || spec.points.length === 0) {
      throw new ConfigError("points", spec.points, "a non-empty list of partial configs");
    }
    spec.points.forEach((p, i) => {
      if (!isObject(p)) throw new ConfigError(`points[${i}]`, p, "an object of config fields");
      for (const k of Object.keys(p)) checkFieldKey(`points[${i}]`, k, p[k]);
    });
    size *= spec.points.length;
  }
  if (size > MAX_SWEEP_POINTS) {
    throw new ConfigError(
      spec.points && spec.grid ? "points × grid" : spec.points ? "points" : "grid",
      size,
      `at most ${MAX_SWEEP_POINTS} points (the product of the grid's list lengths${
        spec.points ? ", times the number of points" : ""
      })`,
    );
  }
  return { spec: spec as SweepSpec, size };
}

/**
 * Expands a sweep spec into its points, each with a resolved config. Grid combinations vary the last list
 * fastest (`{ model: [a, b], seed: [0, 1] }` → a0, a1, b0, b1); points come before the grid.
 *
 * @throws {ConfigError} naming the value as typed: `base.d`, `grid.seed[3]`, `points[2].model`, or the size
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { expandSweep } from "./spec.ts";
 * const pts = expandSweep({ base: { limit: 512 }, grid: { model: ["mlp:128", "cnn"], seed: [0, 1] } });
 * assert.deepEqual(pts.map((p) => [p.config.model, p.config.seed]), [
 *   ["mlp:128", 0], ["mlp:128", 1], ["cnn", 0], ["cnn", 1],
 * ]);
 * assert.throws(() => expandSweep({ grid: { seed: [0, -1] } }), /grid\.seed\[1\]: got -1/);
 * ```
 */
export function expandSweep(input: unknown): SweepPoint[] {
  const { spec } = checkShape(input);
  const base = spec.base ?? {};
  const gridKeys = Object.keys(spec.grid ?? {});
  let combos: Record<string, unknown>[] = [{}];
  for (const k of gridKeys) combos = combos.flatMap((c) => spec.grid![k].map((v) => ({ ...c, [k]: v })));
  const points = spec.points ?? [{}];
  const out: SweepPoint[] = [];
  for (const point of points) {
    for (const combo of combos) {
      const values = { ...point, ...combo };
      let config: AnalysisConfig;
      try {
        config = resolveConfig({ ...base, ...values });
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        throw e.renamed(fieldOfPoint(spec, { index: out.length, values }, e.field));
      }
      out.push({ index: out.length, values, config });
    }
  }
  return out;
}

/**
 * Where a config error of a point came from, as typed in the spec (`grid.seed[3]`, `points[2].model`,
 * `base.d`); for errors found after expansion (the dataset, the plan).
 */
export function fieldOfPoint(
  input: SweepSpec,
  point: Pick<SweepPoint, "index" | "values">,
  key: string,
): string {
  const gridKeys = Object.keys(input.grid ?? {});
  if (gridKeys.includes(key)) {
    const i = input.grid![key].findIndex((v) => JSON.stringify(v) === JSON.stringify(point.values[key]));
    return `grid.${key}[${i}]`;
  }
  if (input.points) {
    const pi = Math.floor(point.index / Math.max(1, gridKeys.reduce((n, k) => n * input.grid![k].length, 1)));
    if (key in (input.points[pi] ?? {})) return `points[${pi}].${key}`;
  }
  return input.base && key in input.base ? `base.${key}` : key;
}
