/**
 * The engine's WebAssembly SIMD kernels, assembled at run time (see `wasm_asm.ts`) and run on the tfjs-wasm
 * heap in place: matrix products with fused multiply-adds (plain, reducing over rows, or reading a
 * convolution's input through a tap table), sparse × dense products for sparse first-layer inputs,
 * convolution patches (im2col) and their adjoint (col2im) with a fused ReLU mask, masked and column sums,
 * per-batch Gram blocks, linear combinations and 2-D transposes. They replace tfjs-wasm's data-movement ops
 * (pad, slice, concat, transpose run at 25–300 M elements/s there) and its products (7–19 G multiply-adds/s
 * with a fresh right-hand matrix; these reach 20–29).
 *
 * Every kernel takes byte offsets into the memory and element counts. Sums run in a fixed order, so results do
 * not depend on how the data are split (row r of an output depends on row r of the inputs only).
 * @module
 */
import { assemble, type Emit, f32, Fn, i32, v128 } from "./wasm_asm.ts";

/** The geometry of a k×k stride-s convolution of `[n, H, W, C]` inputs with "same"-style offsets (pt, pl). */
export interface ConvGeometry {
  H: number;
  W: number;
  C: number;
  oh: number;
  ow: number;
  k: number;
  s: number;
  pt: number;
  pl: number;
}

/** Whether this engine has relaxed SIMD (`f32x4.relaxed_madd`: a fused multiply-add where the CPU has one). */
export const HAS_FMA: boolean = (() => {
  const f = new Fn("madd", [v128, v128, v128], [v128]);
  f.get(0).get(1).get(2).f4_madd();
  try {
    return WebAssembly.validate(assemble([f]) as BufferSource);
  } catch {
    return false;
  }
})();

const L = (i: number): Emit => (f: Fn) => f.get(i);

/** acc ← v · (value at the top of the stack) + acc, for v128 locals. Stack: [x]. */
/** Whether the module being assembled uses fused multiply-adds (see {@link instantiateKernels}). */
let useFma = HAS_FMA;

function madd(f: Fn, v: number, acc: number): void {
  // Stack holds x; compute x·v + acc.
  if (useFma) {
    f.get(v).get(acc).f4_madd().set(acc);
  } else {
    f.get(v).f4_mul().get(acc).f4_add().set(acc);
  }
}

/**
 * `spmm(rowPtr, cols, vals, B, C, M, N)`: C[M×N] = S · B[K×N], S in CSR form (int32 rowPtr[M+1] and cols,
 * float32 vals). Each output row is accumulated in registers over the row's nonzeros, 32 columns at a time.
 */
function spmm(): Fn {
  const f = new Fn("spmm", [i32, i32, i32, i32, i32, i32, i32]);
  const [rowPtr, cols, vals, B, C, M, N] = [0, 1, 2, 3, 4, 5, 6];
  const i = f.local(i32), k = f.local(i32), k0 = f.local(i32), k1 = f.local(i32), t = f.local(i32);
  const nb = f.local(i32), bp = f.local(i32), cp = f.local(i32), lim = f.local(i32);
  const s = f.local(f32);
  const v = f.local(v128);
  const acc = Array.from({ length: 8 }, () => f.local(v128));
  f.get(N).i32(2).shl().set(nb);
  f.for(i, 0, L(M), 1, () => {
    f.get(rowPtr).get(i).i32(2).shl().add().tee(k0).i32_load(4).set(k1);
    f.get(k0).i32_load().set(k0);
    f.get(C).get(i).get(nb).mul().add().set(cp);
    f.i32(0).set(t);
    // Tiles of w vectors (4w columns) while they fit.
    for (const w of [8, 1]) {
      f.get(N).i32(4 * w - 1).sub().set(lim);
      f.block().get(t).get(lim).ge_s().br_if(0).loop();
      for (let j = 0; j < w; j++) f.v_zero().set(acc[j]);
      f.for(k, L(k0), L(k1), 1, () => {
        f.get(vals).get(k).i32(2).shl().add().v_load32_splat().set(v);
        f.get(B).get(cols).get(k).i32(2).shl().add().i32_load().get(nb).mul().add().get(t).i32(2).shl().add()
          .set(bp);
        for (let j = 0; j < w; j++) {
          f.get(bp).v_load(16 * j);
          madd(f, v, acc[j]);
        }
      });
      for (let j = 0; j < w; j++) f.get(cp).get(t).i32(2).shl().add().get(acc[j]).v_store(16 * j);
      f.get(t).i32(4 * w).add().tee(t).get(lim).lt_s().br_if(0).end().end();
    }
    // Scalar tail.
    f.block().get(t).get(N).ge_s().br_if(0).loop();
    f.f32(0).set(s);
    f.for(k, L(k0), L(k1), 1, () => {
      f.get(vals).get(k).i32(2).shl().add().f32_load();
      f.get(B).get(cols).get(k).i32(2).shl().add().i32_load().get(nb).mul().add().get(t).i32(2).shl().add()
        .f32_load();
      f.f32_mul().get(s).f32_add().set(s);
    });
    f.get(cp).get(t).i32(2).shl().add().get(s).f32_store();
    f.get(t).i32(1).add().tee(t).get(N).lt_s().br_if(0).end().end();
  });
  return f;
}

