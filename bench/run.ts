/**
 * `deno task bench`: the engine and analysis benchmarks quoted in BENCHMARKS.md.
 *
 * Flags: `--repeat N` (micro-benchmark repetitions, default 5), `--skip-power` (skip the power-iteration
 * comparison), `--power-cap N` (HVP budget for power iteration, default 800), `--skip-e2e`, `--json FILE`.
 * Medians over repetitions are reported; the machine is shared and noisy.
 * @module
 */
import { analyze } from "../lib/analysis/analyze.ts";
import { networkHessian } from "../lib/curvature/hessian.ts";
import { initBackend } from "../lib/backend.ts";
import { loadBuiltin } from "../lib/data/builtin.ts";
import { ComputePool } from "../lib/engine/pool.ts";
import { countingOperator } from "../lib/linalg/operator.ts";
import { lanczos } from "../lib/linalg/lanczos.ts";
import { powerIteration } from "../lib/linalg/power_iteration.ts";
import { initParams, modelLayout } from "../lib/models/layout.ts";
import { parseModelSpec } from "../lib/models/spec.ts";
import { train } from "../lib/train.ts";
import { parseArgs } from "../cli/flags.ts";

const { values } = parseArgs(Deno.args, [
  { flag: "repeat", key: "repeat", kind: "integer", help: "", group: "" },
  { flag: "skip-power", key: "skip-power", kind: "boolean", help: "", group: "" },
  { flag: "power-cap", key: "power-cap", kind: "integer", help: "", group: "" },
  { flag: "skip-e2e", key: "skip-e2e", kind: "boolean", help: "", group: "" },
  { flag: "json", key: "json", kind: "string", help: "", group: "" },
]);
const R = (values.repeat as number) ?? 5;
const rows: [string, string][] = [];
const out: Record<string, unknown> = { date: new Date().toISOString(), cores: navigator.hardwareConcurrency };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const secs = (t0: number) => (performance.now() - t0) / 1000;
const log = (k: string, v: string) => {
  rows.push([k, v]);
  console.error(`${k}: ${v}`);
};
async function timeIt(f: () => Promise<unknown>, n = R): Promise<number[]> {
  const ts: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await f();
    ts.push(secs(t0));
  }
  return ts;
}

// Data.
let t0 = performance.now();
const ds = await loadBuiltin("mnist");
log("MNIST load (cached after the first run)", `${secs(t0).toFixed(2)} s`);

// Engine on the full training set, default MLP, CPU default backend.
const backend = await initBackend("auto");
const layout = modelLayout(parseModelSpec("mlp:128,64"), 28, 28, 10);
const pool = await ComputePool.create({ backend: "auto" });
out.backend = pool.backend;
out.workers = pool.size;
log("backend / workers", `${pool.backend} / ${pool.size}`);
await pool.load("train", layout, ds.train, 64);
t0 = performance.now();
const w = await train(layout, ds.train, initParams(layout, 0), {});
log(`training (3 epochs, Adam, batch 128) on ${backend}`, `${secs(t0).toFixed(1)} s`);
await pool.setWeights(w);
await pool.load("test", layout, ds.test, 1);
const acc = await pool.evaluate("test");
log(
  "MNIST test accuracy after default training",
  `${(acc.correct.reduce((a, b) => a + b) / ds.test.n * 100).toFixed(2)}%`,
);
await pool.unload("test");
{
  const fm = await loadBuiltin("fashion-mnist");
  t0 = performance.now();
  const wf = await train(layout, fm.train, initParams(layout, 0), {});
  const secsF = secs(t0);
  await pool.load("ftest", layout, fm.test, 1);
  await pool.setWeights(wf);
  const ev = await pool.evaluate("ftest");
  await pool.unload("ftest");
  log(
    "Fashion-MNIST test accuracy after default training",
    `${(ev.correct.reduce((a, b) => a + b) / fm.test.n * 100).toFixed(2)}% (training ${secsF.toFixed(1)} s)`,
  );
  await pool.setWeights(w);
}

