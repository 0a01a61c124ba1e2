/** Parameter counts and offsets of `modelLayout`, and `parseModelSpec`'s errors. */
import assert from "node:assert/strict";
import { ConfigError } from "../../lib/errors.ts";
import { initParams, type ModelLayout, modelLayout } from "../../lib/models/layout.ts";
import { DEFAULT_MODEL, formatModelSpec, parseModelSpec } from "../../lib/models/spec.ts";

/** Checks that the layers tile `[0, size)` in order: W then b, no gaps, no overlaps. */
function assertContiguous(layout: ModelLayout): void {
  let offset = 0;
  for (const l of layout.layers) {
    assert.equal(l.wOffset, offset);
    assert.equal(l.wSize, l.wShape.reduce((a, b) => a * b, 1));
    assert.equal(l.bOffset, l.wOffset + l.wSize);
    assert.equal(l.bSize, l.wShape[l.wShape.length - 1]);
    offset = l.bOffset + l.bSize;
  }
  assert.equal(layout.size, offset);
}

Deno.test("layout: default mlp:128,64 on 28×28, 10 classes has 109,386 parameters", () => {
  assert.equal(DEFAULT_MODEL, "mlp:128,64");
  const layout = modelLayout(parseModelSpec(DEFAULT_MODEL), 28, 28, 10);
  // 784·128 + 128 = 100,480; 128·64 + 64 = 8,256; 64·10 + 10 = 650.
  assert.equal(layout.size, 100_480 + 8_256 + 650);
  assert.equal(layout.size, 109_386);
  assert.deepEqual(layout.inputShape, [784]);
  assert.deepEqual(layout.layers.map((l) => l.wShape), [[784, 128], [128, 64], [64, 10]]);
  assert.deepEqual(layout.layers.map((l) => [l.wOffset, l.bOffset]), [[0, 100_352], [100_480, 108_672], [
    108_736,
    109_376,
  ]]);
  assertContiguous(layout);
});

Deno.test("layout: single-hidden-layer mlp:128 on 28×28, 10 classes", () => {
  const layout = modelLayout(parseModelSpec("mlp:128"), 28, 28, 10);
  assert.equal(layout.size, 784 * 128 + 128 + 128 * 10 + 10); // 101,770
  assert.equal(layout.layers.length, 2);
  assertContiguous(layout);
});

Deno.test("layout: cnn:16,32 on 28×28, 10 classes (hand-computed)", () => {
  const layout = modelLayout(parseModelSpec("cnn:16,32"), 28, 28, 10);
  // conv1 3·3·1·16 + 16 = 160 (28→14); conv2 3·3·16·32 + 32 = 4,640 (14→7); dense 7·7·32·10 + 10 = 15,690.
  assert.equal(layout.size, 160 + 4_640 + 15_690);
  assert.equal(layout.size, 20_490);
  assert.deepEqual(layout.inputShape, [28, 28, 1]);
  const [c1, c2, d] = layout.layers;
  assert.deepEqual([c1.kind, c2.kind, d.kind], ["conv", "conv", "dense"]);
  assert.deepEqual(c1.wShape, [3, 3, 1, 16]);
  assert.deepEqual(c1.outShape, [14, 14, 16]);
  assert.deepEqual(c2.wShape, [3, 3, 16, 32]);
  assert.deepEqual(c2.outShape, [7, 7, 32]);
  assert.deepEqual(d.wShape, [1568, 10]);
  assert.deepEqual(d.inShape, [7, 7, 32]);
  // TF "same" with stride 2 on an even size: total padding 1, all of it after (bottom/right).
  assert.deepEqual(c1.pad, [0, 1, 0, 1]);
  assert.deepEqual(c2.pad, [0, 1, 0, 1]);
  assert.equal(c1.stride, 2);
  assertContiguous(layout);
  // "cnn" alone means cnn:16,32.
  assert.equal(modelLayout(parseModelSpec("cnn"), 28, 28, 10).size, 20_490);
});

Deno.test("layout: cnn 'same' padding on odd, non-square images", () => {
  const layout = modelLayout({ kind: "cnn", channels: [3, 4], kernel: 3 }, 7, 5, 3);
  const [c1, c2, d] = layout.layers;
  // 7→4 rows (total pad 2: 1/1), 5→3 cols (total 2: 1/1); then 4→2 (total 1: 0/1), 3→2 (total 2: 1/1).
  assert.deepEqual(c1.outShape, [4, 3, 3]);
  assert.deepEqual(c1.pad, [1, 1, 1, 1]);
  assert.deepEqual(c2.outShape, [2, 2, 4]);
  assert.deepEqual(c2.pad, [0, 1, 1, 1]);
  assert.deepEqual(d.wShape, [16, 3]);
  assert.equal(layout.size, (27 + 3) + (108 + 4) + (48 + 3));
  assertContiguous(layout);
});

Deno.test("layout: initParams is seeded, He-scaled, with zero biases", () => {
  const layout = modelLayout(parseModelSpec("mlp:64"), 28, 28, 10);
  const a = initParams(layout, 7), b = initParams(layout, 7), c = initParams(layout, 8);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  for (const l of layout.layers) {
    for (let i = 0; i < l.bSize; i++) assert.equal(a[l.bOffset + i], 0);
    let s = 0;
    for (let i = 0; i < l.wSize; i++) s += a[l.wOffset + i] ** 2;
    const std = Math.sqrt(s / l.wSize), want = Math.sqrt(2 / l.wShape[0]);
    assert.ok(Math.abs(std / want - 1) < 0.1, `layer std ${std}, want ≈ ${want}`);
  }
});

Deno.test("spec: parses and formats valid strings", () => {
  assert.deepEqual(parseModelSpec("mlp:128,64"), { kind: "mlp", hidden: [128, 64] });
  assert.deepEqual(parseModelSpec(" mlp:128 "), { kind: "mlp", hidden: [128] });
  assert.deepEqual(parseModelSpec("cnn"), { kind: "cnn", channels: [16, 32], kernel: 3 });
  assert.deepEqual(parseModelSpec("cnn:8,4"), { kind: "cnn", channels: [8, 4], kernel: 3 });
  assert.equal(formatModelSpec(parseModelSpec("mlp:128, 64")), "mlp:128,64");
  assert.equal(formatModelSpec(parseModelSpec("cnn")), "cnn:16,32");
});

Deno.test("spec: bad strings are ConfigErrors naming the field 'model'", () => {
  const bad = [
    "",
    "foo",
    "mlp",
    "mlp:",
    "mlp:0",
    "mlp:-3",
    "mlp:12.5",
    "mlp:abc",
    "mlp:128,,64",
    "mlp:5000",
    "cnn:16",
    "cnn:1,2,3",
    "cnn:0,4",
    "cnn:300,2",
    "MLP:128",
    "rnn:5",
  ];
  for (const text of bad) {
    assert.throws(() => parseModelSpec(text), (e: unknown) => {
      assert.ok(e instanceof ConfigError, `${JSON.stringify(text)}: not a ConfigError: ${e}`);
      assert.equal(e.field, "model", JSON.stringify(text));
      assert.match(e.message, /^model: /);
      return true;
    }, `${JSON.stringify(text)} was accepted`);
  }
  // Spec objects are validated too.
  assert.throws(() => parseModelSpec({ kind: "mlp", hidden: [0] }), (e: unknown) => {
    return e instanceof ConfigError && e.field === "model";
  });
});
