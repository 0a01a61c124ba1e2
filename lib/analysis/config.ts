/**
 * Analysis configuration: defaults and validation. Every bad value is a {@link ConfigError} naming the field
 * and the allowed range; the same bounds serve the CLI, the library and the server.
 * @module
 */
import { BACKENDS } from "../backend.ts";
import { checkChoice, checkInt, checkNumber, ConfigError } from "../errors.ts";
import { parseModelSpec } from "../models/spec.ts";
import type { AnalysisConfig } from "./types.ts";

/** The defaults: the paper's setting on MNIST with the default MLP. */
export const DEFAULT_CONFIG: AnalysisConfig = {
  dataset: "mnist",
  model: "mlp:128,64",
  limit: null,
  batchSize: 64,
  d: 10,
  samples: 64,
  sigma: 1,
  tolerances: null,
  epochs: 3,
  learningRate: 2e-3,
  trainBatchSize: 128,
  seed: 0,
  backend: "auto",
  workers: null,
  lanczosTol: 1e-3,
  eigenMode: "projected",
  exactEvery: 50,
};

/** Upper bounds on every numeric field (the server enforces the same). */
export const LIMITS = {
  limit: 10_000_000,
  batchSize: 65_536,
  d: 100,
  samples: 4096,
  sigma: 1e3,
  tolerance: 1e6,
  tolerances: 16,
  epochs: 1000,
  learningRate: 10,
  trainBatchSize: 65_536,
  seed: 2 ** 31 - 1,
  workers: 64,
  exactEvery: 1_000_000,
} as const;

/**
 * The default tolerance of a dataset (the paper's: 0.03 for Fashion-MNIST, 0.025 otherwise).
 *
 * @example
 * ```ts
 * import { defaultTolerance } from "./config.ts";
 * console.log(defaultTolerance("fashion-mnist"), defaultTolerance("mnist")); // 0.03 0.025
 * ```
 */
export function defaultTolerance(dataset: string): number {
  return dataset === "fashion-mnist" ? 0.03 : 0.025;
}

const KEYS = new Set(Object.keys(DEFAULT_CONFIG));

/**
 * Fills defaults into a partial config and validates every field. Unknown fields are an error (a typo should
 * not silently fall back to a default).
 *
 * @throws {ConfigError} naming the first field that is unknown or out of range
 *
 * @example
 * ```ts
 * import { resolveConfig } from "./config.ts";
 * const c = resolveConfig({ dataset: "fashion-mnist", d: 5 });
 * console.log(c.d, c.batchSize, c.model); // 5 64 "mlp:128,64"
 * try {
 *   resolveConfig({ batchSize: 0 });
 * } catch (e) {
 *   console.log((e as Error).message); // "batchSize: got 0; allowed: an integer in [1, 65536]"
 * }
 * ```
 */
export function resolveConfig(input: Partial<AnalysisConfig> | Record<string, unknown> = {}): AnalysisConfig {
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    throw new ConfigError("config", input, "an object of analysis settings");
  }
  for (const k of Object.keys(input)) {
    if (!KEYS.has(k)) {
      throw new ConfigError(
        k,
        (input as Record<string, unknown>)[k],
        `a known field: ${[...KEYS].join(", ")}`,
      );
    }
  }
  const c = { ...DEFAULT_CONFIG, ...(input as Partial<AnalysisConfig>) };
  if (typeof c.dataset !== "string" || c.dataset.trim() === "") {
    throw new ConfigError("dataset", c.dataset, '"mnist", "fashion-mnist" or a folder of IDX files');
  }
  if (typeof c.model !== "string") {
    throw new ConfigError("model", c.model, 'a model string such as "mlp:128,64"');
  }
  parseModelSpec(c.model);
  if (c.limit !== null) checkInt("limit", c.limit, 1, LIMITS.limit);
  checkInt("batchSize", c.batchSize, 1, LIMITS.batchSize);
  checkInt("d", c.d, 1, LIMITS.d);
  checkInt("samples", c.samples, 2, LIMITS.samples);
  checkNumber("sigma", c.sigma, 0, LIMITS.sigma, true);
  if (c.tolerances !== null) {
    if (!Array.isArray(c.tolerances) || c.tolerances.length < 1 || c.tolerances.length > LIMITS.tolerances) {
      throw new ConfigError(
        "tolerances",
        c.tolerances,
        `a list of 1 to ${LIMITS.tolerances} numbers in (0, ${LIMITS.tolerance}]`,
      );
    }
    c.tolerances.forEach((t) => checkNumber("tolerances", t, 0, LIMITS.tolerance, true));
  }
  checkInt("epochs", c.epochs, 1, LIMITS.epochs);
  checkNumber("learningRate", c.learningRate, 0, LIMITS.learningRate, true);
  checkInt("trainBatchSize", c.trainBatchSize, 1, LIMITS.trainBatchSize);
  checkInt("seed", c.seed, 0, LIMITS.seed);
  checkChoice("backend", c.backend, BACKENDS);
  if (c.workers !== null) checkInt("workers", c.workers, 0, LIMITS.workers);
  checkNumber("lanczosTol", c.lanczosTol, 0, 0.5, true);
  checkChoice("eigenMode", c.eigenMode, ["projected", "exact"] as const);
  checkInt("exactEvery", c.exactEvery, 1, LIMITS.exactEvery);
  return c;
}

/**
 * The tolerances a run uses: the configured ones, or the dataset's default.
 *
 * @example
 * ```ts
 * import { resolveConfig, tolerancesOf } from "./config.ts";
 * console.log(tolerancesOf(resolveConfig({ dataset: "fashion-mnist" }))); // [0.03]
 * console.log(tolerancesOf(resolveConfig({ tolerances: [0.1, 0.01] }))); // [0.1, 0.01]
 * ```
 */
export function tolerancesOf(c: AnalysisConfig): number[] {
  return c.tolerances ?? [defaultTolerance(c.dataset)];
}
