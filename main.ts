/**
 * kstar command line: `analyze` (default), `serve`, `worker` (executes runs from a server's Redis queue) and
 * `sweep` (many runs from a grid or a preset, here in sequence or through Redis).
 *
 * ```sh
 * deno task analyze --help
 * deno task serve --port 8000
 * deno task worker --redis redis://HOST:6379 --name gpu1
 * deno task sweep --grid seed=0..4 --grid model=mlp:128,cnn --limit 4096
 * ```
 * @module
 */
import { ConfigError, DataError } from "./lib/errors.ts";
import { runAnalyzeCommand } from "./cli/analyze_command.ts";
import { Interrupted } from "./cli/io.ts";

const USAGE = `kstar — how much training data is enough?

Usage:
  deno task analyze [flags]   run the analysis (deno task analyze --help for flags)
  deno task serve [flags]     start the dashboard server (deno task serve --help)
  deno task worker [flags]    execute runs from a server's Redis queue (deno task worker --help)
  deno task sweep [flags]     run a grid of configurations (deno task sweep --help)
`;

async function main(args: string[]): Promise<number> {
  const [cmd, ...rest] = args;
  switch (cmd) {
    case undefined:
    case "analyze":
      return await runAnalyzeCommand(rest);
    case "serve": {
      const { serveCommand } = await import("./server/main.ts");
      return await serveCommand(rest);
    }
    case "worker": {
      const { workerCommand } = await import("./server/worker_main.ts");
      return await workerCommand(rest);
    }
    case "sweep": {
      const { runSweepCommand } = await import("./cli/sweep_command.ts");
      return await runSweepCommand(rest);
    }
    case "help":
    case "--help":
    case "-h":
      console.log(USAGE);
      return 0;
    default:
      if (cmd.startsWith("--")) return await runAnalyzeCommand(args);
      console.error(`unknown command "${cmd}"\n\n${USAGE}`);
      return 2;
  }
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (e) {
    if (e instanceof Interrupted) {
      console.error("interrupted");
      Deno.exit(130);
    }
    if (e instanceof ConfigError || e instanceof DataError) {
      console.error(`error: ${e.message}`);
      Deno.exit(2);
    }
    // Permission errors name the flag that grants what was refused.
    if (e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied) {
      console.error(`error: ${(e as Error).message}`);
      Deno.exit(2);
    }
    console.error(`error: ${(e as Error).stack ?? e}`);
    Deno.exit(1);
  }
}
