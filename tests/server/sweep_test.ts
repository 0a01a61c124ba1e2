/**
 * Sweeps on the embedded queue (no Redis): `POST /api/sweeps` validates every point before storing anything,
 * naming the value as typed (`grid.seed[3]`, `points[0].model`, `base.d`) and the bound on the size; a sweep
 * runs its points as normal runs; `GET /api/sweeps/:id`, its downloads and its page; `DELETE` cancels its runs,
 * then deletes it; the paper-table preset is a sweep of six; a sweep larger than the queue's room is a 429.
 */
import { assert, assertEquals, assertMatch, call, startServer, TINY, waitFinal } from "./helpers.ts";
import type { SweepDetail } from "../../server/sweeps.ts";
import type { RunDetail } from "../../server/types.ts";

Deno.test("sweeps: every point validated first; errors name the value as typed; nothing stored", async () => {
  const s = await startServer({ maxQueue: 4 });
  try {
    const bad = async (body: unknown) =>
      (await call<{ error: string; field: string; value: unknown }>(s.base, "POST", "/api/sweeps", body))
        .body;
    let e = await bad({ base: TINY, grid: { seed: [0, 1, 2, -1] } });
    assertEquals([e.field, e.value], ["grid.seed[3]", -1]);
    e = await bad({ base: { ...TINY, d: 0 }, grid: { seed: [0] } });
    assertEquals(e.field, "base.d");
    e = await bad({ base: TINY, points: [{ model: "mlp:8" }, { model: "rnn" }] });
    assertEquals([e.field, e.value], ["points[1].model", "rnn"]);
    e = await bad({ base: TINY, grid: { sed: [1] } });
    assertEquals(e.field, "grid.sed");
    assertMatch(e.error, /did you mean seed\?/);
    e = await bad({
      base: TINY,
      grid: { seed: Array.from({ length: 16 }, (_, i) => i), d: Array.from({ length: 17 }, (_, i) => i + 1) },
    });
    assertEquals([e.field, e.value], ["grid", 272]);
    assertMatch(e.error, /at most 256 points/);
    // A plan-level refusal (too few batches) is named on the grid value that caused it.
    e = await bad({ base: { ...TINY, limit: 512 }, grid: { batchSize: [32, 256] } });
    assertEquals(e.field, "grid.batchSize[1]");
    e = await bad({ preset: "paper-tabel" });
    assertEquals(e.field, "preset");
    const status =
      (await call(s.base, "POST", "/api/sweeps", { base: TINY, grid: { seed: [0] }, extra: 1 })).status;
    assertEquals(status, 400);
    // The queue has room for 4: a sweep of 5 is refused as a whole.
    const full = await call<{ error: string }>(s.base, "POST", "/api/sweeps", {
      base: TINY,
      grid: { seed: [0, 1, 2, 3, 4, 5, 6] },
    });
    assertEquals(full.status, 429);
    assertMatch(full.body.error, /room for \d+ more runs, not 7/);
    assertEquals((await call<{ sweeps: unknown[] }>(s.base, "GET", "/api/sweeps")).body.sweeps.length, 0);
    assertEquals((await call<{ runs: unknown[] }>(s.base, "GET", "/api/runs")).body.runs.length, 0);
  } finally {
    await s.close();
  }
});

Deno.test("sweeps: embedded, a sweep runs as normal runs; detail, downloads and page; delete once ended", async () => {
  const s = await startServer();
  try {
    const posted = await call<SweepDetail>(s.base, "POST", "/api/sweeps", {
      base: TINY,
      grid: { model: ["mlp:16", "mlp:16,8"], seed: [0, 1] },
    });
    assertEquals(posted.status, 201, JSON.stringify(posted.body));
    assertEquals(posted.body.runs.map((r) => [r.config.model, r.config.seed]), [
      ["mlp:16", 0],
      ["mlp:16", 1],
      ["mlp:16,8", 0],
      ["mlp:16,8", 1],
    ]);
    for (const r of posted.body.runs) assertEquals((await waitFinal(s.base, r.id, 120_000)).status, "done");
    const d = (await call<SweepDetail>(s.base, "GET", `/api/sweeps/${posted.body.id}`)).body;
    assertEquals([d.finished, d.summary.counts.done, d.summary.groups.map((g) => g.label)], [true, 4, [
      "mlp:16",
      "mlp:16,8",
    ]]);
    const run = (await call<RunDetail>(s.base, "GET", `/api/runs/${d.runs[0].id}`)).body;
    assertEquals([run.engine, run.sweepId, run.sweepIndex, run.attempts, run.worker], [
      "embedded",
      d.id,
      0,
      1,
      null,
    ]);
    const doc = (await call<{ deltaMedians: { median: number[] }[]; groups: { medianSamples: number }[] }>(
      s.base,
      "GET",
      `/api/sweeps/${d.id}/sweep.json`,
    )).body;
    assertEquals(doc.deltaMedians.length, 2);
    assert(doc.deltaMedians[0].median.length > 3);
    const csv = await fetch(`${s.base}/api/sweeps/${d.id}/sweep.csv`);
    assertEquals(csv.headers.get("content-type"), "text/csv; charset=utf-8");
    assertEquals((await csv.text()).trim().split("\n").length, 5);
    const page = await (await fetch(`${s.base}/sweeps/${d.id}`)).text();
    assert(page.includes('data-island="SweepView"') && page.includes('data-testid="sweep-runs"'));
    const runPage = await (await fetch(`${s.base}/runs/${run.id}`)).text();
    assert(runPage.includes(`/sweeps/${d.id}`), "a run links its sweep");
    const del = await call<{ action: string; runs: number }>(s.base, "DELETE", `/api/sweeps/${d.id}`);
    assertEquals([del.body.action, del.body.runs], ["deleted", 4]);
    assertEquals((await call(s.base, "GET", `/api/sweeps/${d.id}`)).status, 404);
    assertEquals((await call(s.base, "GET", `/api/runs/${run.id}`)).status, 404);
  } finally {
    await s.close();
  }
});

Deno.test("sweeps: the paper-table preset is a sweep of six; DELETE cancels every run that has not ended", async () => {
  const s = await startServer({ maxQueue: 8 });
  try {
    const { dataset: _d, ...base } = TINY;
    const refused = await call<{ field: string }>(s.base, "POST", "/api/sweeps", {
      preset: "paper-table",
      base: TINY,
    });
    assertEquals([refused.status, refused.body.field], [400, "base.dataset"]);
    const posted = await call<SweepDetail>(s.base, "POST", "/api/sweeps", {
      preset: "paper-table",
      base: { ...base, limit: 1024, epochs: 50 },
    });
    assertEquals(posted.status, 201, JSON.stringify(posted.body));
    assertEquals(posted.body.name, "paper-table");
    assertEquals(posted.body.runs.map((r) => `${r.config.dataset} ${r.config.model}`), [
      "mnist mlp:128",
      "mnist mlp:128,64",
      "mnist cnn",
      "fashion-mnist mlp:128",
      "fashion-mnist mlp:128,64",
      "fashion-mnist cnn",
    ]);
    const del = await call<{ action: string; cancelled: number; sweep: SweepDetail }>(
      s.base,
      "DELETE",
      `/api/sweeps/${posted.body.id}`,
    );
    assertEquals([del.body.action, del.body.cancelled], ["cancelled", 6]);
    assert(del.body.sweep.runs.every((r) => r.status === "cancelled"));
    assertEquals(del.body.sweep.finished, true);
  } finally {
    await s.close();
  }
});
