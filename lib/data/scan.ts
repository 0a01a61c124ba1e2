/**
 * The datasets under a data root, for the dashboard's form and `GET /api/datasets` (uses `Deno.*` file APIs):
 * folders and tables found by the format rules of `load.ts`, each probed for its shape with the default data
 * options. The walk is bounded (depth, folders visited, datasets listed), skips names starting with `.`, does
 * not descend into a dataset, and does not list anything a symbolic link leads to outside the root.
 * @module
 */
import type { DatasetShape } from "../config/plan.ts";
import type { DatasetFormat } from "./dataset.ts";
import { formatOf, probeDataset } from "./load.ts";
import { hideRoot, relativeTo } from "./locate.ts";
import { naturalCompare } from "./natural.ts";
import { basename, isInside, joinPath, resolvePath } from "./paths.ts";
import { tableFormatOf } from "./table_file.ts";

/** A dataset found under the data root. */
export interface FoundDataset {
  /** The path relative to the data root (what `dataset` takes). */
  path: string;
  /** The detected format. */
  format: DatasetFormat;
  /** Its shape with the default data options, or null when probing it failed (see `error`). */
  shape: DatasetShape | null;
  /** Why probing failed (paths relative to the data root), or null. */
  error: string | null;
}

/** Bounds of {@link listDatasets}. */
export interface ListOptions {
  /** Folder levels below the root to look in (default 3). */
  maxDepth?: number;
  /** Folders to visit at most (default 500). */
  maxFolders?: number;
  /** Datasets to list at most (default 100). */
  maxDatasets?: number;
  /** Where decoded image folders are cached (their shape is read from there when it can be). */
  cacheDir?: string;
}

/** What {@link listDatasets} found. */
export interface DatasetList {
  /** The datasets found, in natural order of their paths. */
  datasets: FoundDataset[];
  /** True when a bound stopped the walk before it had seen everything. */
  truncated: boolean;
}

const memo = new Map<string, { at: number; value: FoundDataset }>();
const MEMO_MS = 60_000;

async function probe(
  rel: string,
  format: DatasetFormat,
  root: string,
  opts: ListOptions,
): Promise<FoundDataset> {
  const key = `${root}\0${rel}`;
  const hit = memo.get(key);
  if (hit && performance.now() - hit.at < MEMO_MS && hit.value.format === format) return hit.value;
  let value: FoundDataset;
  try {
    const shape = await probeDataset(rel, { dataRoot: root, cacheDir: opts.cacheDir });
    value = { path: rel, format, shape, error: null };
  } catch (e) {
    value = { path: rel, format, shape: null, error: hideRoot((e as Error).message, root) };
  }
  if (memo.size > 500) memo.clear();
  memo.set(key, { at: performance.now(), value });
  return value;
}

/**
 * Lists the datasets under `dataRoot` (see the module documentation).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { listDatasets } from "kstar";
 * const root = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${root}/pets.csv`, "w,h,kind\n" + "1,2,cat\n3,4,dog\n".repeat(5));
 * const { datasets } = await listDatasets(root);
 * assert.deepEqual(datasets.map((d) => [d.path, d.format, d.shape?.width]), [["pets.csv", "csv", 2]]);
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export async function listDatasets(dataRoot: string, opts: ListOptions = {}): Promise<DatasetList> {
  const maxDepth = opts.maxDepth ?? 3,
    maxFolders = opts.maxFolders ?? 500,
    maxDatasets = opts.maxDatasets ?? 100;
  const root = await Deno.realPath(resolvePath(dataRoot));
  const found: FoundDataset[] = [];
  let truncated = false;
  let visited = 0;
  const queue: { dir: string; depth: number }[] = [{ dir: root, depth: 0 }];
  while (queue.length) {
    const { dir, depth } = queue.shift()!;
    if (++visited > maxFolders) {
      truncated = true;
      break;
    }
    const names: Deno.DirEntry[] = [];
    try {
      for await (const e of Deno.readDir(dir)) if (!e.name.startsWith(".")) names.push(e);
    } catch {
      continue;
    }
    names.sort((a, b) => naturalCompare(a.name, b.name));
    for (const e of names) {
      if (found.length >= maxDatasets) {
        truncated = true;
        break;
      }
      const path = joinPath(dir, e.name);
      let real = path, isDir = e.isDirectory, isFile = e.isFile;
      if (e.isSymlink) {
        try {
          real = await Deno.realPath(path);
          const st = await Deno.stat(real);
          [isDir, isFile] = [st.isDirectory, st.isFile];
        } catch {
          continue;
        }
        if (!isInside(real, root)) continue;
      }
      const rel = relativeTo(path, root);
      if (isFile) {
        const format = tableFormatOf(e.name);
        if (format) found.push(await probe(rel, format, root, opts));
        continue;
      }
      if (!isDir) continue;
      let format: DatasetFormat | null = null;
      try {
        format = await formatOf(rel, { kind: "folder", path: real, name: basename(path), display: rel });
      } catch {
        format = null;
      }
      if (format) found.push(await probe(rel, format, root, opts));
      else if (depth + 1 < maxDepth) queue.push({ dir: path, depth: depth + 1 });
      else truncated = true;
    }
    if (found.length >= maxDatasets) break;
  }
  return { datasets: found.sort((a, b) => naturalCompare(a.path, b.path)), truncated };
}
