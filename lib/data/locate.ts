/**
 * Where a dataset spec points: a built-in name, or a folder or file on disk — resolved once, with the data-root
 * containment rules every caller shares (the CLI's `--data-root`, the server's submit-time checks, the run
 * processes): inside the root after resolving `..` and symbolic links, and nothing that escapes it.
 * Uses `Deno.*` file APIs (loaded only by the file loaders).
 * @module
 */
import { BUILTIN_DATASETS, type BuiltinName } from "../config/choices.ts";
import { ConfigError, DataError } from "../errors.ts";
import { basename, isAbsolute, isInside, resolvePath } from "./paths.ts";

/** A located dataset. */
export type DatasetLocation =
  | { kind: "builtin"; name: BuiltinName }
  | {
    kind: "folder" | "file";
    /** The real absolute path (symbolic links resolved). */
    path: string;
    /** The dataset's name: the folder's or file's last segment. */
    name: string;
    /** The path as the user should see it: relative to the data root when there is one. */
    display: string;
  };

/** A located folder or file. */
export type PathLocation = Exclude<DatasetLocation, { kind: "builtin" }>;

const BUILTINS = BUILTIN_DATASETS.map((b) => JSON.stringify(b)).join(", ");
/** The allowed values of `dataset`, in words. */
export const DATASET_ALLOWED = `${BUILTINS}, or a path to a dataset folder or a .csv/.tsv table`;
const ALLOWED_UNDER_ROOT = `${BUILTINS}, or a dataset folder or .csv/.tsv table inside the data root`;
/** The allowed values of `testData`, in words. */
export const TEST_DATA_ALLOWED = "a path to a .csv or .tsv table";
const TEST_ALLOWED_UNDER_ROOT = "a .csv or .tsv table inside the data root";

async function stat(path: string): Promise<{ real: string; info: Deno.FileInfo } | undefined> {
  try {
    const real = await Deno.realPath(path);
    return { real, info: await Deno.stat(real) };
  } catch {
    return undefined;
  }
}

function looksLikePath(spec: string): boolean {
  return isAbsolute(spec) || spec.includes("/") || spec.includes("\\") || spec.startsWith(".");
}

/** The part of `path` below `root` (`""` for the root itself). */
export function relativeTo(path: string, root: string): string {
  if (path === root) return ".";
  const sep = root.endsWith("/") || root.endsWith("\\")
    ? ""
    : root.includes("\\") && !root.includes("/")
    ? "\\"
    : "/";
  return path.startsWith(root + sep) ? path.slice(root.length + sep.length) : path;
}

/**
 * A message with the data root's absolute path replaced by paths relative to it (what a server shows its
 * clients: their datasets, never its own folders).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hideRoot } from "kstar";
 * assert.equal(hideRoot("/srv/data/a/x.idx: truncated", "/srv/data"), "a/x.idx: truncated");
 * assert.equal(hideRoot("/srv/data is empty", "/srv/data"), "the data root is empty");
 * ```
 */
export function hideRoot(message: string, dataRoot: string | null | undefined): string {
  if (!dataRoot) return message;
  const root = dataRoot.replace(/[\\/]+$/, "");
  return message.replaceAll(`${root}/`, "").replaceAll(`${root}\\`, "").replaceAll(root, "the data root");
}

/**
 * Locates a dataset spec. A spec that is neither a built-in name nor path-like (containing a separator or
 * starting with `.`) is taken as a path only if something exists there.
 *
 * @param spec the `dataset` field
 * @param dataRoot when set, a path resolves against it and must lie inside it (after `..` and symbolic links)
 * @throws {ConfigError} on `dataset` (unknown name, nothing there, outside the root) or `dataRoot`
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { locateDataset } from "kstar";
 * assert.deepEqual(await locateDataset("mnist"), { kind: "builtin", name: "mnist" });
 * const root = await Deno.makeTempDir();
 * await Deno.mkdir(`${root}/inner`);
 * const loc = await locateDataset("inner", root);
 * assert.deepEqual([loc.kind, "display" in loc && loc.display], ["folder", "inner"]);
 * await assert.rejects(locateDataset("../etc", root), /outside the data root/);
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export async function locateDataset(
  spec: string,
  dataRoot?: string | null,
  field: "dataset" | "testData" = "dataset",
): Promise<DatasetLocation> {
  const DATASET_ALLOWED_HERE = field === "dataset" ? DATASET_ALLOWED : TEST_DATA_ALLOWED;
  const ALLOWED_UNDER_ROOT_HERE = field === "dataset" ? ALLOWED_UNDER_ROOT : TEST_ALLOWED_UNDER_ROOT;
  if (typeof spec !== "string" || spec.trim() === "") {
    throw new ConfigError(field, spec, DATASET_ALLOWED_HERE);
  }
  if (field === "dataset" && (BUILTIN_DATASETS as readonly string[]).includes(spec)) {
    return { kind: "builtin", name: spec as BuiltinName };
  }
  if (dataRoot) {
    const rootStat = await stat(resolvePath(dataRoot));
    if (!rootStat?.info.isDirectory) throw new ConfigError("dataRoot", dataRoot, "an existing folder");
    const root = rootStat.real;
    const candidate = resolvePath(root, spec);
    if (!isInside(candidate, root)) {
      throw new ConfigError(field, spec, ALLOWED_UNDER_ROOT_HERE, "the path leads outside the data root");
    }
    const found = await stat(candidate);
    if (!found) {
      throw new ConfigError(
        field,
        spec,
        ALLOWED_UNDER_ROOT_HERE,
        looksLikePath(spec) ? "nothing of that name inside the data root" : "unknown name",
      );
    }
    if (!isInside(found.real, root)) {
      throw new ConfigError(
        field,
        spec,
        ALLOWED_UNDER_ROOT_HERE,
        "a symbolic link leads outside the data root",
      );
    }
    return {
      kind: found.info.isDirectory ? "folder" : "file",
      path: found.real,
      name: basename(candidate),
      display: relativeTo(candidate, root),
    };
  }
  const abs = resolvePath(spec);
  const found = await stat(abs);
  if (!found) {
    throw new ConfigError(
      field,
      spec,
      DATASET_ALLOWED_HERE,
      looksLikePath(spec) ? `nothing at ${abs}` : "unknown name",
    );
  }
  return {
    kind: found.info.isDirectory ? "folder" : "file",
    path: found.real,
    name: basename(abs),
    display: spec,
  };
}

/**
 * Checks that a file inside a dataset folder does not lead outside the data root through a symbolic link.
 *
 * @throws {DataError} naming the file when it does
 */
export async function checkInsideRoot(path: string, dataRoot: string | null | undefined): Promise<void> {
  if (!dataRoot) return;
  let real: string, root: string;
  try {
    [real, root] = [await Deno.realPath(path), await Deno.realPath(resolvePath(dataRoot))];
  } catch {
    return; // a missing file is the reader's to report
  }
  if (!isInside(real, root)) {
    throw new DataError(path, "is a symbolic link that leads outside the data root; it is not read");
  }
}
