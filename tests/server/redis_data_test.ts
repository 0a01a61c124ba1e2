/**
 * Workers and data on the Redis queue: a job's dataset travels as a path relative to the data root, never as a
 * path of the server's; a worker that does not have the folder under its own data root fails the run with an
 * error naming the worker and the path it looked at; one that has it runs it. A job's data are validated again
 * by the worker (`readJobData`).
 */
import { encodeIdxImages, encodeIdxLabels } from "../../lib/data/idx.ts";
import { readJobData } from "../../server/job.ts";
import {
  assert,
  assertEquals,
  assertMatch,
  killServer,
  type ServerProcess,
  spawnServer,
  submit,
  waitFinal,
} from "./helpers.ts";
import { killWorker, SKIP_REDIS, spawnWorker, startRedis, type WorkerProcess } from "./redis_helpers.ts";

/** A small learnable IDX folder: 4×4 images, 2 classes (bright left or right half). */
async function idxFolder(dir: string, n: number): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  for (const [prefix, m] of [["train", n], ["t10k", 64]] as const) {
    const px = new Uint8Array(m * 16), lab = new Uint8Array(m);
    for (let s = 0; s < m; s++) {
      lab[s] = s % 2;
      for (let i = 0; i < 16; i++) {
        px[s * 16 + i] = (i % 4 < 2) === (s % 2 === 0) ? 200 : (s * 7 + i * 13) % 60;
      }
    }
    await Deno.writeFile(`${dir}/${prefix}-images-idx3-ubyte`, encodeIdxImages(px, m, 4, 4));
    await Deno.writeFile(`${dir}/${prefix}-labels-idx1-ubyte`, encodeIdxLabels(lab));
  }
}

Deno.test("job data: validated again by the worker; no absolute or escaping dataset path travels", () => {
  assertEquals(
    readJobData({ v: 1, runId: "r-1", config: { dataset: "sets/mini", d: 2 } }).config.dataset,
    "sets/mini",
  );
  for (
    const [data, field] of [
      [{ v: 1, runId: "r", config: { dataset: "/srv/data/mini" } }, "job.config.dataset"],
      [{ v: 1, runId: "r", config: { dataset: "../outside" } }, "job.config.dataset"],
      [{ v: 1, runId: "r", config: { d: 0 } }, "job.config.d"],
      [{ v: 1, runId: "r", config: { code: "rm -rf" } }, "job.config.code"],
      [{ v: 1, runId: "../x", config: {} }, "job.runId"],
      [{ v: 2, runId: "r", config: {} }, "job.v"],
    ] as const
  ) {
    let err: Error | null = null;
    try {
      readJobData(data);
    } catch (e) {
      err = e as Error;
    }
    assert(err !== null, JSON.stringify(data));
    assertEquals((err as Error & { field: string }).field, field);
  }
});

Deno.test({
  name:
    "redis: a folder dataset runs on a worker that has it under its data root; one without it names itself and the path",
  ignore: SKIP_REDIS,
  async fn() {
    const redis = await startRedis();
    const serverRoot = await Deno.makeTempDir({ prefix: "kstar-root-server-" });
    const goodRoot = await Deno.makeTempDir({ prefix: "kstar-root-good-" });
    const emptyRoot = await Deno.makeTempDir({ prefix: "kstar-root-empty-" });
    const dataDir = await Deno.makeTempDir({ prefix: "kstar-redis-data-" });
    let server: ServerProcess | null = null;
    let worker: WorkerProcess | null = null;
    try {
      await idxFolder(`${serverRoot}/sets/mini`, 256);
      await idxFolder(`${goodRoot}/sets/mini`, 256);
      server = await spawnServer(dataDir, { args: ["--redis", redis.url, "--data-root", serverRoot] });
      const config = {
        dataset: "sets/mini",
        model: "mlp:8",
        limit: 256,
        batchSize: 16,
        epochs: 1,
        d: 2,
        mcDraws: 4,
        workers: 0,
        backend: "wasm" as const,
      };

      worker = await spawnWorker(redis.url, "no-data", ["--data-root", emptyRoot]);
      const a = await submit(server.base, config);
      const failed = await waitFinal(server.base, a.id, 60_000);
      assertEquals(failed.status, "failed");
      assertMatch(failed.error!.message, new RegExp(`worker no-data cannot read ${emptyRoot}/sets/mini`));
      assert(!failed.error!.message.includes(serverRoot), "the server's own folder is not shown");
      await killWorker(worker, "SIGTERM");

      worker = await spawnWorker(redis.url, "has-data", ["--data-root", goodRoot]);
      const b = await submit(server.base, config);
      const done = await waitFinal(server.base, b.id, 90_000);
      assertEquals([done.status, done.worker], ["done", "has-data"], JSON.stringify(done.error));
      assertEquals(
        done.result!.config.dataset,
        "sets/mini",
        "the dataset travelled relative to the data root",
      );
    } finally {
      await killWorker(worker, "SIGTERM");
      await killServer(server);
      await redis.stop();
      for (const d of [serverRoot, goodRoot, emptyRoot, dataDir]) {
        await Deno.remove(d, { recursive: true }).catch(() => {});
      }
    }
  },
});
