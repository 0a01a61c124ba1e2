/**
 * A shard of a dataset held as tensors in one realm (a worker or the main thread), in chunks of whole
 * batches, with the full-data passes the analysis needs. Every result is a **sum** over the shard's samples,
 * returned in float64 so that shards combine without loss.
 * @module
 */
import { tf } from "../deps.ts";
import { read } from "../backend.ts";
import type { ModelLayout } from "../models/layout.ts";
import type { Prepared } from "../models/layers.ts";
import {
  backward,
  crossEntropy,
  disposeLayers,
  disposeRForward,
  disposeState,
  forward,
  type ForwardState,
  gradientFlat,
  hvpFlat,
  labelledInput,
  type LayerTensors,
  layerTensors,
  prepareInput,
  type RForward,
  rForward,
  softmaxHessianTimes,
  trimState,
} from "../models/network.ts";
import { addBias, affine, lin, linT, prepare, relu, rowDot } from "../models/layers.ts";
import { combine, fastKernels, gram } from "../kernels/ops.ts";

type T = tf.Tensor;

/** The largest tensor any pass builds, in floats: WebGPU cannot bind buffers over 128 MiB. */
export const MAX_TENSOR_FLOATS = 1 << 25;

/** Per-sample features side by side: tensors `[n, ...]` → `[n, Σ features]`. */
function rowsOf(n: number, parts: T[]): T {
  return tf.tidy(() => tf.concat(parts.map((t) => tf.reshape(t, [n, -1])), 1));
}

/** What the frame of {@link Shard.project} hands the per-chunk work of a projection. */
interface ProjectionChunk {
  ch: Chunk;
  st: ForwardState;
  /** The R-forward pass along each direction (freed by the frame). */
  R: RForward[];
  /** The directions as per-layer tensors. */
  E: LayerTensors[];
  /** The parameters at each Monte Carlo draw. */
  perturbed: LayerTensors[];
  out: BatchProjection;
  /** The chunk's first batch in the shard. */
  off: number;
}

/** `hess[base + (j·d + i)·d + m] = M_j[i][m] + M_j[m][i]` for the `count` d×d blocks `M_j` of `mv`. */
function symmetrizeInto(
  hess: Float64Array,
  base: number,
  mv: ArrayLike<number>,
  count: number,
  d: number,
): void {
  for (let j = 0; j < count; j++) {
    const o = j * d * d;
    for (let i = 0; i < d; i++) {
      for (let q = 0; q < d; q++) hess[base + o + i * d + q] = mv[o + i * d + q] + mv[o + q * d + i];
    }
  }
}

/** What a shard is built from: whole batches of one split. */
export interface ShardData {
  layout: ModelLayout;
  /** Pixels of this shard's samples, `n × inputSize`. */
  images: Float32Array;
  labels: Uint8Array;
  n: number;
  /** Batch size: per-batch results group consecutive samples by this. `n` must be a multiple of it. */
  batchSize: number;
  /** Samples per chunk (a multiple of the batch size); bounds tensor sizes (WebGPU buffers ≤ 128 MiB). */
  chunkSamples: number;
  /** Keep forward state between calls at the same weights (faster HVPs, more memory). */
  cacheState: boolean;
}

interface Chunk {
  n: number;
  nb: number;
  x: T;
  y: T;
  labels: T;
  input: Prepared;
  /** The chunk's pixels on the JS side (a view of the shard's data). */
  pixels: Float32Array;
}

/** Per-batch sums of the loss and of correct predictions. */
export interface BatchEval {
  /** `loss[j]`: Σ cross-entropy (nats) over the samples of batch j. */
  loss: Float64Array;
  /** `correct[j]`: samples of batch j classified correctly, in [0, B]. */
  correct: Float64Array;
}

/** Per-batch projections onto directions `e_1..e_d` (sums over each batch's samples). */
export interface BatchProjection {
  /** `loss[j]`: Σ loss over batch j at w*. */
  loss: Float64Array;
  /** `grad[j*d + i]`: Σ e_iᵀ∇loss over batch j. */
  grad: Float64Array;
  /** `hess[(j*d + i)*d + m]`: Σ e_iᵀ ∇²loss e_m over batch j. */
  hess: Float64Array;
  /** `mc[s*nb + j]`: Σ loss over batch j at w* + Σ_i θ_{s,i} e_i (when thetas are given). */
  mc: Float64Array;
}

