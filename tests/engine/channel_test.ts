/** The channel's message encoding: typed arrays travel as bare buffers and come back as the same views. */
import assert from "node:assert/strict";
import { decode, encode } from "../../lib/engine/channel.ts";

Deno.test("channel: encode/decode keeps typed arrays (whole and partial views) in nested messages", () => {
  const big = new Float64Array([1, 2, 3, 4, 5]);
  const msg = {
    id: 3,
    req: {
      op: "microGradients",
      layout: { layers: [{ inShape: [28, 28, 1], kind: "conv" }] },
      w: new Float32Array([0.5, -1.25]),
      micros: [{ pixels: new Float32Array([1, 0, 2]), labels: new Uint8Array([7, 1]), n: 2 }],
      part: big.subarray(1, 3),
      ints: new Int32Array([-5]),
      none: null,
    },
  };
  const wire = encode(msg) as { req: { w: unknown; part: { buffer: ArrayBuffer } } };
  assert.ok(!ArrayBuffer.isView(wire.req.w), "a typed array was sent as a view");
  assert.equal(wire.req.part.buffer.byteLength, 16, "a partial view must send only its own bytes");
  const back = decode(structuredClone(wire));
  assert.deepEqual(back, { ...msg, req: { ...msg.req, part: new Float64Array([2, 3]) } });
  assert.ok((back as typeof msg).req.w instanceof Float32Array);
  assert.ok((back as typeof msg).req.micros[0].labels instanceof Uint8Array);
});
