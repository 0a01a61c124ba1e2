/** @jsxRuntime automatic */
/** @jsxImportSource npm:preact@10.29.8 */
/**
 * The run's checks and notes: the quadratic-regime check, the warnings and the stage timings.
 * @module
 */
import type { JSX } from "npm:preact@10.29.8";
import type { QuadraticCheck } from "../../analysis/quadratic_check.ts";
import type { Stage } from "../../analysis/types.ts";
import { fmt, fmtDuration, fmtPercent } from "../format.ts";
import { STAGE_LABELS } from "../labels.ts";
import { totalTime } from "../timings.ts";

/** The quadratic-regime check: mean perturbed loss against its second-order prediction. */
export function QuadraticCheckView(
  { check: q, sigma }: { check: QuadraticCheck; sigma: number },
): JSX.Element {
  return (
    <div class={`card quadratic ${q.ok ? "ok" : "warn"}`} data-testid="quadratic-check">
      <h3>
        Quadratic-regime check <span class={`badge ${q.ok ? "good" : "bad"}`}>{q.ok ? "OK" : "outside"}</span>
      </h3>
      <dl class="stats">
        <dt>L(w*)</dt>
        <dd>{fmt(q.lossAtOptimum, 4)}</dd>
        <dt>mean L(w* + Pθ)</dt>
        <dd>{fmt(q.meanPerturbed, 4)}</dd>
        <dt>predicted L + σ²/2·tr Λ</dt>
        <dd>{fmt(q.predicted, 4)}</dd>
        <dt>relative error</dt>
        <dd>{fmtPercent(q.relativeError)}</dd>
      </dl>
      <p class="muted small">
        {q.ok
          ? `At σ = ${
            fmt(sigma)
          } the perturbed loss matches its quadratic prediction, as the paper's formula assumes.`
          : `At σ = ${
            fmt(sigma)
          } the perturbed loss departs from its quadratic prediction: the paper's formula and the second-order curve describe a quadratic landscape the network does not have at this scale; a smaller σ keeps them valid.`}
      </p>
    </div>
  );
}

/** The warnings, or a line saying there are none. */
export function WarningsList({ warnings }: { warnings: readonly string[] }): JSX.Element {
  if (!warnings.length) return <p class="muted">No warnings.</p>;
  return <ul class="warnings">{warnings.map((w, i) => <li key={i}>{w}</li>)}</ul>;
}

const STAGES = ["load", "train", "eigensolve", "project", "exact", "thresholds"];

/** Seconds per stage with a bar of each stage's share, and the total. */
export function TimingsTable({ timings }: { timings: Record<string, number> }): JSX.Element {
  const keys = [
    ...STAGES.filter((s) => typeof timings[s] === "number"),
    ...Object.keys(timings).filter((s) =>
      !STAGES.includes(s) && s !== "total" && typeof timings[s] === "number"
    ),
  ];
  // The sum is over the stages shown, non-finite ones included (which leave the total non-finite, every bar empty).
  const total = totalTime(timings, keys.map((k) => timings[k])) ?? 0;
  return (
    <table class="timings">
      <tbody>
        {keys.map((k) => {
          const share = total > 0 && Number.isFinite(timings[k])
            ? Math.max(0, Math.min(1, timings[k] / total))
            : 0;
          return (
            <tr key={k}>
              <td>{STAGE_LABELS[k as Stage] ?? k}</td>
              <td class="num">{fmtDuration(timings[k])}</td>
              <td class="bar">
                <span style={{ width: `${(share * 100).toFixed(1)}%` }} />
              </td>
            </tr>
          );
        })}
      </tbody>
      <tfoot>
        <tr>
          <td>total</td>
          <td class="num">{fmtDuration(total)}</td>
          <td />
        </tr>
      </tfoot>
    </table>
  );
}
