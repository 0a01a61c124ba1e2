/**
 * A compact binary cache of a {@link Dataset} (uses `Deno.*` file APIs for reading and atomic writes).
 *
 * File layout (little-endian), 64-byte header then payload:
 *
 * | offset | field |
 * | --- | --- |
 * | 0 | magic `"KSTARDS\0"` (8 bytes) |
 * | 8 | format version (uint32, currently 1) |
 * | 12, 16, 20 | height, width, classes (uint32) |
 * | 24, 28 | train count, test count (uint32) |
 * | 32 | source rows dropped when the cache was built (uint32) |
 * | 36 | FNV-1a-style checksum of the payload (uint32) |
 * | 40 | version 2: channels per pixel (uint32); version 1: zero (1 channel) |
 * | 44 | version 2: bytes of the metadata JSON at the end of the payload (uint32); version 1: zero |
 * | 48–63 | zero |
 * | 64 | train pixels (bytes 0–255, `height × width × channels` per sample), train labels, test pixels, test labels, metadata |
 *
 * A dataset of one channel and no metadata (the built-ins) is written as version 1; anything else (decoded
 * image folders: RGB pixels, class names) as version 2. Both are read.
 * @module
 */

import { DataError } from "../errors.ts";
import type { Dataset } from "./dataset.ts";
import { bytesToUnitFloats } from "./idx.ts";
import { dirname, joinPath } from "./paths.ts";

/** The newest version written and read (version 1 files are read too). */
export const CACHE_FORMAT_VERSION = 2;
const MAGIC = new TextEncoder().encode("KSTARDS\0");
const HEADER = 64;

/** A dataset as raw bytes, the form stored in the cache. */
export interface RawDataset {
  /** Image height in pixels. */
  height: number;
  /** Image width in pixels. */
  width: number;
  /** Number of classes. */
  classes: number;
  /** Training pixels, `nTrain × height × width` bytes 0–255. */
  trainPixels: Uint8Array;
  /** Training labels (their length is the training count). */
  trainLabels: Uint8Array;
  /** Test pixels, `nTest × height × width` bytes 0–255. */
  testPixels: Uint8Array;
  /** Test labels (their length is the test count). */
  testLabels: Uint8Array;
  /** Source rows dropped while building (informational). */
  dropped: number;
  /** Channels per pixel (absent: 1). */
  channels?: number;
  /** Metadata stored with the pixels, e.g. class names (absent: none). */
  meta?: Record<string, unknown>;
}

function checksum(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  const words = Math.floor(bytes.length / 4);
  const aligned = bytes.byteOffset % 4 === 0;
  if (aligned) {
    const u32 = new Uint32Array(bytes.buffer, bytes.byteOffset, words);
    for (let i = 0; i < words; i++) h = Math.imul(h ^ u32[i], 0x01000193);
  } else {
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < words; i++) h = Math.imul(h ^ dv.getUint32(4 * i, true), 0x01000193);
  }
  for (let i = words * 4; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return h >>> 0;
}

/** Serialises `raw` into the cache file layout. */
export function encodeCache(raw: RawDataset): Uint8Array {
  const channels = raw.channels ?? 1;
  const meta = raw.meta === undefined
    ? new Uint8Array(0)
    : new TextEncoder().encode(JSON.stringify(raw.meta));
  const version = channels === 1 && raw.meta === undefined ? 1 : 2;
  const parts = [raw.trainPixels, raw.trainLabels, raw.testPixels, raw.testLabels, meta];
  const total = HEADER + parts.reduce((s, p) => s + p.length, 0);
  const out = new Uint8Array(total);
  out.set(MAGIC, 0);
  let off = HEADER;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  const dv = new DataView(out.buffer);
  const fields = [
    version,
    raw.height,
    raw.width,
    raw.classes,
    raw.trainLabels.length,
    raw.testLabels.length,
    raw.dropped,
    checksum(out.subarray(HEADER)),
  ];
  fields.forEach((v, i) => dv.setUint32(8 + 4 * i, v, true));
  if (version === 2) {
    dv.setUint32(40, channels, true);
    dv.setUint32(44, meta.length, true);
  }
  return out;
}

/**
 * Parses a cache file's bytes.
 *
 * @throws {DataError} naming `file` when the magic, version, length or checksum is wrong
 */
