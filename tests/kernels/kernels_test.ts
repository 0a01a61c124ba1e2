/**
 * The SIMD kernels of `lib/kernels/` (as tfjs ops on the wasm backend) against plain float64 loops, on shapes
 * with remainders in every blocked dimension (rows not a multiple of 6, columns not of 8 or 4, K across the
 * 256-element blocks, Gram rows not a multiple of 4).
 */
import assert from "node:assert/strict";
import { tf } from "../../lib/deps.ts";
import { initBackend, read } from "../../lib/backend.ts";
import {
  col2im,
  colSum,
  combine,
  conv,
  type ConvGeometry,
  csrOf,
  disposeCsr,
  fastKernels,
  gemm,
  gram,
  im2col,
  maskedSum,
  spmm,
  spmmT,
  transpose2d,
} from "../../lib/kernels/ops.ts";
import { GEMM_ROWS, HAS_FMA, instantiateKernels } from "../../lib/kernels/simd.ts";
import { Rng } from "../../lib/rng.ts";
import { relErr } from "../relative_error.ts";

const rng = new Rng(42);
const randn = (n: number) => rng.fillNormal(new Float32Array(n));

async function values(t: tf.Tensor): Promise<Float32Array> {
  const v = await read(t);
  t.dispose();
  return v;
}

Deno.test("kernels: available on wasm, off on cpu", async () => {
  await initBackend("cpu");
  assert.equal(fastKernels(), false);
  await initBackend("wasm");
  assert.equal(fastKernels(), true);
  console.log(`  relaxed SIMD fused multiply-add: ${HAS_FMA}`);
});

Deno.test("kernels: gemm (A·B and Aᵀ·B, one or two terms) equals float64 products", async () => {
  await initBackend("wasm");
  for (const [M, K, N] of [[1, 1, 1], [7, 5, 13], [13, 300, 9], [6, 257, 8], [25, 513, 3], [40, 3, 21]]) {
    const a = randn(M * K), b = randn(K * N), a2 = randn(M * K), b2 = randn(K * N);
    const ref = new Float64Array(M * N), refT = new Float64Array(M * N), ref2 = new Float64Array(M * N);
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        for (let k = 0; k < K; k++) {
          ref[i * N + j] += a[i * K + k] * b[k * N + j];
          refT[i * N + j] += a[k * M + i] * b[k * N + j]; // a read as K × M
          ref2[i * N + j] += a[i * K + k] * b[k * N + j] + a2[i * K + k] * b2[k * N + j];
        }
      }
    }
    const [A, B, A2, B2] = [
      tf.tensor2d(a, [M, K]),
      tf.tensor2d(b, [K, N]),
      tf.tensor2d(a2, [M, K]),
      tf.tensor2d(b2, [K, N]),
    ];
    const AT = tf.tensor2d(a, [K, M]);
    const e = [
      relErr(await values(gemm(A, B)), ref),
      relErr(await values(gemm(AT, B, { transA: true })), refT),
      relErr(await values(gemm(A, B, { a2: A2, b2: B2 })), ref2),
    ];
    tf.dispose([A, B, A2, B2, AT]);
    assert.ok(e.every((x) => x < 1e-6), `${M}×${K}×${N}: ${e}`);
  }
});

Deno.test("kernels: reductions over a range of rows (Aᵀ·B, Sᵀ·G, column sums) equal those of the sliced rows", async () => {
  await initBackend("wasm");
  const [R, M, N, r0, count] = [50, 7, 9, 13, 21];
  const a = randn(R * M), b = randn(R * N);
  const dense = new Float32Array(R * M).map(() => (rng.uniform() < 0.3 ? rng.normal() : 0));
  const [A, B] = [tf.tensor2d(a, [R, M]), tf.tensor2d(b, [R, N])];
  const [As, Bs] = [tf.slice(A, r0, count), tf.slice(B, r0, count)];
  const s = csrOf(dense, R, M), ss = csrOf(dense.subarray(r0 * M, (r0 + count) * M), count, M);
  const same = async (x: tf.Tensor, y: tf.Tensor, what: string) =>
    assert.deepEqual(await values(x), await values(y), `${what}: a row range differs from the sliced rows`);
  await same(gemm(A, B, { transA: true, rows: [r0, count] }), gemm(As, Bs, { transA: true }), "Aᵀ·B");
  await same(spmmT(s, B, [r0, count]), spmmT(ss, Bs), "Sᵀ·G");
  await same(colSum(B, [r0, count]), colSum(Bs), "column sums");
  tf.dispose([A, B, As, Bs]);
  disposeCsr(s);
  disposeCsr(ss);
});

