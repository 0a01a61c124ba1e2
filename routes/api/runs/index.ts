/**
 * `GET /api/runs`: the run list (newest first; `?status=done,failed`, `?limit=N`).
 * `POST /api/runs`: submits a run config (the CLI's fields and defaults) → 201 with the queued run;
 * 400 naming the field, value and allowed range; 429 when the queue is full.
 * @module
 */
import type { Handlers } from "../../../server/context.ts";
import { apiError, knownError, readJson } from "../../../server/http.ts";
import type { RunStatus } from "../../../server/types.ts";
import { validateRunConfig } from "../../../server/validate.ts";

const STATUSES: RunStatus[] = ["queued", "running", "done", "failed", "cancelled", "interrupted"];

export const handler: Handlers = {
  async GET(c, ctx) {
    const status = c.req.query("status")?.split(",").filter((s) => s !== "");
    const bad = status?.find((s) => !STATUSES.includes(s as RunStatus));
    if (bad !== undefined) {
      return apiError(c, 400, {
        error: `unknown status "${bad}"`,
        field: "status",
        value: bad,
        allowed: STATUSES.join(", "),
      });
    }
    const limitRaw = c.req.query("limit");
    const limit = limitRaw === undefined ? undefined : Number(limitRaw);
    if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1 && limit <= 10_000)) {
      return apiError(c, 400, {
        error: "bad limit",
        field: "limit",
        value: limitRaw,
        allowed: "an integer in [1, 10000]",
      });
    }
    const runs = await ctx.store.list({ status: status as RunStatus[] | undefined, limit });
    return c.json({ runs, queue: await ctx.queue.stats() });
  },

  async POST(c, ctx) {
    const read = await readJson(c, ctx.options.maxBodyBytes);
    if (read instanceof Response) return read;
    try {
      const config = await validateRunConfig(read.body, ctx.options.dataRoot);
      const id = await ctx.submit(config);
      const run = await ctx.store.get(id);
      return c.json(run, 201, { Location: `/api/runs/${id}` });
    } catch (e) {
      return knownError(c, e);
    }
  },
};
