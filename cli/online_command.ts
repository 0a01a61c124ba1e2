/**
 * `deno task analyze --online`: Algorithm 1 with per-batch progress lines.
 * @module
 */
import { online, ONLINE_DEFAULTS, type OnlineConfig } from "../lib/analysis/online.ts";
import { flagHelp } from "./args.ts";
import { ONLINE_FLAG_SPECS } from "./online_flags.ts";

/** Help for the online flags. */
export function onlineHelp(): string {
  return `Online mode (--online, Algorithm 1): grows D one batch at a time, trains --steps-per-batch Adam steps,
estimates Δ_k at the current weights and stops after --patience consecutive batches with Δ_k < tol.
Shared flags used: --dataset --model --limit --batch-size --d --samples --sigma --tol (first value) --lr
--train-batch-size --seed --backend --workers --lanczos-tol --out
${flagHelp(ONLINE_FLAG_SPECS)}`;
}

/** Runs the online command from parsed flag values; returns the exit code. */
export async function runOnlineCommand(values: Record<string, unknown>): Promise<number> {
  const keys = Object.keys(ONLINE_DEFAULTS);
  const cfg: Partial<OnlineConfig> = {};
  for (const k of keys) if (values[k] !== undefined) (cfg as Record<string, unknown>)[k] = values[k];
  if (Array.isArray(values.tolerances)) cfg.tolerance = (values.tolerances as number[])[0];
  const quiet = Boolean(values.quiet);
  if (!quiet) console.error("   k   |D|      L_k     Δ_emp ± se         Δ_theory    Δ_2nd      HVPs  s");
  const r = await online(cfg, {
    dataRoot: values.dataRoot as string | undefined,
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
  const out = String(values.out ?? "out/online");
  await Deno.mkdir(out, { recursive: true });
  const { weights, ...rest } = r;
  await Deno.writeTextFile(`${out}/online.json`, JSON.stringify(rest, null, 1));
  if (values.weightsOut) {
    await Deno.writeFile(
      String(values.weightsOut),
      new Uint8Array(weights.buffer, weights.byteOffset, weights.byteLength),
    );
  }
  if (values.json) console.log(JSON.stringify(rest));
  else if (r.reached) {
    console.log(
      `Δ-sufficient dataset size: |D| = ${r.samples} samples (k = ${r.kStar} batches of ${r.config.batchSize}), Δ_${r.config.criterion} < ${r.tolerance} for ${r.config.patience} consecutive batches; ${
        r.seconds.toFixed(1)
      } s`,
    );
  } else {
    console.log(
      `not reached: Δ_${r.config.criterion} stayed ≥ ${r.tolerance} until the data ran out (${r.trace.length} batches); ${
        r.seconds.toFixed(1)
      } s`,
    );
  }
  console.error(`wrote ${out}/online.json`);
  return 0;
}