/**
 * `spmmT(rowPtr, cols, vals, G, O, M, N, K)`: O[K×N] = Sᵀ · G[M×N] for S (M×K) in CSR form. O is zeroed,
 * then each row of G, 32 columns at a time in registers, is added into the rows of O its nonzeros name, in
 * row order.
 */
function spmmT(): Fn {
  const f = new Fn("spmmT", [i32, i32, i32, i32, i32, i32, i32, i32]);
  const [rowPtr, cols, vals, G, O, M, N, K] = [0, 1, 2, 3, 4, 5, 6, 7];
  const i = f.local(i32), k = f.local(i32), k0 = f.local(i32), k1 = f.local(i32), t = f.local(i32);
  const nb = f.local(i32), op = f.local(i32), gp = f.local(i32), lim = f.local(i32), q = f.local(i32);
  const s = f.local(f32);
  const v = f.local(v128);
  const g = Array.from({ length: 8 }, () => f.local(v128));
  const x = f.local(v128);
  f.get(N).i32(2).shl().set(nb);
  // Zero O.
  f.for(q, 0, (h) => h.get(K).get(N).mul(), 1, () => {
    f.get(O).get(q).i32(2).shl().add().f32(0).f32_store();
  });
  f.for(i, 0, L(M), 1, () => {
    f.get(rowPtr).get(i).i32(2).shl().add().tee(k0).i32_load(4).set(k1);
    f.get(k0).i32_load().set(k0);
    f.get(G).get(i).get(nb).mul().add().set(gp);
    f.i32(0).set(t);
    for (const w of [8, 1]) {
      f.get(N).i32(4 * w - 1).sub().set(lim);
      f.block().get(t).get(lim).ge_s().br_if(0).loop();
      for (let j = 0; j < w; j++) f.get(gp).get(t).i32(2).shl().add().v_load(16 * j).set(g[j]);
      f.for(k, L(k0), L(k1), 1, () => {
        f.get(vals).get(k).i32(2).shl().add().v_load32_splat().set(v);
        f.get(O).get(cols).get(k).i32(2).shl().add().i32_load().get(nb).mul().add().get(t).i32(2).shl().add()
          .set(op);
        for (let j = 0; j < w; j++) {
          f.get(op).get(op).v_load(16 * j).set(x);
          f.get(g[j]);
          madd(f, v, x);
          f.get(x).v_store(16 * j);
        }
      });
      f.get(t).i32(4 * w).add().tee(t).get(lim).lt_s().br_if(0).end().end();
    }
    f.block().get(t).get(N).ge_s().br_if(0).loop();
    f.get(gp).get(t).i32(2).shl().add().f32_load().set(s);
    f.for(k, L(k0), L(k1), 1, () => {
      f.get(O).get(cols).get(k).i32(2).shl().add().i32_load().get(nb).mul().add().get(t).i32(2).shl().add()
        .tee(op);
      f.get(op).f32_load();
      f.get(vals).get(k).i32(2).shl().add().f32_load().get(s).f32_mul().f32_add().f32_store();
    });
    f.get(t).i32(1).add().tee(t).get(N).lt_s().br_if(0).end().end();
  });
  return f;
}

/** Copies (or adds, with `accumulate`) `C` floats from address local `src` to `dst`; vectors, then a tail. */
function run(f: Fn, src: number, dst: number, C: number, c: number, accumulate: boolean): void {
  f.i32(0).set(c);
  f.block().get(c).get(C).i32(3).sub().ge_s().br_if(0).loop();
  f.get(dst).get(c).i32(2).shl().add();
  f.get(src).get(c).i32(2).shl().add().v_load();
  if (accumulate) f.get(dst).get(c).i32(2).shl().add().v_load().f4_add();
  f.v_store();
  f.get(c).i32(4).add().tee(c).get(C).i32(3).sub().lt_s().br_if(0).end().end();
  f.block().get(c).get(C).ge_s().br_if(0).loop();
  f.get(dst).get(c).i32(2).shl().add();
  f.get(src).get(c).i32(2).shl().add().f32_load();
  if (accumulate) f.get(dst).get(c).i32(2).shl().add().f32_load().f32_add();
  f.f32_store();
  f.get(c).i32(1).add().tee(c).get(C).lt_s().br_if(0).end().end();
}

