/** @jsxRuntime automatic */
/** @jsxImportSource npm:preact@10.29.8 */
/**
 * A running run's stage, overall progress and latest message.
 * @module
 */
import type { Stage } from "../../lib/analysis/types.ts";
import { fmtPercent } from "../../lib/present/format.ts";
import { STAGE_LABELS } from "../../lib/present/labels.ts";
import type { RunRecord } from "../../server/types.ts";

/** The progress card. */
export function ProgressCard({ run }: { run: RunRecord }) {
  const p = run.progress;
  const stages: Stage[] = ["load", "train", "eigensolve", "project"];
  if (run.config.eigenMode === "exact") stages.push("exact");
  stages.push("thresholds");
  if ((run.config.orderings ?? 0) > 0) stages.push("orderings");
  if (run.config.learningCurve) stages.push("learningCurve");
  const at = p ? stages.indexOf(p.stage) : -1;
  const overall = run.status === "done" ? 1 : p?.overall ?? 0;
  return (
    <section class="card progress-card" data-testid="progress">
      <div class="progress-head">
        <div>
          <div class="eyebrow">{run.status === "queued" ? "Waiting in the queue" : "Stage"}</div>
          <div class="progress-stage" data-testid="stage">
            {run.status === "queued" ? "Queued" : p ? STAGE_LABELS[p.stage] ?? p.stage : "Starting"}
          </div>
        </div>
        <div class="progress-percent" data-testid="percent" data-overall={overall}>{fmtPercent(overall)}</div>
      </div>
      <div
        class="bar"
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(overall * 100)}
      >
        <div class="bar-fill" style={{ width: `${(overall * 100).toFixed(1)}%` }} />
      </div>
      <ol class="stages">
        {stages.map((s, i) => (
          <li key={s} class={i < at ? "done" : i === at ? "current" : ""}>
            <span class="dot" />
            {STAGE_LABELS[s]}
            {i === at && p ? <span class="stage-frac">{fmtPercent(p.fraction)}</span> : null}
          </li>
        ))}
      </ol>
      <p class="progress-message mono">
        {p?.message ?? (run.status === "queued" ? "Waiting for a free worker…" : "")}
      </p>
    </section>
  );
}
