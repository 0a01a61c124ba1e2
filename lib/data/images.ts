/**
 * PNG and JPEG images: their size and colour read from the header alone ({@link sniffImage}), decoding with the
 * pure-JS `fast-png` and `jpeg-js` packages into 8-bit grayscale or RGB ({@link decodeImage}), and bilinear
 * resizing ({@link resizeImage}). Browser-safe.
 *
 * Colour: a grayscale PNG (colour types 0 and 4) or a one-component JPEG is grayscale (1 channel); RGB and
 * palette PNGs (types 2, 3, 6) and three- or four-component JPEGs (YCbCr, CMYK) are RGB (3 channels). An alpha
 * channel must be fully opaque and is dropped; 16-bit samples are rounded to 8 bits, 1-, 2- and 4-bit gray
 * scaled to 0–255.
 * @module
 */
import { decode as decodePng } from "npm:fast-png@8.0.0";
import jpeg from "npm:jpeg-js@0.4.4";
import { DataError } from "../errors.ts";

/** An image's format, size and colour as its header tells them. */
export interface ImageInfo {
  /** The file format. */
  format: "png" | "jpeg";
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** 1 (grayscale) or 3 (RGB), as decoding will give. */
  channels: 1 | 3;
}

/** A decoded image: `height × width × channels` bytes, row-major, channels last. */
export interface DecodedImage extends ImageInfo {
  /** The pixels, `height × width × channels` bytes. */
  pixels: Uint8Array;
}

const PNG_SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];

/** Whether a file name ends in `.png`, `.jpg` or `.jpeg` (any case). */
export function isImageName(name: string): boolean {
  return /\.(png|jpe?g)$/i.test(name);
}

/**
 * The format, size and colour of a PNG or JPEG from its header (no decoding).
 *
 * @throws {DataError} naming `file` when it is neither, or its header is truncated or invalid
 */
export function sniffImage(bytes: Uint8Array, file: string): ImageInfo {
  if (PNG_SIGNATURE.every((b, i) => bytes[i] === b)) {
    if (bytes.length < 29) throw new DataError(file, "corrupt PNG: the file ends inside its IHDR header");
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const type = String.fromCharCode(...bytes.subarray(12, 16));
    if (type !== "IHDR") {
      throw new DataError(file, `corrupt PNG: the first chunk is ${JSON.stringify(type)}, not IHDR`);
    }
    const width = dv.getUint32(16), height = dv.getUint32(20), color = bytes[25];
    if (width < 1 || height < 1) throw new DataError(file, `corrupt PNG: size ${height}×${width}`);
    if (![0, 2, 3, 4, 6].includes(color)) throw new DataError(file, `corrupt PNG: colour type ${color}`);
    return { format: "png", width, height, channels: color === 0 || color === 4 ? 1 : 3 };
  }
  if (bytes[0] === 0xff && bytes[1] === 0xd8) {
    let i = 2;
    while (i + 3 < bytes.length) {
      if (bytes[i] !== 0xff) throw new DataError(file, `corrupt JPEG: no marker at byte ${i}`);
      const marker = bytes[i + 1];
      if (marker === 0xff) {
        i++;
        continue;
      }
      if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
        i += 2;
        continue;
      }
      if (marker === 0xd9 || marker === 0xda) break;
      const len = (bytes[i + 2] << 8) | bytes[i + 3];
      const sof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
      if (sof) {
        if (i + 9 >= bytes.length) break;
        const height = (bytes[i + 5] << 8) | bytes[i + 6], width = (bytes[i + 7] << 8) | bytes[i + 8];
        const components = bytes[i + 9];
        if (width < 1 || height < 1) throw new DataError(file, `corrupt JPEG: size ${height}×${width}`);
        if (![1, 3, 4].includes(components)) {
          throw new DataError(file, `unsupported JPEG: ${components} colour components (1, 3 or 4 are read)`);
        }
        return { format: "jpeg", width, height, channels: components === 1 ? 1 : 3 };
      }
      i += 2 + len;
    }
    throw new DataError(
      file,
      "corrupt JPEG: no frame header (SOF) before the image data or the end of the file",
    );
  }
  throw new DataError(file, "not a PNG or JPEG image (unknown signature)");
}

function unpackBits(data: Uint8Array, width: number, height: number, depth: number): Uint8Array {
  const out = new Uint8Array(width * height);
  const rowBytes = Math.ceil((width * depth) / 8);
  const mask = (1 << depth) - 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const bit = x * depth;
      const byte = data[y * rowBytes + (bit >> 3)];
      out[y * width + x] = (byte >> (8 - depth - (bit & 7))) & mask;
    }
  }
  return out;
}

