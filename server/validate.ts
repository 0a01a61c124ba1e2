/**
 * Validation of a submitted run, all of it before the run is stored: the config (the run specification's
 * schema), the dataset (a built-in, or a folder or table under the data root whose files are checked now with
 * the run's data options: label column, test table, test fraction, resize, classes), and the plan
 * (`planRun`: at least 3 batches, d at most the parameter count, a bounded model and memory). Every refusal is a
 * `ConfigError` or `DataError`, answered as 400 by the app's error handler.
 * @module
 */
import type { AnalysisConfig, DataConfig } from "../lib/config/types.ts";
import { DATA_KEYS } from "../lib/config/fields.ts";
import { planRun, type RunPlan } from "../lib/config/plan.ts";
import { resolveConfig } from "../lib/config/resolve.ts";
import { BUILTIN_DATASETS } from "../lib/config/choices.ts";
import { ConfigError } from "../lib/errors.ts";
import { probeDataset } from "../lib/data/load.ts";

/** What a submission is checked against. */
export interface SubmitLimits {
  /** Folder datasets must lie under this folder; null: built-in datasets only. */
  dataRoot: string | null;
  /** Runs estimated to need more memory than this are refused (bytes). */
  memoryLimitBytes: number;
  /** The worker count assumed for runs that leave it to the machine. */
  cores: number;
  /** Where decoded image folders are cached (a probe reads the shape from there when it can). */
  cacheDir?: string | null;
}

const BUILTINS = BUILTIN_DATASETS.map((b) => JSON.stringify(b)).join(", ");

/**
 * Checks a resolved config against its dataset's real shape and returns the run's plan.
 * @throws {ConfigError} naming the field, the value and the allowed range
 * @throws {DataError} naming the file when a folder dataset is malformed
 */
export async function checkRun(config: AnalysisConfig, limits: SubmitLimits): Promise<RunPlan> {
  const builtin = (BUILTIN_DATASETS as readonly string[]).includes(config.dataset);
  if (!builtin && !limits.dataRoot) {
    throw new ConfigError(
      "dataset",
      config.dataset,
      BUILTINS,
      "folder datasets need a data root (start the server with --data-root or KSTAR_DATA_ROOT)",
    );
  }
  const data: Partial<DataConfig> = Object.fromEntries(DATA_KEYS.map((k) => [k, config[k]]));
  const shape = await probeDataset(config.dataset, {
    ...data,
    seed: config.seed,
    dataRoot: limits.dataRoot ?? undefined,
    cacheDir: limits.cacheDir ?? undefined,
  });
  return planRun(config, shape, { memoryLimitBytes: limits.memoryLimitBytes, cores: limits.cores });
}

/** Resolves a config (stored, or from any client) and checks it: {@link checkRun} after `resolveConfig`. */
export async function validateRunConfig(body: unknown, limits: SubmitLimits): Promise<AnalysisConfig> {
  const config = resolveConfig(body as Record<string, unknown>);
  await checkRun(config, limits);
  return config;
}
