import {
  assert,
  assertEquals,
  assertInstanceOf,
  assertMatch,
  assertRejects,
  assertThrows,
} from "./assert.ts";
import { DataError } from "../../lib/errors.ts";
import {
  bytesToUnitFloats,
  encodeIdxImages,
  encodeIdxLabels,
  gzipBytes,
  isGzip,
  maybeGunzip,
  parseIdxImages,
  parseIdxLabels,
  unitFloatsToBytes,
} from "../../lib/data/idx.ts";
import { cyclicLabels, fakeBytes } from "./helpers.ts";

function dataError(fn: () => unknown, file: string, pattern: RegExp): void {
  const e = assertThrows(fn);
  assertInstanceOf(e, DataError);
  assertEquals(e.file, file);
  assertMatch(e.message, pattern);
}

Deno.test("idx: images round trip, header is big-endian 2051", () => {
  const pixels = fakeBytes(3 * 5 * 4);
  const file = encodeIdxImages(pixels, 3, 5, 4);
  assertEquals(Array.from(file.subarray(0, 16)), [0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 5, 0, 0, 0, 4]);
  const parsed = parseIdxImages(file, "x");
  assertEquals([parsed.n, parsed.rows, parsed.cols], [3, 5, 4]);
  assertEquals(parsed.pixels, pixels);
});

Deno.test("idx: labels round trip with class check", () => {
  const labels = cyclicLabels(7, 3);
  const file = encodeIdxLabels(labels);
  assertEquals(Array.from(file.subarray(0, 8)), [0, 0, 8, 1, 0, 0, 0, 7]);
  const parsed = parseIdxLabels(file, "y", 3);
  assertEquals(parsed.n, 7);
  assertEquals(parsed.labels, labels);
});

Deno.test("idx: parse works on a subarray with a non-zero byte offset", () => {
  const file = encodeIdxLabels(cyclicLabels(4, 2));
  const padded = new Uint8Array(file.length + 3);
  padded.set(file, 3);
  assertEquals(parseIdxLabels(padded.subarray(3), "z").labels, cyclicLabels(4, 2));
});

Deno.test("idx: bad magic", () => {
  const file = encodeIdxImages(fakeBytes(4), 1, 2, 2);
  file[0] = 0x12;
  dataError(() => parseIdxImages(file, "img"), "img", /bad magic number .*expected 2051/);
  dataError(
    () => parseIdxLabels(encodeIdxImages(fakeBytes(4), 1, 2, 2), "lab"),
    "lab",
    /expected 1 \(magic 2049\)/,
  );
});

Deno.test("idx: unsupported data type", () => {
  const file = encodeIdxImages(fakeBytes(4), 1, 2, 2);
  file[2] = 0x0d; // float
  dataError(() => parseIdxImages(file, "img"), "img", /unsupported IDX data type 0x0d/);
});

Deno.test("idx: wrong number of dimensions", () => {
  const labels = encodeIdxLabels(cyclicLabels(4, 2));
  dataError(
    () => parseIdxImages(labels, "img"),
    "img",
    /wrong number of dimensions: header says 1.*expected 3/,
  );
  const images = encodeIdxImages(fakeBytes(4), 1, 2, 2);
  dataError(() => parseIdxLabels(images, "lab"), "lab", /header says 3.*expected 1/);
});

Deno.test("idx: truncated header and body", () => {
  dataError(() => parseIdxImages(new Uint8Array([0, 0]), "img"), "img", /too short/);
  const file = encodeIdxImages(fakeBytes(2 * 3 * 3), 2, 3, 3);
  dataError(() => parseIdxImages(file.subarray(0, 10), "img"), "img", /truncated header/);
  dataError(
    () => parseIdxImages(file.subarray(0, file.length - 1), "img"),
    "img",
    /truncated: file is 33 bytes .* exactly 34 bytes/,
  );
  const labels = encodeIdxLabels(cyclicLabels(5, 2));
  dataError(
    () => parseIdxLabels(labels.subarray(0, 12), "lab"),
    "lab",
    /truncated: file is 12 bytes .* 13 bytes/,
  );
});

Deno.test("idx: trailing bytes", () => {
  const file = encodeIdxImages(fakeBytes(8), 2, 2, 2);
  const longer = new Uint8Array(file.length + 5);
  longer.set(file);
  dataError(
    () => parseIdxImages(longer, "img"),
    "img",
    /trailing bytes: file is 29 bytes .* exactly 24 bytes/,
  );
  const labels = encodeIdxLabels(cyclicLabels(2, 2));
  dataError(() => parseIdxLabels(new Uint8Array([...labels, 0]), "lab"), "lab", /trailing bytes/);
});

Deno.test("idx: empty image size", () => {
  dataError(() => parseIdxImages(encodeIdxImages(new Uint8Array(0), 3, 0, 4), "img"), "img", /empty/);
});

Deno.test("idx: label out of range", () => {
  const file = encodeIdxLabels(new Uint8Array([0, 1, 2, 3, 1]));
  dataError(() => parseIdxLabels(file, "lab", 3), "lab", /label 3 at index 3 is out of range; .*\[0, 2\]/);
  assertEquals(parseIdxLabels(file, "lab", 4).n, 5);
  assertEquals(parseIdxLabels(file, "lab").n, 5);
});

Deno.test("idx: bytesToUnitFloats scales to [0,1] Float32; unitFloatsToBytes inverts it", () => {
  const bytes = new Uint8Array([0, 255, 51, 102, 1, 254, 128, 3]);
  const images = bytesToUnitFloats(parseIdxImages(encodeIdxImages(bytes, 2, 2, 2), "i").pixels);
  assertInstanceOf(images, Float32Array);
  assertEquals(images[0], 0);
  assertEquals(images[1], 1);
  assertEquals(images[2], Math.fround(0.2));
  assertEquals(unitFloatsToBytes(images), bytes);
  assertEquals(bytesToUnitFloats(new Uint8Array([255]))[0], 1);
});

Deno.test("idx: gzip round trip and passthrough", async () => {
  const file = encodeIdxImages(fakeBytes(6 * 5 * 4), 6, 5, 4);
  const gz = await gzipBytes(file);
  assert(isGzip(gz));
  assert(!isGzip(file));
  assertEquals(await maybeGunzip(gz, "a.gz"), file);
  assertEquals(await maybeGunzip(file), file);
  assertEquals(parseIdxImages(await maybeGunzip(gz), "a.gz").n, 6);
});

Deno.test("idx: corrupt gzip is a DataError naming the file", async () => {
  const gz = await gzipBytes(encodeIdxLabels(cyclicLabels(100, 3)));
  const e = await assertRejects(() => maybeGunzip(gz.subarray(0, gz.length - 9), "bad.gz"));
  assertInstanceOf(e, DataError);
  assertEquals(e.file, "bad.gz");
  assertMatch(e.message, /corrupt or truncated gzip/);
});

Deno.test("idx: encoder rejects inconsistent sizes", () => {
  assertThrows(() => encodeIdxImages(new Uint8Array(5), 1, 2, 2), RangeError);
  assertThrows(() => encodeIdxImages(new Uint8Array(0), -1, 2, 2), RangeError);
});
