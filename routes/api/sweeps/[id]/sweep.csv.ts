/**
 * `GET /api/sweeps/:id/sweep.csv`: one row per run of the sweep (status, worker, config values, k*, |D| and its
 * interval when known) as CSV.
 * @module
 */
import { sweepCsv } from "../../../../lib/sweep/summary.ts";
import type { Handlers } from "../../../../server/context.ts";
import { sweepDownload } from "../../../../server/downloads.ts";

export const handler: Handlers = {
  GET: (c, ctx) =>
    sweepDownload(c, ctx, { name: "sweep.csv", type: "text/csv; charset=utf-8", render: sweepCsv }),
};
