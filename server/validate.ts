/**
 * Validation of a submitted run config: the library's field checks (defaults, types, bounds) plus the
 * server's rule that a folder dataset must lie under the configured data root.
 * @module
 */
import { resolveConfig } from "../lib/analysis/config.ts";
import type { AnalysisConfig } from "../lib/analysis/types.ts";
import { isInside, resolvePath } from "../lib/data/paths.ts";
import { ConfigError } from "../lib/errors.ts";
import { modelLayout } from "../lib/models/layout.ts";
import { parseModelSpec } from "../lib/models/spec.ts";

/** The datasets that need no folder. */
export const BUILTIN_DATASETS = ["mnist", "fashion-mnist"] as const;

const BUILTINS = BUILTIN_DATASETS.map((b) => JSON.stringify(b)).join(", ");

async function realDir(path: string): Promise<string | null> {
  try {
    const real = await Deno.realPath(path);
    return (await Deno.stat(real)).isDirectory ? real : null;
  } catch {
    return null;
  }
}

/**
 * Checks that a dataset spec is a built-in name or a folder inside `dataRoot` (after resolving `..` and
 * symbolic links). Relative specs are taken relative to the data root, as the analysis does.
 * @throws {ConfigError} on field `dataset`
 */
export async function checkDataset(spec: string, dataRoot: string | null): Promise<void> {
  if ((BUILTIN_DATASETS as readonly string[]).includes(spec)) return;
  if (spec.length > 4096 || spec.includes("\0")) {
    throw new ConfigError("dataset", spec, `${BUILTINS}, or a folder inside the data root`);
  }
  if (!dataRoot) {
    throw new ConfigError(
      "dataset",
      spec,
      BUILTINS,
      "folder datasets need a data root (start the server with --data-root or KSTAR_DATA_ROOT)",
    );
  }
  const allowed = `${BUILTINS}, or a folder of IDX files inside the data root`;
  const root = await realDir(resolvePath(dataRoot));
  if (!root) throw new ConfigError("dataset", spec, allowed, "the data root is not an existing folder");
  const candidate = resolvePath(root, spec);
  if (!isInside(candidate, root)) {
    throw new ConfigError("dataset", spec, allowed, "the path leads outside the data root");
  }
  const real = await realDir(candidate);
  if (!real) throw new ConfigError("dataset", spec, allowed, "no such folder inside the data root");
  if (!isInside(real, root)) {
    throw new ConfigError("dataset", spec, allowed, "a symbolic link leads outside the data root");
  }
}

/** The shape of the built-in datasets' training splits. */
const BUILTIN_SHAPE = { height: 28, width: 28, classes: 10, train: 60_000 };

/**
 * For a built-in dataset, the checks the analysis would otherwise make only after the run has started: at
 * least 3 batches of B samples, and d at most the model's parameter count.
 * @throws {ConfigError}
 */
export function checkBuiltinSizes(c: AnalysisConfig): void {
  if (!(BUILTIN_DATASETS as readonly string[]).includes(c.dataset)) return;
  const n = Math.min(c.limit ?? BUILTIN_SHAPE.train, BUILTIN_SHAPE.train);
  if (c.batchSize > Math.floor(n / 3)) {
    throw new ConfigError(
      "batchSize",
      c.batchSize,
      `an integer in [1, ${Math.floor(n / 3)}] so that the ${n} samples make at least 3 batches`,
    );
  }
  const size =
    modelLayout(parseModelSpec(c.model), BUILTIN_SHAPE.height, BUILTIN_SHAPE.width, BUILTIN_SHAPE.classes)
      .size;
  if (c.d > size) throw new ConfigError("d", c.d, `an integer in [1, ${size}] (the parameter count)`);
}

/** Resolves and validates a submitted config. @throws {ConfigError} naming the field, value and range */
export async function validateRunConfig(body: unknown, dataRoot: string | null): Promise<AnalysisConfig> {
  const config = resolveConfig(body as Record<string, unknown>);
  await checkDataset(config.dataset, dataRoot);
  checkBuiltinSizes(config);
  return config;
}
