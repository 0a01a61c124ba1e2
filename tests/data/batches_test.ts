import { assert, assertEquals, assertInstanceOf, assertThrows } from "./assert.ts";
import { ConfigError } from "../../lib/errors.ts";
import type { Split } from "../../lib/data/dataset.ts";
import {
  batchCount,
  batchView,
  limitSplit,
  pixelsPerImage,
  shuffleSplit,
  validateBatchSize,
} from "../../lib/data/batches.ts";

/** 10 samples of 2×3 pixels; sample i has every pixel = i/10 and label i. */
function split10(): Split {
  const n = 10;
  const images = new Float32Array(n * 6);
  for (let i = 0; i < n; i++) images.fill(i / 10, i * 6, (i + 1) * 6);
  return { images, labels: Uint8Array.from({ length: n }, (_, i) => i), n };
}

function configError(fn: () => unknown, field: string): ConfigError {
  const e = assertThrows(fn);
  assertInstanceOf(e, ConfigError);
  assertEquals(e.field, field);
  return e;
}

Deno.test("batches: limitSplit takes the first N as views", () => {
  const s = split10();
  const l = limitSplit(s, 4);
  assertEquals(l.n, 4);
  assertEquals(Array.from(l.labels), [0, 1, 2, 3]);
  assertEquals(l.images.length, 24);
  assert(l.images.buffer === s.images.buffer);
  assertEquals(limitSplit(s, 10).n, 10);
  assertEquals(configError(() => limitSplit(s, 0), "limit").allowed, "an integer in [1, 10]");
  configError(() => limitSplit(s, 11), "limit");
  configError(() => limitSplit(s, 2.5), "limit");
});

Deno.test("batches: shuffleSplit is a seeded, deterministic permutation that keeps pairs", () => {
  const s = split10();
  const a = shuffleSplit(s, 42);
  const b = shuffleSplit(s, 42);
  const c = shuffleSplit(s, 43);
  assertEquals(a, b);
  assert(Array.from(a.labels).join() !== Array.from(c.labels).join(), "different seeds differ");
  assertEquals(Array.from(a.labels).sort((x, y) => x - y), Array.from(s.labels));
  for (let i = 0; i < a.n; i++) {
    const want = Math.fround(a.labels[i] / 10);
    assert(a.images.subarray(i * 6, i * 6 + 6).every((v) => v === want), "pixels follow their label");
  }
  assertEquals(Array.from(s.labels), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], "input untouched");
  configError(() => shuffleSplit(s, -1), "seed");
  configError(() => shuffleSplit(s, 1.5), "seed");
});

Deno.test("batches: batchCount drops the trailing partial batch", () => {
  assertEquals(batchCount(10, 3), 3);
  assertEquals(batchCount(10, 5), 2);
  assertEquals(batchCount(10, 10), 1);
  assertEquals(batchCount(10, 1), 10);
  configError(() => batchCount(10, 11), "batchSize");
  configError(() => batchCount(10, 0), "batchSize");
});

Deno.test("batches: batchView returns the k-th fixed-order batch as views", () => {
  const s = split10();
  const b = batchView(s, 3, 2);
  assertEquals(b.n, 3);
  assertEquals(Array.from(b.labels), [6, 7, 8]);
  assertEquals(b.images.length, 18);
  assertEquals(b.images[0], Math.fround(0.6));
  assert(b.labels.buffer === s.labels.buffer);
  configError(() => batchView(s, 3, 3), "batch"); // sample 9 is in the dropped partial batch
  configError(() => batchView(s, 3, -1), "batch");
  configError(() => batchView(s, 20, 0), "batchSize");
});

Deno.test("batches: validateBatchSize and pixelsPerImage", () => {
  assertEquals(validateBatchSize(7, 10), 7);
  const e = configError(() => validateBatchSize(0, 10), "batchSize");
  assertEquals(e.allowed, "an integer in [1, 10]");
  configError(() => validateBatchSize(1, 0), "batchSize");
  configError(() => validateBatchSize("4" as unknown as number, 10), "batchSize");
  assertEquals(pixelsPerImage(split10()), 6);
});
