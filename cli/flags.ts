/**
 * Command-line flags: the config flags derived from the run specification (`lib/config/fields.ts`) and each
 * command's own options, one strict parser for both (`--name value`, `--name=value`, boolean `--flag`,
 * `--no-flag` and `--flag=false`, `-h`),
 * and `--help` text in which every line shows its range and default. Anything not understood — an unknown
 * flag, a single-dash flag, a positional argument, a malformed number — is a {@link ConfigError} naming what
 * was typed, with a "did you mean" where one is close.
 * @module
 */
import { type FieldGroup, type FieldKind, fieldsOf, type RunMode } from "../lib/config/fields.ts";
import { closest } from "../lib/config/suggest.ts";
import { ConfigError } from "../lib/errors.ts";

/** One flag. */
export interface FlagSpec {
  /** The flag without dashes, e.g. `batch-size`. */
  flag: string;
  /** The key its value is stored under (a config field or a command option). */
  key: string;
  /** How its text is read. */
  kind: FieldKind;
  /** One line of help. */
  help: string;
  /** The allowed values in words (printed in `--help` and in errors). */
  allowed?: string;
  /** The default as `--help` shows it. */
  default?: string;
  /** The `--help` section. */
  group: string;
  /** Other names that mean the same flag (kept for earlier versions; not shown in `--help`). */
  aliases?: string[];
  /** The flag may be given several times; its value is then the list of the values, in order. */
  repeatable?: boolean;
}

const GROUP_TITLES: Record<FieldGroup, string> = {
  data: "Data",
  model: "Model",
  analysis: "Analysis",
  training: "Training",
  compute: "Compute",
  online: "Algorithm 1",
};

/** Flags that were renamed: old → new (each still accepted, with a note on stderr). */
export const FLAG_ALIASES: Readonly<Record<string, string>> = { samples: "mc-draws" };

function showDefault(v: unknown, nullMeans: string | undefined): string {
  if (v === null) return nullMeans ?? "none";
  if (Array.isArray(v)) return v.join(",");
  return String(v);
}

/** The flags of a mode's config fields, in field order. */
export function configFlags(mode: RunMode): FlagSpec[] {
  return fieldsOf(mode).map((f) => ({
    flag: f.flag,
    key: f.key,
    kind: f.kind,
    help: f.help,
    // A flag cannot be given "null": leaving it out is how to get the default that null means.
    allowed: f.allowed.replace(/,? or null \(.*\)$/, ""),
    default: showDefault(f.default, f.nullMeans),
    group: GROUP_TITLES[f.group],
    aliases: Object.entries(FLAG_ALIASES).filter(([, to]) => to === f.flag).map(([from]) => from),
  }));
}

/** `--help` (also `-h`). */
export function helpFlag(group: string): FlagSpec {
  return { flag: "help", key: "help", kind: "boolean", help: "this help (also -h)", group };
}

/** A flag's key → its spelling on the command line (for renaming config errors). */
export function flagNames(specs: readonly FlagSpec[]): Map<string, string> {
  return new Map(specs.map((s) => [s.key, `--${s.flag}`]));
}

/** An integer as a flag or a `--grid` value is written. */
export const INTEGER = /^[+-]?\d+$/;
/** A decimal number as a flag or a `--grid` value is written. */
export const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

function readValue(spec: FlagSpec, raw: string): unknown {
  const name = `--${spec.flag}`;
  const bad = () => new ConfigError(name, raw, spec.allowed ?? `a ${spec.kind}`);
  switch (spec.kind) {
    case "integer":
      if (!INTEGER.test(raw.trim())) throw bad();
      return Number(raw);
    case "number":
      if (!DECIMAL.test(raw.trim())) throw bad();
      return Number(raw);
    case "numbers": {
      const parts = raw.split(",").map((s) => s.trim());
      if (parts.some((p) => !DECIMAL.test(p))) throw bad();
      return parts.map(Number);
    }
    default:
      return raw;
  }
}

/** What {@link parseArgs} found. */
export interface ParsedArgs {
  /** Values by key. */
  values: Record<string, unknown>;
  /** The flags given, as typed (without the value), in order. */
  given: string[];
  /** Notes for the user (renamed flags). */
  notes: string[];
}

/** Options of {@link parseArgs}. */
export interface ParseOptions {
  /** Flags known to the program but not to this mode: `flag → why it does not apply`. */
  notHere?: ReadonlyMap<string, string>;
}

/**
 * Parses `args` against `specs`. `-h` is `--help` (when a `help` flag exists).
 *
 * @throws {ConfigError} naming the flag (or argument) that is not understood and what is allowed
 */
