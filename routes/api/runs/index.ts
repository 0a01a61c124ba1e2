/**
 * `GET /api/runs`: the run list (newest first; `?status=done,failed`, `?limit=N`).
 * `POST /api/runs`: submits a run config (the CLI's fields and defaults) → 201 with the queued run; 400 naming
 * the field, value and allowed range (the config, its dataset and its plan are all checked first); 413, 415;
 * 429 when the queue is full.
 * @module
 */
import { zValidator } from "npm:@hono/zod-validator@0.9.1";
import { configErrorOf, inputSchema } from "../../../lib/config/resolve.ts";
import type { AnalysisConfig } from "../../../lib/config/types.ts";
import type { Handlers } from "../../../server/context.ts";
import { ApiError, requireJson } from "../../../server/http.ts";
import type { RunStatus } from "../../../server/types.ts";
import { checkRun } from "../../../server/validate.ts";

const STATUSES: RunStatus[] = ["queued", "running", "done", "failed", "cancelled", "interrupted"];

/** The body validator: the analysis schema; a failure becomes the ConfigError of its first issue. */
export const configValidator = zValidator("json", inputSchema("analysis"), async (result, c) => {
  if (!result.success) throw configErrorOf("analysis", await c.req.json(), result.error);
});

export const handler: Handlers = {
  async GET(c, ctx) {
    const status = c.req.query("status")?.split(",").filter((s) => s !== "");
    const bad = status?.find((s) => !STATUSES.includes(s as RunStatus));
    if (bad !== undefined) {
      throw new ApiError(400, {
        error: `unknown status "${bad}"`,
        field: "status",
        value: bad,
        allowed: STATUSES.join(", "),
      });
    }
    const limitRaw = c.req.query("limit");
    const limit = limitRaw === undefined ? undefined : Number(limitRaw);
    if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1 && limit <= 10_000)) {
      throw new ApiError(400, {
        error: "bad limit",
        field: "limit",
        value: limitRaw,
        allowed: "an integer in [1, 10000]",
      });
    }
    const runs = await ctx.store.list({ status: status as RunStatus[] | undefined, limit });
    return c.json({ runs, queue: await ctx.queue.stats() });
  },

  POST: {
    use: [requireJson, configValidator],
    async handle(c, ctx) {
      const config = (c.req.valid as (t: "json") => AnalysisConfig)("json");
      await checkRun(config, ctx.options);
      const id = await ctx.submit(config);
      return c.json(await ctx.store.get(id), 201, { Location: `/api/runs/${id}` });
    },
  },
};
