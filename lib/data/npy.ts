/**
 * The NumPy `.npy` format (versions 1.0, 2.0 and 3.0): the header parsed as the Python literal it is, every
 * malformed, truncated or unsupported file a {@link DataError} naming it and the problem; values read in either
 * byte order and in C or Fortran order; and an encoder (for tests and exports). Browser-safe.
 *
 * Layout: the magic `\x93NUMPY`, a major and minor version byte, the header length (uint16 little-endian in
 * version 1, uint32 in versions 2 and 3), then the header — a Python dict literal
 * `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }` padded with spaces and a newline — then the raw
 * array data, `prod(shape) × itemsize` bytes.
 * @module
 */
import { DataError, describeValue } from "../errors.ts";

/** The magic bytes of a `.npy` file. */
export const NPY_MAGIC = Uint8Array.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]);

/** A parsed dtype string such as `<f4`. */
export interface NpyDtype {
  /** The descr as written, e.g. `"<f4"`. */
  descr: string;
  /** NumPy's kind character: `f` float, `i` signed, `u` unsigned, `b` bool, … */
  kind: string;
  /** Bytes per element. */
  size: number;
  /** Byte order: true for little-endian (`<`, or `|` for single bytes). */
  littleEndian: boolean;
  /** NumPy's name for it, e.g. `"float32"`. */
  name: string;
}

/** A `.npy` header. */
export interface NpyHeader {
  /** The format version, e.g. `"1.0"`. */
  version: string;
  /** The element type. */
  dtype: NpyDtype;
  /** True when the data are in Fortran (column-major) order. */
  fortranOrder: boolean;
  /** The array's shape. */
  shape: number[];
  /** Where the data start. */
  dataOffset: number;
  /** The data's length in bytes: `prod(shape) × itemsize`. */
  dataBytes: number;
}

/** A parsed `.npy` file: its header and a view of its data. */
export interface NpyArray extends NpyHeader {
  /** The raw data bytes (a view). */
  data: Uint8Array;
}

const KIND_NAMES: Record<string, string> = {
  f: "float",
  i: "int",
  u: "uint",
  b: "bool",
  c: "complex",
  U: "unicode string",
  S: "byte string",
  O: "Python object",
  M: "datetime64",
  m: "timedelta64",
  V: "structured (void)",
};

function dtypeName(kind: string, size: number): string {
  if (kind === "b") return "bool";
  if (kind === "f" || kind === "i" || kind === "u") return `${KIND_NAMES[kind]}${8 * size}`;
  if (kind === "c") return `complex${8 * size}`;
  return KIND_NAMES[kind] ?? `kind ${describeValue(kind)}`;
}

type PyValue = string | number | boolean | null | PyValue[] | { [k: string]: PyValue };

/** A small parser of the Python literals a `.npy` header holds (dicts, tuples, lists, strings, ints, bools). */
function parsePython(text: string, file: string): PyValue {
  let i = 0;
  const fail = (what: string): never => {
    throw new DataError(
      file,
      `malformed .npy header: ${what} at character ${i} of ${describeValue(text.trim())}`,
    );
  };
  const ws = () => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  const value = (): PyValue => {
    ws();
    const ch = text[i];
    if (ch === "{") {
      i++;
      const out: Record<string, PyValue> = {};
      for (;;) {
        ws();
        if (text[i] === "}") {
          i++;
          return out;
        }
        const k = value();
        if (typeof k !== "string") fail("a dict key that is not a string");
        ws();
        if (text[i] !== ":") fail("expected ':'");
        i++;
        if (Object.hasOwn(out, k as string)) fail(`the key ${describeValue(k)} twice`);
        out[k as string] = value();
        ws();
        if (text[i] === ",") i++;
        else if (text[i] !== "}") fail("expected ',' or '}'");
      }
    }
    if (ch === "(" || ch === "[") {
      const close = ch === "(" ? ")" : "]";
      i++;
      const out: PyValue[] = [];
      for (;;) {
        ws();
        if (text[i] === close) {
          i++;
          return out;
        }
        out.push(value());
        ws();
        if (text[i] === ",") i++;
        else if (text[i] !== close) fail(`expected ',' or '${close}'`);
      }
    }
    if (ch === "'" || ch === '"') {
      const end = text.indexOf(ch, i + 1);
      if (end < 0) fail("an unterminated string");
      const s = text.slice(i + 1, end);
      if (s.includes("\\")) fail("an escape in a string");
      i = end + 1;
      return s;
    }
    const m = /^(?:True|False|None|[+-]?\d+L?)/.exec(text.slice(i));
    if (!m) return fail(ch === undefined ? "unexpected end" : `unexpected ${describeValue(ch)}`);
    i += m[0].length;
    if (m[0] === "True") return true;
    if (m[0] === "False") return false;
    if (m[0] === "None") return null;
    return Number(m[0].replace("L", ""));
  };
  const v = value();
  ws();
  if (i !== text.length) fail("trailing characters");
  return v;
}

