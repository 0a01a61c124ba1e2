/**
 * `GET /api/runs/:id/curves.csv`: the per-k curves as CSV.
 * @module
 */
import { curvesCsv } from "../../../../lib/report/csv.ts";
import type { Handlers } from "../../../../server/context.ts";
import { download } from "../../../../server/downloads.ts";

export const handler: Handlers = {
  GET: (c, ctx) =>
    download(c, ctx, { name: "curves.csv", type: "text/csv; charset=utf-8", render: (r) => curvesCsv(r) }),
};
