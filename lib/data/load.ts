/**
 * One entry point for every dataset spec: a built-in name or a folder of IDX files
 * (uses `Deno.*` file APIs).
 * @module
 */

import { ConfigError } from "../errors.ts";
import type { Dataset } from "./dataset.ts";
import { BUILTIN_DATASETS, type BuiltinName, type BuiltinOptions, loadBuiltin } from "./builtin.ts";
import { loadIdxFolder } from "./idx_folder.ts";
import { basename, isAbsolute, isInside, resolvePath } from "./paths.ts";

/** Options of {@link loadDataset}. */
export interface LoadDatasetOptions extends BuiltinOptions {
  /**
   * When set, a folder spec is resolved against this folder and must lie inside it (after resolving
   * `..` and symbolic links); anything else is a {@link ConfigError} on field `dataset`.
   */
  dataRoot?: string;
}

const ALLOWED = `${BUILTIN_DATASETS.map((b) => JSON.stringify(b)).join(", ")}, or a path to a folder of ` +
  "MNIST-layout IDX files";
const ALLOWED_UNDER_ROOT = `${BUILTIN_DATASETS.map((b) => JSON.stringify(b)).join(", ")}, or a folder ` +
  "of MNIST-layout IDX files inside the data root";

async function realDir(path: string): Promise<string | undefined> {
  try {
    const real = await Deno.realPath(path);
    return (await Deno.stat(real)).isDirectory ? real : undefined;
  } catch {
    return undefined;
  }
}

function looksLikePath(spec: string): boolean {
  return isAbsolute(spec) || spec.includes("/") || spec.includes("\\") || spec.startsWith(".");
}

/**
 * Loads a dataset by spec: `"mnist"` or `"fashion-mnist"` (see {@link loadBuiltin}), or a folder of
 * MNIST-layout IDX files (see {@link loadIdxFolder}).
 *
 * A spec that is neither a built-in name nor a path-like string (containing a separator or starting
 * with `.`) is taken as a folder only if such a folder exists (under `dataRoot` when given).
 *
 * @param spec the dataset spec
 * @param opts cache options for built-ins; `dataRoot` to confine folder specs
 * @throws {ConfigError} (field `dataset`) for an unknown name, a missing folder, or a folder outside
 *   `dataRoot`; (field `dataRoot`) when `dataRoot` is not an existing folder
 * @throws {DataError} when a folder's files are missing or malformed
 *
 * @example
 * ```ts
 * import { loadDataset } from "./load.ts";
 * import { encodeIdxImages, encodeIdxLabels } from "./idx.ts";
 * // a tiny folder dataset: two 2×2 images per split
 * const dir = await Deno.makeTempDir();
 * for (const prefix of ["train", "t10k"]) {
 *   await Deno.writeFile(`${dir}/${prefix}-images-idx3-ubyte`, encodeIdxImages(new Uint8Array(8), 2, 2, 2));
 *   await Deno.writeFile(`${dir}/${prefix}-labels-idx1-ubyte`, encodeIdxLabels(new Uint8Array([0, 1])));
 * }
 * const ds = await loadDataset(dir);
 * console.log(ds.height, ds.width, ds.classes, ds.train.n); // 2 2 2 2
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function loadDataset(spec: string, opts: LoadDatasetOptions = {}): Promise<Dataset> {
  if (typeof spec !== "string" || spec.trim() === "") throw new ConfigError("dataset", spec, ALLOWED);
  if ((BUILTIN_DATASETS as readonly string[]).includes(spec)) return loadBuiltin(spec as BuiltinName, opts);

  if (opts.dataRoot !== undefined) {
    const root = await realDir(resolvePath(opts.dataRoot));
    if (!root) throw new ConfigError("dataRoot", opts.dataRoot, "an existing folder");
    const candidate = resolvePath(root, spec);
    if (!isInside(candidate, root)) {
      throw new ConfigError("dataset", spec, ALLOWED_UNDER_ROOT, "the path leads outside the data root");
    }
    const real = await realDir(candidate);
    if (!real) {
      const detail = looksLikePath(spec) ? "no such folder inside the data root" : "unknown name";
      throw new ConfigError("dataset", spec, ALLOWED_UNDER_ROOT, detail);
    }
    if (!isInside(real, root)) {
      throw new ConfigError(
        "dataset",
        spec,
        ALLOWED_UNDER_ROOT,
        "a symbolic link leads outside the data root",
      );
    }
    return { ...(await loadIdxFolder(real)), name: basename(candidate) };
  }

  const abs = resolvePath(spec);
  const real = await realDir(abs);
  if (!real) {
    throw new ConfigError(
      "dataset",
      spec,
      ALLOWED,
      looksLikePath(spec) ? `no such folder: ${abs}` : "unknown name",
    );
  }
  return { ...(await loadIdxFolder(real)), name: basename(abs) };
}