/** Zeroes `n` floats at address local `dst` (n a local): vectors, then a tail. */
function zero(f: Fn, dst: number, n: number, c: number): void {
  f.i32(0).set(c);
  f.block().get(c).get(n).i32(3).sub().ge_s().br_if(0).loop();
  f.get(dst).get(c).i32(2).shl().add().v_zero().v_store();
  f.get(c).i32(4).add().tee(c).get(n).i32(3).sub().lt_s().br_if(0).end().end();
  f.block().get(c).get(n).ge_s().br_if(0).loop();
  f.get(dst).get(c).i32(2).shl().add().f32(0).f32_store();
  f.get(c).i32(1).add().tee(c).get(n).lt_s().br_if(0).end().end();
}

/**
 * Loops over every (sample, output row, output column, kernel row, kernel column) of a k×k stride-s
 * convolution with "same"-style offsets (pt, pl), calling `body(rowAddr, tapAddr, inside)`:
 * `rowAddr`/`tapAddr` are locals holding the byte offsets of the patch row's tap in the patch matrix
 * and of the input pixel in the image, `inside` a local that is 1 when that pixel exists.
 */
function convTaps(
  f: Fn,
  /** The locals holding the sample count and each value of the {@link ConvGeometry}. */
  p: Record<keyof ConvGeometry | "n", number>,
  cols: number,
  img: number,
  body: (colAddr: number, imgAddr: number) => void,
  perSample?: (b: number) => void,
  outside?: (colAddr: number) => void,
): void {
  const b = f.local(i32), i = f.local(i32), j = f.local(i32), kh = f.local(i32), kw = f.local(i32);
  const y = f.local(i32), x = f.local(i32), ca = f.local(i32), ia = f.local(i32), row = f.local(i32);
  const cb = f.local(i32);
  // Bytes per patch row: k·k·C floats.
  f.get(p.k).get(p.k).mul().get(p.C).mul().i32(2).shl().set(cb);
  f.get(cols).set(row);
  f.for(b, 0, L(p.n), 1, () => {
    f.for(i, 0, L(p.oh), 1, () => {
      f.for(j, 0, L(p.ow), 1, () => {
        f.get(row).set(ca);
        f.for(kh, 0, L(p.k), 1, () => {
          f.get(i).get(p.s).mul().get(kh).add().get(p.pt).sub().set(y);
          f.for(kw, 0, L(p.k), 1, () => {
            f.get(j).get(p.s).mul().get(kw).add().get(p.pl).sub().set(x);
            // inside = 0 ≤ y < H and 0 ≤ x < W (unsigned compares of y and x)
            // inside = 0 ≤ y < H and 0 ≤ x < W (unsigned compares)
            f.get(y).get(p.H).lt_u().get(x).get(p.W).lt_u().and().if_();
            f.get(img).get(b).get(p.H).mul().get(y).add().get(p.W).mul().get(x).add().get(p.C).mul().i32(2)
              .shl().add().set(ia);
            body(ca, ia);
            if (outside) {
              f.else_();
              outside(ca);
            }
            f.end();
            f.get(ca).get(p.C).i32(2).shl().add().set(ca);
          });
        });
        f.get(row).get(cb).add().set(row);
      });
    });
    perSample?.(b);
  });
}

/**
 * `im2col(a, out, n, H, W, C, oh, ow, k, s, pt, pl)`: the patch matrix of a k×k stride-s convolution,
 * out[(b·oh + i)·ow + j, (kh·k + kw)·C + c] = a[b, s·i + kh − pt, s·j + kw − pl, c] (0 outside the image).
 */
function im2col(): Fn {
  const f = new Fn("im2col", new Array(12).fill(i32));
  const [a, out, n, H, W, C, oh, ow, k, s, pt, pl] = Array.from({ length: 12 }, (_, q) => q);
  const c = f.local(i32);
  convTaps(
    f,
    { n, H, W, C, oh, ow, k, s, pt, pl },
    out,
    a,
    (ca, ia) => run(f, ia, ca, C, c, false),
    undefined,
    (ca) => zero(f, ca, C, c),
  );
  return f;
}

/**
 * `col2im(c1, c2, mask, out, n, H, W, C, oh, ow, k, s, pt, pl)`: the adjoint of im2col, summed over c1 and
 * (when c2 ≠ 0) c2, and multiplied by [mask > 0] when mask ≠ 0: out[b, y, x, c] = [mask > 0] · Σ over the
 * taps that read pixel (y, x) of their patch entries. Taps are added in patch order.
 */
