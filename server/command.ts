/**
 * What the long-running commands (`serve`, `worker`) share: flags with numeric ranges checked after parsing,
 * defaults from the environment, `--help` with each flag's default, and a life that ends on SIGINT/SIGTERM or
 * when the process that started them (`npx`, `deno task`) ends — within seconds, whatever holds it up.
 * @module
 */
import { type FlagSpec, helpText } from "../cli/flags.ts";
import { type Interrupted, onInterrupt } from "../cli/io.ts";
import { ConfigError } from "../lib/errors.ts";
import { watchLauncher } from "./launcher.ts";

/** A flag maker for one `--help` group, keyed by an options type. */
export function flagMaker<O>(group: string) {
  return (
    flag: string,
    key: keyof O & string,
    kind: FlagSpec["kind"],
    help: string,
    allowed?: string,
  ): FlagSpec => ({
    flag,
    key,
    kind,
    help,
    allowed,
    group,
  });
}

/** `[min, max, integer]`: an integer in [min, max], or a number in (min, max]. */
export type Range = [number, number, boolean];

/** The range of `--max-memory` (GiB). */
export const MAX_MEMORY_RANGE: Range = [0, 4096, false];

/** `--max-memory`: runs estimated to need more memory are refused (option `maxMemoryGb`). */
export function maxMemoryFlag(group: string): FlagSpec {
  return {
    flag: "max-memory",
    key: "maxMemoryGb",
    kind: "number",
    help: "refuse runs estimated to need more memory (GiB)",
    allowed: "a number in (0, 4096]",
    group,
  };
}

/** Checks the numeric options against their ranges. @throws {ConfigError} naming the flag and its range */
export function checkRanges<O>(
  o: O,
  ranges: Partial<Record<keyof O, Range>>,
  specs: readonly FlagSpec[],
): void {
  for (const [key, [min, max, int]] of Object.entries(ranges) as [keyof O & string, Range][]) {
    const v = o[key] as unknown;
    const ok = typeof v === "number" && Number.isFinite(v) &&
      (int ? Number.isInteger(v) && v >= min : v > min) && v <= max;
    if (!ok) {
      const spec = specs.find((s) => s.key === key)!;
      throw new ConfigError(`--${spec.flag}`, v, spec.allowed!);
    }
  }
}

/** An environment variable's value; undefined when unset, empty or not permitted. */
export function envValue(name: string): string | undefined {
  try {
    const v = Deno.env.get(name);
    return v === undefined || v === "" ? undefined : v;
  } catch {
    return undefined;
  }
}

/** The usage text: a head, then every flag with its range and its default (as `defaults` has it). */
export function usage(
  head: string,
  specs: readonly FlagSpec[],
  defaults: object,
  shown: Partial<Record<string, string>> = {},
): string {
  const d = defaults as Record<string, unknown>;
  const withDefaults = specs.map((s) => {
    const v = d[s.key];
    return {
      ...s,
      default: shown[s.key] ?? (v === null || v === undefined || v === false ? undefined : String(v)),
    };
  });
  return `${head}\n\n${helpText(withDefaults)}`;
}

/**
 * Runs until a stop: SIGINT, SIGTERM (SIGINT alone on Windows) or the end of the launcher. On the first one it
 * prints `${label}: <why>; ${doing}`, calls `stop`, and forces the exit if stopping takes over 5 s. Resolves when
 * `done` does (the command's own end, or the stop's).
 */
export async function runUntilStopped(
  label: string,
  doing: string,
  stop: () => Promise<unknown>,
  done: Promise<unknown>,
  launcher = "the process that started it",
): Promise<void> {
  let stopped = false;
  const onStop = (why: string) => {
    if (stopped) return;
    stopped = true;
    console.log(`${label}: ${why}; ${doing}`);
    setTimeout(() => {
      console.error(`${label}: stopping took over 5 s; exiting`);
      Deno.exit(1);
    }, 5000);
    stop();
  };
  const interrupt = onInterrupt();
  interrupt.signal.addEventListener(
    "abort",
    () => onStop(`got ${(interrupt.signal.reason as Interrupted).signal}`),
  );
  const unwatch = watchLauncher(() => onStop(`${launcher} has ended`));
  try {
    await done;
  } finally {
    unwatch();
    interrupt.dispose();
  }
}

/** A command module's `import.meta.main` body: runs it, exits with its code; an error is one line (2: bad input). */
export async function runMain(command: (args: string[]) => Promise<number>): Promise<never> {
  try {
    Deno.exit(await command(Deno.args));
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    Deno.exit(e instanceof ConfigError ? 2 : 1);
  }
}
