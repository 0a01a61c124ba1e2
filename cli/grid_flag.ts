/**
 * The `--grid field=values` flag of `deno task sweep`: the field (its config key or its flag name) and its
 * values, read by the field's kind — integers as lists and inclusive ranges (`seed=0..9`, `d=5,10,20`), numbers
 * as lists (`sigma=0.5,1`), a list field's values separated by `;` (`tolerances=0.05;0.025,0.01`), `all` for a
 * field whose null means all (`limit=4096,all`), and models split where a new model starts
 * (`model=mlp:128,mlp:128,64,cnn` → `mlp:128`, `mlp:128,64`, `cnn`).
 * @module
 */
import { ANALYSIS_FIELDS, type Field } from "../lib/config/fields.ts";
import { closest } from "../lib/config/suggest.ts";
import { ConfigError } from "../lib/errors.ts";
import { MAX_SWEEP_POINTS } from "../lib/sweep/spec.ts";
import { DECIMAL, INTEGER } from "./flags.ts";

const FIELDS = Object.values(ANALYSIS_FIELDS) as Field[];

function splitModels(text: string): string[] | null {
  const out: string[] = [];
  for (const part of text.split(",").map((s) => s.trim())) {
    if (/^(mlp|cnn)(:|$)/i.test(part)) out.push(part);
    else if (out.length && /^\d+$/.test(part)) out[out.length - 1] += `,${part}`;
    else return null;
  }
  return out;
}

/**
 * Reads one `--grid` value.
 *
 * @throws {ConfigError} on `--grid` naming what was typed and what is allowed
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseGridFlag } from "./grid_flag.ts";
 * assert.deepEqual(parseGridFlag("seed=0..3"), ["seed", [0, 1, 2, 3]]);
 * assert.deepEqual(parseGridFlag("model=mlp:128,mlp:128,64"), ["model", ["mlp:128", "mlp:128,64"]]);
 * assert.deepEqual(parseGridFlag("batch-size=32,64"), ["batchSize", [32, 64]]);
 * ```
 */
export function parseGridFlag(raw: string): [string, unknown[]] {
  const eq = raw.indexOf("=");
  const name = eq < 0 ? raw : raw.slice(0, eq).trim();
  const field = FIELDS.find((f) => f.key === name || f.flag === name);
  if (!field) {
    const near = closest(name, FIELDS.map((f) => f.flag));
    throw new ConfigError(
      "--grid",
      raw,
      "field=values with a config field (a key or flag name, e.g. seed=0..9 or model=mlp:128,cnn)",
      near ? `did you mean ${near}?` : eq < 0 ? "no = in it" : undefined,
    );
  }
  const text = eq < 0 ? "" : raw.slice(eq + 1).trim();
  const bad = (detail?: string) =>
    new ConfigError(`--grid ${field.flag}`, text, `a list of values: ${field.allowed}`, detail);
  if (text === "") throw bad("no values after =");
  const nullable = field.nullMeans !== undefined;
  const isNull = (s: string) =>
    nullable && ["all", "null", "none", field.nullMeans].includes(s.toLowerCase());
  let values: unknown[];
  switch (field.kind) {
    case "integer": {
      values = [];
      for (const part of text.split(",").map((s) => s.trim())) {
        const range = /^([+-]?\d+)\.\.([+-]?\d+)$/.exec(part);
        if (range) {
          const [a, b] = [Number(range[1]), Number(range[2])];
          if (b < a || b - a + 1 > MAX_SWEEP_POINTS) {
            throw bad(`the range ${part} must go up and have at most ${MAX_SWEEP_POINTS} values`);
          }
          for (let v = a; v <= b; v++) values.push(v);
        } else if (INTEGER.test(part)) values.push(Number(part));
        else if (isNull(part)) values.push(null);
        else throw bad(`"${part}" is not an integer or a range a..b`);
      }
      break;
    }
    case "number":
      values = text.split(",").map((s) => s.trim()).map((p) => {
        if (DECIMAL.test(p)) return Number(p);
        if (isNull(p)) return null;
        throw bad(`"${p}" is not a number`);
      });
      break;
    case "numbers":
      values = text.split(";").map((list) =>
        isNull(list.trim()) ? null : list.split(",").map((s) => s.trim()).map((p) => {
          if (!DECIMAL.test(p)) throw bad(`"${p}" is not a number (several lists go separated by ;)`);
          return Number(p);
        })
      );
      break;
    case "boolean":
      values = text.split(",").map((s) => s.trim().toLowerCase()).map((p) => {
        if (["true", "1", "yes"].includes(p)) return true;
        if (["false", "0", "no"].includes(p)) return false;
        throw bad(`"${p}" is not true or false`);
      });
      break;
    default:
      if (field.key === "model") {
        const models = splitModels(text);
        if (!models) throw bad("each model starts with mlp or cnn (mlp:128,64 is one model)");
        values = models;
      } else values = text.split(text.includes(";") ? ";" : ",").map((s) => s.trim());
  }
  if (values.length > MAX_SWEEP_POINTS) throw bad(`at most ${MAX_SWEEP_POINTS} values`);
  return [field.key, values];
}