function col2im(): Fn {
  const f = new Fn("col2im", new Array(14).fill(i32));
  const [c1, c2, mask, out, n, H, W, C, oh, ow, k, s, pt, pl] = Array.from({ length: 14 }, (_, q) => q);
  const c = f.local(i32), total = f.local(i32), px = f.local(i32), base = f.local(i32);
  f.get(n).get(H).mul().get(W).mul().get(C).mul().set(total);
  zero(f, out, total, c);
  const src2 = f.local(i32);
  convTaps(f, { n, H, W, C, oh, ow, k, s, pt, pl }, c1, out, (ca, ia) => {
    run(f, ca, ia, C, c, true);
    f.get(c2).if_();
    f.get(ca).get(c1).sub().get(c2).add().set(src2);
    run(f, src2, ia, C, c, true);
    f.end();
  }, (b) => {
    // After sample b is complete: out ← out · [mask > 0] over its pixels.
    f.get(mask).if_();
    f.get(H).get(W).mul().get(C).mul().set(px);
    f.get(b).get(px).mul().i32(2).shl().set(base);
    f.i32(0).set(c);
    f.block().get(c).get(px).i32(3).sub().ge_s().br_if(0).loop();
    f.get(out).get(base).add().get(c).i32(2).shl().add();
    f.get(out).get(base).add().get(c).i32(2).shl().add().v_load();
    f.get(mask).get(base).add().get(c).i32(2).shl().add().v_load().v_zero().f4_gt().v_and();
    f.v_store();
    f.get(c).i32(4).add().tee(c).get(px).i32(3).sub().lt_s().br_if(0).end().end();
    f.block().get(c).get(px).ge_s().br_if(0).loop();
    f.get(out).get(base).add().get(c).i32(2).shl().add();
    f.get(out).get(base).add().get(c).i32(2).shl().add().f32_load().f32(0);
    f.get(mask).get(base).add().get(c).i32(2).shl().add().f32_load().f32(0).f32_gt().select();
    f.f32_store();
    f.get(c).i32(1).add().tee(c).get(px).lt_s().br_if(0).end().end();
    f.end();
  });
  return f;
}

/** `transpose(x, out, R, C)`: out[C×R] = x[R×C]ᵀ, in 16×16 blocks. */
function transpose(): Fn {
  const f = new Fn("transpose", [i32, i32, i32, i32]);
  const [x, out, R, C] = [0, 1, 2, 3];
  const r0 = f.local(i32), c0 = f.local(i32), r = f.local(i32), c = f.local(i32);
  const r1 = f.local(i32), c1 = f.local(i32);
  const minTo = (v: number, lim: number, dst: number) => {
    // dst = min(v + 16, lim)
    f.get(v).i32(16).add().get(lim).get(v).i32(16).add().get(lim).lt_s().select().set(dst);
  };
  f.for(r0, 0, L(R), 16, () => {
    minTo(r0, R, r1);
    f.for(c0, 0, L(C), 16, () => {
      minTo(c0, C, c1);
      f.for(r, L(r0), L(r1), 1, () => {
        f.for(c, L(c0), L(c1), 1, () => {
          f.get(out).get(c).get(R).mul().get(r).add().i32(2).shl().add();
          f.get(x).get(r).get(C).mul().get(c).add().i32(2).shl().add().f32_load();
          f.f32_store();
        });
      });
    });
  });
  return f;
}

/**
 * `maskedSum(x1, x2, bias, mask, out, rows, C, relu)`: out[r, c] = (x1[r, c] + x2[r, c] + bias[c]) ·
 * [mask[r, c] > 0] over rows × C floats, then max(·, 0) when relu ≠ 0 (NaN stays NaN); x2, bias and mask are
 * skipped when 0.
 */
function maskedSum(): Fn {
  const f = new Fn("maskedSum", new Array(8).fill(i32));
  const [x1, x2, bias, mask, out, rows, C, relu] = [0, 1, 2, 3, 4, 5, 6, 7];
  const r = f.local(i32), c = f.local(i32), off = f.local(i32);
  const v = f.local(v128), s = f.local(f32);
  f.for(r, 0, L(rows), 1, () => {
    f.get(r).get(C).mul().i32(2).shl().set(off);
    f.i32(0).set(c);
    f.block().get(c).get(C).i32(3).sub().ge_s().br_if(0).loop();
    const at = (base: number) => f.get(base).get(off).add().get(c).i32(2).shl().add();
    at(x1).v_load().set(v);
    f.get(x2).if_();
    f.get(v);
    at(x2).v_load().f4_add().set(v);
    f.end();
    f.get(bias).if_();
    f.get(v).get(bias).get(c).i32(2).shl().add().v_load().f4_add().set(v);
    f.end();
    f.get(mask).if_();
    f.get(v);
    at(mask).v_load().v_zero().f4_gt().v_and().set(v);
    f.end();
    f.get(relu).if_();
    f.get(v).v_zero().f4_max().set(v); // max(v, 0): NaN stays NaN, as in tf.relu
    f.end();
    at(out).get(v).v_store();
    f.get(c).i32(4).add().tee(c).get(C).i32(3).sub().lt_s().br_if(0).end().end();
    f.block().get(c).get(C).ge_s().br_if(0).loop();
    at(x1).f32_load().set(s);
    f.get(x2).if_();
    f.get(s);
    at(x2).f32_load().f32_add().set(s);
    f.end();
    f.get(bias).if_();
    f.get(s).get(bias).get(c).i32(2).shl().add().f32_load().f32_add().set(s);
    f.end();
    f.get(mask).if_();
    f.get(s).f32(0);
    at(mask).f32_load().f32(0).f32_gt().select().set(s);
    f.end();
    f.get(relu).if_();
    f.get(s).f32(0).f32_max().set(s);
    f.end();
    at(out).get(s).f32_store();
    f.get(c).i32(1).add().tee(c).get(C).lt_s().br_if(0).end().end();
  });
  return f;
}

