/**
 * Errors for bad input: each names the field, the value it got and what is allowed.
 * @module
 */

/**
 * A configuration or input value outside its allowed range. The message reads
 * `<field>: got <value>; allowed: <allowed>` (plus ` (<detail>)` when given); strings are shown quoted.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConfigError } from "kstar";
 * const e = new ConfigError("batchSize", 0, "an integer in [1, 60000]");
 * assert.equal(e.message, "batchSize: got 0; allowed: an integer in [1, 60000]");
 * assert.ok(e instanceof ConfigError && e.field === "batchSize");
 * ```
 */
export class ConfigError extends Error {
  /** The offending field, e.g. `"batchSize"` or `"dataset"`. */
  readonly field: string;
  /** The value that was given. */
  readonly value: unknown;
  /** A human-readable description of the allowed values, e.g. `"an integer in [1, 60000]"`. */
  readonly allowed: string;
  /** Why the value is out of range, when that needs saying (e.g. `"did you mean --batch-size?"`). */
  readonly detail?: string;

  /**
   * Creates the error; the message is built from the arguments.
   *
   * @param field the offending field, e.g. `"batchSize"`
   * @param value the value that was given (any type; see {@link describeValue})
   * @param allowed a human-readable description of the allowed values
   * @param detail an optional remark appended in parentheses, e.g. why the value is out of range
   */
  constructor(field: string, value: unknown, allowed: string, detail?: string) {
    super(`${field}: got ${describeValue(value)}; allowed: ${allowed}${detail ? ` (${detail})` : ""}`);
    this.name = "ConfigError";
    this.field = field;
    this.value = value;
    this.allowed = allowed;
    this.detail = detail;
  }

  /**
   * The same error under another field name (e.g. the CLI flag the user typed instead of the config key).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { ConfigError } from "kstar";
   * const e = new ConfigError("batchSize", 0, "an integer in [1, 65536]").renamed("--batch-size");
   * assert.equal(e.message, "--batch-size: got 0; allowed: an integer in [1, 65536]");
   * ```
   */
  renamed(field: string): ConfigError {
    return new ConfigError(field, this.value, this.allowed, this.detail);
  }
}

/**
 * A value as error messages show it: strings quoted, arrays and objects as (shortened) JSON, typed arrays by
 * type and length, `undefined` as "nothing".
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeValue } from "kstar";
 * assert.equal(describeValue([3]), "[3]");
 * assert.equal(describeValue([]), "[]");
 * assert.equal(describeValue({ a: 1 }), '{"a":1}');
 * assert.equal(describeValue("x"), '"x"');
 * assert.equal(describeValue(undefined), "nothing");
 * ```
 */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "string") return shorten(JSON.stringify(value));
  if (typeof value === "number" || typeof value === "boolean" || value === null) return String(value);
  if (typeof value === "bigint") return `${value}n`;
  if (ArrayBuffer.isView(value)) {
    const n = (value as unknown as { length?: number }).length ?? value.byteLength;
    return `${value.constructor.name}(${n})`;
  }
  if (typeof value === "function") return "a function";
  try {
    return shorten(
      JSON.stringify(value, (_k, v) => typeof v === "number" && !Number.isFinite(v) ? String(v) : v),
    );
  } catch {
    return Object.prototype.toString.call(value);
  }
}

function shorten(s: string, max = 120): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/**
 * A data file that is missing, truncated or malformed. The message reads `<file>: <message>`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DataError } from "kstar";
 * const e = new DataError("train-images-idx3-ubyte", "truncated");
 * assert.deepEqual([e.message, e.file], ["train-images-idx3-ubyte: truncated", "train-images-idx3-ubyte"]);
 * ```
 */
export class DataError extends Error {
  /** The file (path or name) at fault. */
  readonly file: string;
  /** The config field that named the data (`dataset`, or `testData` for a test table). */
  readonly field: string;
  /** What is wrong with the file (the message without the file). */
  readonly problem: string;
  /**
   * Creates the error; the message is `<file>: <message>`.
   *
   * @param file the file (path or name) at fault
   * @param message what is wrong with it
   * @param field the config field that named the data (default `dataset`)
   */
  constructor(file: string, message: string, field = "dataset") {
    super(`${file}: ${message}`);
    this.name = "DataError";
    this.file = file;
    this.problem = message;
    this.field = field;
  }
}

/** Throws a {@link ConfigError} unless `value` is an integer in `[min, max]`. */
export function checkInt(field: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(field, value, `an integer in [${min}, ${max}]`);
  }
  return value;
}

/** Throws a {@link ConfigError} unless `value` is a finite number in the given range (`open` excludes `min`). */
export function checkNumber(
  field: string,
  value: unknown,
  min: number,
  max = Number.POSITIVE_INFINITY,
  open = false,
): number {
  const ok = typeof value === "number" && Number.isFinite(value) && (open ? value > min : value >= min) &&
    value <= max;
  if (!ok) {
    const lo = open ? `(${min}` : `[${min}`;
    const hi = Number.isFinite(max) ? `${max}]` : "∞)";
    throw new ConfigError(field, value, `a finite number in ${lo}, ${hi}`);
  }
  return value as number;
}

/** Throws a {@link ConfigError} unless `value` is one of `choices`. */
export function checkChoice<T extends string>(field: string, value: unknown, choices: readonly T[]): T {
  if (typeof value !== "string" || !choices.includes(value as T)) {
    throw new ConfigError(field, value, `one of ${choices.map((c) => JSON.stringify(c)).join(", ")}`);
  }
  return value as T;
}
