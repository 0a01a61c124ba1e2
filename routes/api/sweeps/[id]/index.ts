/**
 * `GET /api/sweeps/:id`: the sweep, its runs with their status (and worker, attempts, headline), and the
 * summary per grid point across seeds. `DELETE /api/sweeps/:id`: cancels every run of the sweep that has not
 * ended; once all have ended, deletes the sweep and its runs.
 * @module
 */
import type { Handlers } from "../../../../server/context.ts";
import { apiError } from "../../../../server/http.ts";
import { cancelSweep, sweepDetail } from "../../../../server/sweeps.ts";

export const handler: Handlers = {
  async GET(c, ctx) {
    const id = c.req.param("id")!;
    const detail = await sweepDetail(ctx, id);
    if (!detail) return apiError(c, 404, { error: `no sweep "${id}"` });
    return c.json(detail);
  },

  async DELETE(c, ctx) {
    const id = c.req.param("id")!;
    const detail = await sweepDetail(ctx, id);
    if (!detail) return apiError(c, 404, { error: `no sweep "${id}"` });
    if (!detail.finished) {
      const cancelled = await cancelSweep(ctx, detail.runs);
      return c.json({ id, action: "cancelled", cancelled, sweep: await sweepDetail(ctx, id) });
    }
    await ctx.store.deleteSweep(id);
    for (const r of detail.runs) await ctx.queue.forget(r.id);
    return c.json({ id, action: "deleted", runs: detail.runs.length });
  },
};