/**
 * `axpyList(table, count, out, n)`: out[0..n) = Σ_q coef_q · x_q[0..n) over `count` (ptr: int32, coef:
 * float32) pairs at `table`, added in table order; the first pair initialises out.
 */
function axpyList(): Fn {
  const f = new Fn("axpyList", [i32, i32, i32, i32]);
  const [table, count, out, n] = [0, 1, 2, 3];
  const q = f.local(i32), src = f.local(i32), c = f.local(i32), e = f.local(i32);
  const cv = f.local(v128), x = f.local(v128), cs = f.local(f32), xs = f.local(f32);
  f.for(q, 0, L(count), 1, () => {
    f.get(table).get(q).i32(3).shl().add().tee(e).i32_load().set(src);
    f.get(e).f32_load(4).set(cs);
    f.get(cs).f4_splat().set(cv);
    f.i32(0).set(c);
    f.block().get(c).get(n).i32(3).sub().ge_s().br_if(0).loop();
    f.get(src).get(c).i32(2).shl().add().v_load().get(cv).f4_mul().set(x);
    f.get(q).if_(); // not the first term: add what is there
    f.get(x).get(out).get(c).i32(2).shl().add().v_load().f4_add().set(x);
    f.end();
    f.get(out).get(c).i32(2).shl().add().get(x).v_store();
    f.get(c).i32(4).add().tee(c).get(n).i32(3).sub().lt_s().br_if(0).end().end();
    f.block().get(c).get(n).ge_s().br_if(0).loop();
    f.get(src).get(c).i32(2).shl().add().f32_load().get(cs).f32_mul().set(xs);
    f.get(q).if_();
    f.get(xs).get(out).get(c).i32(2).shl().add().f32_load().f32_add().set(xs);
    f.end();
    f.get(out).get(c).i32(2).shl().add().get(xs).f32_store();
    f.get(c).i32(1).add().tee(c).get(n).lt_s().br_if(0).end().end();
  });
  return f;
}

/** Rows per register block of the GEMM kernels, and the K block (rows of B kept in cache). */
export const GEMM_ROWS = 6;
const KC = 256;

/**
 * `gemm{NN,TN,IN}{R}(A, B, C, M, N, K, lda, ldb, ldc, acc, bias, relu, table, zero, cin)`: C[M×N] (+)= op(A) · B
 * (+ bias, then ReLU), all row-major float32 with leading dimensions in elements:
 *
 * - `NN`: op(A) = A, M×K;
 * - `TN`: op(A) = Aᵀ with A K×M: a reduction over the rows of A and B (a weight gradient Xᵀ·G, no transpose);
 * - `IN` (indirect): row r of op(A) is the concatenation over taps t < K / cin of the `cin` floats at byte
 *   offset A + table[r·T + t], or zeros (`zero`) where the entry is negative: a convolution's patch matrix read
 *   in place (no im2col), `lda` unused.
 *
 * M must be a multiple of R (the caller runs the remaining rows with a smaller R); acc ≠ 0 adds to C; bias
 * (a pointer, 0 for none) and relu ≠ 0 apply to the finished sums. Register blocks of R rows × 8 columns
 * (then 4, then 1) with fused multiply-adds, over K in blocks of about 256 so that B's block stays in cache.
 * Each C entry sums its products in k order.
 */
