/**
 * Connections to the Redis the job engine runs on (its URL: `redis_url.ts`): the options every client uses
 * (reconnect with backoff, forever), and the reachability check at start, whose failure is a clear error naming
 * the flag the URL came from.
 * @module
 */
import { ConfigError } from "../lib/errors.ts";
import { Redis, type RedisOptions } from "./queue_deps.ts";
import { hidePassword, type RedisTarget } from "./redis_url.ts";

export { hidePassword, parseRedisUrl, type RedisTarget } from "./redis_url.ts";

/** Milliseconds to wait before reconnect attempt `times` (1, 2, …): doubling from 200 ms, at most 10 s. */
export function reconnectDelay(times: number): number {
  return Math.min(200 * 2 ** Math.min(times - 1, 6), 10_000);
}

/**
 * The options of every long-lived client: reconnect forever with backoff; commands wait for the connection
 * (`maxRetriesPerRequest: null`, which BullMQ's workers and event readers require), unless `failFast`, where a
 * command sent while disconnected fails at once (the server's queue: a submission then answers 503).
 */
export function clientOptions(opts: { failFast?: boolean; name?: string } = {}): RedisOptions {
  return {
    maxRetriesPerRequest: opts.failFast ? 1 : null,
    enableOfflineQueue: !opts.failFast,
    retryStrategy: reconnectDelay,
    connectTimeout: 5000,
    ...(opts.name ? { connectionName: opts.name } : {}),
  };
}

/** A long-lived client of `target` (see {@link clientOptions}); it connects in the background. */
export function redisClient(target: RedisTarget, opts: { failFast?: boolean; name?: string } = {}): Redis {
  return new Redis(target.url, clientOptions(opts));
}

/**
 * Connects once, sends PING and disconnects; the error says what went wrong and names the flag.
 *
 * @throws {ConfigError} on `target.from` when Redis cannot be reached, or refuses the password
 */
export async function checkRedis(target: RedisTarget, timeoutMs = 5000): Promise<void> {
  const client = new Redis(target.url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  let lastError: Error | null = null;
  client.on("error", (e: Error) => lastError = e);
  try {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([client.connect().then(() => client.ping()), timeout]);
    } finally {
      clearTimeout(timer);
    }
  } catch (e) {
    const err = (lastError ?? e) as Error;
    const msg = hidePassword(err?.message ?? String(err));
    const auth = /NOAUTH|WRONGPASS|invalid password|AUTH/i.test(msg);
    throw new ConfigError(
      target.from,
      target.display,
      auth ? "the password of this Redis server (in the URL)" : "a reachable Redis server",
      `${auth ? "Redis refused the password" : `cannot connect to ${target.host}:${target.port}`}: ${msg}`,
    );
  } finally {
    client.disconnect();
  }
}
