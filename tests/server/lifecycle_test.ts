/**
 * A run's life through the API: submitted, running with progress (Server-Sent Events; a late subscriber gets
 * the current state first), done with k* and its result, downloads, listed, deleted. A run that throws is
 * marked failed with its error and the server keeps serving. The server answers quickly while a run computes.
 */
import {
  assert,
  assertEquals,
  call,
  LONG_TRAIN,
  readEvents,
  sleep,
  startServer,
  submit,
  TINY,
  waitFinal,
  waitRun,
} from "./helpers.ts";
import { LocalRunEvents } from "../../server/events.ts";
import type { AnalysisResult } from "../../lib/analysis/types.ts";
import type { RunDetail, RunRecord, RunSummary } from "../../server/types.ts";
import { writeIdxFolder } from "../data/helpers.ts";

Deno.test("lifecycle: submit → progress events → done with k*, result and downloads → delete", async () => {
  const s = await startServer();
  try {
    const run = await submit(s.base, TINY);
    assert(run.status === "queued" || run.status === "running", run.status);
    assertEquals(run.config.d, 3);
    assertEquals(run.config.sigma, 1, "defaults filled in");

    // Subscribe while it runs: state first, then progress, then the final status; the stream ends.
    const { events, ended } = await readEvents(`${s.base}/api/runs/${run.id}/events`, () => false, 90_000);
    assert(ended, "the stream ends after the final status");
    assertEquals(events[0].event, "state");
    const progress = events.filter((e) => e.event === "progress").map((e) => JSON.parse(e.data));
    assert(progress.length >= 3, `progress events: ${progress.length}`);
    const overall = progress.map((p) => p.progress.overall as number);
    assert(progress.every((p) => p.percent === Math.round(p.progress.overall * 1000) / 10), "percent");
    assert(overall.every((x, i) => i === 0 || x >= overall[i - 1] - 1e-9), `monotone: ${overall}`);
    const stages = new Set(progress.map((p) => p.progress.stage));
    for (const st of ["load", "train", "eigensolve", "project"]) assert(stages.has(st), `stage ${st}`);
    assert(progress.some((p) => p.partial?.curves?.empirical?.length > 0), "partial curves are sent");
    const last = JSON.parse(events[events.length - 1].data);
    assertEquals(events[events.length - 1].event, "status");
    assertEquals(last.run.status, "done");

    // The run, with its result.
    const d = await call<RunDetail>(s.base, "GET", `/api/runs/${run.id}`);
    assertEquals(d.status, 200);
    assertEquals(d.body.status, "done");
    assert(d.body.result !== null);
    const r = d.body.result as AnalysisResult;
    assertEquals(r.schema, "kstar.result/3");
    assertEquals(r.dataset.batches, 16);
    const head = r.thresholds.find((t) => t.curve === "empirical" && t.smoothed)!;
    assertEquals(d.body.kStar, head.kStar);
    assertEquals(d.body.samples, head.samples);
    assertEquals(d.body.tolerance, 0.025);
    assert(d.body.duration! > 0);
    assertEquals(d.body.progress?.overall, 1);
    assertEquals(d.body.stage, "done");

    // A late subscriber gets the final state, and the stream ends.
    const late = await readEvents(`${s.base}/api/runs/${run.id}/events`, () => false, 10_000);
    assert(late.ended);
    assertEquals(late.events.length, 1);
    assertEquals(late.events[0].event, "state");
    assertEquals((JSON.parse(late.events[0].data) as RunRecord).status, "done");

    // The list.
    const list = await call<{ runs: RunSummary[] }>(s.base, "GET", "/api/runs");
    assertEquals(list.body.runs.length, 1);
    const item = list.body.runs[0];
    assertEquals([item.id, item.status, item.kStar, item.config.dataset, item.config.model], [
      run.id,
      "done",
      head.kStar,
      "mnist",
      "mlp:128,64",
    ]);
    assert(typeof item.duration === "number");
    assert(!("partial" in item), "the list carries no curves");

    // Downloads.
    const json = await fetch(`${s.base}/api/runs/${run.id}/result.json`);
    assertEquals(json.status, 200);
    assert(json.headers.get("content-disposition")!.includes("result.json"));
    assertEquals((await json.json()).schema, "kstar.result/3");
    const csv = await fetch(`${s.base}/api/runs/${run.id}/curves.csv`);
    assertEquals(csv.status, 200);
    assert(csv.headers.get("content-type")!.startsWith("text/csv"));
    const lines = (await csv.text()).trim().split("\n");
    assertEquals(lines.length, 1 + 16, "a header and one row per k");
    const html = await fetch(`${s.base}/api/runs/${run.id}/report.html`);
    assertEquals(html.status, 200);
    assert((await html.text()).includes("kstar-result"));

    // The pages render.
    const page = await fetch(`${s.base}/runs/${run.id}`);
    assertEquals(page.status, 200);
    const body = await page.text();
    assert(body.includes('data-island="RunView"'));
    assert(body.includes('data-testid="kstar"'));

    // Delete: the run and its result are gone.
    const del = await call<{ action: string }>(s.base, "DELETE", `/api/runs/${run.id}`);
    assertEquals(del.body.action, "deleted");
    assertEquals((await call(s.base, "GET", `/api/runs/${run.id}`)).status, 404);
    assertEquals((await call(s.base, "GET", `/api/runs/${run.id}/result.json`)).status, 404);
  } finally {
    await s.close();
  }
});

