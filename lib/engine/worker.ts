/**
 * Compute worker entry: answers {@link Request}s with a {@link Handler}, one at a time, in order.
 * @module
 */
/// <reference lib="deno.worker" />
import { Handler, type Request } from "./handler.ts";

const handler = new Handler();
let queue: Promise<void> = Promise.resolve();

self.onmessage = (e: MessageEvent<{ id: number; req: Request }>) => {
  const { id, req } = e.data;
  queue = queue.then(async () => {
    try {
      const result = await handler.handle(req);
      self.postMessage({ id, result });
    } catch (err) {
      self.postMessage({ id, error: (err as Error).message ?? String(err) });
    }
  });
};
