/** @jsxRuntime automatic */
/** @jsxImportSource npm:preact@10.29.8 */
/**
 * The run list of the dashboard: status, dataset, model, d, K, σ, tol, k*, |D| and time, refreshed while runs
 * are active, with selection for the compare page and cancel / delete actions.
 * @module
 */
import { useEffect, useState } from "npm:preact@10.29.8/hooks";
import { api } from "../components/api.ts";
import { fmt, fmtDuration, fmtPercent, fmtTime } from "../lib/present/format.ts";
import { datasetLabel } from "../lib/present/labels.ts";
import { KStarCells } from "../lib/present/components/ThresholdValue.tsx";
import { StatusBadge } from "../components/StatusBadge.tsx";
import type { RunSummary } from "../server/types.ts";
import { useHydrated } from "../components/hooks.ts";

export interface RunTableProps {
  runs: RunSummary[];
}

function tolOf(r: RunSummary): number | null {
  return r.tolerance ?? r.config.tolerances?.[0] ?? null;
}

export default function RunTable({ runs: initial }: RunTableProps) {
  const hydrated = useHydrated();
  const [runs, setRuns] = useState(initial);
  const [selected, setSelected] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const active = runs.some((r) => r.status === "queued" || r.status === "running");

  const refresh = async () => {
    try {
      setRuns((await api.list()).runs);
      setError(null);
    } catch (e) {
      setError(`Could not refresh: ${(e as Error).message}`);
    }
  };
  useEffect(() => {
    const t = setInterval(refresh, active ? 1500 : 10000);
    return () => clearInterval(t);
  }, [active]);

  const act = async (r: RunSummary) => {
    const finished = !(r.status === "queued" || r.status === "running");
    if (finished && !confirm(`Delete run ${r.id}? Its result is removed.`)) return;
    try {
      await api.remove(r.id);
      setSelected((s) => s.filter((x) => x !== r.id));
      await refresh();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const toggle = (id: string) => setSelected((s) => s.includes(id) ? s.filter((x) => x !== id) : [...s, id]);
  const comparable = selected.filter((id) => runs.find((r) => r.id === id)?.status === "done");

  return (
    <div class="run-table-wrap" data-hydrated={hydrated ? "1" : undefined}>
      <div class="table-toolbar">
        <span class="muted">
          {runs.length} run{runs.length === 1 ? "" : "s"}
          {active ? " · updating live" : ""}
        </span>
        <a
          class={`btn btn-secondary btn-sm${comparable.length ? "" : " disabled"}`}
          href={comparable.length
            ? `/compare?ids=${comparable.map(encodeURIComponent).join(",")}`
            : undefined}
          aria-disabled={comparable.length ? undefined : "true"}
        >
          Compare {comparable.length ? `(${comparable.length})` : "selected"}
        </a>
      </div>
      {error ? <p class="form-message">{error}</p> : null}
      {runs.length === 0
        ? (
          <div class="empty">
            <p>No runs yet.</p>
            <p class="muted">Submit an analysis with the form; “Quick preset” finishes in seconds.</p>
          </div>
        )
        : (
          <div class="table-scroll">
            <table class="runs" data-testid="runs-table">
              <thead>
                <tr>
                  <th class="check" aria-label="select" />
                  <th>Status</th>
                  <th>Dataset</th>
                  <th>Model</th>
                  <th class="num" title="top-d eigen-directions">d</th>
                  <th class="num" title="Monte Carlo draws of θ">draws</th>
                  <th class="num">σ</th>
                  <th class="num" title="tolerance Δ_tol">tol</th>
                  <th class="num">k*</th>
                  <th class="num" title="|D| = k*·B">|D|</th>
                  <th class="num">Time</th>
                  <th>Submitted</th>
                  <th aria-label="actions" />
                </tr>
              </thead>
              <tbody>
                {runs.map((r) => {
                  const live = r.status === "queued" || r.status === "running";
                  return (
                    <tr key={r.id} data-run-id={r.id} class={`row-${r.status}`}>
                      <td class="check">
                        <input
                          type="checkbox"
                          aria-label={`select ${r.id}`}
                          checked={selected.includes(r.id)}
                          disabled={r.status !== "done"}
                          onChange={() => toggle(r.id)}
                        />
                      </td>
                      <td>
                        <StatusBadge status={r.status} />
                        {r.status === "running" && r.progress
                          ? (
                            <span class="mini-progress" title={r.progress.message}>
                              {fmtPercent(r.progress.overall)}
                            </span>
                          )
                          : null}
                      </td>
                      <td>
                        <a href={`/runs/${encodeURIComponent(r.id)}`} class="run-link">
                          {datasetLabel(r.config.dataset)}
                        </a>
                        <div class="sub mono">{r.id}</div>
                      </td>
                      <td class="mono">{r.config.model}</td>
                      <td class="num">{r.config.d}</td>
                      <td class="num">{r.config.mcDraws}</td>
                      <td class="num">{fmt(r.config.sigma)}</td>
                      <td class="num">
                        {fmt(tolOf(r)) === "—" ? <span class="muted">default</span> : fmt(tolOf(r))}
                      </td>
                      <KStarCells threshold={r.headline} done={r.status === "done"} />
                      <td class="num">{live && r.status === "queued" ? "—" : fmtDuration(r.duration)}</td>
                      <td class="muted nowrap">{fmtTime(r.createdAt)}</td>
                      <td class="actions">
                        <button
                          type="button"
                          class="btn btn-ghost btn-sm"
                          onClick={() => act(r)}
                          title={live ? "Cancel" : "Delete"}
                        >
                          {live ? "Cancel" : "Delete"}
                        </button>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
    </div>
  );
}
