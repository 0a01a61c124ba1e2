/**
 * The SQLite run store: records, progress with merged partial results, guarded final transitions, recovery
 * after a restart, and atomic writes (a process that dies mid-transaction leaves the previous state).
 */
import { assert, assertEquals } from "./helpers.ts";
import { resolveConfig } from "../../lib/config/resolve.ts";
import type { AnalysisResult } from "../../lib/analysis/types.ts";
import { headline, SqliteRunStore } from "../../server/store.ts";

const CONFIG = resolveConfig({ limit: 512, batchSize: 32 });

function fakeResult(kStar: number | null): AnalysisResult {
  return {
    schema: "kstar.result/1",
    config: CONFIG,
    thresholds: [
      {
        curve: "theory",
        smoothed: true,
        tolerance: 0.05,
        kStar: 2,
        samples: 64,
        lossAtK: 1,
        predictedKStar: null,
        predictedSamples: null,
      },
      {
        curve: "empirical",
        smoothed: true,
        tolerance: 0.05,
        kStar,
        samples: kStar === null ? null : kStar * 32,
        lossAtK: 1,
        predictedKStar: null,
        predictedSamples: null,
      },
    ],
  } as unknown as AnalysisResult;
}

Deno.test("store: create, progress with merged partials, finish once, list, delete", async () => {
  const dir = await Deno.makeTempDir();
  const store = await SqliteRunStore.open(dir);
  try {
    const a = await store.create({ id: "a", config: CONFIG });
    assertEquals([a.status, a.startedAt, a.hasResult, a.partial], ["queued", null, false, null]);
    await store.create({ id: "b", config: CONFIG, resubmittedFrom: "a" });
    assertEquals((await store.list()).map((r) => r.id), ["b", "a"], "newest first");

    // Progress is only recorded while running.
    const p = { stage: "train" as const, fraction: 0.5, overall: 0.1, at: new Date().toISOString() };
    await store.saveProgress("a", p);
    assertEquals((await store.get("a"))!.progress, null);
    assert(await store.markRunning("a"));
    assert(!(await store.markRunning("a")), "only a queued run starts");
    await store.saveProgress("a", p, { curves: { k: [1] } as AnalysisResult["curves"] });
    await store.saveProgress("a", { ...p, stage: "project" }, { fits: [] });
    const r = (await store.get("a"))!;
    assertEquals(r.status, "running");
    assertEquals(r.progress!.stage, "project");
    assertEquals(Object.keys(r.partial!).sort(), ["curves", "fits"], "partials are merged");

    // The first final transition wins.
    const done = await store.finish("a", { status: "done", result: fakeResult(7) });
    assertEquals(done!.status, "done");
    assertEquals([done!.kStar, done!.samples, done!.tolerance], [7, 224, 0.05]);
    assertEquals(await store.finish("a", { status: "cancelled" }), null);
    assertEquals((await store.get("a"))!.status, "done");
    assertEquals((await store.get("a"))!.partial, null, "the partial result is dropped once done");
    // A result stored in schema 1 reads back upgraded.
    assertEquals((await store.getResult("a"))!.schema, "kstar.result/3");
    assertEquals((await store.get("a"))!.headline?.kStar, 7);
    assertEquals((await store.list({ status: ["done"] })).map((x) => x.id), ["a"]);

    assert(await store.delete("a"));
    assert(!(await store.delete("a")));
    assertEquals(await store.getResult("a"), null);
    assertEquals(await store.get("a"), null);
  } finally {
    store.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("store: headline threshold is empirical, smoothed, first tolerance", () => {
  const h = headline(fakeResult(null))!;
  assertEquals([h.curve, h.smoothed, h.kStar, h.samples, h.tolerance], ["empirical", true, null, null, 0.05]);
  assertEquals(headline(fakeResult(3))!.kStar, 3);
});

Deno.test("store: a schema-1 store opens upgraded: headlines from its results, configs with mcDraws", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { DatabaseSync } = await import("node:sqlite");
    const db = new DatabaseSync(`${dir}/kstar.db`);
    db.exec(
      `CREATE TABLE runs (id TEXT PRIMARY KEY, seq INTEGER NOT NULL, status TEXT NOT NULL, config TEXT NOT NULL,
      created_at TEXT NOT NULL, started_at TEXT, finished_at TEXT, progress TEXT, partial TEXT, error TEXT,
      k_star INTEGER, samples INTEGER, tolerance REAL, resubmitted_from TEXT);
      CREATE TABLE results (run_id TEXT PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE, json TEXT NOT NULL);
      PRAGMA user_version = 1;`,
    );
    const { mcDraws: _d, ...rest } = CONFIG;
    const old = { ...rest, samples: 32 };
    db.prepare(
      "INSERT INTO runs (id, seq, status, config, created_at, k_star) VALUES ('old', 1, 'done', ?, ?, 5)",
    )
      .run(JSON.stringify(old), new Date().toISOString());
    db.prepare("INSERT INTO results (run_id, json) VALUES ('old', ?)")
      .run(
        JSON.stringify({ ...fakeResult(5), config: old, dataset: { trainSamples: 512, usedSamples: 512 } }),
      );
    db.close();
    const store = await SqliteRunStore.open(dir);
    try {
      const r = (await store.get("old"))!;
      assertEquals(r.config.mcDraws, 32);
      assertEquals(r.headline?.kStar, 5);
      const res = (await store.getResult("old"))!;
      assertEquals([res.schema, res.config.mcDraws, res.dataset.droppedSamples], ["kstar.result/3", 32, 0]);
    } finally {
      store.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("store: recover marks running runs interrupted (keeping progress) and returns the queued ones", async () => {
  const dir = await Deno.makeTempDir();
  let store = await SqliteRunStore.open(dir);
  try {
    for (const id of ["r1", "q1", "q2", "d1"]) await store.create({ id, config: CONFIG });
    await store.markRunning("r1");
    const at = "2025-01-01T00:00:00.000Z";
    await store.saveProgress("r1", { stage: "eigensolve", fraction: 0.3, overall: 0.4, at }, {
      spectrum: {} as never,
    });
    await store.markRunning("d1");
    await store.finish("d1", { status: "done", result: fakeResult(1) });
    store.close();

    store = await SqliteRunStore.open(dir);
    const rec = await store.recover();
    assertEquals(rec, { interrupted: ["r1"], queued: ["q1", "q2"], remote: [] });
    const r1 = (await store.get("r1"))!;
    assertEquals(r1.status, "interrupted");
    assertEquals(r1.progress!.stage, "eigensolve");
    assertEquals(r1.finishedAt, at, "it stopped at its last progress event");
    assert(r1.partial !== null && "spectrum" in r1.partial);
    assertEquals(r1.error!.name, "Interrupted");
    assertEquals((await store.get("d1"))!.status, "done");
    assertEquals(await store.recover(), { interrupted: [], queued: ["q1", "q2"], remote: [] });
  } finally {
    store.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("store: a process that dies mid-write leaves the previous state readable", async () => {
  const dir = await Deno.makeTempDir();
  const store = await SqliteRunStore.open(dir);
  await store.create({ id: "x", config: CONFIG });
  await store.markRunning("x");
  store.close();
  // Another process opens the store, starts finishing the run (status, result row) and dies before COMMIT.
  const script = `
    import { DatabaseSync } from "node:sqlite";
    const db = new DatabaseSync(${JSON.stringify(`${dir}/kstar.db`)});
    db.exec("BEGIN IMMEDIATE");
    db.prepare("UPDATE runs SET status = 'done', k_star = 99 WHERE id = 'x'").run();
    db.prepare("INSERT INTO results (run_id, json) VALUES ('x', '{\\"half\\":')").run();
    Deno.exit(1);
  `;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", script],
    stdout: "null",
    stderr: "piped",
  })
    .output();
  assertEquals(out.code, 1, new TextDecoder().decode(out.stderr));
  const again = await SqliteRunStore.open(dir);
  try {
    const x = (await again.get("x"))!;
    assertEquals(x.status, "running");
    assertEquals(x.kStar, null);
    assertEquals(await again.getResult("x"), null);
    // And a write that throws inside the store's transaction is rolled back as a whole.
    let threw = false;
    try {
      await again.finish("x", { status: "done", result: { thresholds: [] } as unknown as AnalysisResult });
      // A result that cannot be serialised makes the transaction throw.
      const cyclic: Record<string, unknown> = { thresholds: [] };
      cyclic.self = cyclic;
      await again.create({ id: "y", config: CONFIG });
      await again.markRunning("y");
      await again.finish("y", { status: "done", result: cyclic as unknown as AnalysisResult });
    } catch {
      threw = true;
    }
    assert(threw);
    assertEquals((await again.get("y"))!.status, "running", "the status update was rolled back");
    assertEquals(await again.getResult("y"), null);
  } finally {
    again.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("store: a schema-2 store opens as schema 3 with every run kept; retries, engine, sweeps", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { DatabaseSync } = await import("node:sqlite");
    const db = new DatabaseSync(`${dir}/kstar.db`);
    db.exec(
      `CREATE TABLE runs (id TEXT PRIMARY KEY, seq INTEGER NOT NULL, status TEXT NOT NULL, config TEXT NOT NULL,
      created_at TEXT NOT NULL, started_at TEXT, finished_at TEXT, progress TEXT, partial TEXT, error TEXT,
      k_star INTEGER, samples INTEGER, tolerance REAL, resubmitted_from TEXT, headline TEXT);
      CREATE TABLE results (run_id TEXT PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE, json TEXT NOT NULL);
      PRAGMA user_version = 2;`,
    );
    const now = new Date().toISOString();
    db.prepare(
      "INSERT INTO runs (id, seq, status, config, created_at, started_at, k_star) VALUES ('old', 1, 'done', ?, ?, ?, 5)",
    )
      .run(JSON.stringify(CONFIG), now, now);
    db.prepare("INSERT INTO runs (id, seq, status, config, created_at) VALUES ('waiting', 2, 'queued', ?, ?)")
      .run(JSON.stringify(CONFIG), now);
    db.prepare("INSERT INTO results (run_id, json) VALUES ('old', ?)").run(JSON.stringify(fakeResult(5)));
    db.close();
    const store = await SqliteRunStore.open(dir);
    try {
      const old = (await store.get("old"))!;
      assertEquals([old.status, old.kStar, old.engine, old.attempts, old.worker, old.sweepId], [
        "done",
        5,
        "embedded",
        1,
        null,
        null,
      ]);
      assert(old.hasResult);
      assertEquals((await store.get("waiting"))!.attempts, 0);
      assertEquals(await store.recover(), { interrupted: [], queued: ["waiting"], remote: [] });

      // Schema 3: a run on Redis is not interrupted by a restart; retries are kept in order.
      await store.create({ id: "remote", config: CONFIG, engine: "redis", sweepId: "sw", sweepIndex: 0 });
      assert(await store.markRunning("remote", { worker: "w1", attempt: 1 }));
      const back = await store.markRetrying("remote", {
        at: now,
        worker: "w1",
        reason: "worker w1 stopped responding",
      });
      assertEquals([back!.status, back!.retries.length], ["queued", 1]);
      assert(await store.markRunning("remote", { worker: "w2", attempt: 2 }));
      assertEquals(await store.recover(), { interrupted: [], queued: ["waiting"], remote: ["remote"] });
      const r = (await store.get("remote"))!;
      assertEquals([r.status, r.worker, r.attempts, r.retries[0].worker], ["running", "w2", 2, "w1"]);
      assertEquals(
        await store.markRetrying("old", { at: now, worker: null, reason: "x" }),
        null,
        "only a running run",
      );

      await store.createSweep({ id: "sw", spec: { grid: { seed: [0] } }, size: 1 });
      assertEquals((await store.sweepRuns("sw")).map((x) => x.id), ["remote"]);
      assertEquals((await store.listSweeps()).map((x) => x.id), ["sw"]);
      assert(await store.deleteSweep("sw"));
      assertEquals(await store.get("remote"), null, "a deleted sweep takes its runs");
    } finally {
      store.close();
    }
    // Opened again: nothing lost, no second migration.
    const again = await SqliteRunStore.open(dir);
    try {
      assertEquals((await again.list()).map((r) => r.id), ["waiting", "old"]);
    } finally {
      again.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
