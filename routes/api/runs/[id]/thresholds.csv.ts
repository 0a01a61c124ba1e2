/**
 * `GET /api/runs/:id/thresholds.csv`: every threshold (k*, |D|, prediction, interval over batch orders) as CSV.
 * @module
 */
import { thresholdsCsv } from "../../../../lib/report/csv.ts";
import type { Handlers } from "../../../../server/context.ts";
import { download } from "../../../../server/downloads.ts";

export const handler: Handlers = {
  GET: (c, ctx) =>
    download(c, ctx, {
      name: "thresholds.csv",
      type: "text/csv; charset=utf-8",
      render: (r) => thresholdsCsv(r),
    }),
};