Deno.test("kernels: CSR products S·B and Sᵀ·G equal dense float64 products", async () => {
  await initBackend("wasm");
  for (const [M, K, N, density] of [[37, 23, 45, 0.3], [64, 784, 128, 0.2], [5, 3, 1, 0.9], [9, 10, 3, 0]]) {
    const dense = new Float32Array(M * K).map(() => (rng.uniform() < density ? rng.normal() : 0));
    const s = csrOf(dense, M, K);
    const b = randn(K * N), g = randn(M * N);
    const ref = new Float64Array(M * N), refT = new Float64Array(K * N);
    for (let i = 0; i < M; i++) {
      for (let k = 0; k < K; k++) {
        for (let j = 0; j < N; j++) {
          ref[i * N + j] += dense[i * K + k] * b[k * N + j];
          refT[k * N + j] += dense[i * K + k] * g[i * N + j];
        }
      }
    }
    const [B, G] = [tf.tensor2d(b, [K, N]), tf.tensor2d(g, [M, N])];
    const e1 = relErr(await values(spmm(s, B)), ref), e2 = relErr(await values(spmmT(s, G)), refT);
    tf.dispose([B, G]);
    disposeCsr(s);
    if (density === 0) {
      assert.ok(ref.every((x) => x === 0));
      continue;
    }
    assert.ok(e1 < 1e-6 && e2 < 1e-6, `${M}×${K}×${N}: ${e1} ${e2}`);
  }
});

/** Patch matrix and its adjoint by the definitions. */
function patches64(a: Float32Array, n: number, g: ConvGeometry): Float64Array {
  const { H, W, C, oh, ow, k, s, pt, pl } = g;
  const out = new Float64Array(n * oh * ow * k * k * C);
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        for (let kh = 0; kh < k; kh++) {
          for (let kw = 0; kw < k; kw++) {
            const y = s * i + kh - pt, x = s * j + kw - pl;
            if (y < 0 || y >= H || x < 0 || x >= W) continue;
            for (let c = 0; c < C; c++) {
              out[(((b * oh + i) * ow + j) * k * k + kh * k + kw) * C + c] = a[((b * H + y) * W + x) * C + c];
            }
          }
        }
      }
    }
  }
  return out;
}

Deno.test("kernels: im2col is the patch matrix and col2im its adjoint (with the fused mask)", async () => {
  await initBackend("wasm");
  const geos: [number, ConvGeometry][] = [
    [2, { H: 8, W: 8, C: 3, oh: 4, ow: 4, k: 3, s: 2, pt: 0, pl: 0 }],
    [3, { H: 7, W: 5, C: 4, oh: 4, ow: 3, k: 3, s: 2, pt: 1, pl: 1 }],
    [2, { H: 14, W: 14, C: 16, oh: 7, ow: 7, k: 3, s: 2, pt: 0, pl: 0 }],
    [1, { H: 5, W: 5, C: 1, oh: 5, ow: 5, k: 3, s: 1, pt: 1, pl: 1 }],
  ];
  for (const [n, g] of geos) {
    const size = n * g.H * g.W * g.C, cols = n * g.oh * g.ow * g.k * g.k * g.C;
    const a = randn(size);
    const at = tf.tensor4d(a, [n, g.H, g.W, g.C]);
    const e1 = relErr(await values(im2col(at, g)), patches64(a, n, g));
    // ⟨im2col(a), c⟩ = ⟨a, col2im(c)⟩ for the sum of two patch gradients; the mask zeroes where a ≤ 0.
    const c1 = randn(cols), c2 = randn(cols);
    const [C1, C2] = [
      tf.tensor2d(c1, [cols / (g.k * g.k * g.C), g.k * g.k * g.C]),
      tf.tensor2d(c2, [cols / (g.k * g.k * g.C), g.k * g.k * g.C]),
    ];
    const back = await values(col2im(g, C1, C2));
    const masked = await values(col2im(g, C1, C2, at));
    const P = patches64(a, n, g);
    let lhs = 0, rhs = 0;
    for (let i = 0; i < cols; i++) lhs += P[i] * (c1[i] + c2[i]);
    for (let i = 0; i < size; i++) rhs += a[i] * back[i];
    const eAdj = Math.abs(lhs - rhs) / Math.abs(lhs);
    const eMask = relErr(masked, Array.from(back, (x, i) => (a[i] > 0 ? x : 0)));
    tf.dispose([at, C1, C2]);
    assert.ok(e1 === 0, `im2col ${JSON.stringify(g)}: ${e1}`);
    assert.ok(eAdj < 1e-6 && eMask < 1e-7, `col2im ${JSON.stringify(g)}: adjoint ${eAdj}, mask ${eMask}`);
  }
});

