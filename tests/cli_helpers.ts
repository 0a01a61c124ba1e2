/** Running the CLI as a user would, for the CLI tests. */

const MAIN = new URL("../main.ts", import.meta.url).pathname;

/** What a CLI run gave: its exit code and output. */
export interface CliOutcome {
  code: number;
  out: string;
  err: string;
}

/** Runs `main.ts`; `args` as a list, or as one line split at spaces (no quoting needed in these tests). */
export async function cli(args: string[] | string, cwd?: string): Promise<CliOutcome> {
  if (typeof args === "string") args = args.split(/\s+/).filter(Boolean);
  const o = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
    cwd,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const dec = new TextDecoder();
  return { code: o.code, out: dec.decode(o.stdout), err: dec.decode(o.stderr) };
}
