/**
 * JSON error answers shared by the API routes.
 * @module
 */
import type { Context } from "npm:hono@4.13.19";
import { ConfigError } from "../lib/errors.ts";
import { QueueFullError } from "./queue.ts";

/** The body of an error answer. */
export interface ApiError {
  error: string;
  field?: string;
  value?: unknown;
  allowed?: string;
  [extra: string]: unknown;
}

type ErrorStatus = 400 | 403 | 404 | 405 | 409 | 413 | 415 | 421 | 429 | 500 | 503;

/** A JSON error answer. */
export function apiError(
  c: Context,
  status: ErrorStatus,
  body: ApiError,
  headers?: Record<string, string>,
): Response {
  return c.json(body, status, headers);
}

/** A config error as a 400 naming the field, the value and the allowed range. */
export function configError(c: Context, e: ConfigError): Response {
  return apiError(c, 400, { error: e.message, field: e.field, value: jsonSafe(e.value), allowed: e.allowed });
}

/** Maps known errors to answers (config → 400, full queue → 429); rethrows anything else. */
export function knownError(c: Context, e: unknown): Response {
  if (e instanceof ConfigError) return configError(c, e);
  if (e instanceof QueueFullError) {
    return apiError(c, 429, { error: e.message, capacity: e.capacity }, { "Retry-After": "10" });
  }
  throw e;
}

function jsonSafe(v: unknown): unknown {
  if (v === undefined) return null;
  if (typeof v === "number" && !Number.isFinite(v)) return String(v);
  try {
    JSON.stringify(v);
    return v;
  } catch {
    return String(v);
  }
}

/** A 413 answer for a body over `max` bytes. */
export function tooLarge(c: Context, max: number): Response {
  return apiError(c, 413, {
    error: `the request body is larger than ${max} bytes`,
    field: "body",
    allowed: `at most ${max} bytes`,
  });
}

/**
 * Reads a JSON request body of at most `maxBytes` (counted while streaming, whatever Content-Length says);
 * 415 when it is not declared JSON, 413 when too large, 400 when not valid JSON.
 */
export async function readJson(c: Context, maxBytes: number): Promise<{ body: unknown } | Response> {
  const type = c.req.header("content-type") ?? "";
  if (!/^application\/json\b/i.test(type)) {
    return apiError(c, 415, {
      error: "the body must be JSON (Content-Type: application/json)",
      field: "body",
    });
  }
  if (Number(c.req.header("content-length") ?? "0") > maxBytes) return tooLarge(c, maxBytes);
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (c.req.raw.body) {
    const reader = c.req.raw.body.getReader();
    while (true) {
      const { value, done } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > maxBytes) {
        await reader.cancel().catch(() => {});
        return tooLarge(c, maxBytes);
      }
      chunks.push(value);
    }
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const ch of chunks) {
    bytes.set(ch, at);
    at += ch.length;
  }
  try {
    return { body: JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes)) };
  } catch {
    return apiError(c, 400, { error: "the body is not valid JSON", field: "body", allowed: "a JSON object" });
  }
}
