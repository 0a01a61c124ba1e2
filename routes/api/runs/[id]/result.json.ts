/**
 * `GET /api/runs/:id/result.json`: the result (schema `kstar.result/1`) as a download.
 * @module
 */
import type { Handlers } from "../../../../server/context.ts";
import { download } from "../../../../server/downloads.ts";

export const handler: Handlers = {
  GET: (c, ctx) =>
    download(c, ctx, {
      name: "result.json",
      type: "application/json; charset=utf-8",
      render: (r) => JSON.stringify(r, null, 2) + "\n",
    }),
};