/**
 * Parses a dtype string.
 *
 * @throws {DataError} naming `file` when it is not of the form `<order><kind><size>`
 */
export function parseDtype(descr: string, file: string): NpyDtype {
  const m = /^([<>|=])([a-zA-Z])(\d+)$/.exec(descr);
  if (!m) throw new DataError(file, `unsupported dtype ${describeValue(descr)}`);
  const [, order, kind, sizeText] = m;
  const size = Number(sizeText);
  if (order === "=" && size > 1) {
    throw new DataError(
      file,
      `dtype ${describeValue(descr)} has native byte order ('='), which a file cannot tell; write it with ` +
        "an explicit '<' or '>'",
    );
  }
  return { descr, kind, size, littleEndian: order !== ">", name: dtypeName(kind, size) };
}

/**
 * Parses the header of a `.npy` file; `bytes` may hold only its start (the header).
 *
 * @throws {DataError} naming `file`: not a `.npy` file (magic), an unknown version, a header that is truncated,
 *   not a dict, or lacks or adds keys, a structured dtype, or a shape that is not a tuple of sizes
 */
export function parseNpyHeader(bytes: Uint8Array, file: string): NpyHeader {
  if (bytes.length < 10 || NPY_MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new DataError(file, "not a NumPy .npy file (the magic \\x93NUMPY is missing)");
  }
  const major = bytes[6], minor = bytes[7];
  if (major < 1 || major > 3) {
    throw new DataError(
      file,
      `unsupported .npy format version ${major}.${minor} (1.0, 2.0 and 3.0 are read)`,
    );
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const start = major === 1 ? 10 : 12;
  if (bytes.length < start) throw new DataError(file, "truncated: the file ends inside the .npy preamble");
  const len = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  if (bytes.length < start + len) {
    throw new DataError(
      file,
      `truncated: the header is ${len} bytes, but the file ends ${bytes.length - start} bytes into it`,
    );
  }
  const raw = bytes.subarray(start, start + len);
  const text = major === 3 ? new TextDecoder().decode(raw) : String.fromCharCode(...raw);
  const dict = parsePython(text, file);
  if (dict === null || typeof dict !== "object" || Array.isArray(dict)) {
    throw new DataError(file, `malformed .npy header: not a dict: ${describeValue(text.trim())}`);
  }
  const keys = Object.keys(dict).sort();
  if (keys.join(",") !== "descr,fortran_order,shape") {
    throw new DataError(
      file,
      `malformed .npy header: keys ${keys.map((k) => describeValue(k)).join(", ")}; expected exactly ` +
        "'descr', 'fortran_order' and 'shape'",
    );
  }
  const { descr, fortran_order: fortran, shape } = dict as Record<string, PyValue>;
  if (Array.isArray(descr)) {
    throw new DataError(file, "unsupported dtype: a structured array (a list of fields as 'descr')");
  }
  if (typeof descr !== "string") {
    throw new DataError(file, `malformed .npy header: 'descr' is ${describeValue(descr)}`);
  }
  if (typeof fortran !== "boolean") {
    throw new DataError(file, `malformed .npy header: 'fortran_order' is ${describeValue(fortran)}`);
  }
  if (
    !Array.isArray(shape) || shape.some((d) => typeof d !== "number" || !Number.isSafeInteger(d) || d < 0)
  ) {
    throw new DataError(
      file,
      `malformed .npy header: 'shape' is ${describeValue(shape)}, not a tuple of sizes`,
    );
  }
  const dtype = parseDtype(descr, file);
  const count = (shape as number[]).reduce((a, b) => a * b, 1);
  return {
    version: `${major}.${minor}`,
    dtype,
    fortranOrder: fortran,
    shape: shape as number[],
    dataOffset: start + len,
    dataBytes: count * dtype.size,
  };
}

/** `(60000, 28, 28) float32`. */
export function describeNpy(h: Pick<NpyHeader, "shape" | "dtype">): string {
  return `(${h.shape.join(", ")}${h.shape.length === 1 ? "," : ""}) ${h.dtype.name}`;
}

/**
 * Checks that a file of `size` bytes holds exactly the data its header implies.
 *
 * @throws {DataError} naming `file` when it is truncated or has trailing bytes
 */
export function checkNpyLength(h: NpyHeader, size: number, file: string): void {
  const expected = h.dataOffset + h.dataBytes;
  if (size !== expected) {
    throw new DataError(
      file,
      `${size < expected ? "truncated" : "trailing bytes"}: the header (${describeNpy(h)}) implies ` +
        `${expected} bytes, but the file has ${size}`,
    );
  }
}

/**
 * Parses a whole `.npy` file.
 *
 * @throws {DataError} as {@link parseNpyHeader}, and when the file is truncated or has trailing bytes
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeNpy, parseNpy } from "kstar";
 * const file = encodeNpy(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]);
 * const a = parseNpy(file, "x.npy");
 * assert.deepEqual([a.dtype.name, a.shape, a.fortranOrder], ["float32", [2, 3], false]);
 * assert.throws(() => parseNpy(file.subarray(0, file.length - 1), "x.npy"), /x\.npy: truncated/);
 * ```
 */
export function parseNpy(bytes: Uint8Array, file: string): NpyArray {
  const h = parseNpyHeader(bytes, file);
  checkNpyLength(h, bytes.length, file);
  return { ...h, data: bytes.subarray(h.dataOffset) };
}

function reader(a: NpyArray): (i: number) => number {
  const dv = new DataView(a.data.buffer, a.data.byteOffset, a.data.byteLength);
  const le = a.dtype.littleEndian;
  const key = `${a.dtype.kind}${a.dtype.size}`;
  switch (key) {
    case "f4":
      return (i) => dv.getFloat32(4 * i, le);
    case "f8":
      return (i) => dv.getFloat64(8 * i, le);
    case "u1":
      return (i) => dv.getUint8(i);
    case "i1":
      return (i) => dv.getInt8(i);
    case "u2":
      return (i) => dv.getUint16(2 * i, le);
    case "i2":
      return (i) => dv.getInt16(2 * i, le);
    case "u4":
      return (i) => dv.getUint32(4 * i, le);
    case "i4":
      return (i) => dv.getInt32(4 * i, le);
    case "u8":
      return (i) => Number(dv.getBigUint64(8 * i, le));
    case "i8":
      return (i) => Number(dv.getBigInt64(8 * i, le));
  }
  throw new Error(`no reader for ${a.dtype.descr}`);
}

/**
 * The element offsets (in elements) of an array's values in C order: the identity for C-order data, the
 * transposition for Fortran-order data.
 */
function forEachC(shape: number[], fortran: boolean, fn: (c: number, offset: number) => void): void {
  const n = shape.reduce((a, b) => a * b, 1);
  if (!fortran || shape.length < 2) {
    for (let i = 0; i < n; i++) fn(i, i);
    return;
  }
  const nd = shape.length;
  const stride = new Array<number>(nd);
  stride[0] = 1;
  for (let k = 1; k < nd; k++) stride[k] = stride[k - 1] * shape[k - 1];
  const idx = new Array<number>(nd).fill(0);
  let off = 0;
  for (let c = 0; c < n; c++) {
    fn(c, off);
    for (let k = nd - 1; k >= 0; k--) {
      idx[k]++;
      off += stride[k];
      if (idx[k] < shape[k]) break;
      off -= stride[k] * shape[k];
      idx[k] = 0;
    }
  }
}

function position(shape: number[], c: number): string {
  const idx: number[] = [];
  for (let k = shape.length - 1; k >= 0; k--) {
    idx.unshift(c % shape[k]);
    c = Math.floor(c / shape[k]);
  }
  return `(${idx.join(", ")})`;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Refuses a feature dtype other than float32, float64 or uint8 (from the header alone).
 *
 * @throws {DataError} naming `file` and the dtype
 */
export function checkFeatureDtype(dtype: NpyDtype, file: string): void {
  const key = `${dtype.kind}${dtype.size}`;
  if (key !== "f4" && key !== "f8" && key !== "u1") {
    throw new DataError(
      file,
      `unsupported dtype ${dtype.name} (${
        describeValue(dtype.descr)
      }); features are float32, float64 or uint8`,
    );
  }
}

/**
 * Refuses a label dtype that is not an integer of 1, 2, 4 or 8 bytes (from the header alone).
 *
 * @throws {DataError} naming `file` and the dtype
 */
export function checkLabelDtype(dtype: NpyDtype, file: string): void {
  if ((dtype.kind !== "i" && dtype.kind !== "u") || ![1, 2, 4, 8].includes(dtype.size)) {
    throw new DataError(
      file,
      `unsupported dtype ${dtype.name} (${describeValue(dtype.descr)}) for labels; labels are integers ` +
        "(int8 … int64, uint8 … uint64)",
    );
  }
}

/**
 * An array's values as float32 in C order, checked finite; `uint8` values are returned as bytes for scaling.
 *
 * @throws {DataError} naming `file` for a dtype other than float32, float64 or uint8, or a value that is NaN
 *   or infinite (with its index)
 */
export function npyFeatures(a: NpyArray, file: string): { values: Float32Array; bytes: boolean } {
  checkFeatureDtype(a.dtype, file);
  const key = `${a.dtype.kind}${a.dtype.size}`;
  const n = a.shape.reduce((x, y) => x * y, 1);
  const out = new Float32Array(n);
  const plain = !a.fortranOrder || a.shape.length < 2;
  if (key === "u1") {
    if (plain) out.set(a.data.subarray(0, n));
    else forEachC(a.shape, a.fortranOrder, (c, off) => out[c] = a.data[off]);
    return { values: out, bytes: true };
  }
  let bad = -1;
  if (plain && key === "f4" && a.dtype.littleEndian && LITTLE_ENDIAN) {
    out.set(new Float32Array(a.data.slice(0, 4 * n).buffer));
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(out[i])) {
        bad = i;
        break;
      }
    }
  } else {
    const get = reader(a);
    forEachC(a.shape, a.fortranOrder, (c, off) => {
      const v = get(off);
      if (!Number.isFinite(v) && bad < 0) bad = c;
      out[c] = v;
    });
  }
  if (bad >= 0) {
    throw new DataError(file, `element ${position(a.shape, bad)} is ${out[bad]}; features must be finite`);
  }
  return { values: out, bytes: false };
}