export function parseArgs(
  args: readonly string[],
  specs: readonly FlagSpec[],
  opts: ParseOptions = {},
): ParsedArgs {
  const byName = new Map<string, FlagSpec>();
  for (const s of specs) {
    byName.set(s.flag, s);
    for (const a of s.aliases ?? []) byName.set(a, s);
  }
  const names = specs.map((s) => `--${s.flag}`);
  const values: Record<string, unknown> = {};
  const given: string[] = [];
  const notes: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "-h" && byName.has("help")) {
      values[byName.get("help")!.key] = true;
      given.push("-h");
      continue;
    }
    if (!a.startsWith("--")) {
      const near = a.startsWith("-") ? closest(`--${a.replace(/^-+/, "")}`, names) : undefined;
      throw new ConfigError(
        a.startsWith("-") ? a : "argument",
        a,
        `flags of the form --name value (see --help)`,
        near
          ? `did you mean ${near}?`
          : a.startsWith("-")
          ? "single-dash flags other than -h are not used"
          : undefined,
      );
    }
    const eq = a.indexOf("=");
    let name = a.slice(2, eq < 0 ? undefined : eq);
    // `--no-<flag>` switches a boolean flag off.
    const negated = !byName.has(name) && name.startsWith("no-") &&
      byName.get(name.slice(3))?.kind === "boolean";
    if (negated) {
      if (eq >= 0) {
        throw new ConfigError(`--${name}`, a, `--${name} without a value, or --${name.slice(3)}=false`);
      }
      name = name.slice(3);
    }
    const spec = byName.get(name);
    if (!spec) {
      const why = opts.notHere?.get(name);
      if (why !== undefined) throw new ConfigError(`--${name}`, a, "a flag of this mode (see --help)", why);
      const near = closest(`--${name}`, names);
      throw new ConfigError(
        `--${name}`,
        a,
        "a known flag (see --help)",
        near ? `did you mean ${near}?` : undefined,
      );
    }
    if (name !== spec.flag) notes.push(`--${name} is now --${spec.flag}`);
    if (given.includes(`--${spec.flag}`) && !spec.repeatable) {
      throw new ConfigError(
        `--${spec.flag}`,
        a,
        `the flag once${spec.kind === "numbers" ? " (several values go comma-separated in one)" : ""}`,
        "it is given twice",
      );
    }
    given.push(`--${spec.flag}`);
    if (spec.kind === "boolean") {
      if (negated) values[spec.key] = false;
      else if (eq < 0) values[spec.key] = true;
      else {
        const v = a.slice(eq + 1).toLowerCase();
        if (!["true", "false", "1", "0", "yes", "no"].includes(v)) {
          throw new ConfigError(`--${spec.flag}`, a.slice(eq + 1), "true or false (or no value)");
        }
        values[spec.key] = ["true", "1", "yes"].includes(v);
      }
      continue;
    }
    const raw = eq < 0 ? args[++i] : a.slice(eq + 1);
    if (raw === undefined || (eq < 0 && raw.startsWith("--"))) {
      throw new ConfigError(
        `--${spec.flag}`,
        undefined,
        `a value after the flag: ${spec.allowed ?? spec.kind}`,
      );
    }
    const value = readValue(spec, raw);
    values[spec.key] = spec.repeatable ? [...((values[spec.key] as unknown[]) ?? []), value] : value;
  }
  return { values, given, notes };
}

/** Words of `text` in lines of at most `width` characters. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/** The `--help` text of a list of flags, grouped, each line with its range and default, wrapped at 110 columns. */
export function helpText(specs: readonly FlagSpec[], columns = 110): string {
  const rows = specs.map((s) => ({
    group: s.group,
    head: s.kind === "boolean"
      ? s.default === "true" ? `--[no-]${s.flag}` : `--${s.flag}`
      : `--${s.flag} <${s.kind === "numbers" ? "a,b,…" : s.kind}>`,
    text: [
      s.help,
      s.allowed ? `: ${s.allowed}` : "",
      s.default !== undefined ? ` (default: ${s.default})` : "",
    ].join(""),
  }));
  const w = Math.max(...rows.map((r) => r.head.length));
  const out: string[] = [];
  for (const group of [...new Set(rows.map((r) => r.group))]) {
    out.push(`${group}:`);
    for (const r of rows.filter((x) => x.group === group)) {
      const [first, ...more] = wrap(r.text, Math.max(30, columns - w - 4));
      out.push(`  ${r.head.padEnd(w)}  ${first}`, ...more.map((l) => `  ${" ".repeat(w)}  ${l}`));
    }
    out.push("");
  }
  return out.join("\n");
}
