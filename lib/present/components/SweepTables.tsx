/** @jsxRuntime automatic */
/** @jsxImportSource npm:preact@10.29.8 */
/**
 * The tables of a sweep, shared by its dashboard page and its HTML report: the grid points across seeds (runs
 * done, median |D| = k*·B and its range) and every run (status, worker, attempts, seed, k*, |D|).
 * @module
 */
import type { JSX } from "npm:preact@10.29.8";
import type { SweepDocument, SweepGroup } from "../../sweep/summary.ts";
import { fmtDuration, fmtInt } from "../format.ts";
import { ThresholdValue } from "./ThresholdValue.tsx";

/** The grid points across seeds. */
export function SweepGroupsTable({ groups }: { groups: readonly SweepGroup[] }): JSX.Element {
  return (
    <table class="runs" data-testid="sweep-groups">
      <thead>
        <tr>
          <th>Grid point</th>
          <th class="num">runs done</th>
          <th class="num">seeds</th>
          <th class="num">median |D|</th>
          <th class="num">range of |D|</th>
        </tr>
      </thead>
      <tbody>
        {groups.map((g) => {
          const reached = g.samples.filter((s): s is number => s !== null && Number.isFinite(s));
          return (
            <tr key={g.label}>
              <td>{g.label}</td>
              <td class="num">{g.done} / {g.runs.length}</td>
              <td class="num">{g.seeds.join(", ")}</td>
              <td class="num strong">{g.medianSamples === null ? "—" : fmtInt(g.medianSamples)}</td>
              <td class="num">
                {reached.length > 1 ? `${fmtInt(Math.min(...reached))}–${fmtInt(Math.max(...reached))}` : "—"}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** Every run of the sweep; `href` links a run to its page. */
export function SweepRunsTable(
  { doc, href }: { doc: Pick<SweepDocument, "runs" | "groups">; href?: (id: string) => string },
): JSX.Element {
  const groupOf = new Map<number, string>();
  for (const g of doc.groups) for (const i of g.runs) groupOf.set(i, g.label);
  return (
    <table class="runs" data-testid="sweep-runs">
      <thead>
        <tr>
          <th class="num">#</th>
          <th>Run</th>
          <th>Status</th>
          <th>Worker</th>
          <th class="num">attempts</th>
          <th>Grid point</th>
          <th class="num">seed</th>
          <th class="num">k*</th>
          <th class="num">|D|</th>
          <th class="num">time</th>
        </tr>
      </thead>
      <tbody>
        {doc.runs.map((r, i) => (
          <tr key={r.id} data-run={r.id} data-status={r.status}>
            <td class="num">{r.index}</td>
            <td class="mono">{href ? <a href={href(r.id)}>{r.id}</a> : r.id}</td>
            <td>
              <span class={`badge badge-${r.status}`} data-status={r.status} title={r.error ?? undefined}>
                {r.status}
              </span>
            </td>
            <td class="mono">{r.worker ?? "—"}</td>
            <td class="num" title={r.retries ? `went back to the queue ${r.retries}×` : undefined}>
              {r.attempts}
              {r.retries ? " (retried)" : ""}
            </td>
            <td>{groupOf.get(i) ?? ""}</td>
            <td class="num">{r.config.seed}</td>
            <td class="num strong">
              {r.status === "done" ? <ThresholdValue threshold={r.headline} /> : "—"}
            </td>
            <td class="num">
              {r.status === "done" ? <ThresholdValue threshold={r.headline} of="samples" /> : "—"}
            </td>
            <td class="num">{fmtDuration(r.duration)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