function gemm(mode: "NN" | "TN" | "IN", R: number): Fn {
  const f = new Fn(`gemm${mode}${R}`, new Array(15).fill(i32));
  const [A, B, C, M, N, K, lda, ldb, ldc, accIn, bias, relu, table, zeroP, cin] = Array.from(
    { length: 15 },
    (_, q) => q,
  );
  const kk = f.local(i32), kend = f.local(i32), i0 = f.local(i32), p = f.local(i32), k = f.local(i32);
  const load = f.local(i32), ap = f.local(i32), bp = f.local(i32), cp = f.local(i32), lim = f.local(i32);
  const epi = f.local(i32), kc = f.local(i32), t = f.local(i32), T = f.local(i32), c = f.local(i32);
  const rel = f.local(i32);
  const rowp = Array.from({ length: R }, () => f.local(i32));
  const acc = Array.from({ length: 2 * R }, () => f.local(v128));
  const sacc = Array.from({ length: R }, () => f.local(f32));
  const b0 = f.local(v128), b1 = f.local(v128), a = f.local(v128), as = f.local(f32);
  // Byte strides.
  const ldaB = f.local(i32), ldbB = f.local(i32), ldcB = f.local(i32);
  f.get(lda).i32(2).shl().set(ldaB);
  f.get(ldb).i32(2).shl().set(ldbB);
  f.get(ldc).i32(2).shl().set(ldcB);
  // K block: 256 (NN, TN), or whole taps of about 256 floats (IN).
  if (mode === "IN") {
    f.get(K).get(cin).div_s().set(T);
    f.i32(256).get(cin).div_s().set(kc);
    f.get(kc).i32(1).get(kc).i32(1).ge_s().select().get(cin).mul().set(kc);
  } else {
    f.i32(KC).set(kc);
  }
  const micro = (cols: 8 | 4 | 1) => {
    const nv = cols === 8 ? 2 : 1;
    // C block rows: cp_r = C + (i0 + r)·ldc + p.
    f.get(C).get(i0).get(ldcB).mul().add().get(p).i32(2).shl().add().set(cp);
    for (let r = 0; r < R; r++) {
      if (cols === 1) {
        f.get(load).if_();
        f.get(cp).get(ldcB).i32(r).mul().add().f32_load().set(sacc[r]);
        f.else_();
        f.f32(0).set(sacc[r]);
        f.end();
      } else {
        for (let v = 0; v < nv; v++) {
          f.get(load).if_();
          f.get(cp).get(ldcB).i32(r).mul().add().v_load(16 * v).set(acc[2 * r + v]);
          f.else_();
          f.v_zero().set(acc[2 * r + v]);
          f.end();
        }
      }
    }
    f.get(B).get(kk).get(ldbB).mul().add().get(p).i32(2).shl().add().set(bp);
    const step = () => {
      // One k: B row at bp, A values at rowp[r] (NN, IN) or ap + 4r (TN).
      if (cols === 1) f.get(bp).f32_load().set(as);
      else {
        f.get(bp).v_load(0).set(b0);
        if (nv === 2) f.get(bp).v_load(16).set(b1);
      }
      f.get(bp).get(ldbB).add().set(bp);
      for (let r = 0; r < R; r++) {
        if (cols === 1) {
          if (mode === "TN") f.get(ap).f32_load(4 * r);
          else f.get(rowp[r]).f32_load();
          f.get(as).f32_mul().get(sacc[r]).f32_add().set(sacc[r]);
        } else {
          if (mode === "TN") f.get(ap).v_load32_splat(4 * r).set(a);
          else f.get(rowp[r]).v_load32_splat().set(a);
          f.get(b0);
          madd(f, a, acc[2 * r]);
          if (nv === 2) {
            f.get(b1);
            madd(f, a, acc[2 * r + 1]);
          }
        }
        if (mode !== "TN") f.get(rowp[r]).i32(4).add().set(rowp[r]);
      }
      if (mode === "TN") f.get(ap).get(ldaB).add().set(ap);
    };
    if (mode === "NN") {
      // Row r at A + (i0 + r)·lda + kk.
      for (let r = 0; r < R; r++) {
        f.get(A).get(i0).i32(r).add().get(ldaB).mul().add().get(kk).i32(2).shl().add().set(rowp[r]);
      }
      f.for(k, L(kk), L(kend), 1, step);
    } else if (mode === "TN") {
      f.get(A).get(kk).get(ldaB).mul().add().get(i0).i32(2).shl().add().set(ap);
      f.for(k, L(kk), L(kend), 1, step);
    } else {
      // Tap by tap: each row's run of cin floats (or zeros).
      f.for(t, (h) => h.get(kk).get(cin).div_s(), (h) => h.get(kend).get(cin).div_s(), 1, () => {
        for (let r = 0; r < R; r++) {
          f.get(table).get(i0).i32(r).add().get(T).mul().get(t).add().i32(2).shl().add().i32_load().set(rel);
          f.get(zeroP).get(A).get(rel).add().get(rel).i32(0).lt_s().select().set(rowp[r]);
        }
        f.for(c, 0, L(cin), 1, step);
      });
    }
    // Epilogue on the last K block: bias, ReLU.
    f.get(epi).if_();
    for (let r = 0; r < R; r++) {
      if (cols === 1) {
        f.get(bias).if_();
        f.get(sacc[r]).get(bias).get(p).i32(2).shl().add().f32_load().f32_add().set(sacc[r]);
        f.end();
        f.get(relu).if_();
        f.get(sacc[r]).f32(0).f32_max().set(sacc[r]);
        f.end();
      } else {
        for (let v = 0; v < nv; v++) {
          const x = acc[2 * r + v];
          f.get(bias).if_();
          f.get(x).get(bias).get(p).i32(2).shl().add().v_load(16 * v).f4_add().set(x);
          f.end();
          f.get(relu).if_();
          f.get(x).v_zero().f4_max().set(x);
          f.end();
        }
      }
    }
    f.end();
    for (let r = 0; r < R; r++) {
      if (cols === 1) f.get(cp).get(ldcB).i32(r).mul().add().get(sacc[r]).f32_store();
      else {
        for (let v = 0; v < nv; v++) {
          f.get(cp).get(ldcB).i32(r).mul().add().get(acc[2 * r + v]).v_store(16 * v);
        }
      }
    }
  };
  f.i32(0).set(kk);
  f.block().get(kk).get(K).ge_s().br_if(0).loop();
  // kend = min(kk + kc, K); load C unless this is the first block of a fresh product; epilogue on the last.
  f.get(kk).get(kc).add().set(kend);
  f.get(kend).get(K).get(kend).get(K).lt_s().select().set(kend);
  f.get(accIn).get(kk).i32(0).ne().or().set(load);
  f.get(kend).get(K).ge_s().get(bias).get(relu).or().i32(0).ne().and().set(epi);
  f.for(i0, 0, L(M), R, () => {
    f.i32(0).set(p);
    f.get(N).i32(7).sub().set(lim);
    f.block().get(p).get(lim).ge_s().br_if(0).loop();
    micro(8);
    f.get(p).i32(8).add().tee(p).get(lim).lt_s().br_if(0).end().end();
    f.get(p).i32(4).add().get(N).le_s();
    f.if_();
    micro(4);
    f.get(p).i32(4).add().set(p);
    f.end();
    f.block().get(p).get(N).ge_s().br_if(0).loop();
    micro(1);
    f.get(p).i32(1).add().tee(p).get(N).lt_s().br_if(0).end().end();
  });
  f.get(kend).tee(kk).get(K).lt_s().br_if(0).end().end();
  return f;
}

