/**
 * The IDX file format of MNIST (big-endian header, raw unsigned bytes): parsing with strict checks,
 * encoding, and gzip helpers. Web-standard APIs only.
 *
 * Layout: a 4-byte magic `00 00 TT DD` (`TT = 0x08` for unsigned bytes, `DD` the number of
 * dimensions), then `DD` big-endian uint32 sizes, then the data. Images are `idx3-ubyte`
 * (magic 2051, sizes `n, rows, cols`); labels are `idx1-ubyte` (magic 2049, size `n`).
 * @module
 */

import { DataError } from "../errors.ts";

/** Magic number of an `idx3-ubyte` image file (`0x00000803`). */
export const IDX_IMAGES_MAGIC = 2051;
/** Magic number of an `idx1-ubyte` label file (`0x00000801`). */
export const IDX_LABELS_MAGIC = 2049;

/** Parsed `idx3-ubyte` images: `n` images of `rows × cols` bytes, row-major. */
export interface IdxImages {
  /** Number of images. */
  n: number;
  /** Rows (height) of each image. */
  rows: number;
  /** Columns (width) of each image. */
  cols: number;
  /** `n × rows × cols` raw pixel bytes (0–255); a view into the parsed buffer, not a copy. */
  pixels: Uint8Array;
}

/** Parsed `idx1-ubyte` labels. */
export interface IdxLabels {
  /** Number of labels. */
  n: number;
  /** The labels; a view into the parsed buffer, not a copy. */
  labels: Uint8Array;
}

function hex(v: number): string {
  return "0x" + (v >>> 0).toString(16).padStart(8, "0");
}

/** Checks the magic and returns the header's dimension sizes. */
function readHeader(bytes: Uint8Array, file: string, dims: number, kind: string): number[] {
  const expectedMagic = 0x0800 + dims;
  const headerLen = 4 + 4 * dims;
  if (bytes.length < 4) {
    throw new DataError(
      file,
      `too short for an IDX header: ${bytes.length} bytes, expected at least ${headerLen} for ${kind}`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new DataError(
      file,
      `bad magic number ${magic} (${hex(magic)}); expected ${expectedMagic} (${
        hex(expectedMagic)
      }) for ${kind}`,
    );
  }
  if (bytes[2] !== 0x08) {
    throw new DataError(
      file,
      `unsupported IDX data type 0x${bytes[2].toString(16).padStart(2, "0")} (magic ${magic}); ` +
        `only unsigned bytes (0x08, magic ${expectedMagic}) are supported for ${kind}`,
    );
  }
  if (bytes[3] !== dims) {
    throw new DataError(
      file,
      `wrong number of dimensions: header says ${bytes[3]} (magic ${magic}), expected ${dims} ` +
        `(magic ${expectedMagic}) for ${kind}`,
    );
  }
  if (bytes.length < headerLen) {
    throw new DataError(
      file,
      `truncated header: ${bytes.length} bytes, expected at least ${headerLen} for ${kind}`,
    );
  }
  const sizes: number[] = [];
  for (let d = 0; d < dims; d++) sizes.push(view.getUint32(4 + 4 * d, false));
  return sizes;
}

function checkLength(bytes: Uint8Array, file: string, expected: number, what: string): void {
  if (bytes.length !== expected) {
    const how = bytes.length < expected ? "truncated" : "trailing bytes";
    throw new DataError(
      file,
      `${how}: file is ${bytes.length} bytes but the header (${what}) implies exactly ${expected} bytes`,
    );
  }
}

/**
 * Parses an uncompressed `idx3-ubyte` image file (magic 2051).
 *
 * @param bytes the whole file (use {@link maybeGunzip} first for `.gz` files)
 * @param file the file name, used in error messages
 * @returns the header sizes and a view of the pixel bytes
 * @throws {DataError} on a bad magic number, a dimension count other than 3, a non-byte data type,
 *   zero rows or columns, or a length that differs from `16 + n·rows·cols` (truncated or trailing bytes)
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeIdxImages, parseIdxImages } from "kstar";
 * const file = encodeIdxImages(new Uint8Array([0, 64, 128, 255]), 1, 2, 2);
 * const { n, rows, cols, pixels } = parseIdxImages(file, "tiny-images-idx3-ubyte");
 * assert.deepEqual([n, rows, cols, Array.from(pixels)], [1, 2, 2, [0, 64, 128, 255]]);
 * assert.throws(() => parseIdxImages(file.subarray(0, 18), "cut"), /cut: /); // truncated: named
 * ```
 */
export function parseIdxImages(bytes: Uint8Array, file: string): IdxImages {
  const [n, rows, cols] = readHeader(bytes, file, 3, "idx3-ubyte images");
  if (rows < 1 || cols < 1) {
    throw new DataError(file, `image size ${rows}×${cols} is empty; rows and cols must be at least 1`);
  }
  checkLength(bytes, file, 16 + n * rows * cols, `${n} images of ${rows}×${cols}`);
  return { n, rows, cols, pixels: bytes.subarray(16) };
}

/**
 * Parses an uncompressed `idx1-ubyte` label file (magic 2049).
 *
 * @param bytes the whole file (use {@link maybeGunzip} first for `.gz` files)
 * @param file the file name, used in error messages
 * @param classes if given, every label must be in `[0, classes)`
 * @returns the count and a view of the label bytes
 * @throws {DataError} on a bad magic number, a dimension count other than 1, a length other than
 *   `8 + n`, or (with `classes`) a label out of range
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeIdxLabels, parseIdxLabels } from "kstar";
 * const file = encodeIdxLabels(new Uint8Array([3, 1, 4]));
 * const { n, labels } = parseIdxLabels(file, "tiny-labels-idx1-ubyte", 10);
 * assert.deepEqual([n, Array.from(labels)], [3, [3, 1, 4]]);
 * assert.throws(() => parseIdxLabels(file, "tiny-labels-idx1-ubyte", 4), /tiny-labels-idx1-ubyte: /);
 * ```
 */
export function parseIdxLabels(bytes: Uint8Array, file: string, classes?: number): IdxLabels {
  const [n] = readHeader(bytes, file, 1, "idx1-ubyte labels");
  checkLength(bytes, file, 8 + n, `${n} labels`);
  const labels = bytes.subarray(8);
  if (classes !== undefined) {
    for (let i = 0; i < n; i++) {
      if (labels[i] >= classes) {
        throw new DataError(
          file,
          `label ${labels[i]} at index ${i} is out of range; labels must be in [0, ${classes - 1}]`,
        );
      }
    }
  }
  return { n, labels };
}

/** Converts bytes 0–255 to Float32 values in [0, 1] (`byte / 255`, rounded to float32). */
export function bytesToUnitFloats(bytes: Uint8Array): Float32Array {
  const out = new Float32Array(bytes.length);
  out.set(bytes);
  for (let i = 0; i < out.length; i++) out[i] /= 255;
  return out;
}

function writeHeader(out: Uint8Array, magic: number, sizes: number[]): void {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  view.setUint32(0, magic, false);
  sizes.forEach((s, d) => view.setUint32(4 + 4 * d, s, false));
}

/**
 * Encodes images as an uncompressed `idx3-ubyte` file (magic 2051).
 *
 * @param pixels `n × rows × cols` bytes, row-major
 * @param n number of images
 * @param rows image height
 * @param cols image width
 * @throws {RangeError} when `pixels.length !== n·rows·cols` or a size is not a uint32
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeIdxImages } from "kstar";
 * const file = encodeIdxImages(new Uint8Array(2 * 3 * 3), 2, 3, 3);
 * assert.deepEqual([file.length, Array.from(file.slice(0, 4))], [34, [0, 0, 8, 3]]); // 16-byte header + 18 pixels
 * ```
 */
export function encodeIdxImages(pixels: Uint8Array, n: number, rows: number, cols: number): Uint8Array {
  for (const [name, v] of [["n", n], ["rows", rows], ["cols", cols]] as const) {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) {
      throw new RangeError(`encodeIdxImages: ${name} must be an integer in [0, 4294967295], got ${v}`);
    }
  }
  if (pixels.length !== n * rows * cols) {
    throw new RangeError(
      `encodeIdxImages: pixels has ${pixels.length} bytes, expected n·rows·cols = ${n * rows * cols}`,
    );
  }
  const out = new Uint8Array(16 + pixels.length);
  writeHeader(out, IDX_IMAGES_MAGIC, [n, rows, cols]);
  out.set(pixels, 16);
  return out;
}