const fwd = await timeIt(async () => {
  await pool.setWeights(w); // clears cached state: a cold forward pass
  await pool.evaluate("train");
});
const grad = await timeIt(async () => {
  await pool.setWeights(w);
  await pool.gradient("train");
});
await pool.setWeights(w);
const v = new Float32Array(layout.size).map((_, i) => Math.sin(i));
const hvpCold = await timeIt(async () => {
  await pool.setWeights(w);
  await pool.hvp("train", v);
}, Math.min(R, 3));
await pool.setWeights(w);
await pool.hvp("train", v);
const hvp = await timeIt(() => pool.hvp("train", v));
log("full-data forward pass (60,000 samples), median", `${median(fwd).toFixed(3)} s`);
log("full-data gradient, median", `${median(grad).toFixed(3)} s`);
log("full-data HVP at fixed w* (state cached), median", `${median(hvp).toFixed(3)} s`);
log("full-data HVP cold (forward + backward + R-op), median", `${median(hvpCold).toFixed(3)} s`);
log(
  "HVP / gradient cost",
  `${(median(hvp) / median(grad)).toFixed(2)}× (cold: ${(median(hvpCold) / median(grad)).toFixed(2)}×)`,
);
Object.assign(out, { forward: fwd, gradient: grad, hvp, hvpCold });

// Top-10 eigenpairs: Lanczos vs power iteration with deflation, same tolerance.
const N = ds.train.n - (ds.train.n % 64);
const tol = 1e-3;
const H = countingOperator(networkHessian(pool, { dataset: "train", dim: layout.size, samples: N }));
t0 = performance.now();
const lz = await lanczos(H, { k: 10, tol, seed: 0, maxIter: 300 });
const lzTime = secs(t0), lzCalls = H.calls;
log(`Lanczos top-10 (tol ${tol})`, `${lzTime.toFixed(1)} s, ${lzCalls} HVPs, converged ${lz.converged}`);
out.lanczos = { seconds: lzTime, hvps: lzCalls, values: lz.values, residuals: lz.residuals };
if (!values["skip-power"]) {
  const cap = (values["power-cap"] as number) ?? 800;
  const P = countingOperator(H);
  const before = P.calls;
  t0 = performance.now();
  const pw = await powerIteration(P, { k: 10, tol, seed: 0, maxIterPerVector: Math.ceil(cap / 10) });
  const pwTime = secs(t0), pwCalls = P.calls - before;
  const maxDiff = Math.max(...pw.values.map((x, i) => Math.abs(x - lz.values[i]) / Math.abs(lz.values[i])));
  log(
    `power iteration + deflation top-10 (tol ${tol}${
      pw.converged ? "" : `, capped at ${cap} HVPs, not converged`
    })`,
    `${pwTime.toFixed(1)} s, ${pwCalls} HVPs; max relative eigenvalue difference to Lanczos ${
      maxDiff.toExponential(1)
    }`,
  );
  log("HVPs: power iteration / Lanczos", `${pw.converged ? "" : "≥ "}${(pwCalls / lzCalls).toFixed(1)}×`);
  out.power = { seconds: pwTime, hvps: pwCalls, converged: pw.converged, values: pw.values };
}
await pool.close();

// The default analysis end to end.
if (!values["skip-e2e"]) {
  t0 = performance.now();
  const r = await analyze({});
  const t = r.thresholds.find((x) => x.curve === "empirical" && x.smoothed)!;
  log(
    "default MNIST analysis end to end (MLP 784-128-64-10, d 10, K 64, σ 1, B 64, 937 batches)",
    `${secs(t0).toFixed(1)} s — ${
      Object.entries(r.timings).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(", ")
    }; k* = ${t.kStar}, |D| = ${t.samples}; test accuracy ${(100 * r.training.testAccuracy).toFixed(2)}%`,
  );
  out.e2e = { seconds: secs(t0), timings: r.timings, kStar: t.kStar, hvps: r.spectrum.hvps };
}

console.log("\n| benchmark | result |\n|---|---|");
for (const [k, v] of rows) console.log(`| ${k} | ${v} |`);
if (values.json) await Deno.writeTextFile(String(values.json), JSON.stringify(out, null, 1));
