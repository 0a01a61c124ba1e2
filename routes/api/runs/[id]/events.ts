/**
 * `GET /api/runs/:id/events`: Server-Sent Events of a run. First `state` (the run as stored now, with its
 * progress and partial curves), then `progress` (stage, fractions, message, partial curves when new) and
 * `status` events; the stream ends after the run reaches a final status. Comment pings keep proxies open.
 * @module
 */
import { streamSSE } from "npm:hono@4.13.19/streaming";
import type { Handlers } from "../../../../server/context.ts";
import { apiError } from "../../../../server/http.ts";
import { isFinal, type RunEvent } from "../../../../server/types.ts";

/** Milliseconds between keep-alive pings. */
export const PING_MS = 15_000;

export const handler: Handlers = {
  async GET(c, ctx) {
    const id = c.req.param("id")!;
    if (!(await ctx.store.get(id))) return apiError(c, 404, { error: `no run "${id}"` });
    return streamSSE(c, async (stream) => {
      const pending: RunEvent[] = [];
      let wake: (() => void) | null = null;
      // Subscribe before reading the state, so that nothing falls between the two.
      const unsubscribe = ctx.events.subscribe(id, (e) => {
        pending.push(e);
        wake?.();
      });
      let closed = false;
      const end = () => {
        closed = true;
        wake?.();
      };
      stream.onAbort(end);
      // The server is stopping: end the stream, so that the HTTP server can finish.
      if (ctx.stopping.signal.aborted) return;
      ctx.stopping.signal.addEventListener("abort", end, { once: true });
      let seq = 0;
      try {
        const state = await ctx.store.get(id);
        if (!state) return;
        await stream.writeSSE({ event: "state", data: JSON.stringify(state), id: String(seq++) });
        if (isFinal(state.status)) return;
        while (!closed) {
          if (pending.length === 0) {
            let timer: ReturnType<typeof setTimeout> | undefined;
            const woke = await new Promise<boolean>((resolve) => {
              wake = () => resolve(true);
              timer = setTimeout(() => resolve(false), PING_MS);
            });
            clearTimeout(timer);
            wake = null;
            if (!woke && !closed) await stream.write(": ping\n\n");
            continue;
          }
          const e = pending.shift()!;
          await stream.writeSSE({ event: e.type, data: JSON.stringify(e), id: String(seq++) });
          if (e.type === "status" && isFinal(e.run.status)) break;
        }
      } finally {
        ctx.stopping.signal.removeEventListener("abort", end);
        unsubscribe();
      }
    });
  },
};
