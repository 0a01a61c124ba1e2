/**
 * `GET /api/sweeps/:id/sweep.json`: the sweep document (`kstar.sweep/1`: spec, runs, groups across seeds, median
 * Δ_k per group) as a download (`?inline=1` to read it in place).
 * @module
 */
import type { Handlers } from "../../../../server/context.ts";
import { sweepDownload } from "../../../../server/downloads.ts";

export const handler: Handlers = {
  GET: (c, ctx) =>
    sweepDownload(c, ctx, {
      name: "sweep.json",
      type: "application/json; charset=utf-8",
      render: (doc) => JSON.stringify(doc, null, 1) + "\n",
    }),
};