/**
 * Encodes labels as an uncompressed `idx1-ubyte` file (magic 2049).
 *
 * @param labels one byte per sample
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeIdxLabels } from "kstar";
 * const file = encodeIdxLabels(new Uint8Array([7, 2]));
 * assert.deepEqual(Array.from(file), [0, 0, 8, 1, 0, 0, 0, 2, 7, 2]); // magic 2049, count 2, labels
 * ```
 */
export function encodeIdxLabels(labels: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + labels.length);
  writeHeader(out, IDX_LABELS_MAGIC, [labels.length]);
  out.set(labels, 8);
  return out;
}

/**
 * Converts Float32 pixels in [0, 1] back to bytes (`round(x·255)`, clamped), e.g. to export a
 * {@link Split} with {@link encodeIdxImages}.
 */
export function unitFloatsToBytes(values: Float32Array): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = Math.round(values[i] * 255);
    out[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
  return out;
}

/** True when `bytes` starts with the gzip magic `1f 8b`. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

async function pipeBytes(
  bytes: Uint8Array,
  transform: CompressionStream | DecompressionStream,
): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(transform);
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * Decompresses `bytes` when they start with the gzip magic `1f 8b`; otherwise returns them unchanged.
 * Uses the web-standard `DecompressionStream("gzip")`.
 *
 * @param bytes raw or gzip-compressed file contents
 * @param file the file name, used in error messages (default `"<gzip data>"`)
 * @throws {DataError} when the gzip stream is corrupt or truncated
 */
export async function maybeGunzip(bytes: Uint8Array, file = "<gzip data>"): Promise<Uint8Array> {
  if (!isGzip(bytes)) return bytes;
  try {
    return await pipeBytes(bytes, new DecompressionStream("gzip"));
  } catch (e) {
    throw new DataError(file, `corrupt or truncated gzip data: ${(e as Error).message}`);
  }
}

/** Compresses `bytes` with gzip (web-standard `CompressionStream("gzip")`), e.g. to write `.gz` IDX files. */
export function gzipBytes(bytes: Uint8Array): Promise<Uint8Array> {
  return pipeBytes(bytes, new CompressionStream("gzip"));
}
