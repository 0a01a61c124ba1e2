/**
 * Flags of `deno task analyze --online` (Algorithm 1).
 * @module
 */
import { ONLINE_DEFAULTS } from "../lib/analysis/online.ts";
import type { FlagSpec } from "./args.ts";

const O = ONLINE_DEFAULTS;
/** Flags only the online mode takes (the shared analysis flags are accepted too). */
export const ONLINE_FLAG_SPECS: FlagSpec[] = [
  {
    name: "criterion",
    kind: "string",
    help: "Δ estimate that decides: theory, empirical or secondOrder",
    default: O.criterion,
  },
  {
    name: "patience",
    kind: "int",
    help: "consecutive batches below tolerance before stopping",
    default: String(O.patience),
  },
  {
    name: "steps-per-batch",
    field: "stepsPerBatch",
    kind: "int",
    help: "Adam steps after each new batch",
    default: String(O.stepsPerBatch),
  },
  {
    name: "weights-out",
    field: "weightsOut",
    kind: "string",
    help: "write the trained weights (float32 little-endian) here",
  },
];