/**
 * An array's values as integer labels (any integer dtype, either byte order).
 *
 * @throws {DataError} naming `file` for a dtype that is not an integer
 */
export function npyLabels(a: NpyArray, file: string): number[] {
  checkLabelDtype(a.dtype, file);
  const get = reader(a);
  const n = a.shape.reduce((x, y) => x * y, 1);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = get(i);
  return out;
}

/** Options of {@link encodeNpy}. */
export interface EncodeNpyOptions {
  /** Write the data in Fortran (column-major) order. */
  fortran?: boolean;
  /** Write big-endian data (`>`). */
  bigEndian?: boolean;
}

/**
 * Encodes a C-order array as a version 1.0 `.npy` file: `Uint8Array` as `|u1`, `Int32Array` as `i4`,
 * `BigInt64Array` as `i8`, `Float32Array` as `f4`, `Float64Array` as `f8`.
 *
 * @throws {RangeError} when `values.length` is not the product of `shape`
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeNpy, npyFeatures, parseNpy } from "kstar";
 * const x = new Float64Array([1, 2, 3, 4, 5, 6]);
 * const a = parseNpy(encodeNpy(x, [2, 3], { fortran: true, bigEndian: true }), "x.npy");
 * assert.equal(a.dtype.descr, ">f8");
 * assert.deepEqual(Array.from(npyFeatures(a, "x.npy").values), [1, 2, 3, 4, 5, 6]);
 * ```
 */
