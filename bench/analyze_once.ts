/**
 * One analysis in a fresh process, for `bench/run.ts`: `deno run -A bench/analyze_once.ts ['{"model":"cnn"}']`
 * runs `analyze()` with the defaults (overridden by the JSON config given) and prints one JSON line: stage
 * seconds, HVPs, k*, test accuracy and the process's peak resident memory — the kernel's high-water mark
 * (`VmHWM` in `/proc/self/status`, which counts the compute workers: they are threads of this process), or
 * where that file is missing the largest `Deno.memoryUsage().rss` sampled every 50 ms — and, as a noise
 * indicator, the share of the machine's CPU time that other processes took meanwhile (`/proc/stat`).
 *
 * Imported, it gives {@link analyzeOnce} (that run, spawned from another script) and {@link lastJsonLine}.
 * @module
 */
import { analyze } from "../lib/analysis/analyze.ts";

/** The JSON value on the last line of a child process's standard output. */
export function lastJsonLine<T = unknown>(stdout: Uint8Array): T {
  const lines = new TextDecoder().decode(stdout).trim().split("\n");
  return JSON.parse(lines[lines.length - 1]);
}

/** What one run prints (the fields the benchmarks read). */
export interface AnalysisRun {
  othersCpuShare: number | null;
  seconds: number;
  timings: Record<string, number>;
  hvps: number;
  kStar: number | null;
  testAccuracy: number;
  peakRss: number;
  peakRssSource: string;
  backend: string;
  workers: number;
}

/** A run of {@link analyzeOnce} whose process exited unsuccessfully, with its exit code. */
export class AnalyzeOnceFailed extends Error {
  constructor(readonly code: number) {
    super(`analyze_once.ts failed (exit ${code})`);
  }
}

/**
 * Runs one analysis in a fresh process (this script, with `config` as its argument) and returns the JSON line it
 * prints; `denoFlags` go to `deno run` (before `-A`). Its standard error is inherited; an unsuccessful exit
 * throws {@link AnalyzeOnceFailed}.
 */
export async function analyzeOnce(
  config: Record<string, unknown> = {},
  denoFlags: string[] = [],
): Promise<AnalysisRun> {
  const script = new URL("./analyze_once.ts", import.meta.url).pathname;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...denoFlags, "-A", script, JSON.stringify(config)],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!out.success) throw new AnalyzeOnceFailed(out.code);
  return lastJsonLine<AnalysisRun>(out.stdout);
}

/** The peak resident set of this process in bytes, or null where `/proc` is not there. */
export function peakRss(): number | null {
  try {
    const m = Deno.readTextFileSync("/proc/self/status").match(/^VmHWM:\s+(\d+)\s+kB/m);
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** CPU seconds used by this process so far (all threads; `/proc/self/stat`), or null without `/proc`. */
export function ownCpuSeconds(): number | null {
  try {
    const f = Deno.readTextFileSync("/proc/self/stat").split(") ")[1].split(" ");
    return (Number(f[11]) + Number(f[12])) / 100; // utime + stime, in clock ticks of 1/100 s
  } catch {
    return null;
  }
}

/** Busy and total CPU seconds of the whole machine so far (`/proc/stat`), or null without `/proc`. */
export function machineCpuSeconds(): { busy: number; total: number } | null {
  try {
    const f = Deno.readTextFileSync("/proc/stat").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
    const total = f.reduce((a, b) => a + b, 0), idle = f[3] + f[4];
    return { busy: (total - idle) / 100, total: total / 100 };
  } catch {
    return null;
  }
}

if (import.meta.main) {
  const config = Deno.args[0] ? JSON.parse(Deno.args[0]) : {};
  let sampled = 0;
  const timer = setInterval(() => (sampled = Math.max(sampled, Deno.memoryUsage().rss)), 50);
  const [cpu0, m0] = [ownCpuSeconds(), machineCpuSeconds()];
  const t0 = performance.now();
  const r = await analyze(config);
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(timer);
  const [cpu1, m1] = [ownCpuSeconds(), machineCpuSeconds()];
  // The share of the machine's CPU time that other processes took during the run (noise indicator).
  const others = cpu0 !== null && cpu1 !== null && m0 && m1
    ? Math.max(0, (m1.busy - m0.busy - (cpu1 - cpu0)) / (m1.total - m0.total))
    : null;
  const t = r.thresholds.find((x) => x.curve === "empirical" && x.smoothed)!;
  const peak = peakRss();
  console.log(JSON.stringify({
    seconds,
    timings: r.timings,
    hvps: r.spectrum.hvps,
    eigenvalues: r.spectrum.values,
    kStar: t.kStar,
    testAccuracy: r.training.testAccuracy,
    backend: r.backend,
    workers: r.workers,
    peakRss: peak ?? sampled,
    peakRssSource: peak === null ? "sampled rss" : "VmHWM",
    cpuSeconds: cpu0 !== null && cpu1 !== null ? cpu1 - cpu0 : null,
    othersCpuShare: others,
  }));
}
