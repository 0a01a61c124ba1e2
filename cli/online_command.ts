/**
 * `deno task analyze --online`: Algorithm 1 with per-batch progress lines.
 * @module
 */
import { online, type OnlineResult } from "../lib/analysis/online.ts";
import { resolveOnlineConfig } from "../lib/config/resolve.ts";
import type { FlagSpec } from "./flags.ts";
import { checkOutDir, onInterrupt, writeFiles } from "./io.ts";

/** Options only online mode has. */
export const ONLINE_OPTIONS: FlagSpec[] = [
  {
    flag: "weights-out",
    key: "weightsOut",
    kind: "string",
    help: "write the trained weights (float32 little-endian) to this file",
    group: "Output and modes",
  },
];

/** The result sentence of an online run: which batch k* is and at which batch the run stopped. */
export function onlineSummary(r: OnlineResult): string {
  const c = r.config;
  if (!r.reached) {
    return `not reached: Δ_${c.criterion} did not stay below ${r.tolerance} for ${c.patience} consecutive ` +
      `batches before the data ran out (${r.trace.length} batches); ${r.seconds.toFixed(1)} s`;
  }
  return `Δ-sufficient dataset size: |D| = ${r.samples} samples (k* = ${r.kStar} batches of ${c.batchSize}, the ` +
    `first of ${c.patience} consecutive batches with Δ_${c.criterion} < ${r.tolerance}; the run stopped at batch ` +
    `${r.stoppedAt}); ${r.seconds.toFixed(1)} s`;
}

/** Runs Algorithm 1 from parsed values; returns the exit code. */
export async function runOnline(
  base: Record<string, unknown>,
  values: Record<string, unknown>,
  quiet: boolean,
): Promise<number> {
  const config = resolveOnlineConfig(base);
  const out = String(values.out ?? "out/online");
  await checkOutDir(out);
  if (!quiet) console.error("   k   |D|      L_k     Δ_emp ± se         Δ_theory    Δ_2nd      HVPs  s");
  const interrupt = onInterrupt();
  let r: OnlineResult;
  try {
    r = await online(config, {
      dataRoot: values.dataRoot as string | undefined,
      signal: interrupt.signal,
      onStep: (s) => {
        if (quiet) return;
        const f = (x: number) => x.toExponential(3).padStart(10);
        console.error(
          `${String(s.k).padStart(4)} ${String(s.samples).padStart(6)} ${s.loss.toFixed(4).padStart(8)} ${
            f(s.empirical)
          } ± ${s.empiricalSE.toExponential(1)} ${f(s.theory)} ${f(s.secondOrder)} ${
            String(s.hvps).padStart(5)
          } ${s.seconds.toFixed(1)}`,
        );
      },
    });
  } finally {
    interrupt.dispose();
  }
  const { weights, ...rest } = r;
  const wrote = await writeFiles(out, [["online.json", () => JSON.stringify(rest, null, 1)]]);
  if (values.weightsOut) {
    await Deno.writeFile(
      String(values.weightsOut),
      new Uint8Array(weights.buffer, weights.byteOffset, weights.byteLength),
    );
    wrote.push(String(values.weightsOut));
  }
  if (values.json) console.log(JSON.stringify(rest));
  else console.log(onlineSummary(r));
  if (!quiet) console.error(`wrote ${wrote.join(", ")}`);
  return 0;
}
