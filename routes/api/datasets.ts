/**
 * `GET /api/datasets`: the datasets found under the server's data root — each folder or table with its
 * detected format and its shape with the default data options (or why it could not be probed) — for the
 * dashboard's dataset select; the built-in datasets first. Without a data root only the built-ins are listed.
 * The walk is bounded and never leaves the data root (see `lib/data/scan.ts`).
 * @module
 */
import { BUILTIN_DATASETS } from "../../lib/config/choices.ts";
import { BUILTIN_SHAPES } from "../../lib/data/builtin.ts";
import { listDatasets } from "../../lib/data/scan.ts";
import type { DatasetShape } from "../../lib/config/plan.ts";
import type { DatasetFormat } from "../../lib/data/dataset.ts";
import type { AppContext, Handlers } from "../../server/context.ts";

/** One entry of the list. */
export interface DatasetEntry {
  /** What the `dataset` field takes: a built-in name, or the path relative to the data root. */
  dataset: string;
  format: DatasetFormat;
  shape: DatasetShape | null;
  error: string | null;
}

/** The built-ins and what the data root holds. */
export async function datasetEntries(
  ctx: AppContext,
): Promise<{ datasets: DatasetEntry[]; truncated: boolean }> {
  const builtins: DatasetEntry[] = BUILTIN_DATASETS.map((name) => ({
    dataset: name,
    format: "builtin",
    shape: { ...BUILTIN_SHAPES[name], format: "builtin", kind: "images" },
    error: null,
  }));
  const root = ctx.options.dataRoot;
  if (root === null) return { datasets: builtins, truncated: false };
  const found = await listDatasets(root, { cacheDir: ctx.options.cacheDir ?? undefined });
  return {
    datasets: [
      ...builtins,
      ...found.datasets.map((d) => ({ dataset: d.path, format: d.format, shape: d.shape, error: d.error })),
    ],
    truncated: found.truncated,
  };
}

export const handler: Handlers = {
  GET: async (c, ctx) => {
    const { datasets, truncated } = await datasetEntries(ctx);
    return c.json({ dataRoot: ctx.options.dataRoot !== null, datasets, truncated });
  },
};
