/**
 * Compute worker entry: answers {@link Request}s with a {@link Handler}, one at a time, in order, over the
 * channel that started it (`channel.ts`).
 * @module
 */
import { Handler, type Request } from "./handler.ts";
import { workerSide } from "./channel.ts";

const handler = new Handler();

/** The buffers of the typed arrays in a result (up to two levels down), to transfer rather than copy. */
function buffersOf(result: unknown): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  const visit = (x: unknown, depth: number) => {
    if (ArrayBuffer.isView(x)) {
      if (x.buffer instanceof ArrayBuffer && x.byteLength === x.buffer.byteLength) out.add(x.buffer);
    } else if (depth < 2 && x && typeof x === "object") {
      for (const v of Object.values(x)) visit(v, depth + 1);
    }
  };
  visit(result, 0);
  return [...out];
}
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
      const result = await handler.handle(req);
      side.post({ id, result }, buffersOf(result));
    } catch (err) {
      side.post({ id, error: (err as Error).message ?? String(err) });
    }
  });
});
