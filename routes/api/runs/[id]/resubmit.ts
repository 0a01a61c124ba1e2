/**
 * `POST /api/runs/:id/resubmit`: queues a new run with the config of a run that has ended (typically an
 * interrupted, failed or cancelled one) → 201 with the new run (its `resubmittedFrom` names the old one).
 * @module
 */
import type { Handlers } from "../../../../server/context.ts";
import { apiError } from "../../../../server/http.ts";
import { isFinal } from "../../../../server/types.ts";
import { validateRunConfig } from "../../../../server/validate.ts";

export const handler: Handlers = {
  async POST(c, ctx) {
    const id = c.req.param("id")!;
    const run = await ctx.store.get(id);
    if (!run) return apiError(c, 404, { error: `no run "${id}"` });
    if (!isFinal(run.status)) {
      return apiError(c, 409, {
        error: `run "${id}" is ${run.status}; only a run that has ended can be resubmitted`,
      });
    }
    const config = await validateRunConfig(run.config, ctx.options);
    const newId = await ctx.submit(config, { resubmittedFrom: id });
    return c.json(await ctx.store.get(newId), 201, { Location: `/api/runs/${newId}` });
  },
};