export function decodeCache(bytes: Uint8Array, file: string): RawDataset {
  if (bytes.length < HEADER || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new DataError(file, "not a kstar dataset cache file (bad magic)");
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const [version, height, width, classes, nTrain, nTest, dropped, sum] = Array.from(
    { length: 8 },
    (_, i) => dv.getUint32(8 + 4 * i, true),
  );
  if (version !== 1 && version !== 2) {
    throw new DataError(file, `cache format version ${version}, expected 1 or ${CACHE_FORMAT_VERSION}`);
  }
  const channels = version === 2 ? dv.getUint32(40, true) : 1;
  const metaBytes = version === 2 ? dv.getUint32(44, true) : 0;
  if (channels < 1) throw new DataError(file, "cache header says 0 channels (corrupt)");
  const pix = height * width * channels;
  const expected = HEADER + nTrain * (pix + 1) + nTest * (pix + 1) + metaBytes;
  if (bytes.length !== expected) {
    throw new DataError(
      file,
      `cache file is ${bytes.length} bytes, expected ${expected} (truncated or corrupt)`,
    );
  }
  if (checksum(bytes.subarray(HEADER)) !== sum) {
    throw new DataError(file, "cache checksum mismatch (corrupt)");
  }
  let off = HEADER;
  const take = (n: number) => bytes.subarray(off, off += n);
  const raw: RawDataset = {
    height,
    width,
    classes,
    trainPixels: take(nTrain * pix),
    trainLabels: take(nTrain),
    testPixels: take(nTest * pix),
    testLabels: take(nTest),
    dropped,
  };
  if (version === 2) {
    raw.channels = channels;
    try {
      raw.meta = JSON.parse(new TextDecoder().decode(take(metaBytes)));
    } catch {
      throw new DataError(file, "cache metadata is not JSON (corrupt)");
    }
  }
  return raw;
}

/** Builds a {@link Dataset} (Float32 pixels in [0, 1]) from raw bytes. */
export function rawToDataset(name: string, raw: RawDataset): Dataset {
  return {
    name,
    height: raw.height,
    width: raw.width,
    channels: raw.channels ?? 1,
    classes: raw.classes,
    train: {
      images: bytesToUnitFloats(raw.trainPixels),
      labels: raw.trainLabels.slice(),
      n: raw.trainLabels.length,
    },
    test: {
      images: bytesToUnitFloats(raw.testPixels),
      labels: raw.testLabels.slice(),
      n: raw.testLabels.length,
    },
  };
}

/**
 * Reads a cache file; `undefined` when it does not exist.
 *
 * @throws {DataError} when it exists but is unreadable or invalid
 */
export async function readCache(path: string): Promise<RawDataset | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw new DataError(path, `cannot read cache file: ${(e as Error).message}`);
  }
  return decodeCache(bytes, path);
}

/**
 * Writes `bytes` to `path` atomically: creates the folder, writes a uniquely named temporary file
 * beside it, then renames it over `path`, so readers never see a partial file.
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  await Deno.mkdir(dirname(path), { recursive: true });
  const tmp = joinPath(
    dirname(path),
    `.${path.split(/[\\/]/).pop()}.${Deno.pid}.${crypto.randomUUID().slice(0, 8)}.tmp`,
  );
  try {
    await Deno.writeFile(tmp, bytes);
    await Deno.rename(tmp, path);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
}

/**
 * Reads a cache file and says how it went through `progress`: `cache-hit` (`loaded <file>`), `cache-miss`
 * (`no cache file <file>`, then `; <miss>` when given) or `cache-invalid` (the reason, then `; <redo>`): an
 * unreadable cache is rebuilt, never fatal, so this resolves `undefined` for both of the last two.
 */
export async function readCacheReporting(
  file: string,
  progress: (p: { stage: "cache-hit" | "cache-miss" | "cache-invalid"; message: string }) => void,
  wording: { miss?: string; redo: string },
): Promise<RawDataset | undefined> {
  try {
    const raw = await readCache(file);
    if (raw) {
      progress({
        stage: "cache-hit",
        message: `loaded ${file}` +
          (raw.dropped ? ` (${raw.dropped} malformed source rows were dropped)` : ""),
      });
      return raw;
    }
    progress({
      stage: "cache-miss",
      message: `no cache file ${file}${wording.miss ? `; ${wording.miss}` : ""}`,
    });
  } catch (e) {
    progress({ stage: "cache-invalid", message: `${(e as Error).message}; ${wording.redo}` });
  }
  return undefined;
}

/**
 * Writes a cache file (atomically) and says so through `progress`: `cache-write` when written, `cache-skip`
 * with the reason when it could not be (loading goes on without it).
 */
export async function saveCache(
  file: string,
  raw: RawDataset,
  progress: (p: { stage: "cache-write" | "cache-skip"; message: string }) => void,
): Promise<void> {
  try {
    await writeFileAtomic(file, encodeCache(raw));
    progress({ stage: "cache-write", message: `wrote ${file}` });
  } catch (e) {
    progress({ stage: "cache-skip", message: `could not write cache ${file}: ${(e as Error).message}` });
  }
}
