/**
 * The CLI's file output and interruption: the output folder is checked before a run starts, files are written
 * atomically, a finished result is never lost because one file could not be written, and Ctrl-C stops the run
 * as one "interrupted" line with exit code 130.
 * @module
 */
import { ConfigError } from "../lib/errors.ts";

/**
 * Checks, before any computation, that `dir` is (or can be made) a writable folder.
 * @throws {ConfigError} on `--out` naming the problem
 */
export async function checkOutDir(dir: string): Promise<void> {
  try {
    const st = await Deno.stat(dir);
    if (!st.isDirectory) throw new ConfigError("--out", dir, "a folder to write into", "it is a file");
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    if (e instanceof Deno.errors.NotADirectory) {
      throw new ConfigError(
        "--out",
        dir,
        "a folder to write into",
        "it cannot be created: a part of the path is a file",
      );
    }
    if (!(e instanceof Deno.errors.NotFound)) {
      throw new ConfigError("--out", dir, "a folder to write into", (e as Error).message);
    }
    try {
      await Deno.mkdir(dir, { recursive: true });
    } catch (err) {
      throw new ConfigError(
        "--out",
        dir,
        "a folder to write into",
        `cannot be created: ${(err as Error).message}`,
      );
    }
  }
  const probe = `${dir}/.kstar-write-test-${crypto.randomUUID()}`;
  try {
    await Deno.writeTextFile(probe, "");
    await Deno.remove(probe);
  } catch (e) {
    throw new ConfigError("--out", dir, "a folder to write into", `not writable: ${(e as Error).message}`);
  }
}

/** Writes `text` to `path` through a temporary file and a rename (a reader never sees half a file). */
async function writeAtomic(path: string, text: string): Promise<void> {
  const slash = path.lastIndexOf("/");
  const tmp = `${path.slice(0, slash + 1)}.${path.slice(slash + 1)}.tmp`;
  await Deno.writeTextFile(tmp, text);
  await Deno.rename(tmp, path);
}

/**
 * Writes `files` (name → text producer) into `dir`, first to last (put the result first). When one cannot be
 * written, the others still are; if the first — the result — cannot be written into `dir`, it is saved in a
 * temporary folder instead. Throws after trying all, naming what failed and where the result is.
 *
 * @returns the paths written
 */
export async function writeFiles(dir: string, files: [string, () => string][]): Promise<string[]> {
  const wrote: string[] = [];
  const failed: string[] = [];
  let rescued: string | null = null;
  try {
    await Deno.mkdir(dir, { recursive: true });
  } catch { /* each write reports it */ }
  for (const [i, [name, render]] of files.entries()) {
    const text = render();
    try {
      await writeAtomic(`${dir}/${name}`, text);
      wrote.push(`${dir}/${name}`);
    } catch (e) {
      failed.push(`${dir}/${name} (${(e as Error).message})`);
      if (i === 0) {
        const tmp = await Deno.makeTempDir({ prefix: "kstar-result-" });
        await Deno.writeTextFile(`${tmp}/${name}`, text);
        rescued = `${tmp}/${name}`;
      }
    }
  }
  if (failed.length) {
    throw new Error(
      `could not write ${failed.join("; ")}${rescued ? `; the result is saved in ${rescued}` : ""}`,
    );
  }
  return wrote;
}

/** Thrown when the user interrupts a run (Ctrl-C, SIGTERM): the CLI prints "interrupted" and exits 130. */
export class Interrupted extends Error {
  /** The signal that interrupted. */
  readonly signal: string;
  constructor(signal = "SIGINT") {
    super(`interrupted (${signal})`);
    this.name = "Interrupted";
    this.signal = signal;
  }
}

/** A signal that aborts with {@link Interrupted} on SIGINT or SIGTERM; `dispose()` removes the listeners. */
export interface Interrupt {
  signal: AbortSignal;
  dispose(): void;
}

/** Listens for SIGINT and SIGTERM while a run executes. */
export function onInterrupt(): Interrupt {
  const controller = new AbortController();
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  const handlers = signals.map((s) => {
    const h = () => controller.abort(new Interrupted(s));
    Deno.addSignalListener(s, h);
    return [s, h] as const;
  });
  return {
    signal: controller.signal,
    dispose: () => handlers.forEach(([s, h]) => Deno.removeSignalListener(s, h)),
  };
}
