/** @jsxRuntime automatic */
/** @jsxImportSource npm:preact@10.29.8 */
/**
 * A run's status as a coloured badge.
 * @module
 */
import type { RunStatus } from "../server/types.ts";

const LABELS: Record<RunStatus, string> = {
  queued: "Queued",
  running: "Running",
  done: "Done",
  failed: "Failed",
  cancelled: "Cancelled",
  interrupted: "Interrupted",
};

export function StatusBadge({ status }: { status: RunStatus }) {
  return (
    <span class={`badge badge-${status}`} data-status={status}>
      {status === "running" ? <span class="pulse" /> : null}
      {LABELS[status] ?? status}
    </span>
  );
}
