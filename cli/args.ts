/**
 * A small, strict command-line flag parser: `--name value`, `--name=value`, boolean `--flag`.
 * Unknown flags are errors naming the flag.
 * @module
 */
import { ConfigError } from "../lib/errors.ts";

/** One flag's definition. */
export interface FlagSpec {
  /** Flag name without dashes, e.g. `batch-size`. */
  name: string;
  /** The config field it sets (defaults to the name). */
  field?: string;
  kind: "string" | "int" | "number" | "numbers" | "boolean";
  help: string;
  /** Default shown in --help. */
  default?: string;
}

/** Parses `args` against `specs`; returns field → value and the positional arguments. */
export function parseFlags(
  args: string[],
  specs: FlagSpec[],
): { values: Record<string, unknown>; rest: string[] } {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const values: Record<string, unknown> = {};
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith("--")) {
      rest.push(a);
      continue;
    }
    const eq = a.indexOf("=");
    const name = a.slice(2, eq < 0 ? undefined : eq);
    const spec = byName.get(name);
    if (!spec) throw new ConfigError(`--${name}`, a, "a known flag (see --help)");
    const field = spec.field ?? name;
    if (spec.kind === "boolean") {
      values[field] = eq < 0 ? true : !["false", "0", "no"].includes(a.slice(eq + 1));
      continue;
    }
    const raw = eq < 0 ? args[++i] : a.slice(eq + 1);
    if (raw === undefined) throw new ConfigError(`--${name}`, raw, `a ${spec.kind} value after the flag`);
    values[field] = convert(spec, raw);
  }
  return { values, rest };
}

function convert(spec: FlagSpec, raw: string): unknown {
  const num = (s: string) => {
    const v = Number(s);
    if (s.trim() === "" || !Number.isFinite(v)) {
      throw new ConfigError(`--${spec.name}`, raw, "a finite number");
    }
    return v;
  };
  switch (spec.kind) {
    case "string":
      return raw;
    case "int": {
      const v = num(raw);
      if (!Number.isInteger(v)) throw new ConfigError(`--${spec.name}`, raw, "an integer");
      return v;
    }
    case "number":
      return num(raw);
    case "numbers":
      return raw.split(",").map(num);
    default:
      return raw;
  }
}

/** Formats the flag table for --help. */
export function flagHelp(specs: FlagSpec[]): string {
  const rows = specs.map((
    s,
  ) => [
    `--${s.name}${s.kind === "boolean" ? "" : ` <${s.kind === "numbers" ? "a,b,…" : s.kind}>`}`,
    s.help + (s.default !== undefined ? ` (default: ${s.default})` : ""),
  ]);
  const w = Math.max(...rows.map((r) => r[0].length));
  return rows.map(([a, b]) => `  ${a.padEnd(w)}  ${b}`).join("\n");
}
