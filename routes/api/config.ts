/**
 * `GET /api/config`: the config defaults and bounds (the same as the CLI's), the built-in datasets and whether
 * folder datasets are accepted.
 * @module
 */
import { DEFAULT_CONFIG, LIMITS } from "../../lib/analysis/config.ts";
import { BACKENDS } from "../../lib/backend.ts";
import type { Handlers } from "../../server/context.ts";
import { BUILTIN_DATASETS } from "../../server/validate.ts";

export const handler: Handlers = {
  GET: (c, ctx) =>
    c.json({
      defaults: DEFAULT_CONFIG,
      limits: LIMITS,
      backends: BACKENDS,
      datasets: BUILTIN_DATASETS,
      folderDatasets: ctx.options.dataRoot !== null,
      maxBodyBytes: ctx.options.maxBodyBytes,
    }),
};
