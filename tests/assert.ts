/**
 * Minimal assertions for the data tests (no third-party test library needed).
 * @module
 */

/** Thrown by a failed assertion. */
export class AssertionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AssertionError";
  }
}

/** Fails unless `cond` is truthy. */
export function assert(cond: unknown, msg = "assertion failed"): asserts cond {
  if (!cond) throw new AssertionError(msg);
}

function show(v: unknown): string {
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
    const a = Array.from(v as unknown as ArrayLike<number>);
    return `${v.constructor.name}(${a.length}) [${a.slice(0, 20).join(", ")}${a.length > 20 ? ", …" : ""}]`;
  }
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

function equal(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (ArrayBuffer.isView(a)) {
    const x = a as unknown as ArrayLike<number>;
    const y = b as unknown as ArrayLike<number>;
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
    return true;
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => equal((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** Fails unless `actual` deeply equals `expected` (typed arrays element-wise). */
export function assertEquals<T>(actual: T, expected: T, msg?: string): void {
  if (!equal(actual, expected)) {
    throw new AssertionError(`${msg ? msg + ": " : ""}expected ${show(expected)}, got ${show(actual)}`);
  }
}

/** Fails unless `|actual - expected| <= tol`. */
export function assertAlmostEquals(actual: number, expected: number, tol: number, msg?: string): void {
  if (!(Math.abs(actual - expected) <= tol)) {
    throw new AssertionError(`${msg ? msg + ": " : ""}expected ${expected} ± ${tol}, got ${actual}`);
  }
}

/** Fails unless `s` matches `re`. */
export function assertMatch(s: string, re: RegExp): void {
  if (!re.test(s)) throw new AssertionError(`expected ${JSON.stringify(s)} to match ${re}`);
}

/** Fails unless `v` is an instance of `type`. */
export function assertInstanceOf<T>(
  v: unknown,
  // deno-lint-ignore no-explicit-any
  type: abstract new (...args: any[]) => T,
): asserts v is T {
  if (!(v instanceof type)) {
    throw new AssertionError(`expected an instance of ${type.name}, got ${show(v)} (${String(v)})`);
  }
}

/** Fails unless `fn` throws (an instance of `type`, when given); returns the error. */
export function assertThrows<E extends Error = Error>(
  fn: () => unknown,
  // deno-lint-ignore no-explicit-any
  type?: abstract new (...args: any[]) => E,
): E {
  try {
    fn();
  } catch (e) {
    if (type && !(e instanceof type)) throw new AssertionError(`expected ${type.name}, got ${String(e)}`);
    return e as E;
  }
  throw new AssertionError("expected the function to throw");
}

/**
 * Fails unless `fn` rejects (with an instance of `type`, and a message containing `includes`, when given);
 * returns the error.
 */
export async function assertRejects<E extends Error = Error>(
  fn: () => Promise<unknown>,
  // deno-lint-ignore no-explicit-any
  type?: abstract new (...args: any[]) => E,
  includes?: string,
): Promise<E> {
  try {
    await fn();
  } catch (e) {
    if (type && !(e instanceof type)) throw new AssertionError(`expected ${type.name}, got ${String(e)}`);
    if (includes && !String((e as Error)?.message).includes(includes)) {
      throw new AssertionError(`expected a message containing "${includes}", got "${(e as Error)?.message}"`);
    }
    return e as E;
  }
  throw new AssertionError("expected the promise to reject");
}
