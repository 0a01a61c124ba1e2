/**
 * The server's HTTP plumbing that Hono has no middleware for: JSON error answers, the one mapping from thrown
 * errors to statuses (used by the app's `onError`), the JSON body check before validation, HEAD answers with
 * their real length, and the access token.
 * @module
 */
import type { Context, MiddlewareHandler } from "npm:hono@4.13.19";
import { getCookie, setCookie } from "npm:hono@4.13.19/cookie";
import { HTTPException } from "npm:hono@4.13.19/http-exception";
import { timingSafeEqual } from "npm:hono@4.13.19/utils/buffer";
import { ConfigError, DataError } from "../lib/errors.ts";
import { hideRoot } from "../lib/data/locate.ts";
import { QueueFullError, QueueUnavailableError } from "./queue.ts";

/** The body of an error answer. */
export interface ApiErrorBody {
  error: string;
  field?: string;
  value?: unknown;
  allowed?: string;
  [extra: string]: unknown;
}

type ErrorStatus = 400 | 401 | 403 | 404 | 405 | 409 | 413 | 415 | 421 | 429 | 500 | 503;

/** An error answer to throw from anywhere in a request: `onError` sends it as JSON. */
export class ApiError extends Error {
  constructor(
    readonly status: ErrorStatus,
    readonly body: ApiErrorBody,
    readonly headers: Record<string, string> = {},
  ) {
    super(body.error);
    this.name = "ApiError";
  }
}

/** A JSON error answer. */
export function apiError(
  c: Context,
  status: ErrorStatus,
  body: ApiErrorBody,
  headers?: Record<string, string>,
): Response {
  return c.json(body, status, headers);
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

/**
 * The one mapping from what a request threw to its answer: a bad value (`ConfigError`) or a malformed dataset
 * (`DataError`) → 400 naming the field; a full queue → 429 with Retry-After; an unreachable queue (Redis down) →
 * 503; an {@link ApiError} → its own; a
 * Hono `HTTPException` (malformed JSON, a refused cross-site write) → its status as JSON; anything else → 500.
 */
export function errorResponse(c: Context, err: unknown, dataRoot: string | null): Response {
  if (err instanceof ApiError) return apiError(c, err.status, err.body, err.headers);
  if (err instanceof ConfigError) {
    return apiError(c, 400, {
      error: hideRoot(err.message, dataRoot),
      field: err.field,
      value: jsonSafe(err.value),
      allowed: err.allowed,
    });
  }
  if (err instanceof DataError) {
    const file = hideRoot(err.file, dataRoot);
    return apiError(c, 400, {
      error: hideRoot(err.message, dataRoot),
      field: err.field,
      file,
      allowed: "a dataset whose files are complete and well formed",
    });
  }
  if (err instanceof QueueFullError) {
    return apiError(c, 429, { error: err.message, capacity: err.capacity }, { "Retry-After": "10" });
  }
  if (err instanceof QueueUnavailableError) {
    return apiError(c, 503, { error: err.message, field: "queue" }, { "Retry-After": "10" });
  }
  if (err instanceof HTTPException) {
    const status = err.status as ErrorStatus;
    const message = status === 403
      ? "cross-site requests are not accepted"
      : status === 400 && /json/i.test(err.message)
      ? "the body is not valid JSON"
      : err.message || `HTTP ${status}`;
    return apiError(c, status, {
      error: message,
      field: status === 403 ? "origin" : "body",
      ...(status === 400 ? { allowed: "a JSON object" } : {}),
    });
  }
  console.error(`${c.req.method} ${c.req.url}:`, err);
  return apiError(c, 500, { error: `internal error: ${(err as Error)?.message ?? String(err)}` });
}

/** The error thrown for a body over `max` bytes (by Hono's body-limit middleware). */
export function tooLarge(max: number): never {
  throw new ApiError(413, {
    error: `the request body is larger than ${max} bytes`,
    field: "body",
    allowed: `at most ${max} bytes`,
  });
}

/** Refuses a body that is not declared JSON (415) before a JSON validator reads it. */
export const requireJson: MiddlewareHandler = async (c, next) => {
  if (!/^application\/([\w.-]+\+)?json\b/i.test(c.req.header("content-type") ?? "")) {
    throw new ApiError(415, {
      error: "the body must be JSON (Content-Type: application/json)",
      field: "body",
    });
  }
  await next();
};

/**
 * HEAD answers with the headers GET would send, `Content-Length` included (the body is measured, then dropped).
 */
export function headWithLength(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    if (c.req.method !== "HEAD" || !c.res.body) return;
    const type = c.res.headers.get("content-type") ?? "";
    if (type.startsWith("text/event-stream")) return;
    const length = (await c.res.clone().arrayBuffer()).byteLength;
    const headers = new Headers(c.res.headers);
    headers.set("Content-Length", String(length));
    c.res = new Response(null, { status: c.res.status, headers });
  };
}

const TOKEN_COOKIE = "kstar_token";

/**
 * Requires `token` on every request: as `Authorization: Bearer <token>` (API clients) or as the cookie a page
 * visit with `?token=<token>` sets (browsers; the query is then removed by a redirect). Compared in constant time.
 */
export function tokenAuth(token: string): MiddlewareHandler {
  const ok = async (given: string | undefined) => given !== undefined && await timingSafeEqual(given, token);
  return async (c, next) => {
    const url = new URL(c.req.url);
    const query = url.searchParams.get("token") ?? undefined;
    if (query !== undefined && c.req.method === "GET" && await ok(query)) {
      setCookie(c, TOKEN_COOKIE, token, { httpOnly: true, sameSite: "Strict", path: "/" });
      url.searchParams.delete("token");
      return c.redirect(url.pathname + url.search, 303);
    }
    const bearer = /^Bearer\s+(.+)$/i.exec(c.req.header("authorization") ?? "")?.[1];
    if (!(await ok(bearer)) && !(await ok(getCookie(c, TOKEN_COOKIE)))) {
      throw new ApiError(401, {
        error:
          "this server needs its access token: Authorization: Bearer <token>, or open a page with ?token=<token>",
        field: "token",
      }, { "WWW-Authenticate": 'Bearer realm="kstar"' });
    }
    await next();
  };
}
