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
import { scriptJson } from "../../lib/present/script_json.ts";
import { type FigureSource, viewThresholds } from "../../lib/present/figures.ts";
import { parseTolerance, toleranceRange } from "../../components/tolerance.ts";
import type { CurveName, PowerFit } from "../../lib/analysis/types.ts";

/** The browser's threshold for one tolerance (what the run page's tolerance control computes). */
function thresholdFor(
  curves: AnalysisResult["curves"],
  fits: PowerFit[] | undefined,
  B: number,
  curve: CurveName,
  smoothed: boolean,
  tol: number,
) {
  const src: FigureSource = {
    curves,
    fits: fits ?? [{ curve, ...fitPowerLaw(curves[curve])! }],
    batchSize: B,
  };
  return viewThresholds(src, { curve, smoothed, tolerances: [tol], logX: true })[0];
}

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
    "--token",
    "s3cret",
    "--data-dir",
    "/tmp/x",
    "--concurrency",
    "2",
    "--no-build",
  ]);
  assertEquals([o.port, o.host, o.dataDir, o.concurrency, o.noBuild, o.token], [
    0,
    "0.0.0.0",
    "/tmp/x",
    2,
    true,
    "s3cret",
  ]);
  const cases: [string[], string][] = [
    [["--port", "70000"], "--port"],
    [["--concurrency", "0"], "--concurrency"],
    [["--max-memory", "0"], "--max-memory"],
    [["--runner", "thread"], "--runner"],
    [["--nope"], "--nope"],
    [["positional"], "argument"],
    [["--port"], "--port"],
    [["--host", "0.0.0.0"], "--token"],
  ];
  for (const [bad, flag] of cases) {
    let field = "";
    try {
      parseServeArgs(bad);
    } catch (e) {
      field = (e as ConfigError).field ?? "";
    }
    assert(field.includes(flag), `rejected naming ${flag}: ${bad.join(" ")} (got ${field || "nothing"})`);
  }
  assertEquals(parseServeArgs(["--host", "127.0.0.2"]).token, null, "loopback needs no token");
  assertEquals(parseServeArgs(["-h"]).help, true);
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

Deno.test("tolerance box: anything that is not a tolerance is an error naming the range", () => {
  const field = { min: 0, max: 1e6 };
  assertEquals(parseTolerance(" 2.5e-2 ", field), { ok: true, value: 0.025 });
  for (const bad of ["0", "-1", "", "1e400", "0x10", "1e6.5", "abc", "2e6"]) {
    const r = parseTolerance(bad, field);
    assert(!r.ok && /\(0, 1000000\]/.test(r.error), `${bad}: ${JSON.stringify(r)}`);
  }
  // A tolerance below every value of the curve is still on the slider.
  const [lo] = toleranceRange([0.5, 0.02], 1e-9);
  assert(lo < 1e-9);
});
