/** @jsxRuntime automatic */
/** @jsxImportSource npm:preact@10.29.8 */
/**
 * Why a run did not finish: failed (with the field at fault, when a value was), interrupted or cancelled, and how
 * far it got.
 * @module
 */
import { fmtPercent } from "../../lib/present/format.ts";
import { STAGE_LABELS } from "../../lib/present/labels.ts";
import type { RunRecord } from "../../server/types.ts";

/** The error card, with a resubmit button. */
export function ErrorCard({ run, onResubmit }: { run: RunRecord; onResubmit: () => void }) {
  if (!run.error || run.status === "done") return null;
  const title = run.status === "failed"
    ? "The run failed"
    : run.status === "interrupted"
    ? "The run was interrupted"
    : "The run was cancelled";
  return (
    <section class={`card alert alert-${run.status}`} data-testid="run-error">
      <strong>{title}</strong>
      <p class="mono">{run.error.message}</p>
      {run.error.allowed ? <p class="muted">Allowed: {run.error.allowed}</p> : null}
      {run.progress
        ? (
          <p class="muted">
            It had reached “{STAGE_LABELS[run.progress.stage] ?? run.progress.stage}” ({fmtPercent(
              run.progress.overall,
            )}).
          </p>
        )
        : null}
      <button type="button" class="btn btn-secondary btn-sm" onClick={onResubmit}>
        Resubmit with the same config
      </button>
    </section>
  );
}
