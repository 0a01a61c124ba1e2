/**
 * One analysis in a fresh process, for `bench/run.ts`: `deno run -A bench/analyze_once.ts ['{"model":"cnn"}']`
 * runs `analyze()` with the defaults (overridden by the JSON config given) and prints one JSON line: stage
 * seconds, HVPs, k*, test accuracy and the process's peak resident memory — the kernel's high-water mark
 * (`VmHWM` in `/proc/self/status`, which counts the compute workers: they are threads of this process), or
 * where that file is missing the largest `Deno.memoryUsage().rss` sampled every 50 ms.
 * @module
 */
import { analyze } from "../lib/analysis/analyze.ts";

/** The peak resident set of this process in bytes, or null where `/proc` is not there. */
export function peakRss(): number | null {
  try {
    const m = Deno.readTextFileSync("/proc/self/status").match(/^VmHWM:\s+(\d+)\s+kB/m);
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

if (import.meta.main) {
  const config = Deno.args[0] ? JSON.parse(Deno.args[0]) : {};
  let sampled = 0;
  const timer = setInterval(() => (sampled = Math.max(sampled, Deno.memoryUsage().rss)), 50);
  const t0 = performance.now();
  const r = await analyze(config);
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(timer);
  const t = r.thresholds.find((x) => x.curve === "empirical" && x.smoothed)!;
  console.log(JSON.stringify({
    seconds,
    timings: r.timings,
    hvps: r.spectrum.hvps,
    eigenvalues: r.spectrum.values,
    kStar: t.kStar,
    testAccuracy: r.training.testAccuracy,
    backend: r.backend,
    workers: r.workers,
    peakRss: peakRss() ?? sampled,
    peakRssSource: peakRss() === null ? "sampled rss" : "VmHWM",
  }));
}
