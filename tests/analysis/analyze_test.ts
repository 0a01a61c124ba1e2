import { assert, assertEquals, assertRejects } from "../assert.ts";
import { analyze } from "../../lib/analysis/analyze.ts";
import { online } from "../../lib/analysis/online.ts";
import { resolveConfig } from "../../lib/config/resolve.ts";
import type { ProgressEvent } from "../../lib/analysis/types.ts";
import { ConfigError } from "../../lib/errors.ts";
import { blobs } from "./blobs.ts";

const SMALL = {
  dataset: "blobs",
  model: "mlp:16",
  batchSize: 16,
  epochs: 3,
  trainBatchSize: 16,
  d: 3,
  mcDraws: 16,
  workers: 0,
};

Deno.test("analyze: a small run end to end gives consistent curves, thresholds and stages", async () => {
  const events: ProgressEvent[] = [];
  const r = await analyze({ ...SMALL, tolerances: [1e-3, 1e6], learningCurve: true }, {
    data: blobs(480, 1),
    onProgress: (e) => events.push(e),
  });
  const K = 30;
  assertEquals(r.schema, "kstar.result/3");
  assertEquals(r.dataset.batches, K);
  assertEquals(r.curves.loss.length, K);
  assertEquals(r.curves.eigenvalues.length, K);
  for (const c of ["empirical", "empiricalSE", "theory", "secondOrder"] as const) {
    assertEquals(r.curves[c].length, K - 1, c);
    assert(r.curves[c].every(Number.isFinite), `${c} finite`);
  }
  assert(r.training.testAccuracy > 0.9, `blobs are learnable: ${r.training.testAccuracy}`);
  assertEquals(r.spectrum.values.length, 3);
  assert(r.spectrum.converged);
  // Λ_K = Pᵀ H P over all data has the Lanczos eigenvalues.
  const last = r.curves.eigenvalues[K - 1];
  for (let i = 0; i < 3; i++) {
    assert(
      Math.abs(last[i] - r.spectrum.values[i]) < 1e-3 * Math.abs(r.spectrum.values[0]),
      `λ_${i + 1}: ${last[i]} vs ${r.spectrum.values[i]}`,
    );
  }
  // The huge tolerance is met from k = 1, the tiny one is not and gets no made-up k*.
  const big = r.thresholds.find((t) => t.tolerance === 1e6 && t.curve === "empirical" && t.smoothed)!;
  assertEquals([big.kStar, big.samples], [1, 16]);
  const tiny = r.thresholds.find((t) => t.tolerance === 1e-3 && t.curve === "empirical" && !t.smoothed)!;
  if (tiny.kStar === null) assertEquals(tiny.samples, null);
  else assert(r.curves.empirical.slice(tiny.kStar - 1).every((x) => x < 1e-3));
  // Stages arrive in order, overall progress never goes back.
  const order = [
    "load",
    "train",
    "eigensolve",
    "project",
    "thresholds",
    "orderings",
    "learningCurve",
    "done",
  ];
  const seen = [...new Set(events.map((e) => e.stage))];
  assertEquals(seen, order);
  for (let i = 1; i < events.length; i++) {
    assert(events[i].overall >= events[i - 1].overall - 1e-12, "monotone progress");
  }
  assert(events.some((e) => e.partial?.curves), "partial curves are sent after the projections");
  // Intervals over 200 batch orders (the default) on every threshold.
  assertEquals(r.uncertainty?.orderings, 200);
  assert(r.thresholds.every((t) => t.interval !== null && t.interval.level === 0.9));
  // The learning curve: sizes ascending up to all 480 samples (w* itself), the same steps for each.
  const lc = r.learningCurve!;
  assertEquals(lc.points.at(-1)!.samples, 480);
  assertEquals(lc.points.at(-1)!.testAccuracy, r.training.testAccuracy);
  assert(lc.points.every((p, i) => i === 0 || p.samples > lc.points[i - 1].samples));
  assert(
    lc.points.every((p) => p.steps === lc.points[0].steps && p.testAccuracy >= 0 && p.testAccuracy <= 1),
  );
  assert(lc.points.length >= 3 && lc.points.length <= 8, `${lc.points.length} sizes`);
  assert(/same \d[\d,]* Adam steps as w\*/.test(lc.rule), lc.rule);
  // Lanczos progress: a converged count that goes back down is a verification run, and says so.
  let best = 0;
  for (const m of events.filter((e) => e.stage === "eigensolve").map((e) => e.message ?? "")) {
    const c = /(\d+)\/3 converged/.exec(m);
    if (!c) continue;
    if (Number(c[1]) < best) assert(/verification run \d+/.test(m), `unnamed drop in progress: ${m}`);
    best = Math.max(best, Number(c[1]));
  }
});