Deno.test("kernels: conv (patches read in place, two terms, bias, ReLU) equals im2col · W", async () => {
  await initBackend("wasm");
  const geos: [number, ConvGeometry, number][] = [
    [3, { H: 14, W: 14, C: 16, oh: 7, ow: 7, k: 3, s: 2, pt: 0, pl: 0 }, 32],
    [2, { H: 7, W: 5, C: 5, oh: 4, ow: 3, k: 3, s: 2, pt: 1, pl: 1 }, 11],
    [1, { H: 4, W: 6, C: 4, oh: 4, ow: 6, k: 3, s: 1, pt: 1, pl: 1 }, 3],
  ];
  for (const [n, g, N] of geos) {
    const size = n * g.H * g.W * g.C, Kd = g.k * g.k * g.C;
    const [x1, x2, w1, w2, b] = [randn(size), randn(size), randn(Kd * N), randn(Kd * N), randn(N)];
    const P1 = patches64(x1, n, g), P2 = patches64(x2, n, g);
    const rows = n * g.oh * g.ow;
    const ref = new Float64Array(rows * N);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < N; j++) {
        let s = b[j];
        for (let k = 0; k < Kd; k++) s += P1[r * Kd + k] * w1[k * N + j] + P2[r * Kd + k] * w2[k * N + j];
        ref[r * N + j] = Math.max(s, 0);
      }
    }
    const one = new Float64Array(rows * N);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < N; j++) {
        for (let k = 0; k < Kd; k++) one[r * N + j] += P1[r * Kd + k] * w1[k * N + j];
      }
    }
    const [X1, X2] = [tf.tensor4d(x1, [n, g.H, g.W, g.C]), tf.tensor4d(x2, [n, g.H, g.W, g.C])];
    const [W1, W2, B] = [tf.tensor2d(w1, [Kd, N]), tf.tensor2d(w2, [Kd, N]), tf.tensor1d(b)];
    const e1 = relErr(await values(conv(g, X1, W1)), one);
    const e2 = relErr(await values(conv(g, X1, W1, { x2: X2, w2: W2, bias: B, relu: true })), ref);
    tf.dispose([X1, X2, W1, W2, B]);
    assert.ok(e1 < 1e-6 && e2 < 1e-6, `conv ${JSON.stringify(g)}: ${e1} ${e2}`);
  }
});

Deno.test("kernels: gemm with bias and ReLU applied as it finishes", async () => {
  await initBackend("wasm");
  const [M, K, N] = [9, 600, 13]; // two K blocks: the epilogue must wait for the last
  const a = randn(M * K), b = randn(K * N), bias = randn(N);
  const ref = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = bias[j];
      for (let k = 0; k < K; k++) s += a[i * K + k] * b[k * N + j];
      ref[i * N + j] = Math.max(0, s);
    }
  }
  const [A, B, Bi] = [tf.tensor2d(a, [M, K]), tf.tensor2d(b, [K, N]), tf.tensor1d(bias)];
  const e = relErr(await values(gemm(A, B, { bias: Bi, relu: true })), ref);
  tf.dispose([A, B, Bi]);
  assert.ok(e < 1e-6, `gemm epilogue: ${e}`);
});

