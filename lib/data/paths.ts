/**
 * Minimal file-path helpers for the Deno file loaders (POSIX, plus Windows drive and UNC paths).
 * Kept local so the library needs no path package. Nothing here touches `Deno.*` until a function is called.
 * @module
 */

/** Whether paths are Windows paths (asked on use, so that importing this module needs no Deno API). */
function windows(): boolean {
  return (globalThis as { Deno?: { build?: { os?: string } } }).Deno?.build?.os === "windows";
}

function splitRoot(p: string): [root: string, rest: string] {
  if (windows()) {
    const s = p.replaceAll("/", "\\");
    const unc = s.match(/^\\\\[^\\]+\\[^\\]+/);
    if (unc) return [unc[0] + "\\", s.slice(unc[0].length)];
    const drive = s.match(/^[a-zA-Z]:\\/);
    if (drive) return [drive[0], s.slice(drive[0].length)];
    return ["", s];
  }
  return p.startsWith("/") ? ["/", p.slice(1)] : ["", p];
}

/** The platform's path separator. */
export function sep(): string {
  return windows() ? "\\" : "/";
}

/** True when `p` is an absolute path. */
export function isAbsolute(p: string): boolean {
  return splitRoot(p)[0] !== "";
}

/** Resolves `parts` against the current directory (later absolute parts win), removing `.` and `..`. */
export function resolvePath(...parts: string[]): string {
  let full = Deno.cwd();
  for (const part of parts) {
    if (part === "") continue;
    full = isAbsolute(part) ? part : `${full}${sep()}${part}`;
  }
  const [root, rest] = splitRoot(full);
  const out: string[] = [];
  for (const seg of rest.split(windows() ? /[\\/]/ : "/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") out.pop();
    else out.push(seg);
  }
  return root + out.join(sep());
}

/** Joins path segments with the platform separator (no normalisation). */
export function joinPath(...parts: string[]): string {
  return parts.filter((p) => p !== "").join(sep()).replace(windows() ? /[\\/]+/g : /\/+/g, sep());
}

/** The last segment of `p` (ignoring trailing separators). */
export function basename(p: string): string {
  const segs = p.split(windows() ? /[\\/]/ : "/").filter((s) => s !== "");
  return segs.length ? segs[segs.length - 1] : p;
}

/** The folder containing `p`. */
export function dirname(p: string): string {
  const abs = resolvePath(p);
  const [root, rest] = splitRoot(abs);
  const i = rest.lastIndexOf(sep());
  return i < 0 ? root : root + rest.slice(0, i);
}

/** True when absolute, normalised `child` equals `root` or lies below it. */
export function isInside(child: string, root: string): boolean {
  const c = windows() ? child.toLowerCase() : child;
  let r = windows() ? root.toLowerCase() : root;
  if (c === r) return true;
  if (!r.endsWith(sep())) r += sep();
  return c.startsWith(r);
}

/** An environment variable could not be read for lack of permission. */
export class EnvPermissionError extends Error {
  constructor(readonly variable: string) {
    super(`reading $${variable} needs environment access: run with --allow-env (or --allow-env=${variable})`);
    this.name = "EnvPermissionError";
  }
}

/**
 * Reads an environment variable; `undefined` when unset or empty.
 * @throws {EnvPermissionError} naming the flag when environment access is not permitted
 */
export function envVar(name: string): string | undefined {
  let v: string | undefined;
  try {
    v = Deno.env.get(name);
  } catch (e) {
    if (e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied) {
      throw new EnvPermissionError(name);
    }
    throw e;
  }
  return v === undefined || v === "" ? undefined : v;
}

/** The user's home folder (`HOME`, or `USERPROFILE` on Windows), if known. */
export function homeDir(): string | undefined {
  return envVar("HOME") ?? envVar("USERPROFILE");
}
