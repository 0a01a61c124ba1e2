/**
 * The dashboard's tolerance control: reading what the user typed (an error for anything that is not a tolerance,
 * so the box and the shown k* never disagree) and the slider's range.
 * @module
 */
import type { FieldInfo } from "../lib/config/fields.ts";

/** A typed tolerance: its value, or why it is not one (with the allowed range). */
export type ParsedTolerance = { ok: true; value: number } | { ok: false; error: string };

/**
 * Reads the tolerance box against the tolerance field's range (exclusive minimum), in decimal or exponent form.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseTolerance } from "./tolerance.ts";
 * const field = { min: 0, max: 1e6 };
 * assert.deepEqual(parseTolerance("0.025", field), { ok: true, value: 0.025 });
 * for (const bad of ["0", "-1", "", "1e400", "abc"]) assert.equal(parseTolerance(bad, field).ok, false);
 * ```
 */
export function parseTolerance(text: string, field: Pick<FieldInfo, "min" | "max">): ParsedTolerance {
  const t = text.trim();
  const TOL = { min: field.min ?? 0, max: field.max ?? Infinity };
  const allowed = `a number in (${TOL.min}, ${TOL.max}]`;
  if (t === "") return { ok: false, error: `enter a tolerance: ${allowed}` };
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) {
    return { ok: false, error: `"${t}" is not a number; ${allowed}` };
  }
  const v = Number(t);
  if (!Number.isFinite(v) || v <= TOL.min || v > TOL.max) {
    return { ok: false, error: `${t} is out of range; ${allowed}` };
  }
  return { ok: true, value: v };
}

/**
 * A log-scale slider range [lo, hi] (powers of ten) that covers a curve's positive values and `tol`, and at
 * least one decade below the smallest value, so that any tolerance the curve can reach is on the slider.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { toleranceRange } from "./tolerance.ts";
 * assert.deepEqual(toleranceRange([0.5, 0.02, 0.003], 0.025), [0.0001, 1]);
 * ```
 */
export function toleranceRange(values: readonly number[], tol: number): [number, number] {
  const pos = values.filter((v) => Number.isFinite(v) && v > 0);
  const min = Math.min(tol, ...pos), max = Math.max(tol, ...pos);
  return [10 ** (Math.floor(Math.log10(min)) - 1), 10 ** Math.ceil(Math.log10(max) + 1e-9)];
}