Deno.test("kernels: masked sums (bias, mask, ReLU keeping NaN), column sums, transposes", async () => {
  await initBackend("wasm");
  for (const [R, C] of [[5, 7], [33, 16], [4, 1]]) {
    const x = randn(R * C), y = randn(R * C), b = randn(C), m = randn(R * C);
    x[1] = NaN;
    const [X, Y, Bt, Mt] = [
      tf.tensor2d(x, [R, C]),
      tf.tensor2d(y, [R, C]),
      tf.tensor1d(b),
      tf.tensor2d(m, [R, C]),
    ];
    const got = await values(maskedSum(X, { x2: Y, bias: Bt, mask: Mt }));
    const relu = await values(maskedSum(X, { bias: Bt, relu: true }));
    for (let r = 0; r < R; r++) {
      for (let c = 0; c < C; c++) {
        const q = r * C + c;
        const want = m[q] > 0 ? x[q] + y[q] + b[c] : 0;
        assert.ok(Object.is(got[q], Math.fround(want)) || Math.abs(got[q] - want) < 1e-6, `masked sum ${q}`);
        const z = x[q] + b[c];
        if (Number.isNaN(z)) assert.ok(Number.isNaN(relu[q]), "ReLU(NaN) must stay NaN");
        else assert.ok(Math.abs(relu[q] - Math.max(z, 0)) < 1e-6, `relu ${q}`);
      }
    }
    const cs = await values(colSum(Y));
    for (let c = 0; c < C; c++) {
      let s = 0;
      for (let r = 0; r < R; r++) s += y[r * C + c];
      assert.ok(Math.abs(cs[c] - s) < 1e-5, `column sum ${c}`);
    }
    const t = await values(transpose2d(Y));
    for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) assert.equal(t[c * R + r], y[r * C + c]);
    tf.dispose([X, Y, Bt, Mt]);
  }
});

Deno.test("kernels: per-batch Gram blocks over segments, and linear combinations", async () => {
  await initBackend("wasm");
  const batches = 3, M = 5, N = 6;
  const widths = [7, 1030, 2]; // a segment across the 1024-element tiles
  const seg = widths.map((w) => ({
    u: Array.from({ length: M }, () => randn(batches * w)),
    v: Array.from({ length: N }, () => randn(batches * w)),
  }));
  const ref = new Float64Array(batches * M * N);
  seg.forEach((s, q) => {
    const w = widths[q];
    for (let j = 0; j < batches; j++) {
      for (let i = 0; i < M; i++) {
        for (let m = 0; m < N; m++) {
          for (let k = 0; k < w; k++) ref[(j * M + i) * N + m] += s.u[i][j * w + k] * s.v[m][j * w + k];
        }
      }
    }
  });
  const tensors = seg.map((s, q) => ({
    u: s.u.map((x) => tf.tensor2d(x, [batches, widths[q]])),
    v: s.v.map((x) => tf.tensor2d(x, [batches, widths[q]])),
  }));
  const e = relErr(await values(gram(tensors, batches)), ref);
  tensors.forEach((t) => tf.dispose([...t.u, ...t.v]));
  assert.ok(e < 1e-6, `gram: ${e}`);
  const parts = [randn(40), randn(40), randn(40)];
  const coefs = [1, -0.5, 2.25];
  const P = parts.map((p) => tf.tensor1d(p));
  const got = await values(combine(P, coefs, 4, 30, [5, 6]));
  tf.dispose(P);
  const want = Array.from({ length: 30 }, (_, i) => parts.reduce((s, p, q) => s + coefs[q] * p[4 + i], 0));
  assert.ok(relErr(got, want) < 1e-6, "combine");
});

Deno.test("kernels: the build without fused multiply-adds (for engines without relaxed SIMD) agrees", () => {
  const memory = new WebAssembly.Memory({ initial: 64 });
  const K = instantiateKernels(memory, false);
  const [M, Kd, N] = [13, 300, 9];
  const a = randn(M * Kd), b = randn(Kd * N);
  const pa = 64, pb = pa + 4 * M * Kd, pc = pb + 4 * Kd * N;
  new Float32Array(memory.buffer, pa, M * Kd).set(a);
  new Float32Array(memory.buffer, pb, Kd * N).set(b);
  const full = Math.floor(M / GEMM_ROWS) * GEMM_ROWS;
  K[`gemmNN${GEMM_ROWS}`](pa, pb, pc, full, N, Kd, Kd, N, N, 0, 0, 0, 0, 0, 1);
  K[`gemmNN${M - full}`](
    pa + 4 * full * Kd,
    pb,
    pc + 4 * full * N,
    M - full,
    N,
    Kd,
    Kd,
    N,
    N,
    0,
    0,
    0,
    0,
    0,
    1,
  );
  const ref = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) for (let k = 0; k < Kd; k++) ref[i * N + j] += a[i * Kd + k] * b[k * N + j];
  }
  const e = relErr(new Float32Array(memory.buffer, pc, M * N), ref);
  assert.ok(e < 1e-6, `gemm without FMA: ${e}`);
});
