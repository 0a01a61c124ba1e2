/**
 * Serving files under `static/` (styles, the built island bundle) without a CDN: only regular files inside the
 * folder, with a content type, an ETag and revalidation.
 * @module
 */
import type { Context } from "npm:hono@4.13.19";
import { isInside, resolvePath } from "../lib/data/paths.ts";
import { fileUrlToPath } from "./paths.ts";

const TYPES: Record<string, string> = {
  css: "text/css; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  map: "application/json; charset=utf-8",
  json: "application/json; charset=utf-8",
  svg: "image/svg+xml",
  png: "image/png",
  ico: "image/x-icon",
  txt: "text/plain; charset=utf-8",
  woff2: "font/woff2",
};

/** The project's `static/` folder. */
export const STATIC_DIR: string = resolvePath(fileUrlToPath(new URL("../static", import.meta.url)));

/** Answers `GET /static/<path>` from `dir`; null when there is no such file (the caller answers 404). */
export async function serveStatic(c: Context, rel: string, dir = STATIC_DIR): Promise<Response | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(rel);
  } catch {
    return null;
  }
  if (decoded.includes("\0") || decoded.split("/").some((s) => s.startsWith("."))) return null;
  const path = resolvePath(dir, decoded);
  if (!isInside(path, dir) || path === dir) return null;
  const ext = path.slice(path.lastIndexOf(".") + 1).toLowerCase();
  const type = TYPES[ext];
  if (!type) return null;
  let stat: Deno.FileInfo;
  try {
    stat = await Deno.stat(path);
  } catch {
    return null;
  }
  if (!stat.isFile) return null;
  const etag = `W/"${stat.size.toString(36)}-${(stat.mtime?.getTime() ?? 0).toString(36)}"`;
  const headers = { "Content-Type": type, "ETag": etag, "Cache-Control": "no-cache" };
  if (c.req.header("if-none-match") === etag) return new Response(null, { status: 304, headers });
  const body = await Deno.readFile(path);
  return new Response(body, { status: 200, headers });
}
