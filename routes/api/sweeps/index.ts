/**
 * `GET /api/sweeps`: the sweeps, newest first, each with its runs' counts per status.
 * `POST /api/sweeps`: submits a sweep — `{ base, grid, points, name }` (the grid's lists multiplied out, at most
 * 256 points) or `{ preset: "paper-table", base }` → 201 with the sweep and its queued runs; 400 naming the value
 * as typed (`grid.seed[3]`, `points[2].model`, `base.d`) when any point is refused (nothing is stored then); 429
 * when the queue has no room for all of its runs; 503 when the queue cannot be reached.
 * @module
 */
import type { Handlers } from "../../../server/context.ts";
import { ApiError, requireJson } from "../../../server/http.ts";
import { submitSweep, sweepDetail } from "../../../server/sweeps.ts";

export const handler: Handlers = {
  async GET(c, ctx) {
    const sweeps = await ctx.store.listSweeps();
    const counts = await ctx.store.sweepStatusCounts(sweeps.map((s) => s.id));
    return c.json({ sweeps: sweeps.map((s) => ({ ...s, counts: counts.get(s.id)! })) });
  },

  POST: {
    use: [requireJson],
    async handle(c, ctx) {
      let body: unknown;
      try {
        body = await c.req.json();
      } catch {
        throw new ApiError(400, {
          error: "the body is not valid JSON",
          field: "body",
          allowed: "a JSON object",
        });
      }
      const sweep = await submitSweep(ctx, body);
      return c.json(await sweepDetail(ctx, sweep.id), 201, { Location: `/api/sweeps/${sweep.id}` });
    },
  },
};
