/**
 * `GET /api/config`: the run specification — every field of both modes with its default, range, unit, flag and
 * help (the same definitions the CLI and the validators use) — the built-in datasets and whether folder
 * datasets are accepted.
 * @module
 */
import { ANALYSIS_DEFAULTS, fieldInfos, ONLINE_DEFAULTS } from "../../lib/config/fields.ts";
import { BUILTIN_DATASETS } from "../../lib/config/choices.ts";
import type { Handlers } from "../../server/context.ts";

export const handler: Handlers = {
  GET: (c, ctx) =>
    c.json({
      fields: { analysis: fieldInfos("analysis"), online: fieldInfos("online") },
      defaults: { analysis: ANALYSIS_DEFAULTS, online: ONLINE_DEFAULTS },
      datasets: BUILTIN_DATASETS,
      folderDatasets: ctx.options.dataRoot !== null,
      maxBodyBytes: ctx.options.maxBodyBytes,
      memoryLimitBytes: ctx.options.memoryLimitBytes,
    }),
};
