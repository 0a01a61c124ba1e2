/**
 * `GET /api/health`: liveness and queue occupancy.
 * @module
 */
import type { Handlers } from "../../server/context.ts";

export const handler: Handlers = {
  GET: async (c, ctx) => c.json({ ok: true, queue: await ctx.queue.stats() }),
};