Deno.test("analyze: the same seed gives the same numbers", async () => {
  const a = await analyze(SMALL, { data: blobs(320, 2) });
  const b = await analyze(SMALL, { data: blobs(320, 2) });
  assertEquals(a.curves.empirical, b.curves.empirical);
  assertEquals(a.spectrum.values, b.spectrum.values);
});

Deno.test("analyze: exact mode reports exact eigenvalues of H_k close to the projected ones at k = K", async () => {
  const r = await analyze({ ...SMALL, eigenMode: "exact", exactEvery: 10 }, { data: blobs(320, 3) });
  assertEquals(r.exact!.k, [10, 20]);
  assert(r.exact!.maxRelativeGap[1] < 1e-2, `at k = K the subspaces coincide: ${r.exact!.maxRelativeGap[1]}`);
});

Deno.test("analyze: bad input is a named error", async () => {
  const data = blobs(64, 4);
  const cases: [Record<string, unknown>, string][] = [
    [{ tolerances: [0] }, "tolerances"],
    [{ tolerances: [-1] }, "tolerances"],
    [{ sigma: 0 }, "sigma"],
    [{ mcDraws: 1 }, "mcDraws"],
    [{ samples: 1 }, "samples"], // the earlier name of mcDraws: both at once is an error
    [{ d: 0 }, "d"],
    [{ batchSize: 0 }, "batchSize"],
    [{ epochs: 0 }, "epochs"],
    [{ backend: "tpu" }, "backend"],
    [{ model: "rnn" }, "model"],
    [{ eigenMode: "fast" }, "eigenMode"],
    [{ batchSzie: 8 }, "batchSzie"],
  ];
  for (const [c, field] of cases) {
    const e = await assertRejects(() => analyze({ ...SMALL, ...c }, { data }), ConfigError, field);
    assertEquals((e as ConfigError).field, field, e.message);
  }
  // The earlier name alone is read as mcDraws.
  const { mcDraws: _m, ...noDraws } = SMALL;
  const old = await assertRejects(() => analyze({ ...noDraws, samples: 1 } as never, { data }), ConfigError);
  assertEquals((old as ConfigError).field, "mcDraws");
  // Data-dependent checks.
  let e = await assertRejects(() => analyze({ ...SMALL, batchSize: 100 }, { data }), ConfigError);
  assertEquals((e as ConfigError).field, "batchSize"); // larger than the data
  e = await assertRejects(() => analyze({ ...SMALL, batchSize: 32 }, { data }), ConfigError);
  assert(e.message.includes("at least 3 batches"), e.message);
  e = await assertRejects(() => analyze({ ...SMALL, model: "mlp:1", d: 100 }, { data }), ConfigError);
  assertEquals((e as ConfigError).field, "d");
  e = await assertRejects(() => analyze({ ...SMALL, dataset: "cifar" }), ConfigError);
  assertEquals((e as ConfigError).field, "dataset");
});

Deno.test("analyze: non-finite losses after training are an error, not a NaN curve", async () => {
  const data = blobs(320, 5);
  data.train.images[77] = NaN; // one corrupt pixel poisons training
  await assertRejects(() => analyze(SMALL, { data }), Error, "not finite");
});

Deno.test("analyze: cancellation stops the run", async () => {
  const ac = new AbortController();
  const p = analyze({ ...SMALL, epochs: 50 }, {
    data: blobs(480, 6),
    signal: ac.signal,
    onProgress: (e) => e.stage === "train" && ac.abort(new Error("cancelled by test")),
  });
  await assertRejects(() => p, Error, "cancelled by test");
});

Deno.test("resolveConfig fills the paper's defaults", () => {
  const c = resolveConfig({});
  assertEquals([c.dataset, c.model, c.batchSize, c.d, c.mcDraws, c.sigma], [
    "mnist",
    "mlp:128,64",
    64,
    10,
    64,
    1,
  ]);
});

Deno.test("online (Algorithm 1): stops once Δ stays below tolerance, with a per-batch trace", async () => {
  const data = blobs(480, 7);
  const base = {
    dataset: "blobs",
    model: "mlp:16",
    batchSize: 16,
    d: 2,
    mcDraws: 8,
    stepsPerBatch: 20,
    workers: 0,
  };
  const r = await online({ ...base, tolerance: 1e6, patience: 2 }, { data });
  // k* is the first batch of the window of `patience` batches below tolerance; the run stopped at its last.
  assertEquals([r.reached, r.kStar, r.samples, r.stoppedAt, r.trace.length], [true, 1, 16, 2, 2]);
  const never = await online({ ...base, limit: 96, tolerance: 1e-30 }, { data });
  assertEquals([never.reached, never.kStar, never.stoppedAt, never.trace.length], [false, null, null, 5]);
  assert(never.trace.every((s) => Number.isFinite(s.theory) && Number.isFinite(s.empirical)));
  assertEquals(never.weights.length, 64 * 16 + 16 + 16 * 4 + 4);
});