Deno.test("lifecycle: a run that throws is failed with its error; the server keeps serving", async () => {
  const root = await Deno.makeTempDir({ prefix: "kstar-root-" });
  await writeIdxFolder(`${root}/changing`, { nTrain: 48, nTest: 6 });
  const s = await startServer({ dataRoot: root });
  try {
    // Submitted while valid (checked at submit), it waits behind a long run; then its file is truncated.
    const long = await submit(s.base, LONG_TRAIN);
    const b = await submit(s.base, { ...TINY, dataset: "changing", limit: null, batchSize: 8 });
    await Deno.writeFile(`${root}/changing/train-images-idx3-ubyte`, new Uint8Array([0, 0, 8, 3, 0]));
    await call(s.base, "DELETE", `/api/runs/${long.id}`);
    const fb = await waitFinal(s.base, b.id);
    assertEquals(fb.status, "failed");
    assertEquals(fb.error?.name, "DataError", JSON.stringify(fb.error));
    // The message names the file relative to the data root, never the server's absolute path.
    assert(fb.error!.message.startsWith("changing/train-images-idx3-ubyte: "), fb.error!.message);
    assert(!fb.error!.message.includes(root), fb.error!.message);
    assertEquals(fb.result, null);
    assertEquals((await call(s.base, "GET", `/api/runs/${b.id}/curves.csv`)).status, 409);
    assertEquals((await call(s.base, "GET", "/api/health")).status, 200);
    // A failed run is resubmitted after the same checks as a new one: the truncated file is refused at once.
    const re = await call<{ field: string; file: string }>(s.base, "POST", `/api/runs/${b.id}/resubmit`);
    assertEquals([re.status, re.body.field, re.body.file], [
      400,
      "dataset",
      "changing/train-images-idx3-ubyte",
    ]);
  } finally {
    await s.close();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("lifecycle: a crashing run process is failed with its output; the server keeps serving", async () => {
  const s = await startServer({ runnerModule: new URL("./fixtures/crash_process.ts", import.meta.url) });
  try {
    const a = await submit(s.base, TINY);
    const f = await waitFinal(s.base, a.id);
    assertEquals(f.status, "failed");
    assertEquals(f.error?.name, "RunProcessError");
    assert(f.error!.message.includes("exit code 1"), f.error!.message);
    assert(f.error!.message.includes("boom"), f.error!.message);
    assertEquals((await call(s.base, "GET", "/api/runs")).status, 200);
  } finally {
    await s.close();
  }
});

Deno.test("lifecycle: with the worker runner, a run completes and a crashing worker is failed", async () => {
  const ok = await startServer({ runner: "worker" });
  try {
    const a = await submit(ok.base, TINY);
    const d = await waitFinal(ok.base, a.id, 90_000);
    assertEquals(d.status, "done");
    assertEquals(d.result?.dataset.batches, 16);
  } finally {
    await ok.close();
  }
  const s = await startServer({
    runner: "worker",
    runnerModule: new URL("./fixtures/crash_worker.ts", import.meta.url),
  });
  try {
    const a = await submit(s.base, TINY);
    const f = await waitFinal(s.base, a.id);
    assertEquals(f.status, "failed");
    assertEquals(f.error?.name, "WorkerError");
    assert(f.error!.message.includes("boom"), f.error!.message);
    assertEquals((await call(s.base, "GET", "/api/runs")).status, 200);
  } finally {
    await s.close();
  }
});

Deno.test("lifecycle: the server answers in milliseconds while a run computes", async () => {
  const s = await startServer();
  try {
    const run = await submit(s.base, { ...TINY, limit: 2048, epochs: 3 });
    const times: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      const r = await call(s.base, "GET", "/api/runs");
      times.push(performance.now() - t);
      assertEquals(r.status, 200);
      await new Promise((res) => setTimeout(res, 50));
    }
    times.sort((x, y) => x - y);
    assert(times[Math.floor(times.length / 2)] < 100, `median ${times[Math.floor(times.length / 2)]} ms`);
    await call(s.base, "DELETE", `/api/runs/${run.id}`);
    assertEquals((await waitFinal(s.base, run.id)).status, "cancelled");
  } finally {
    await s.close();
  }
});

Deno.test("lifecycle: a late subscriber to a running run gets its state first; a client that leaves is unsubscribed", async () => {
  const s = await startServer();
  try {
    const run = await submit(s.base, LONG_TRAIN);
    await waitRun(s.base, run.id, (r) => r.progress?.stage === "train");
    const { events } = await readEvents(
      `${s.base}/api/runs/${run.id}/events`,
      (_e, all) => all.filter((x) => x.event === "progress").length >= 2,
      30_000,
    );
    assertEquals(events[0].event, "state");
    const state = JSON.parse(events[0].data);
    assertEquals(state.status, "running");
    assertEquals(state.progress.stage, "train", "the current stage comes first");
    assert(events.slice(1).every((e) => e.event === "progress"));
    const hub = s.kstar.ctx.events as LocalRunEvents;
    const end = Date.now() + 5000;
    while (hub.count(run.id) > 0 && Date.now() < end) await sleep(50);
    assertEquals(hub.count(run.id), 0, "the stream's subscription ends with the connection");
    await call(s.base, "DELETE", `/api/runs/${run.id}`);
    assertEquals((await waitFinal(s.base, run.id)).status, "cancelled");
  } finally {
    await s.close();
  }
});
