/**
 * A small WebAssembly assembler: enough of the binary format (i32 arithmetic, structured control flow,
 * f32 and 128-bit SIMD loads, stores and arithmetic) to write the engine's kernels in TypeScript and
 * compile them at run time, with no toolchain and no binary files in the repository.
 *
 * A module imports one memory (`env.memory`: the tfjs-wasm heap the kernels work in) and exports functions.
 * Functions are written with {@link Fn}'s instruction methods, which append bytes; loops are written with
 * `block`/`loop`/`br_if`/`end` exactly as in the text format.
 * @module
 */

/** Value types. */
export const i32 = 0x7f, f32 = 0x7d, v128 = 0x7b;
/** A value type byte. */
export type ValType = typeof i32 | typeof f32 | typeof v128;

function uleb(n: number, out: number[]): void {
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
}

function sleb(n: number, out: number[]): void {
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return;
    }
    out.push(b | 0x80);
  }
}

function name(s: string, out: number[]): void {
  const b = new TextEncoder().encode(s);
  uleb(b.length, out);
  out.push(...b);
}

/** One function: parameters, locals and a body of instructions. Locals are numbered after the parameters. */
export class Fn {
  readonly code: number[] = [];
  readonly locals: ValType[] = [];

  constructor(readonly name: string, readonly params: ValType[], readonly results: ValType[] = []) {}

  /** Declares a local of type `t` and returns its index. */
  local(t: ValType): number {
    this.locals.push(t);
    return this.params.length + this.locals.length - 1;
  }

  #op(...bytes: number[]): this {
    this.code.push(...bytes);
    return this;
  }
  #simd(op: number, ...rest: number[]): this {
    this.code.push(0xfd);
    uleb(op, this.code);
    this.code.push(...rest);
    return this;
  }
  #mem(op: number, align: number, offset: number, simd = false): this {
    if (simd) {
      this.code.push(0xfd);
      uleb(op, this.code);
    } else this.code.push(op);
    uleb(align, this.code);
    uleb(offset, this.code);
    return this;
  }

  // Control.
  block(): this {
    return this.#op(0x02, 0x40);
  }
  loop(): this {
    return this.#op(0x03, 0x40);
  }
  if_(): this {
    return this.#op(0x04, 0x40);
  }
  else_(): this {
    return this.#op(0x05);
  }
  end(): this {
    return this.#op(0x0b);
  }
  br(depth: number): this {
    return this.#op(0x0c, depth);
  }
  br_if(depth: number): this {
    return this.#op(0x0d, depth);
  }
  return_(): this {
    return this.#op(0x0f);
  }

  // Locals and constants.
  get(i: number): this {
    this.code.push(0x20);
    uleb(i, this.code);
    return this;
  }
  set(i: number): this {
    this.code.push(0x21);
    uleb(i, this.code);
    return this;
  }
  tee(i: number): this {
    this.code.push(0x22);
    uleb(i, this.code);
    return this;
  }
  i32(n: number): this {
    this.code.push(0x41);
    sleb(n | 0, this.code);
    return this;
  }
  f32(x: number): this {
    this.code.push(0x43);
    this.code.push(...new Uint8Array(new Float32Array([x]).buffer));
    return this;
  }

  // i32 arithmetic and comparisons.
  add(): this {
    return this.#op(0x6a);
  }
  sub(): this {
    return this.#op(0x6b);
  }
  mul(): this {
    return this.#op(0x6c);
  }
  shl(): this {
    return this.#op(0x74);
  }
  and(): this {
    return this.#op(0x71);
  }
  or(): this {
    return this.#op(0x72);
  }
  div_s(): this {
    return this.#op(0x6d);
  }
  le_s(): this {
    return this.#op(0x4c);
  }
  eqz(): this {
    return this.#op(0x45);
  }
  lt_s(): this {
    return this.#op(0x48);
  }
  lt_u(): this {
    return this.#op(0x49);
  }
  ge_s(): this {
    return this.#op(0x4e);
  }
  ne(): this {
    return this.#op(0x47);
  }

  // Scalar memory and arithmetic.
  i32_load(offset = 0): this {
    return this.#mem(0x28, 2, offset);
  }
  f32_load(offset = 0): this {
    return this.#mem(0x2a, 2, offset);
  }
  f32_store(offset = 0): this {
    return this.#mem(0x38, 2, offset);
  }
  f32_add(): this {
    return this.#op(0x92);
  }
  f32_mul(): this {
    return this.#op(0x94);
  }
  f32_gt(): this {
    return this.#op(0x5e);
  }
  f32_max(): this {
    return this.#op(0x97);
  }
  select(): this {
    return this.#op(0x1b);
  }

  // SIMD (128-bit, four f32 lanes).
  v_load(offset = 0): this {
    return this.#mem(0x00, 4, offset, true);
  }
  v_store(offset = 0): this {
    return this.#mem(0x0b, 4, offset, true);
  }
  v_load32_splat(offset = 0): this {
    return this.#mem(0x09, 2, offset, true);
  }
  v_zero(): this {
    return this.#simd(0x0c, ...new Array(16).fill(0));
  }
  f4_splat(): this {
    return this.#simd(0x13);
  }
  f4_add(): this {
    return this.#simd(0xe4);
  }
  f4_mul(): this {
    return this.#simd(0xe6);
  }
  /** Relaxed fused multiply-add `a·b + c` (one rounding where the CPU has FMA). */
  f4_madd(): this {
    return this.#simd(0x105);
  }
  f4_gt(): this {
    return this.#simd(0x44);
  }
  /** Lane-wise maximum; NaN if either lane is NaN. */
  f4_max(): this {
    return this.#simd(0xe9);
  }
  v_and(): this {
    return this.#simd(0x4e);
  }
  f4_extract(lane: number): this {
    return this.#simd(0x1f, lane);
  }

  /** `for (i = from; i < to; i += step) body()`, with from/to/step given as emitters (or constants). */
  for(i: number, from: Emit, to: Emit, step: number, body: () => void): this {
    emit(this, from);
    this.set(i);
    this.block();
    this.get(i);
    emit(this, to);
    this.ge_s().br_if(0); // nothing to do when from ≥ to
    this.loop();
    body();
    this.get(i).i32(step).add().tee(i);
    emit(this, to);
    this.lt_s().br_if(0);
    this.end().end();
    return this;
  }
}

