/**
 * Where the project's files are, whatever the current directory.
 * @module
 */
import { resolvePath } from "../lib/data/paths.ts";

/** A `file:` URL as a platform path. */
export function fileUrlToPath(url: URL): string {
  const p = decodeURIComponent(url.pathname);
  return /^\/[A-Za-z]:/.test(p) ? p.slice(1) : p;
}

/** The repository root. */
export const PROJECT_ROOT: string = resolvePath(fileUrlToPath(new URL("../", import.meta.url)));
