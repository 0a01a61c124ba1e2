/**
 * The Redis queue's edges: Redis unreachable at start is a clear error (exit 2) naming `--redis` or
 * `KSTAR_REDIS`, with the password hidden, for the server and the worker alike; a malformed URL likewise; Redis
 * lost while the server runs → stored runs are still served, the health and submissions say the queue is
 * unavailable (503), and the server reconnects when Redis is back.
 */
import {
  assert,
  assertEquals,
  assertMatch,
  call,
  killServer,
  type ServerProcess,
  sleep,
  spawnServer,
} from "./helpers.ts";
import { SKIP_REDIS, startRedis } from "./redis_helpers.ts";
import type { QueueStats } from "../../server/queue.ts";

const ROOT = new URL("../../", import.meta.url);

async function runCommand(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; out: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, out: dec.decode(out.stdout) + dec.decode(out.stderr) };
}

function closedPort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

Deno.test("redis: unreachable or malformed at start → exit 2 naming --redis or KSTAR_REDIS, password hidden", async () => {
  const url = `redis://:hunter2secret@127.0.0.1:${closedPort()}`;
  const dataDir = await Deno.makeTempDir({ prefix: "kstar-redis-edge-" });
  try {
    const serve = await runCommand([
      "server/main.ts",
      "--port",
      "0",
      "--no-build",
      "--data-dir",
      dataDir,
      "--redis",
      url,
    ]);
    assertEquals(serve.code, 2, serve.out);
    assertMatch(
      serve.out,
      /--redis: got "redis:\/\/:\*\*\*@127\.0\.0\.1:\d+"; allowed: a reachable Redis server/,
    );
    assert(!serve.out.includes("hunter2secret"), "the password is not printed");
    assert(!serve.out.includes("listening"), "nothing was served");

    const viaEnv = await runCommand(["server/main.ts", "--port", "0", "--no-build", "--data-dir", dataDir], {
      KSTAR_REDIS: url,
    });
    assertEquals(viaEnv.code, 2, viaEnv.out);
    assertMatch(viaEnv.out, /KSTAR_REDIS: got "redis:\/\/:\*\*\*@/);

    const worker = await runCommand(["server/worker_main.ts", "--redis", url, "--name", "w"]);
    assertEquals(worker.code, 2, worker.out);
    assertMatch(worker.out, /--redis: got "redis:\/\/:\*\*\*@.*cannot connect/);
    assert(!worker.out.includes("hunter2secret"));

    const bad = await runCommand(["server/worker_main.ts", "--redis", "http://:pw@host"]);
    assertEquals(bad.code, 2, bad.out);
    assertMatch(bad.out, /--redis: got "http:\/\/:\*\*\*@host"; allowed: a Redis URL/);
    const noUrl = await runCommand(["server/worker_main.ts", "--name", "w"], { KSTAR_REDIS: "" });
    assertEquals(noUrl.code, 2);
    assertMatch(noUrl.out, /--redis: got nothing/);
    const typo = await runCommand(["server/worker_main.ts", "--redis", "redis://x", "--concurency", "2"]);
    assertEquals(typo.code, 2);
    assertMatch(typo.out, /did you mean --concurrency\?/);
  } finally {
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
});

Deno.test({
  name:
    "redis: lost while serving → stored runs still served, the queue says unavailable (503), back when Redis is",
  ignore: SKIP_REDIS,
  async fn() {
    let redis = await startRedis();
    const port = redis.port;
    const dataDir = await Deno.makeTempDir({ prefix: "kstar-redis-lost-" });
    let server: ServerProcess | null = null;
    try {
      server = await spawnServer(dataDir, { args: ["--redis", redis.url] });
      const health = async () =>
        (await call<{ queue: QueueStats }>(server!.base, "GET", "/api/health")).body.queue;
      assertEquals((await health()).available, true);
      await redis.stop();
      let q = await health();
      for (let i = 0; i < 50 && q.available; i++) {
        await sleep(100);
        q = await health();
      }
      assertEquals(q.available, false);
      assert(q.error, "it says why");
      assertEquals((await call(server.base, "GET", "/api/runs")).status, 200, "stored runs are served");
      const post = await call<{ error: string }>(server.base, "POST", "/api/runs", { limit: 512 });
      assertEquals(post.status, 503);
      assertMatch(
        post.body.error,
        /queue is unavailable: Redis at redis:\/\/127\.0\.0\.1:\d+ cannot be reached/,
      );
      assertEquals(
        (await call<{ runs: unknown[] }>(server.base, "GET", "/api/runs")).body.runs.length,
        0,
        "nothing stored",
      );

      redis = await startRedis(port);
      let back = false;
      for (let i = 0; i < 100 && !back; i++) {
        await sleep(200);
        back = (await health()).available;
      }
      assert(back, "the server reconnected");
    } finally {
      await killServer(server);
      await redis.stop();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  },
});
