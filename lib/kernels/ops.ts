/**
 * The SIMD kernels of `simd.ts` as tfjs ops on the `wasm` backend: registered as custom kernels that run on
 * the backend's own heap (no copies), so their results are ordinary tensors that `tf.tidy` tracks.
 *
 * {@link fastKernels} says whether they can be used in this realm (the backend is `wasm` and its heap is
 * reachable); the layers use them then and the generic tfjs ops otherwise (`cpu`, `webgpu`).
 * @module
 */
import { tf } from "../deps.ts";
import { type ConvGeometry, GEMM_ROWS, instantiateKernels, type SimdKernels } from "./simd.ts";

type T = tf.Tensor;

interface WasmBackend {
  wasm: {
    asm?: { memory?: WebAssembly.Memory };
    _malloc(bytes: number): number;
    _free(ptr: number): void;
    HEAPU8: Uint8Array;
  };
  dataIdMap: { get(id: object): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

/** A sparse matrix in CSR form: int32 row pointers `[rows + 1]` and column indices, float32 values. */
export interface Csr {
  rows: number;
  columns: number;
  /** Stored nonzeros. */
  nnz: number;
  rowPtr: T;
  cols: T;
  vals: T;
}

export type { ConvGeometry };

let enabled = true;
let kernels: SimdKernels | null = null;
let registered = false;

/** Turns the fast kernels off (or on again) in this realm, e.g. to compare them with the generic ops. */
export function setFastKernels(on: boolean): void {
  enabled = on;
}

/** Whether the layers use the SIMD kernels now: enabled, and the current backend is `wasm`. */
export function fastKernels(): boolean {
  if (!enabled || tf.getBackend() !== "wasm") return false;
  if (!registered) register(tf.backend() as unknown as WasmBackend);
  return kernels !== null;
}

function memoryOf(b: WasmBackend): WebAssembly.Memory | null {
  const m = b.wasm?.asm?.memory;
  return m instanceof WebAssembly.Memory ? m : null;
}

function off(b: WasmBackend, t: tf.TensorInfo): number {
  return b.dataIdMap.get(t.dataId).memoryOffset;
}

/** Scratch int32 table in the heap for the list kernels, freed after `fn`. */
function withTable<R>(b: WasmBackend, words: number[], isFloat: boolean[] | null, fn: (ptr: number) => R): R {
  const ptr = b.wasm._malloc(4 * words.length) >>> 0;
  try {
    const buf = b.wasm.HEAPU8.buffer;
    const iv = new Int32Array(buf, ptr, words.length), fv = new Float32Array(buf, ptr, words.length);
    words.forEach((w, i) => (isFloat?.[i] ? (fv[i] = w) : (iv[i] = w)));
    return fn(ptr);
  } finally {
    b.wasm._free(ptr);
  }
}

/**
 * Tap tables of convolutions: for output pixel r = (b, i, j) and tap t = (kh, kw), the byte offset of input
 * pixel (b, s·i + kh − pt, s·j + kw − pl) from the input's start, or −1 outside the image. They depend on the
 * geometry and sample count only; a few are kept per realm (in the heap, where the kernels read them).
 */
const tables = new Map<string, { ptr: number; zero: number }>();

function convTable(b: WasmBackend, n: number, g: ConvGeometry): { ptr: number; zero: number } {
  const key = [n, g.H, g.W, g.C, g.oh, g.ow, g.k, g.s, g.pt, g.pl].join(",");
  const hit = tables.get(key);
  if (hit) {
    tables.delete(key); // most recently used last
    tables.set(key, hit);
    return hit;
  }
  if (tables.size >= 8) {
    const [oldKey, old] = tables.entries().next().value!;
    b.wasm._free(old.ptr);
    b.wasm._free(old.zero);
    tables.delete(oldKey);
  }
  const T = g.k * g.k, rows = n * g.oh * g.ow;
  const ptr = b.wasm._malloc(4 * rows * T) >>> 0, zero = b.wasm._malloc(4 * g.C + 16) >>> 0;
  const tab = new Int32Array(b.wasm.HEAPU8.buffer, ptr, rows * T);
  new Float32Array(b.wasm.HEAPU8.buffer, zero, g.C).fill(0);
  let q = 0;
  for (let s = 0; s < n; s++) {
    for (let i = 0; i < g.oh; i++) {
      for (let j = 0; j < g.ow; j++) {
        for (let kh = 0; kh < g.k; kh++) {
          const y = g.s * i + kh - g.pt;
          for (let kw = 0; kw < g.k; kw++) {
            const x = g.s * j + kw - g.pl;
            tab[q++] = y >= 0 && y < g.H && x >= 0 && x < g.W ? 4 * ((s * g.H + y) * g.W + x) * g.C : -1;
          }
        }
      }
    }
  }
  const entry = { ptr, zero };
  tables.set(key, entry);
  return entry;
}

/** The `[start, count]` row range in a kernel's attributes (`rows`), or all `n` rows. */
function rowRange(attrs: tf.NamedAttrMap | undefined, n: number): [number, number] {
  const r = attrs?.rows as number[] | undefined;
  if (!r || r.length !== 2) return [0, n];
  if (r[0] < 0 || r[1] < 0 || r[0] + r[1] > n) throw new Error(`kernels: rows ${r} outside 0..${n}`);
  return [r[0], r[1]];
}

type KernelArgs = { inputs: Record<string, tf.TensorInfo>; backend: unknown; attrs?: tf.NamedAttrMap };

function register(backend: WasmBackend): void {
  registered = true;
  const memory = memoryOf(backend);
  if (!memory) return;
  kernels = instantiateKernels(memory);
  const K = kernels;
  const K_gram = (t: number, q: number, o: number, M: number, N: number, Kd: number, batches: number) =>
    K.gram(t, q > 0 ? 1 : 0, o, M, N, Kd, batches, Kd);
  const def = (name: string, fn: (b: WasmBackend, a: KernelArgs) => tf.TensorInfo) =>
    tf.registerKernel({
      kernelName: `Kstar${name}`,
      backendName: "wasm",
      kernelFunc: ((a: KernelArgs) => fn(a.backend as WasmBackend, a)) as unknown as tf.KernelFunc,
    });
  def("Spmm", (b, { inputs: { rowPtr, cols, vals, B } }) => {
    const M = rowPtr.shape[0] - 1, N = B.shape[1];
    const out = b.makeOutput([M, N], "float32");
    K.spmm(off(b, rowPtr), off(b, cols), off(b, vals), off(b, B), off(b, out), M, N);
    return out;
  });
  def("SpmmT", (b, { inputs: { rowPtr, cols, vals, G }, attrs }) => {
    const N = G.shape[1], Kc = attrs!.columns as number;
    const [r0, M] = rowRange(attrs, rowPtr.shape[0] - 1);
    const out = b.makeOutput([Kc, N], "float32");
    K.spmmT(
      off(b, rowPtr) + 4 * r0,
      off(b, cols),
      off(b, vals),
      off(b, G) + 4 * r0 * N,
      off(b, out),
      M,
      N,
      Kc,
    );
    return out;
  });
  def("Im2col", (b, { inputs: { a }, attrs }) => {
    const g = attrs as unknown as ConvGeometry;
    const n = a.shape[0];
    const out = b.makeOutput([n * g.oh * g.ow, g.k * g.k * g.C], "float32");
    K.im2col(off(b, a), off(b, out), n, g.H, g.W, g.C, g.oh, g.ow, g.k, g.s, g.pt, g.pl);
    return out;
  });
  def("Col2im", (b, { inputs: { c1, c2, mask }, attrs }) => {
    const g = attrs as unknown as ConvGeometry;
    const n = c1.shape[0] / (g.oh * g.ow);
    const out = b.makeOutput([n, g.H, g.W, g.C], "float32");
    K.col2im(
      off(b, c1),
      c2 ? off(b, c2) : 0,
      mask ? off(b, mask) : 0,
      off(b, out),
      n,
      g.H,
      g.W,
      g.C,
      g.oh,
      g.ow,
      g.k,
      g.s,
      g.pt,
      g.pl,
    );
    return out;
  });
  def("Transpose2d", (b, { inputs: { x } }) => {
    const [R, C] = x.shape;
    const out = b.makeOutput([C, R], "float32");
    K.transpose(off(b, x), off(b, out), R, C);
    return out;
  });
  def("MaskedSum", (b, { inputs: { x1, x2, bias, mask }, attrs }) => {
    const C = x1.shape[x1.shape.length - 1] ?? 1;
    const size = x1.shape.reduce((p, q) => p * q, 1);
    const out = b.makeOutput(x1.shape, "float32");
    K.maskedSum(
      off(b, x1),
      x2 ? off(b, x2) : 0,
      bias ? off(b, bias) : 0,
      mask ? off(b, mask) : 0,
      off(b, out),
      size / C,
      C,
      attrs!.relu ? 1 : 0,
    );
    return out;
  });
  // Runs a product in blocks of GEMM_ROWS rows and one block of the remaining rows. `ind`: indirect rows
  // (a convolution input read through a tap table), else A is a matrix (rows `aRow` bytes apart; TN: columns).
  const product = (
    mode: "NN" | "TN" | "IN",
    pa: number,
    M: number,
    Kd: number,
    lda: number,
    pb: number,
    N: number,
    out: number,
    acc: number,
    epi: { bias: number; relu: number },
    ind = { table: 0, zero: 0, cin: 1 },
  ) => {
    const full = Math.floor(M / GEMM_ROWS) * GEMM_ROWS, rem = M - full;
    const call = (R: number, rows: number, r0: number) => {
      const pr = mode === "NN" ? pa + 4 * r0 * lda : mode === "TN" ? pa + 4 * r0 : pa;
      const tab = mode === "IN" ? ind.table + 4 * r0 * (Kd / ind.cin) : 0;
      K[`gemm${mode}${R}`](
        pr,
        pb,
        out + 4 * r0 * N,
        rows,
        N,
        Kd,
        lda,
        N,
        N,
        acc,
        epi.bias,
        epi.relu,
        tab,
        ind.zero,
        ind.cin,
      );
    };
    if (full > 0) call(GEMM_ROWS, full, 0);
    if (rem > 0) call(rem, rem, full);
  };
  def("Gemm", (b, { inputs: { a1, b1, a2, b2, bias }, attrs }) => {
    const trans = attrs!.transA === true, relu = attrs!.relu ? 1 : 0;
    const mode = trans ? "TN" : "NN";
    const M = trans ? a1.shape[1] : a1.shape[0], N = b1.shape[1];
    const out = b.makeOutput([M, N], "float32");
    const o = off(b, out);
    const terms = a2 && b2 ? [[a1, b1], [a2, b2]] : [[a1, b1]];
    terms.forEach(([a, bm], i) => {
      // TN: the reduction runs over rows r0 .. r0 + count of both factors (default all).
      const [r0, Kd] = trans ? rowRange(attrs, a.shape[0]) : [0, a.shape[1]];
      const last = i === terms.length - 1;
      const epi = { bias: last && bias ? off(b, bias) : 0, relu: last ? relu : 0 };
      if (Kd === 0) {
        // An empty product: zeros.
        if (i === 0) new Float32Array(b.wasm.HEAPU8.buffer, o, M * N).fill(0);
        return;
      }
      const pa = off(b, a) + 4 * r0 * a.shape[1], pb = off(b, bm) + 4 * r0 * N;
      product(mode, pa, M, Kd, a.shape[1], pb, N, o, i > 0 ? 1 : 0, epi);
    });
    return out;
  });
  def("Conv", (b, { inputs: { x1, w1, x2, w2, bias }, attrs }) => {
    const g = attrs as unknown as ConvGeometry;
    const relu = attrs!.relu ? 1 : 0;
    const n = x1.shape[0], M = n * g.oh * g.ow, Kd = g.k * g.k * g.C, N = w1.shape[1];
    const out = b.makeOutput([M, N], "float32");
    const o = off(b, out);
    const table = convTable(b, n, g);
    const terms = x2 && w2 ? [[x1, w1], [x2, w2]] : [[x1, w1]];
    terms.forEach(([x, w], i) => {
      const last = i === terms.length - 1;
      const epi = { bias: last && bias ? off(b, bias) : 0, relu: last ? relu : 0 };
      product("IN", off(b, x), M, Kd, 0, off(b, w), N, o, i > 0 ? 1 : 0, epi, {
        table: table.ptr,
        zero: table.zero,
        cin: g.C,
      });
    });
    return out;
  });
  def("ColSum", (b, { inputs: { x }, attrs }) => {
    const C = x.shape[1];
    const [r0, R] = rowRange(attrs, x.shape[0]);
    const out = b.makeOutput([C], "float32");
    K.colSum(off(b, x) + 4 * r0 * C, off(b, out), R, C);
    return out;
  });
  def("Gram", (b, { inputs, attrs }) => {
    const parts = inNumberOrder(inputs);
    const M = attrs!.M as number, segments = attrs!.segments as number;
    const N = parts.length / segments - M;
    const batches = attrs!.batches as number;
    const out = b.makeOutput([batches, M, N], "float32");
    for (let q = 0; q < segments; q++) {
      const seg = parts.slice(q * (M + N), (q + 1) * (M + N));
      const K = seg[0].shape.reduce((x, y) => x * y, 1) / batches;
      withTable(b, seg.map((t) => off(b, t)), null, (t) => K_gram(t, q, off(b, out), M, N, K, batches));
    }
    return out;
  });
  def("Combine", (b, { inputs, attrs }) => {
    const parts = inNumberOrder(inputs);
    const coefs = attrs!.coefs as number[];
    const start = attrs!.start as number, size = attrs!.size as number;
    const out = b.makeOutput(attrs!.shape as number[], "float32");
    const words: number[] = [], isFloat: boolean[] = [];
    parts.forEach((p, i) => {
      words.push(off(b, p) + 4 * start, coefs[i]);
      isFloat.push(false, true);
    });
    withTable(b, words, isFloat, (t) => K.axpyList(t, parts.length, off(b, out), size));
    return out;
  });
}

const run = (name: string, inputs: Record<string, T>, attrs: Record<string, unknown> = {}): T =>
  tf.engine().runKernel(`Kstar${name}`, inputs as tf.NamedTensorMap, attrs as tf.NamedAttrMap) as T;

const numbered = (ts: T[]) => Object.fromEntries(ts.map((t, i) => [`t${i}`, t]));

/** The inputs of a kernel run with {@link numbered} inputs, back in order (`t0`, `t1`, …). */
function inNumberOrder(inputs: Record<string, tf.TensorInfo>): tf.TensorInfo[] {
  return Object.keys(inputs).sort((p, q) => Number(p.slice(1)) - Number(q.slice(1))).map((k) => inputs[k]);
}

/**
 * CSR of the rows of a dense `[rows, columns]` float32 array (its nonzeros in row order), as tensors. `nnz`: the
 * number of nonzeros among its first `rows × columns` values, when the caller has counted them already.
 */
export function csrOf(values: Float32Array, rows: number, columns: number, nnz?: number): Csr {
  if (nnz === undefined) {
    nnz = 0;
    for (let i = 0; i < rows * columns; i++) if (values[i] !== 0) nnz++;
  }
  const rowPtr = new Int32Array(rows + 1), cols = new Int32Array(Math.max(1, nnz));
  const vals = new Float32Array(Math.max(1, nnz));
  let q = 0;
  for (let r = 0; r < rows; r++) {
    const base = r * columns;
    for (let c = 0; c < columns; c++) {
      const v = values[base + c];
      if (v !== 0) {
        cols[q] = c;
        vals[q++] = v;
      }
    }
    rowPtr[r + 1] = q;
  }
  return {
    rows,
    columns,
    nnz,
    rowPtr: tf.tensor1d(rowPtr, "int32"),
    cols: tf.tensor1d(cols, "int32"),
    vals: tf.tensor1d(vals, "float32"),
  };
}

/** Frees a {@link Csr}'s tensors. */
export function disposeCsr(s: Csr): void {
  tf.dispose([s.rowPtr, s.cols, s.vals]);
}

/** `S · B` for S in CSR form (`[rows, columns]`) and B `[columns, N]`: `[rows, N]`. */
export function spmm(s: Csr, B: T): T {
  return run("Spmm", { rowPtr: s.rowPtr, cols: s.cols, vals: s.vals, B });
}

/**
 * `Sᵀ · G` for S in CSR form (`[rows, columns]`) and G `[rows, N]`: `[columns, N]`; with `rows = [start,
 * count]`, over those rows of S and G only.
 */
export function spmmT(s: Csr, G: T, rows?: [number, number]): T {
  const attrs: Record<string, unknown> = { columns: s.columns };
  if (rows) attrs.rows = rows;
  return run("SpmmT", { rowPtr: s.rowPtr, cols: s.cols, vals: s.vals, G }, attrs);
}

/** The patch matrix `[n·oh·ow, k·k·C]` of `a` `[n, H, W, C]` (see `simd.ts`). */
export function im2col(a: T, g: ConvGeometry): T {
  return run("Im2col", { a }, { ...g });
}

/** The adjoint of {@link im2col} applied to `c1 (+ c2)`, times `[mask > 0]` when given: `[n, H, W, C]`. */
export function col2im(g: ConvGeometry, c1: T, c2?: T, mask?: T): T {
  const inputs: Record<string, T> = { c1 };
  if (c2) inputs.c2 = c2;
  if (mask) inputs.mask = mask;
  return run("Col2im", inputs, { ...g });
}

/** The transpose of a 2-D tensor. */
export function transpose2d(x: T): T {
  return run("Transpose2d", { x });
}

/**
 * `(x1 + x2 + bias) · [mask > 0]`, then ReLU when `relu`: elementwise over x1's shape, `bias` broadcast along
 * the last axis; `x2`, `bias` and `mask` optional.
 */
export function maskedSum(x1: T, o: { x2?: T; bias?: T; mask?: T; relu?: boolean } = {}): T {
  const inputs: Record<string, T> = { x1 };
  if (o.x2) inputs.x2 = o.x2;
  if (o.bias) inputs.bias = o.bias;
  if (o.mask) inputs.mask = o.mask;
  return run("MaskedSum", inputs, { relu: o.relu === true });
}

/**
 * Matrix product `a · b` (`transA`: `aᵀ · b`, a reduction over the rows of both — over rows `[start, count]`
 * only with `rows`), plus `a2 · b2` (same form) when given, then `bias` and ReLU: SIMD kernels with fused
 * multiply-adds, summing each entry's products in order. 2-D row-major.
 */
export function gemm(
  a: T,
  b: T,
  o: { transA?: boolean; a2?: T; b2?: T; bias?: T; relu?: boolean; rows?: [number, number] } = {},
): T {
  const inputs: Record<string, T> = { a1: a, b1: b };
  if (o.a2 && o.b2) {
    inputs.a2 = o.a2;
    inputs.b2 = o.b2;
  }
  if (o.bias) inputs.bias = o.bias;
  const attrs: Record<string, unknown> = { transA: o.transA === true, relu: o.relu === true };
  if (o.rows) attrs.rows = o.rows;
  return run("Gemm", inputs, attrs);
}

/**
 * A convolution as a product read straight from the input (no patch matrix): `Σ_i patches(x_i) · w_i`
 * (+ bias, then ReLU) for one or two inputs `[n, H, W, C]` with weights `[k·k·C, cout]`: `[n·oh·ow, cout]`.
 */
export function conv(
  g: ConvGeometry,
  x: T,
  w: T,
  o: { x2?: T; w2?: T; bias?: T; relu?: boolean } = {},
): T {
  const inputs: Record<string, T> = { x1: x, w1: w };
  if (o.x2 && o.w2) {
    inputs.x2 = o.x2;
    inputs.w2 = o.w2;
  }
  if (o.bias) inputs.bias = o.bias;
  return run("Conv", inputs, { ...g, relu: o.relu === true });
}

/** Column sums of a 2-D tensor (of rows `[start, count]` only when given), rows added in order: `[columns]`. */
export function colSum(x: T, rows?: [number, number]): T {
  return run("ColSum", { x }, rows ? { rows } : {});
}

/**
 * Per-batch Gram blocks over several segments: `segments[q]` gives the tensors `u_1..u_M` and `v_1..v_N`
 * (each split into `batches` equal consecutive blocks); `out[j][i][m] = Σ_q ⟨u_i block j, v_m block j⟩`:
 * `[batches, M, N]`.
 */
export function gram(segments: { u: T[]; v: T[] }[], batches: number): T {
  const M = segments[0].u.length;
  const parts = segments.flatMap((s) => [...s.u, ...s.v]);
  return run("Gram", numbered(parts), { M, segments: segments.length, batches });
}

/**
 * `Σ_i coefs[i] · parts[i][start .. start + size)` (each part flattened), shaped `shape`, summed in order.
 */
export function combine(parts: T[], coefs: number[], start: number, size: number, shape: number[]): T {
  return run("Combine", numbered(parts), { coefs, start, size, shape });
}
