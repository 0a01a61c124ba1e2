/**
 * The Redis URL of the job engine, as given (`--redis` or `KSTAR_REDIS`): the password and TLS come from it
 * (`redis://:secret@host:6379/0`, `rediss://…` for TLS). It is checked before use and shown with its password
 * hidden. No Redis client here: the embedded queue never loads one.
 * @module
 */
import { ConfigError } from "../lib/errors.ts";

/** A checked Redis URL. */
export interface RedisTarget {
  /** The URL as given (with its password: never print it). */
  url: string;
  /** The URL with its password replaced by `***`, for messages. */
  display: string;
  /** Where the URL came from, for errors: `--redis` or `KSTAR_REDIS`. */
  from: string;
  host: string;
  port: number;
  db: number;
  tls: boolean;
}

const ALLOWED = "a Redis URL: redis://[[user]:password@]host[:port][/db] (rediss:// for TLS)";

/** The URL with its password (and user, if any) hidden. */
export function hidePassword(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)([^@/]*)@/i, (_m, scheme: string, auth: string) => {
    const colon = auth.indexOf(":");
    return colon < 0 ? `${scheme}***@` : `${scheme}${auth.slice(0, colon)}:***@`;
  });
}

/**
 * Checks a Redis URL.
 *
 * @param from the flag or variable it came from (named in errors)
 * @throws {ConfigError} on `from`, showing the URL with its password hidden
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseRedisUrl } from "./redis_url.ts";
 * const t = parseRedisUrl("redis://:s3cret@queue.lan:6380/2");
 * assert.deepEqual([t.host, t.port, t.db, t.tls, t.display], ["queue.lan", 6380, 2, false, "redis://:***@queue.lan:6380/2"]);
 * assert.throws(() => parseRedisUrl("http://:s3cret@x", "KSTAR_REDIS"), /KSTAR_REDIS: got "http:\/\/:\*\*\*@x"/);
 * ```
 */
export function parseRedisUrl(url: string, from = "--redis"): RedisTarget {
  const display = hidePassword(url);
  const bad = (detail?: string) => new ConfigError(from, display, ALLOWED, detail);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw bad("not a URL");
  }
  const scheme = u.protocol.toLowerCase();
  if (scheme !== "redis:" && scheme !== "rediss:") throw bad(`the scheme is ${u.protocol}`);
  if (!u.hostname) throw bad("no host");
  const port = u.port === "" ? 6379 : Number(u.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw bad("the port is not in [1, 65535]");
  const path = u.pathname.replace(/^\/+/, "");
  const db = path === "" ? 0 : Number(path);
  if (!/^\d*$/.test(path) || !Number.isInteger(db) || db < 0 || db > 15) {
    throw bad("the database (the path) is not an integer in [0, 15]");
  }
  if (u.search || u.hash) throw bad("no query or fragment is used");
  return { url, display, from, host: u.hostname, port, db, tls: scheme === "rediss:" };
}
