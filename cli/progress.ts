/**
 * Progress display for the CLI: a bar with ETA per stage on a terminal, plain lines otherwise.
 * @module
 */
import type { ProgressEvent, Stage } from "../lib/analysis/types.ts";

const enc = new TextEncoder();

/**
 * A status line fitted to a terminal of `columns` columns: cut to `columns − 1` characters (the last column is
 * left free so the line never wraps). A terminal that reports no width (0, or none) gets the whole line.
 */
export function fitLine(line: string, columns: number | undefined): string {
  const chars = [...line];
  return columns && columns > 1 && chars.length > columns - 1 ? chars.slice(0, columns - 1).join("") : line;
}

function columns(): number | undefined {
  try {
    return Deno.consoleSize().columns;
  } catch {
    return undefined;
  }
}

/** Returns a progress callback writing to stderr. */
export function progressPrinter(quiet = false): (e: ProgressEvent) => void {
  const tty = Deno.stderr.isTerminal();
  let stage: Stage | null = null;
  let stageStart = performance.now();
  let lastMessage = "";
  let lastDraw = 0;
  const write = (s: string) => Deno.stderr.writeSync(enc.encode(s));
  return (e) => {
    if (quiet) return;
    const now = performance.now();
    if (e.stage !== stage) {
      if (tty && stage) write("\n");
      stage = e.stage;
      stageStart = now;
      lastMessage = "";
    }
    if (tty) {
      if (now - lastDraw < 100 && e.fraction < 1 && e.message === undefined) return;
      lastDraw = now;
      const width = 24;
      const filled = Math.round(e.fraction * width);
      const elapsed = (now - stageStart) / 1000;
      const eta = e.fraction > 0.02 && e.fraction < 1
        ? ` ETA ${Math.ceil(elapsed * (1 - e.fraction) / e.fraction)}s`
        : "";
      if (e.message) lastMessage = e.message;
      const line = `${e.stage.padEnd(10)} [${"█".repeat(filled)}${"·".repeat(width - filled)}] ${
        (100 * e.fraction).toFixed(0).padStart(3)
      }% ${elapsed.toFixed(1)}s${eta}  ${lastMessage}`;
      write(`\r\x1b[2K${fitLine(line, columns())}`);
      if (e.stage === "done") write("\n");
    } else if (e.message && e.message !== lastMessage) {
      lastMessage = e.message;
      write(`[${e.stage}] ${e.message}\n`);
    }
  };
}
