/**
 * Small units of the server: progress throttling, error conversion, serve flags, island JSON, the client-side
 * threshold (k* for any tolerance) against the analysis' own definition.
 */
import { assert, assertEquals } from "./helpers.ts";
import type { AnalysisResult, ProgressEvent } from "../../lib/analysis/types.ts";
import { fitPowerLaw, kStar, movingAverage } from "../../lib/analysis/thresholds.ts";
import { ConfigError } from "../../lib/errors.ts";
import { throttleProgress } from "../../server/throttle.ts";
import { toRunError } from "../../server/protocol.ts";
import { parseServeArgs } from "../../server/main.ts";
import { scriptJson } from "../../components/Island.tsx";
import { thresholdFor, toleranceRange } from "../../components/threshold.ts";
import { datasetLabel, fmt, fmtDuration } from "../../components/format.ts";

Deno.test("throttle: one event per interval within a stage, stage changes at once, partials never lost", () => {
  let now = 0;
  const got: ProgressEvent[] = [];
  const t = throttleProgress((e) => got.push(e), 250, () => now);
  const ev = (stage: ProgressEvent["stage"], fraction: number, partial?: object): ProgressEvent => ({
    stage,
    fraction,
    overall: fraction,
    ...(partial ? { partial: partial as Partial<AnalysisResult> } : {}),
  });
  t.push(ev("train", 0));
  now = 10;
  t.push(ev("train", 0.1, { spectrum: 1 }));
  now = 20;
  t.push(ev("train", 0.2));
  assertEquals(got.length, 1, "throttled");
  now = 30;
  t.push(ev("eigensolve", 0));
  assertEquals(got.length, 2, "a stage change goes out at once");
  assertEquals(got[1].stage, "eigensolve");
  assert(got[1].partial && "spectrum" in got[1].partial, "the pending partial is carried along");
  now = 40;
  t.push(ev("eigensolve", 0.5));
  t.flush();
  assertEquals(got.length, 3);
  assertEquals(got[2].fraction, 0.5);
  now = 1000;
  t.push(ev("eigensolve", 0.6));
  assertEquals(got.length, 4, "after the interval an event goes out at once");
  t.stop();
});

Deno.test("protocol: errors keep name, message and a ConfigError's field, value and range", () => {
  const e = toRunError(new ConfigError("d", 500, "an integer in [1, 100]"));
  assertEquals([e.name, e.field, e.value, e.allowed], ["ConfigError", "d", 500, "an integer in [1, 100]"]);
  assertEquals(toRunError("plain").message, "plain");
  assertEquals(toRunError(new TypeError("x")).name, "TypeError");
});

Deno.test("serve flags: defaults, values, bad flags", () => {
  const d = parseServeArgs([]);
  assertEquals([d.port, d.host, d.concurrency, d.maxQueue], [8000, "127.0.0.1", 1, 16]);
  const o = parseServeArgs([
    "--port=0",
    "--host",
    "0.0.0.0",
    "--data-dir",
    "/tmp/x",
    "--concurrency",
    "2",
    "--no-build",
  ]);
  assertEquals([o.port, o.host, o.dataDir, o.concurrency, o.noBuild], [0, "0.0.0.0", "/tmp/x", 2, true]);
  for (const bad of [["--port", "70000"], ["--concurrency", "0"], ["--nope"], ["positional"], ["--port"]]) {
    let field = "";
    try {
      parseServeArgs(bad);
    } catch (e) {
      field = (e as ConfigError).field;
    }
    assert(field !== "", `rejected: ${bad.join(" ")}`);
  }
});

Deno.test("island props: JSON that cannot close its script element", () => {
  const s = scriptJson({ a: "</script><script>alert(1)</script>", b: "&\u2028" });
  assert(!s.includes("<"), s);
  assertEquals(JSON.parse(s), { a: "</script><script>alert(1)</script>", b: "&\u2028" });
});

Deno.test("client threshold: same k* as the analysis for every tolerance; prediction when not reached", () => {
  const K = 40;
  const emp = Array.from({ length: K - 1 }, (_, i) => 2 / (i + 1) ** 2 * (1 + 0.3 * Math.sin(i)));
  const curves = {
    k: Array.from({ length: K }, (_, i) => i + 1),
    loss: Array.from({ length: K }, (_, i) => 1 / (i + 1)),
    empirical: emp,
    empiricalSE: emp.map((v) => v / 10),
    theory: emp.map((v) => v * 3),
    secondOrder: emp.map((v) => v * 2),
    smoothed: {
      empirical: movingAverage(emp),
      theory: movingAverage(emp.map((v) => v * 3)),
      secondOrder: [],
    },
    eigenvalues: [],
    meanPerturbedLoss: [],
  } as unknown as AnalysisResult["curves"];
  for (const tol of [1, 0.1, 0.01, 0.003, 0.0015]) {
    const t = thresholdFor(curves, undefined, 32, "empirical", true, tol);
    assertEquals(t.kStar, kStar(movingAverage(emp), tol), `tol ${tol}`);
    if (t.kStar !== null) {
      assertEquals(t.samples, t.kStar * 32);
      assertEquals(t.lossAtK, 1 / t.kStar);
    }
    const raw = thresholdFor(curves, undefined, 32, "empirical", false, tol);
    assertEquals(raw.kStar, kStar(emp, tol));
  }
  // Not reached: predicted from the power law fitted on the tail, k ≈ ⌈(C/tol)^(1/α)⌉.
  const t = thresholdFor(curves, undefined, 32, "empirical", false, 1e-4);
  assertEquals(t.kStar, null);
  const f = fitPowerLaw(emp)!;
  assertEquals(t.predictedKStar, Math.ceil((f.C / 1e-4) ** (1 / f.alpha)));
  assertEquals(t.predictedSamples, t.predictedKStar! * 32);
  assert(t.predictedKStar! > K);
  // A result's own fit is used when present.
  const given = thresholdFor(
    curves,
    [{ curve: "empirical", C: 1, alpha: 1, r2: 0.9, fromK: 1, toK: 39 }],
    32,
    "empirical",
    false,
    1e-4,
  );
  assertEquals(given.predictedKStar, 10000);
  const [lo, hi] = toleranceRange(emp, 0.025);
  assert(lo <= Math.min(...emp) && hi >= Math.max(...emp) && lo < 0.025 && hi > 0.025);
});

Deno.test("format: numbers, durations, dataset labels", () => {
  assertEquals([fmt(null), fmt(0.025), fmt(1234567), fmt(0.00012345)], ["—", "0.025", "1.23e6", "1.23e-4"]);
  assertEquals([fmtDuration(3.21), fmtDuration(42.4), fmtDuration(185), fmtDuration(3720)], [
    "3.2 s",
    "42 s",
    "3 min 05 s",
    "1 h 02 min",
  ]);
  assertEquals([datasetLabel("mnist"), datasetLabel("fashion-mnist"), datasetLabel("data/my-set/")], [
    "MNIST",
    "Fashion-MNIST",
    "my-set",
  ]);
});
