/** @jsxRuntime automatic */
/** @jsxImportSource npm:preact@10.29.8 */
/**
 * One threshold cell — k* or |D| — as {@link thresholdCell} describes it: the number, "≈ predicted" with its
 * reason as a tooltip, or "not reached".
 * @module
 */
import type { JSX } from "npm:preact@10.29.8";
import type { Threshold } from "../../analysis/types.ts";
import { thresholdCell } from "../threshold_view.ts";

/** k* (`of="k"`) or |D| (`of="samples"`) of a threshold. */
export function ThresholdValue(
  { threshold, of = "k" }: { threshold: Threshold | null | undefined; of?: "k" | "samples" },
): JSX.Element {
  const cell = thresholdCell(threshold);
  return (
    <span class={`kstar-cell ${cell.kind}`} title={cell.note || undefined} data-kind={cell.kind}>
      {of === "k" ? cell.k : cell.samples}
    </span>
  );
}

/** The k* and |D| cells of a table row; a dash in each while the run has no result (`done` false). */
export function KStarCells(
  { threshold, done = true }: { threshold: Threshold | null | undefined; done?: boolean },
): JSX.Element {
  return (
    <>
      <td class="num strong">{done ? <ThresholdValue threshold={threshold} /> : "—"}</td>
      <td class="num">{done ? <ThresholdValue threshold={threshold} of="samples" /> : "—"}</td>
    </>
  );
}