function decodePngImage(bytes: Uint8Array, file: string): DecodedImage {
  let png;
  try {
    png = decodePng(bytes);
  } catch (e) {
    throw new DataError(file, `corrupt PNG: ${(e as Error).message}`);
  }
  const { width, height, depth } = png;
  const n = width * height;
  let data: Uint8Array | Uint16Array | Uint8ClampedArray = png.data;
  const ch = png.channels;
  if (depth < 8) {
    data = unpackBits(data as Uint8Array, width, height, depth);
    if (!png.palette) {
      const scale = 255 / ((1 << depth) - 1);
      for (let i = 0; i < n; i++) data[i] = Math.round(data[i] * scale);
    }
  }
  if (png.palette) {
    const out = new Uint8Array(n * 3);
    for (let i = 0; i < n; i++) {
      const entry = png.palette[data[i]];
      if (!entry) throw new DataError(file, `corrupt PNG: palette index ${data[i]} has no colour`);
      if (entry.length > 3 && entry[3] !== 255) {
        throw new DataError(file, "has transparent pixels; images must be opaque grayscale or RGB");
      }
      out[3 * i] = entry[0];
      out[3 * i + 1] = entry[1];
      out[3 * i + 2] = entry[2];
    }
    return { format: "png", width, height, channels: 3, pixels: out };
  }
  const max = depth === 16 ? 65535 : 255;
  if (ch === 2 || ch === 4) {
    for (let i = 0; i < n; i++) {
      if (data[i * ch + ch - 1] !== max) {
        throw new DataError(file, "has transparent pixels; images must be opaque grayscale or RGB");
      }
    }
  }
  if (png.transparency && png.transparency.length) {
    const key = Array.from(png.transparency.subarray(0, ch === 1 || ch === 2 ? 1 : 3));
    for (let i = 0; i < n; i++) {
      if (key.every((k, c) => data[i * ch + c] === k)) {
        throw new DataError(file, "has transparent pixels (a tRNS colour key); images must be opaque");
      }
    }
  }
  const colour = ch >= 3 ? 3 : 1;
  const out = new Uint8Array(n * colour);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < colour; c++) {
      const v = data[i * ch + c];
      out[i * colour + c] = depth === 16 ? Math.round(v / 257) : v;
    }
  }
  return { format: "png", width, height, channels: colour as 1 | 3, pixels: out };
}

/** Decodes a JPEG whose header {@link sniffImage} read as `info`. */
function decodeJpegImage(bytes: Uint8Array, file: string, info: ImageInfo): DecodedImage {
  let img;
  try {
    img = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: false,
      tolerantDecoding: false,
      maxResolutionInMP: 100,
      maxMemoryUsageInMB: 1024,
    });
  } catch (e) {
    throw new DataError(file, `corrupt JPEG: ${(e as Error).message}`);
  }
  const n = img.width * img.height;
  if (img.data.length !== n * 3) {
    throw new DataError(file, "corrupt JPEG: the decoded data have the wrong length");
  }
  if (info.channels === 3) return { ...info, width: img.width, height: img.height, pixels: img.data };
  const gray = new Uint8Array(n);
  for (let i = 0; i < n; i++) gray[i] = img.data[3 * i];
  return { ...info, width: img.width, height: img.height, pixels: gray };
}

/**
 * Decodes a PNG or JPEG into 8-bit grayscale or RGB (see the module documentation).
 *
 * @throws {DataError} naming `file` when it is not a PNG or JPEG, cannot be decoded, or has transparent pixels
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encode } from "npm:fast-png@8.0.0";
 * import { decodeImage } from "kstar";
 * const png = encode({ width: 2, height: 1, data: new Uint8Array([0, 200]), channels: 1, depth: 8 });
 * const img = decodeImage(png, "a.png");
 * assert.deepEqual([img.width, img.height, img.channels, Array.from(img.pixels)], [2, 1, 1, [0, 200]]);
 * assert.throws(() => decodeImage(png.subarray(0, 40), "a.png"), /a\.png: corrupt PNG/);
 * ```
 */
export function decodeImage(bytes: Uint8Array, file: string): DecodedImage {
  const info = sniffImage(bytes, file);
  const img = info.format === "png" ? decodePngImage(bytes, file) : decodeJpegImage(bytes, file, info);
  if (img.width !== info.width || img.height !== info.height) {
    throw new DataError(
      file,
      `corrupt image: the header says ${info.height}×${info.width}, the data ${img.height}×${img.width}`,
    );
  }
  return img;
}

/**
 * Resizes `height × width × channels` bytes to `toHeight × toWidth` by bilinear interpolation with half-pixel
 * centres (the edges clamped), rounding to bytes. The same size returns a copy.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resizeImage } from "kstar";
 * assert.deepEqual(Array.from(resizeImage(new Uint8Array([0, 100]), 1, 2, 1, 1, 4)), [0, 25, 75, 100]);
 * ```
 */
export function resizeImage(
  pixels: Uint8Array,
  height: number,
  width: number,
  channels: number,
  toHeight: number,
  toWidth: number,
): Uint8Array {
  if (height === toHeight && width === toWidth) return pixels.slice();
  const out = new Uint8Array(toHeight * toWidth * channels);
  const sy = height / toHeight, sx = width / toWidth;
  for (let y = 0; y < toHeight; y++) {
    const fy = Math.min(height - 1, Math.max(0, (y + 0.5) * sy - 0.5));
    const y0 = Math.floor(fy), y1 = Math.min(height - 1, y0 + 1), wy = fy - y0;
    for (let x = 0; x < toWidth; x++) {
      const fx = Math.min(width - 1, Math.max(0, (x + 0.5) * sx - 0.5));
      const x0 = Math.floor(fx), x1 = Math.min(width - 1, x0 + 1), wx = fx - x0;
      for (let c = 0; c < channels; c++) {
        const p = (yy: number, xx: number) => pixels[(yy * width + xx) * channels + c];
        const top = p(y0, x0) * (1 - wx) + p(y0, x1) * wx;
        const bottom = p(y1, x0) * (1 - wx) + p(y1, x1) * wx;
        out[(y * toWidth + x) * channels + c] = Math.round(top * (1 - wy) + bottom * wy);
      }
    }
  }
  return out;
}