export function encodeNpy(
  values: Uint8Array | Int32Array | BigInt64Array | Float32Array | Float64Array,
  shape: readonly number[],
  opts: EncodeNpyOptions = {},
): Uint8Array {
  const n = shape.reduce((a, b) => a * b, 1);
  if (values.length !== n) {
    throw new RangeError(`encodeNpy: ${values.length} values for shape (${shape.join(", ")})`);
  }
  const [kind, size] = values instanceof Uint8Array
    ? ["u", 1]
    : values instanceof Int32Array
    ? ["i", 4]
    : values instanceof BigInt64Array
    ? ["i", 8]
    : values instanceof Float32Array
    ? ["f", 4]
    : ["f", 8];
  const le = !opts.bigEndian;
  const descr = `${size === 1 ? "|" : le ? "<" : ">"}${kind}${size}`;
  const shapeText = `(${shape.join(", ")}${shape.length === 1 ? "," : ""})`;
  let header = `{'descr': '${descr}', 'fortran_order': ${
    opts.fortran ? "True" : "False"
  }, 'shape': ${shapeText}, }`;
  const pad = 64 - ((10 + header.length + 1) % 64);
  header += " ".repeat(pad % 64) + "\n";
  const out = new Uint8Array(10 + header.length + n * size);
  out.set(NPY_MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  const dv = new DataView(out.buffer);
  dv.setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  const base = 10 + header.length;
  forEachC([...shape], opts.fortran === true, (c, off) => {
    const at = base + off * size;
    if (values instanceof BigInt64Array) dv.setBigInt64(at, values[c], le);
    else if (size === 1) dv.setUint8(at, values[c] as number);
    else if (kind === "i") dv.setInt32(at, values[c] as number, le);
    else if (size === 4) dv.setFloat32(at, values[c] as number, le);
    else dv.setFloat64(at, values[c] as number, le);
  });
  return out;
}
