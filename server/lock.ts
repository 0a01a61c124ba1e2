/**
 * The exclusive lock on a server's data folder: one server per store. A second server on the same folder
 * refuses to start before it opens (and "recovers") the store another one is using. The lock is the kernel's
 * (`flock` on `<dataDir>/kstar.lock`), so it goes with the process however that ends.
 * @module
 */
import { ConfigError } from "../lib/errors.ts";

/** A held lock. */
export interface DataDirLock {
  release(): Promise<void>;
}

/**
 * Locks `dataDir` for this process (creating the folder).
 * @throws {ConfigError} on `--data-dir` when another process holds the lock (naming its PID)
 */
export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  if (dataDir === ":memory:") return { release: () => Promise.resolve() };
  await Deno.mkdir(dataDir, { recursive: true });
  const path = `${dataDir.replace(/[\\/]+$/, "")}/kstar.lock`;
  const file = await Deno.open(path, { read: true, write: true, create: true });
  if (!(await file.tryLock(true))) {
    const holder = (await Deno.readTextFile(path).catch(() => "")).trim();
    file.close();
    throw new ConfigError(
      "--data-dir",
      dataDir,
      "a data folder no other kstar server is using",
      `another server holds ${path}${
        holder ? ` (${holder})` : ""
      }; stop it, or give this one another --data-dir`,
    );
  }
  await file.truncate(0);
  await file.write(new TextEncoder().encode(`pid ${Deno.pid}, since ${new Date().toISOString()}\n`));
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      await file.unlock().catch(() => {});
      file.close();
    },
  };
}