/** Zeroed {@link BatchProjection} arrays for `nb` batches, `d` directions and `S` Monte Carlo draws. */
export function emptyProjection(nb: number, d: number, S: number): BatchProjection {
  return {
    loss: new Float64Array(nb),
    grad: new Float64Array(nb * d),
    hess: new Float64Array(nb * d * d),
    mc: new Float64Array(S * nb),
  };
}

/** Tensors for `n × inputSize` pixels shaped as the model's input, with one-hot labels. */
function makeChunk(
  layout: ModelLayout,
  images: Float32Array,
  labels: Uint8Array,
  n: number,
  B: number,
): Chunk {
  return { n, nb: n / B, ...labelledInput(layout, images, labels, n), pixels: images };
}

/** A dataset shard with the passes of the analysis. */
export class Shard {
  readonly layout: ModelLayout;
  readonly batchSize: number;
  readonly n: number;
  readonly batches: number;
  readonly #chunks: Chunk[] = [];
  readonly #cacheState: boolean;
  #params: LayerTensors | null = null;
  #w: Float32Array | null = null;
  #states: (ForwardState | null)[] = [];

  constructor(data: ShardData) {
    const { layout, images, labels, n, batchSize: B } = data;
    if (n % B !== 0) throw new Error(`shard: ${n} samples is not a multiple of the batch size ${B}`);
    this.layout = layout;
    this.batchSize = B;
    this.n = n;
    this.batches = n / B;
    this.#cacheState = data.cacheState;
    const size = layout.inputShape.reduce((a, b) => a * b, 1);
    const step = Math.max(B, Math.floor(data.chunkSamples / B) * B);
    for (let s = 0; s < n; s += step) {
      const m = Math.min(step, n - s);
      this.#chunks.push(
        makeChunk(layout, images.subarray(s * size, (s + m) * size), labels.subarray(s, s + m), m, B),
      );
    }
  }

  /** Sets the weights at which every following pass is evaluated. */
  setWeights(w: Float32Array): void {
    if (w.length !== this.layout.size) {
      throw new Error(`weights: expected ${this.layout.size}, got ${w.length}`);
    }
    this.#clearStates();
    if (this.#params) disposeLayers(this.#params);
    this.#w = w.slice();
    this.#params = layerTensors(this.layout, this.#w);
  }

  #clearStates(): void {
    for (const s of this.#states) if (s) disposeState(s);
    this.#states = [];
  }

  get #p(): LayerTensors {
    if (!this.#params) throw new Error("shard: setWeights must come first");
    return this.#params;
  }

  /** Forward + backward state for chunk `c` (cached when allowed); `release` frees it if not cached. */
  #state(c: number): { st: ForwardState; release: () => void } {
    // A cached state keeps no patch matrices of its activations between passes (they are 2–9× larger).
    const trim = (st: ForwardState) => () => st.input.forEach((p) => p.releaseTemp());
    const cached = this.#states[c];
    if (cached) return { st: cached, release: trim(cached) };
    const ch = this.#chunks[c];
    const st = forward(this.layout, this.#p, ch.input, ch.y, ch.n);
    backward(this.layout, this.#p, st, ch.y);
    if (this.#cacheState) {
      trimState(st);
      this.#states[c] = st;
      return { st, release: trim(st) };
    }
    return { st, release: () => disposeState(st) };
  }

  async #perBatch(t: T, nb: number): Promise<Float64Array> {
    const s = tf.tidy(() => tf.sum(tf.reshape(t, [nb, -1]), 1));
    const v = await read(s);
    s.dispose();
    return Float64Array.from(v);
  }

  /** Per-batch loss sums and correct counts at the current weights (forward only). */
  async evaluate(): Promise<BatchEval> {
    const loss = new Float64Array(this.batches), correct = new Float64Array(this.batches);
    let off = 0;
    for (let c = 0; c < this.#chunks.length; c++) {
      const ch = this.#chunks[c];
      const st = this.#states[c] ?? forward(this.layout, this.#p, ch.input, ch.y, ch.n);
      loss.set(await this.#perBatch(st.loss, ch.nb), off);
      const hit = tf.tidy(() => tf.cast(tf.equal(tf.argMax(st.logits, 1), ch.labels), "float32"));
      correct.set(await this.#perBatch(hit, ch.nb), off);
      hit.dispose();
      if (st !== this.#states[c]) disposeState(st);
      off += ch.nb;
    }
    return { loss, correct };
  }

  /** Chunks (with the sample count to use of each) covering the first `limit` samples. */
  #cover(limit: number): Array<{ c: number; m: number }> {
    const out: Array<{ c: number; m: number }> = [];
    let left = limit;
    for (let c = 0; c < this.#chunks.length && left > 0; c++) {
      const m = Math.min(left, this.#chunks[c].n);
      out.push({ c, m });
      left -= m;
    }
    return out;
  }

  /** Runs `f` on the state of the first `m` samples of chunk `c` (a temporary sub-chunk when m < n). */
  async #withState<R>(c: number, m: number, f: (st: ForwardState) => Promise<R>): Promise<R> {
    const ch = this.#chunks[c];
    if (m === ch.n) {
      const { st, release } = this.#state(c);
      try {
        return await f(st);
      } finally {
        release();
      }
    }
    const x = tf.slice(ch.x, 0, m), y = tf.slice(ch.y, 0, m);
    const size = ch.pixels.length / ch.n;
    const input = prepareInput(this.layout, x, ch.pixels.subarray(0, m * size));
    const st = forward(this.layout, this.#p, input, y, m);
    backward(this.layout, this.#p, st, y);
    try {
      return await f(st);
    } finally {
      disposeState(st);
      input.dispose();
      tf.dispose([x, y]);
    }
  }

  async #accumulate(limit: number, f: (st: ForwardState) => T): Promise<Float64Array> {
    const acc = new Float64Array(this.layout.size);
    for (const { c, m } of this.#cover(limit)) {
      const t = await this.#withState(c, m, (st) => Promise.resolve(f(st)));
      const v = await read(t);
      t.dispose();
      for (let i = 0; i < acc.length; i++) acc[i] += v[i];
    }
    return acc;
  }

  /** Σ ∇loss over the first `limit` samples (default all). */
  gradient(limit = this.n): Promise<Float64Array> {
    return this.#accumulate(limit, (st) => gradientFlat(this.layout, st, this.#p));
  }

  /** Σ ∇²loss · v over the first `limit` samples (default all), exact. */
  async hvp(v: Float32Array, limit = this.n): Promise<Float64Array> {
    const V = layerTensors(this.layout, v);
    try {
      return await this.#accumulate(limit, (st) => hvpFlat(this.layout, this.#p, st, V));
    } finally {
      disposeLayers(V);
    }
  }

  /**
   * Per-batch projections onto `d` directions (`dirs`: d × size, row-major): losses, projected gradients and
   * projected Hessians `e_iᵀ h_j e_m`, and, for each row θ_s of `thetas` (S × d), the per-batch losses at
   * `w* + Σ_i θ_{s,i} e_i`. Cost: d R-forward passes, plus one cheap perturbed forward per θ (the first
   * layer is linear in the perturbation, so its d directional outputs are combined rather than recomputed).
   */
  async project(dirs: Float32Array, d: number, thetas: Float64Array | null): Promise<BatchProjection> {
    if (fastKernels()) return await this.#projectFast(dirs, d, thetas);
    const { layout } = this;
    const L = layout.layers.length;
    return await this.#projectChunks(dirs, d, thetas, async (c) => {
      const { ch, st, R, E, off } = c, { hess } = c.out;
      const nb = ch.nb;
      // Per sample, e_iᵀ∇²loss e_m = (J e_i)ᵀ(diag p − ppᵀ)(J e_m) + T[i][m] + T[m][i], where
      // T[i][m] = Σ_{l≥1} ⟨R_i a_l, linT_l(g_l, E_m.W_l)⟩ is the network's own second-order term.
      // With U_i = [Rz_i | R_i a_1 | …] and V_m = [½(diag p − ppᵀ)Rz_m | linT_1(g_1, E_m) | …] per row,
      // M = Σ_batch U_iᵀV_m = ½G + T, so the projected Hessian is M + Mᵀ (one batched matmul).
      // The per-sample rows (computed once per chunk), then the batched products in groups of batches
      // small enough that no tensor exceeds MAX_TENSOR_FLOATS (WebGPU's 128 MiB binding limit).
      const Urows = R.map((r) => rowsOf(ch.n, [r.Rz[L - 1], ...r.Ra.slice(1).map((a) => a!.raw)]));
      const Vrows = R.map((r, m) =>
        tf.tidy(() =>
          rowsOf(ch.n, [
            tf.mul(softmaxHessianTimes(st.p, r.Rz[L - 1]), 0.5),
            ...layout.layers.slice(1).map((lay, q) => linT(lay, st.g[q + 1], E[m].W[q + 1])),
          ])
        )
      );
      const F = Urows[0].shape[1]!;
      const B = this.batchSize;
      const gb = Math.max(1, Math.floor(MAX_TENSOR_FLOATS / (d * B * F)));
      try {
        for (let j0 = 0; j0 < nb; j0 += gb) {
          const m = Math.min(gb, nb - j0);
          const M = tf.tidy(() => {
            const block = (rows: T[]) =>
              tf.concat(
                rows.map((t) => tf.reshape(tf.slice(t, [j0 * B, 0], [m * B, F]), [m, 1, B * F])),
                1,
              );
            return tf.matMul(block(Urows), tf.transpose(block(Vrows), [0, 2, 1])); // [m, d, d]
          });
          const mv = await read(M);
          M.dispose();
          symmetrizeInto(hess, (off + j0) * d * d, mv, m, d);
        }
      } finally {
        tf.dispose([...Urows, ...Vrows]);
      }
      if (thetas?.length) await this.#monteCarlo(c, thetas, d);
    });
  }

  /**
   * {@link project} on the fast path (SIMD kernels): the same quantities, with the per-batch products
   * `Σ_batch ⟨U_i, V_m⟩` taken straight from the per-layer tensors (no stacked copies), and the Monte Carlo
   * first layer combined from its directional outputs only where that is cheaper than recomputing it.
   */
  async #projectFast(dirs: Float32Array, d: number, thetas: Float64Array | null): Promise<BatchProjection> {
    const { layout } = this;
    const L = layout.layers.length;
    return await this.#projectChunks(dirs, d, thetas, async (c) => {
      const { ch, st, R, E, off } = c, { hess } = c.out;
      const nb = ch.nb;
      // Per sample, e_iᵀ∇²loss e_m = (J e_i)ᵀ(diag p − ppᵀ)(J e_m) + T[i][m] + T[m][i] with the network's
      // own term T[i][m] = Σ_{l≥1} ⟨R_i a_l, linT_l(g_l, E_m.W_l)⟩; M[i][m] = Σ_batch ⟨U_i, V_m⟩ over the
      // segments U = (Rz_L, R a_1, …), V = (½(diag p − ppᵀ)Rz_L, linT_1(g_1, E.W_1), …) is ½G + T.
      const V0 = R.map((r) => tf.tidy(() => tf.mul(softmaxHessianTimes(st.p, r.Rz[L - 1]), 0.5)));
      const segments = [{ u: R.map((r) => r.Rz[L - 1]), v: V0 }];
      const Vl: T[] = [];
      for (let l = 1; l < L; l++) {
        const v = E.map((e) => linT(layout.layers[l], st.g[l], e.W[l]));
        Vl.push(...v);
        segments.push({ u: R.map((r) => r.Ra[l]!.raw), v });
      }
      const Mt = gram(segments, nb);
      tf.dispose([...V0, ...Vl]);
      const mv = await read(Mt);
      Mt.dispose();
      symmetrizeInto(hess, off * d * d, mv, nb, d);
      if (!thetas?.length) return;
      // Keep the first layer's directional outputs for the Monte Carlo only: the R-forwards go first.
      const first = R.map((r) => tf.reshape(r.Rz[0], r.Rz[0].shape));
      return async () => {
        try {
          await this.#monteCarloFast(c, first, thetas, d);
        } finally {
          tf.dispose(first);
        }
      };
    });
  }

  /**
   * The frame both projections share: the output arrays, the directions' and the perturbed parameters'
   * tensors, and per chunk its forward state, the d R-forward passes, and from them the per-batch losses and
   * projected gradients. `body` fills the rest of the chunk's batches (from batch `off`: the projected
   * Hessians and the Monte Carlo losses); what it returns runs after the R-forwards are freed.
   */
  async #projectChunks(
    dirs: Float32Array,
    d: number,
    thetas: Float64Array | null,
    body: (c: ProjectionChunk) => Promise<void | (() => Promise<void>)>,
  ): Promise<BatchProjection> {
    const { layout } = this;
    const L = layout.layers.length;
    const out = emptyProjection(this.batches, d, thetas ? thetas.length / d : 0);
    const E: LayerTensors[] = [];
    for (let i = 0; i < d; i++) {
      E.push(layerTensors(layout, dirs.subarray(i * layout.size, (i + 1) * layout.size)));
    }
    const perturbed = thetas ? this.#perturbedParams(dirs, d, thetas) : [];
    try {
      let off = 0;
      for (let c = 0; c < this.#chunks.length; c++) {
        const ch = this.#chunks[c];
        await this.#withState(c, ch.n, async (st) => {
          const nb = ch.nb;
          out.loss.set(await this.#perBatch(st.loss, nb), off);
          const R: RForward[] = E.map((e) => rForward(layout, this.#p, st, e));
          let after: void | (() => Promise<void>);
          try {
            // e_iᵀ∇loss per sample is ⟨∂loss/∂z_L, R_i z_L⟩; summed per batch, all d directions in one read.
            const gL = st.g[L - 1];
            const gv = await read(
              tf.tidy(() => tf.stack(R.map((r) => tf.sum(tf.reshape(rowDot(gL, r.Rz[L - 1]), [nb, -1]), 1)))),
            );
            for (let i = 0; i < d; i++) {
              for (let j = 0; j < nb; j++) out.grad[(off + j) * d + i] = gv[i * nb + j];
            }
            after = await body({ ch, st, R, E, perturbed, out, off });
          } finally {
            R.forEach(disposeRForward);
          }
          if (after) await after();
        });
        off += ch.nb;
      }
    } finally {
      E.forEach(disposeLayers);
      perturbed.forEach(disposeLayers);
    }
    return out;
  }

  /**
   * Per-batch losses at each perturbed parameter set (fast path). The first layer's pre-activation is linear
   * in θ: `z1* + Σ_i θ_i R_i z1` from its directional outputs `first`, when that reads fewer values per output
   * (d + 1) than recomputing the layer costs products (nonzeros per row, inputs, or k·k·c); else recomputed.
   */
  async #monteCarloFast(c: ProjectionChunk, first: T[], thetas: Float64Array, d: number): Promise<void> {
    const { ch, perturbed, off } = c, { mc } = c.out;
    const { layout } = this;
    const L = layout.layers.length;
    const lay0 = layout.layers[0];
    const csr = ch.input.csr;
    const perOutput = csr
      ? (csr.nnz / csr.rows)
      : lay0.kind === "dense"
      ? lay0.wShape[0]
      : lay0.wShape[0] * lay0.wShape[1] * lay0.wShape[2];
    const combine0 = d + 1 < perOutput;
    const z1 = combine0 ? affine(lay0, ch.input, this.#p.W[0], this.#p.b[0], ch.n) : null;
    const size = ch.n * lay0.outShape.reduce((a, b) => a * b, 1);
    try {
      for (let s = 0; s < perturbed.length; s++) {
        const P = perturbed[s];
        const lossT = tf.tidy(() => {
          const theta = Array.from(thetas.subarray(s * d, (s + 1) * d));
          let a: T = combine0
            ? relu(combine([z1!, ...first], [1, ...theta], 0, size, [ch.n, ...lay0.outShape]))
            : affine(lay0, ch.input, P.W[0], P.b[0], ch.n, true);
          for (let l = 1; l < L; l++) {
            const lay = layout.layers[l];
            const input = prepare(lay, a);
            a = affine(lay, input, P.W[l], P.b[l], ch.n, l < L - 1);
            input.dispose();
          }
          return crossEntropy(a, ch.y);
        });
        mc.set(await this.#perBatch(lossT, ch.nb), s * this.batches + off);
        lossT.dispose();
      }
    } finally {
      z1?.dispose();
    }
  }

  /** Parameters `w* + Σ_i θ_{s,i} e_i` for each sample s (float64 sums, then float32). */
  #perturbedParams(dirs: Float32Array, d: number, thetas: Float64Array): LayerTensors[] {
    const size = this.layout.size;
    const S = thetas.length / d;
    const base = this.#w!;
    const out: LayerTensors[] = [];
    const w = new Float64Array(size);
    for (let s = 0; s < S; s++) {
      w.set(base);
      for (let i = 0; i < d; i++) {
        const th = thetas[s * d + i];
        const e = dirs.subarray(i * size, (i + 1) * size);
        for (let q = 0; q < size; q++) w[q] += th * e[q];
      }
      out.push(layerTensors(this.layout, Float32Array.from(w)));
    }
    return out;
  }

  /** Per-batch losses at each perturbed parameter set, reusing the first layer's directional outputs. */
  async #monteCarlo(c: ProjectionChunk, thetas: Float64Array, d: number): Promise<void> {
    const { ch, R, perturbed, off } = c, { mc } = c.out;
    const { layout } = this;
    const L = layout.layers.length;
    const first = layout.layers[0];
    const width = first.outShape.reduce((a, b) => a * b, 1);
    // The first layer's pre-activation at w* + Σθ_i e_i is [1, θ] · [z1*; R_1 z1; …; R_d z1] (it is linear in θ),
    // evaluated over groups of batches so that the stacked block stays under MAX_TENSOR_FLOATS.
    const B = this.batchSize;
    const gb = Math.max(1, Math.min(ch.nb, Math.floor(MAX_TENSOR_FLOATS / ((d + 1) * B * width))));
    const z1 = tf.tidy(() =>
      tf.reshape(addBias(lin(first, ch.input, this.#p.W[0], ch.n), this.#p.b[0]), [ch.n, width])
    );
    try {
      for (let j0 = 0; j0 < ch.nb; j0 += gb) {
        const m = Math.min(gb, ch.nb - j0);
        const rows = m * B;
        const Z = tf.tidy(() =>
          tf.concat(
            [z1, ...R.map((r) => tf.reshape(r.Rz[0], [ch.n, width]))].map((t) =>
              tf.reshape(tf.slice(t, [j0 * B, 0], [rows, width]), [1, rows * width])
            ),
            0,
          )
        );
        const y = tf.slice(ch.y, [j0 * B, 0], [rows, layout.classes]);
        try {
          for (let s = 0; s < perturbed.length; s++) {
            const P = perturbed[s];
            const row = new Float32Array(d + 1);
            row[0] = 1;
            for (let i = 0; i < d; i++) row[i + 1] = thetas[s * d + i];
            const lossT = tf.tidy(() => {
              let z: T = tf.reshape(tf.matMul(tf.tensor2d(row, [1, d + 1]), Z), [rows, ...first.outShape]);
              for (let l = 1; l < L; l++) {
                const lay = layout.layers[l];
                const a = prepare(lay, tf.relu(z));
                z = addBias(lin(lay, a, P.W[l], rows), P.b[l]);
              }
              return crossEntropy(z, y);
            });
            mc.set(await this.#perBatch(lossT, m), s * this.batches + off + j0);
            lossT.dispose();
          }
        } finally {
          tf.dispose([Z, y]);
        }
      }
    } finally {
      z1.dispose();
    }
  }

  /** Frees every tensor. */
  dispose(): void {
    this.#clearStates();
    if (this.#params) disposeLayers(this.#params);
    this.#params = null;
    for (const ch of this.#chunks) {
      ch.input.dispose();
      tf.dispose([ch.x, ch.y, ch.labels]);
    }
    this.#chunks.length = 0;
  }
}
