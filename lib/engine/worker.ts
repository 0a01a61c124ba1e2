/**
 * Compute worker entry: answers {@link Request}s with a {@link Handler}, one at a time, in order.
 * @module
 */
/// <reference lib="deno.worker" />
import { Handler, type Request } from "./handler.ts";

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
let queue: Promise<void> = Promise.resolve();

self.onmessage = (e: MessageEvent<{ id: number; req: Request }>) => {
  const { id, req } = e.data;
  queue = queue.then(async () => {
    try {
      const result = await handler.handle(req);
      self.postMessage({ id, result }, buffersOf(result));
    } catch (err) {
      self.postMessage({ id, error: (err as Error).message ?? String(err) });
    }
  });
};
