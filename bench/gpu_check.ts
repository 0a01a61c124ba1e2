/**
 * The GPU check behind `bench/gpu_check.sh`: on a machine with a hardware WebGPU adapter, `auto` must pick
 * `webgpu`, its full-data losses, gradients and Hessian-vector products must match `wasm` (relative error
 * ≤ 1e-5; MNIST, the default MLP and the CNN), and the default analysis is timed on it. Writes
 * `gpu_check.json` and `gpu_check.txt` to `--out DIR` and prints the text; exits 1 when a check fails.
 *
 * `deno run -A bench/gpu_check.ts --out DIR [--skip-e2e]`
 * @module
 */
import { initBackend, webGpuAdapter } from "../lib/backend.ts";
import { loadBuiltin } from "../lib/data/builtin.ts";
import { ComputePool } from "../lib/engine/pool.ts";
import { initParams, modelLayout } from "../lib/models/layout.ts";
import { parseModelSpec } from "../lib/models/spec.ts";
import { relErr } from "../tests/relative_error.ts";
import { type AnalysisRun, analyzeOnce, AnalyzeOnceFailed } from "./analyze_once.ts";
import { benchFlags } from "./flags.ts";

const values = benchFlags({ "out": "string", "skip-e2e": "boolean" }, { out: "out/gpu" });
const outDir = String(values.out);
await Deno.mkdir(outDir, { recursive: true });
const report: Record<string, unknown> = {
  date: new Date().toISOString(),
  cores: navigator.hardwareConcurrency,
};
const lines: string[] = [];
const failures: string[] = [];
const say = (s: string) => {
  lines.push(s);
  console.error(s);
};

const adapter = await webGpuAdapter();
report.adapter = adapter;
say(`WebGPU adapter: ${adapter.kind} (${adapter.description})`);
if (adapter.kind !== "hardware") {
  failures.push(`no hardware WebGPU adapter (${adapter.kind}: ${adapter.description})`);
}
const chosen = await initBackend("auto");
report.autoBackend = chosen;
say(`backend "auto" starts: ${chosen}`);
if (chosen !== "webgpu") failures.push(`"auto" chose ${chosen}, not webgpu`);

const ds = await loadBuiltin("mnist");
for (const spec of ["mlp:128,64", "cnn"]) {
  const layout = modelLayout(parseModelSpec(spec), 28, 28, 10);
  const w = initParams(layout, 0);
  const v = new Float32Array(layout.size).map((_, i) => Math.sin(i));
  const results: Record<
    string,
    { loss: Float64Array; grad: Float64Array; hvp: Float64Array; seconds: number }
  > = {};
  for (const backend of ["auto", "wasm"] as const) {
    const pool = await ComputePool.create({ backend });
    try {
      await pool.load("train", layout, ds.train, 64);
      await pool.setWeights(w);
      const loss = (await pool.evaluate("train")).loss;
      const grad = await pool.gradient("train");
      await pool.hvp("train", v); // state kept: the timed one runs at fixed weights
      const t0 = performance.now();
      const hvp = await pool.hvp("train", v);
      results[backend] = { loss, grad, hvp, seconds: (performance.now() - t0) / 1000 };
      say(
        `${spec} on ${pool.backend} × ${pool.size}: full-data HVP ${results[backend].seconds.toFixed(3)} s`,
      );
    } finally {
      await pool.close();
    }
  }
  const e = {
    loss: relErr(results.auto.loss, results.wasm.loss),
    gradient: relErr(results.auto.grad, results.wasm.grad),
    hvp: relErr(results.auto.hvp, results.wasm.hvp),
  };
  report[spec] = { relativeError: e, hvpSeconds: { auto: results.auto.seconds, wasm: results.wasm.seconds } };
  say(
    `${spec}: webgpu vs wasm relative error: losses ${e.loss.toExponential(2)}, gradient ${
      e.gradient.toExponential(2)
    }, HVP ${e.hvp.toExponential(2)} (≤ 1e-5 required)`,
  );
  for (const [k, x] of Object.entries(e)) {
    if (!(x <= 1e-5)) failures.push(`${spec} ${k}: relative error ${x} > 1e-5`);
  }
}

if (!values.skipE2e) {
  // The default analysis in a fresh process on "auto" (webgpu here), then on wasm for comparison.
  for (const backend of ["auto", "wasm"]) {
    let r: AnalysisRun;
    try {
      r = await analyzeOnce({ backend }, ["--cached-only"]);
    } catch (e) {
      if (!(e instanceof AnalyzeOnceFailed)) throw e;
      failures.push(`the default analysis on ${backend} failed (exit ${e.code})`);
      continue;
    }
    report[`e2e-${backend}`] = r;
    say(
      `default MNIST analysis on ${r.backend} × ${r.workers}: ${r.seconds.toFixed(1)} s (${
        Object.entries(r.timings).map(([k, x]) => `${k} ${x.toFixed(1)}`).join(", ")
      }); ${r.hvps} HVPs; k* = ${r.kStar}; test accuracy ${(100 * r.testAccuracy).toFixed(2)}%; peak memory ${
        (r.peakRss / 2 ** 30).toFixed(2)
      } GiB`,
    );
  }
}

report.failures = failures;
say(failures.length ? `FAILED: ${failures.join("; ")}` : "all GPU checks passed");
await Deno.writeTextFile(`${outDir}/gpu_check.json`, JSON.stringify(report, null, 1));
await Deno.writeTextFile(`${outDir}/gpu_check.txt`, lines.join("\n") + "\n");
console.log(lines.join("\n"));
Deno.exit(failures.length ? 1 : 0);
