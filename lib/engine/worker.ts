/**
 * Compute worker entry: answers {@link Request}s with a {@link Handler}, one at a time, in order, over the
 * channel that started it (`channel.ts`).
 * @module
 */
import { Handler, type Request } from "./handler.ts";
import { workerSide } from "./channel.ts";

const handler = new Handler();
const side = await workerSide();
let queue: Promise<void> = Promise.resolve();

side.onMessage((data) => {
  if ((data as { stop?: boolean }).stop) {
    // The pool is closing: free every tensor and the backend, then end this thread.
    queue = queue.then(async () => {
      await handler.shutdown();
      side.exit();
    });
    return;
  }
  const { id, req } = data as { id: number; req: Request };
  queue = queue.then(async () => {
    try {
      side.post({ id, result: await handler.handle(req) });
    } catch (err) {
      side.post({ id, error: (err as Error).message ?? String(err) });
    }
  });
});