/** `colSum(x, out, rows, C)`: out[c] = Σ_r x[r, c], rows added in order. */
function colSum(): Fn {
  const f = new Fn("colSum", [i32, i32, i32, i32]);
  const [x, out, rows, C] = [0, 1, 2, 3];
  const r = f.local(i32), c = f.local(i32), src = f.local(i32);
  zero(f, out, C, c);
  f.for(r, 0, L(rows), 1, () => {
    f.get(x).get(r).get(C).mul().i32(2).shl().add().set(src);
    run(f, src, out, C, c, true);
  });
  return f;
}

/**
 * `gram(rows, acc, C, M, N, K, batches, stride)`: for each batch j, C_j[M×N] (+)= A_j · B_jᵀ, where `rows` holds
 * M + N byte offsets (the rows of A, then of B; they need not be equally spaced), a row's batch j starts
 * j·stride floats after its offset and is K floats long, and C_j = C + j·M·N (added to when acc ≠ 0): every
 * inner product of a row of A_j with a row of B_j. Over K in tiles of 1024 (the row pieces stay in cache), 4
 * rows of B at a time; each tile's partial sums are added to C in tile order.
 */
function gram(): Fn {
  const f = new Fn("gram", new Array(8).fill(i32));
  // rows: a table of M + N byte offsets (A's rows, then B's), each row's batch j at + j·stride floats.
  const [rows, accIn, C, M, N, K, batches, stride] = Array.from({ length: 8 }, (_, q) => q);
  const KT = 1024;
  const j = f.local(i32), k0 = f.local(i32), kend = f.local(i32), i = f.local(i32), m0 = f.local(i32);
  const k = f.local(i32), ap = f.local(i32), cj = f.local(i32), c = f.local(i32), mn = f.local(i32);
  const lim = f.local(i32), jo = f.local(i32);
  const bp = Array.from({ length: 4 }, () => f.local(i32));
  const acc = Array.from({ length: 4 }, () => f.local(v128));
  const sums = Array.from({ length: 4 }, () => f.local(f32));
  const a = f.local(v128), as = f.local(f32);
  f.get(M).get(N).mul().set(mn);
  const block = (w: number) => {
    // Rows m0..m0+w of B against row i of A over [k0, kend), at batch offset jo (bytes).
    f.get(rows).get(i).i32(2).shl().add().i32_load().get(jo).add().set(ap);
    for (let q = 0; q < w; q++) {
      f.get(rows).get(M).get(m0).add().i32(q).add().i32(2).shl().add().i32_load().get(jo).add().set(bp[q]);
      f.v_zero().set(acc[q]);
    }
    f.get(k0).set(k);
    f.get(kend).i32(3).sub().set(lim);
    f.block().get(k).get(lim).ge_s().br_if(0).loop();
    f.get(ap).get(k).i32(2).shl().add().v_load().set(a);
    for (let q = 0; q < w; q++) {
      f.get(bp[q]).get(k).i32(2).shl().add().v_load();
      madd(f, a, acc[q]);
    }
    f.get(k).i32(4).add().tee(k).get(lim).lt_s().br_if(0).end().end();
    for (let q = 0; q < w; q++) {
      f.get(acc[q]).f4_extract(0).get(acc[q]).f4_extract(1).f32_add();
      f.get(acc[q]).f4_extract(2).get(acc[q]).f4_extract(3).f32_add().f32_add().set(sums[q]);
    }
    // Scalar tail of the tile.
    f.block().get(k).get(kend).ge_s().br_if(0).loop();
    f.get(ap).get(k).i32(2).shl().add().f32_load().set(as);
    for (let q = 0; q < w; q++) {
      f.get(bp[q]).get(k).i32(2).shl().add().f32_load().get(as).f32_mul().get(sums[q]).f32_add().set(sums[q]);
    }
    f.get(k).i32(1).add().tee(k).get(kend).lt_s().br_if(0).end().end();
    for (let q = 0; q < w; q++) {
      // C_j[i, m0 + q] += sums[q]
      f.get(cj).get(i).get(N).mul().get(m0).add().i32(q).add().i32(2).shl().add().tee(c);
      f.get(c).f32_load().get(sums[q]).f32_add().f32_store();
    }
  };
  f.for(j, 0, L(batches), 1, () => {
    f.get(j).get(stride).mul().i32(2).shl().set(jo);
    f.get(C).get(j).get(mn).mul().i32(2).shl().add().set(cj);
    f.get(accIn).eqz().if_();
    zero(f, cj, mn, c);
    f.end();
    f.for(k0, 0, L(K), KT, () => {
      f.get(k0).i32(KT).add().set(kend);
      f.get(kend).get(K).get(kend).get(K).lt_s().select().set(kend);
      f.for(i, 0, L(M), 1, () => {
        f.i32(0).set(m0);
        f.block().get(m0).get(N).i32(3).sub().ge_s().br_if(0).loop();
        block(4);
        f.get(m0).i32(4).add().tee(m0).get(N).i32(3).sub().lt_s().br_if(0).end().end();
        for (const w of [3, 2, 1]) {
          f.get(N).get(m0).sub().i32(w).code.push(0x46); // i32.eq
          f.if_();
          block(w);
          f.end();
        }
      });
    });
  });
  return f;
}

