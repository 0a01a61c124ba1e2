/**
 * Resolving a partial config into a full one: defaults filled in, every field validated by the zod schema of
 * `fields.ts`, the first problem reported as a {@link ConfigError} naming the field, the value and the allowed
 * range. Configs stored by earlier versions (result schema 1) are read through {@link upgradeConfig}.
 *
 * Browser-safe.
 * @module
 */
import { z } from "npm:zod@4.6.7";
import { ConfigError } from "../errors.ts";
import { type Field, fieldsOf, objectSchema, type RunMode } from "./fields.ts";
import { closest } from "./suggest.ts";
import type { AnalysisConfig, OnlineConfig } from "./types.ts";

const SCHEMAS: Record<RunMode, z.ZodObject> = {
  analysis: objectSchema("analysis"),
  online: objectSchema("online"),
};

/** Keys renamed since result schema 1: the old name → the new one. */
export const RENAMED_FIELDS: Readonly<Record<string, string>> = { samples: "mcDraws" };

/**
 * A config as earlier versions stored or accepted it, with renamed fields under their current names
 * (`samples` → `mcDraws`). Other fields are left for validation.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { upgradeConfig } from "kstar";
 * assert.deepEqual(upgradeConfig({ samples: 16, d: 3 }), { mcDraws: 16, d: 3 });
 * ```
 */
export function upgradeConfig(input: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input)) {
    const renamed = RENAMED_FIELDS[k];
    if (renamed === undefined) out[k] = v;
    else if (renamed in input) {
      throw new ConfigError(
        k,
        v,
        `one of ${k} and ${renamed}, not both`,
        `${k} is the earlier name of ${renamed}`,
      );
    } else out[renamed] = v;
  }
  return out;
}

/** The {@link ConfigError} for the first issue zod found in `input`. */
export function issueToError(
  issue: z.core.$ZodIssue,
  input: Record<string, unknown>,
  mode: RunMode,
): ConfigError {
  const fields = fieldsOf(mode);
  if (issue.code === "unrecognized_keys") {
    const key = issue.keys[0];
    const near = closest(key, fields.map((f) => f.key));
    return new ConfigError(
      key,
      input[key],
      `a known field: ${fields.map((f) => f.key).join(", ")}`,
      near ? `did you mean ${near}?` : undefined,
    );
  }
  const key = String(issue.path[0] ?? "config");
  const field: Field | undefined = fields.find((f) => f.key === key);
  // An entry of a list is reported as that entry (`tolerances: got -0.2`), the rest as the field's value.
  let value = input[key];
  if (issue.path.length > 1 && Array.isArray(value)) value = value[Number(issue.path[1])];
  return new ConfigError(key, value, field?.allowed ?? issue.message);
}

function checkObject(mode: RunMode, input: unknown): Record<string, unknown> {
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    throw new ConfigError("config", input, `an object of ${mode} settings`);
  }
  return upgradeConfig(input as Record<string, unknown>);
}

function resolve(mode: RunMode, input: unknown): Record<string, unknown> {
  const upgraded = checkObject(mode, input);
  const r = SCHEMAS[mode].safeParse(upgraded);
  if (!r.success) throw issueToError(r.error.issues[0], upgraded, mode);
  return r.data;
}

/**
 * The zod schema of a mode's input as the API receives it (for `@hono/zod-validator`): renamed fields are
 * accepted under their old names; pair a failure with {@link configErrorOf} to report it as a ConfigError.
 */
export function inputSchema(mode: RunMode): z.ZodType {
  return z.preprocess(
    (
      v,
    ) => (v !== null && typeof v === "object" && !Array.isArray(v)
      ? upgradeConfig(v as Record<string, unknown>)
      : v),
    SCHEMAS[mode],
  );
}

/** The ConfigError of a failed {@link inputSchema} validation of `input`. */
export function configErrorOf(
  mode: RunMode,
  input: unknown,
  error: { issues: readonly z.core.$ZodIssue[] },
): ConfigError {
  const upgraded = checkObject(mode, input);
  return issueToError(error.issues[0], upgraded, mode);
}

/**
 * Fills defaults into a partial analysis config and validates every field. Unknown fields are an error (a
 * typo should not silently fall back to a default).
 *
 * @throws {ConfigError} naming the first field that is unknown or out of range
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConfigError, resolveConfig } from "kstar";
 * const c = resolveConfig({ dataset: "fashion-mnist", d: 5 });
 * assert.deepEqual([c.d, c.batchSize, c.model], [5, 64, "mlp:128,64"]);
 * assert.throws(
 *   () => resolveConfig({ batchSize: 0 }),
 *   new ConfigError("batchSize", 0, "an integer in [1, 65536]"),
 * );
 * ```
 */
export function resolveConfig(input: Partial<AnalysisConfig> | Record<string, unknown> = {}): AnalysisConfig {
  return resolve("analysis", input) as unknown as AnalysisConfig;
}

/**
 * Fills defaults into a partial online config (Algorithm 1) and validates every field.
 *
 * @throws {ConfigError} naming the first field that is unknown or out of range
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveOnlineConfig } from "kstar";
 * const c = resolveOnlineConfig({ patience: 5 });
 * assert.deepEqual([c.patience, c.criterion, c.stepsPerBatch, c.lanczosTol], [5, "theory", 50, 0.01]);
 * ```
 */
export function resolveOnlineConfig(
  input: Partial<OnlineConfig> | Record<string, unknown> = {},
): OnlineConfig {
  return resolve("online", input) as unknown as OnlineConfig;
}

/**
 * The default tolerance of a dataset: the paper's 0.03 for Fashion-MNIST, 0.025 otherwise.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { defaultTolerance } from "kstar";
 * assert.deepEqual([defaultTolerance("fashion-mnist"), defaultTolerance("mnist")], [0.03, 0.025]);
 * ```
 */
export function defaultTolerance(dataset: string): number {
  return dataset === "fashion-mnist" ? 0.03 : 0.025;
}

/**
 * The tolerances a run uses: the configured ones, or the dataset's default.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveConfig, tolerancesOf } from "kstar";
 * assert.deepEqual(tolerancesOf(resolveConfig({ dataset: "fashion-mnist" })), [0.03]);
 * assert.deepEqual(tolerancesOf(resolveConfig({ tolerances: [0.1, 0.01] })), [0.1, 0.01]);
 * ```
 */
export function tolerancesOf(c: Pick<AnalysisConfig, "tolerances" | "dataset">): number[] {
  return c.tolerances ?? [defaultTolerance(c.dataset)];
}