/** An operand: a constant, or a callback that pushes one i32. */
export type Emit = number | ((f: Fn) => void);

function emit(f: Fn, e: Emit): void {
  if (typeof e === "number") f.i32(e);
  else e(f);
}

/** The binary of a module that imports `env.memory` (at least `minPages` 64 KiB pages) and exports `fns`. */
export function assemble(fns: Fn[], minPages = 1): Uint8Array {
  const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const section = (id: number, body: number[]) => {
    out.push(id);
    uleb(body.length, out);
    out.push(...body);
  };
  // Types: one per function.
  const types: number[] = [];
  uleb(fns.length, types);
  for (const f of fns) {
    types.push(0x60);
    uleb(f.params.length, types);
    types.push(...f.params);
    uleb(f.results.length, types);
    types.push(...f.results);
  }
  section(1, types);
  // Import env.memory (no maximum).
  const imports: number[] = [];
  uleb(1, imports);
  name("env", imports);
  name("memory", imports);
  imports.push(0x02, 0x00);
  uleb(minPages, imports);
  section(2, imports);
  const funcs: number[] = [];
  uleb(fns.length, funcs);
  fns.forEach((_, i) => uleb(i, funcs));
  section(3, funcs);
  const exports: number[] = [];
  uleb(fns.length, exports);
  fns.forEach((f, i) => {
    name(f.name, exports);
    exports.push(0x00);
    uleb(i, exports);
  });
  section(7, exports);
  const code: number[] = [];
  uleb(fns.length, code);
  for (const f of fns) {
    const body: number[] = [];
    // Locals in runs of equal type.
    const runs: [number, ValType][] = [];
    for (const t of f.locals) {
      if (runs.length && runs[runs.length - 1][1] === t) runs[runs.length - 1][0]++;
      else runs.push([1, t]);
    }
    uleb(runs.length, body);
    for (const [n, t] of runs) {
      uleb(n, body);
      body.push(t);
    }
    body.push(...f.code, 0x0b);
    uleb(body.length, code);
    code.push(...body);
  }
  section(10, code);
  return new Uint8Array(out);
}
