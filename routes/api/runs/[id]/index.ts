/**
 * `GET /api/runs/:id`: status, stage, progress, partial curves and (when done) the result
 * (`?result=0` leaves the result out). `DELETE /api/runs/:id`: cancels a queued or running run (it stays,
 * marked cancelled); deletes a run that has ended (and its job on Redis).
 * @module
 */
import type { Handlers } from "../../../../server/context.ts";
import { apiError } from "../../../../server/http.ts";
import { cancelRun } from "../../../../server/queue.ts";
import { isFinal, type RunDetail } from "../../../../server/types.ts";

export const handler: Handlers = {
  async GET(c, ctx) {
    const id = c.req.param("id")!;
    const run = await ctx.store.get(id);
    if (!run) return apiError(c, 404, { error: `no run "${id}"` });
    const withResult = c.req.query("result") !== "0";
    const detail: RunDetail = {
      ...run,
      result: withResult && run.hasResult ? await ctx.store.getResult(id) : null,
    };
    return c.json(detail);
  },

  async DELETE(c, ctx) {
    const id = c.req.param("id")!;
    const run = await ctx.store.get(id);
    if (!run) return apiError(c, 404, { error: `no run "${id}"` });
    if (!isFinal(run.status)) {
      const cancelled = await cancelRun(ctx, id);
      const now = cancelled ?? await ctx.store.get(id);
      return c.json({ id, action: "cancelled", run: now });
    }
    await ctx.store.delete(id);
    await ctx.queue.forget(id);
    return c.json({ id, action: "deleted" });
  },
};
