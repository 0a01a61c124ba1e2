/**
 * The flags of a benchmark script: `--name value` by kind, parsed by the CLI's parser (unknown flags are errors
 * with a did-you-mean), keys in camelCase (`--skip-e2e` → `skipE2e`).
 * @module
 */
import { type FlagSpec, parseArgs } from "../cli/flags.ts";

/**
 * Parses `args` (default `Deno.args`) against `{ "flag-name": kind }`; a flag not given takes its value in
 * `defaults` (by camelCase key), if any.
 */
export function benchFlags(
  flags: Record<string, FlagSpec["kind"]>,
  defaults: Record<string, unknown> = {},
  args: string[] = Deno.args,
): Record<string, unknown> {
  const specs = Object.entries(flags).map(([flag, kind]): FlagSpec => ({
    flag,
    key: flag.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase()),
    kind,
    help: "",
    group: "",
  }));
  return { ...defaults, ...parseArgs(args, specs).values };
}