/** The kernels' exports. */
export interface SimdKernels {
  spmm(rowPtr: number, cols: number, vals: number, B: number, C: number, M: number, N: number): void;
  spmmT(
    rowPtr: number,
    cols: number,
    vals: number,
    G: number,
    O: number,
    M: number,
    N: number,
    K: number,
  ): void;
  im2col(...args: number[]): void;
  col2im(...args: number[]): void;
  transpose(x: number, out: number, R: number, C: number): void;
  maskedSum(
    x1: number,
    x2: number,
    bias: number,
    mask: number,
    out: number,
    rows: number,
    C: number,
    relu: number,
  ): void;
  axpyList(table: number, count: number, out: number, n: number): void;
  colSum(x: number, out: number, rows: number, C: number): void;
  gram(...args: number[]): void;
  [gemm: `gemm${"NN" | "TN" | "IN"}${number}`]: (...args: number[]) => void;
}

const binaries = new Map<boolean, Uint8Array>();

/**
 * Instantiates the kernels on `memory` (synchronously: the module is small). `fma`: use relaxed SIMD fused
 * multiply-adds (default: where the engine has them; `false` gives the separate multiply and add that every
 * SIMD engine has).
 */
export function instantiateKernels(memory: WebAssembly.Memory, fma = HAS_FMA): SimdKernels {
  if (fma && !HAS_FMA) throw new Error("kernels: this engine has no relaxed SIMD");
  let binary = binaries.get(fma);
  if (!binary) {
    useFma = fma;
    const gemms = (["NN", "TN", "IN"] as const).flatMap((m) =>
      Array.from({ length: GEMM_ROWS }, (_, r) => gemm(m, r + 1))
    );
    binary = assemble([
      spmm(),
      spmmT(),
      im2col(),
      col2im(),
      transpose(),
      maskedSum(),
      axpyList(),
      colSum(),
      gram(),
      ...gemms,
    ]);
    useFma = HAS_FMA;
    binaries.set(fma, binary);
  }
  const mod = new WebAssembly.Module(binary as BufferSource);
  const inst = new WebAssembly.Instance(mod, { env: { memory } });
  return inst.exports as unknown as SimdKernels;
}
