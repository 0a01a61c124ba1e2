/**
 * `GET /api/runs/:id/report.html`: the self-contained HTML report (`?inline=1` to view it in the browser).
 * @module
 */
import { htmlReport } from "../../../../lib/report/html.tsx";
import type { Handlers } from "../../../../server/context.ts";
import { download } from "../../../../server/downloads.ts";

export const handler: Handlers = {
  GET: (c, ctx) =>
    download(c, ctx, { name: "report.html", type: "text/html; charset=utf-8", render: (r) => htmlReport(r) }),
};
