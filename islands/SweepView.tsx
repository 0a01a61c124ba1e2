/** @jsxRuntime automatic */
/** @jsxImportSource npm:preact@10.29.8 */
/**
 * The sweep page's live view: the progress of all its runs (refreshed while any has not ended), k*·B per grid
 * point across seeds (the strip plot, with per-run intervals when the results carry them), the median Δ_k per
 * grid point, the tables and the downloads. The figures are the same specs the sweep report renders.
 * @module
 */
import { useEffect, useMemo, useState } from "npm:preact@10.29.8/hooks";
import { api } from "../components/api.ts";
import { ChartCanvas } from "../components/Chart.tsx";
import { useHydrated } from "../components/hooks.ts";
import { sweepDeltaFigure, sweepSamplesFigure } from "../lib/present/figures.ts";
import { fmtTime, plural } from "../lib/present/format.ts";
import { FigureBox } from "../lib/present/components/FigureBox.tsx";
import { SweepGroupsTable, SweepRunsTable } from "../lib/present/components/SweepTables.tsx";
import type { SweepDeltaMedian } from "../lib/sweep/summary.ts";
import type { SweepDetail } from "../server/sweeps.ts";
import { isFinal } from "../server/types.ts";

/** Props of the sweep view. */
export interface SweepViewProps {
  sweep: SweepDetail;
}

export default function SweepView({ sweep: initial }: SweepViewProps) {
  const hydrated = useHydrated();
  const [sweep, setSweep] = useState(initial);
  const [medians, setMedians] = useState<{ groups: SweepDeltaMedian[]; tolerance: number | null } | null>(
    null,
  );
  const [notice, setNotice] = useState<string | null>(null);
  const s = sweep.summary;
  const done = s.counts.done ?? 0;
  const ended = sweep.runs.filter((r) => isFinal(r.status)).length;
  const id = encodeURIComponent(sweep.id);

  useEffect(() => {
    if (sweep.finished) return;
    const t = setInterval(async () => {
      try {
        setSweep(await api.sweep(sweep.id));
      } catch (e) {
        setNotice(`Could not refresh: ${(e as Error).message}`);
      }
    }, 2000);
    return () => clearInterval(t);
  }, [sweep.finished]);
  // The Δ_k medians need the results: fetched again whenever another run is done.
  useEffect(() => {
    if (done === 0) return;
    api.sweepDocument(sweep.id)
      .then((d) => setMedians({ groups: d.deltaMedians, tolerance: d.tolerance }))
      .catch((e) => setNotice((e as Error).message));
  }, [done]);

  const samplesFig = useMemo(() => sweepSamplesFigure(s.groups), [s]);
  const deltaFig = useMemo(() => (medians ? sweepDeltaFigure(medians.groups, medians.tolerance) : null), [
    medians,
  ]);
  const cancelAll = async () => {
    try {
      await api.removeSweep(sweep.id);
      setSweep(await api.sweep(sweep.id));
    } catch (e) {
      setNotice((e as Error).message);
    }
  };

  return (
    <div
      class="sweep-view"
      data-hydrated={hydrated ? "1" : undefined}
      data-finished={sweep.finished ? "1" : "0"}
    >
      <div class="page-head">
        <div>
          <div class="crumbs">
            <a href="/">Runs</a> / sweep <span class="mono">{sweep.id}</span>
          </div>
          <h1>{sweep.name ?? "Sweep"}</h1>
          <div class="meta-line">
            <span>{plural(sweep.size, "run")}</span>
            <span>{plural(s.groups.length, "grid point")}</span>
            <span data-testid="sweep-progress">
              {ended} of {sweep.size} ended{done !== ended ? ` (${done} done)` : ""}
            </span>
            <span class="muted">submitted {fmtTime(sweep.createdAt)}</span>
          </div>
        </div>
        <div class="head-actions">
          {sweep.finished
            ? null
            : (
              <button type="button" class="btn btn-danger" onClick={cancelAll} data-testid="cancel-sweep">
                Cancel all runs
              </button>
            )}
          <a class="btn btn-secondary" href={`/api/sweeps/${id}/sweep.json`}>sweep.json</a>
          <a class="btn btn-secondary" href={`/api/sweeps/${id}/sweep.csv`}>sweep.csv</a>
        </div>
      </div>
      {notice ? <p class="form-message">{notice}</p> : null}
      <progress class="sweep-bar" max={sweep.size} value={ended} />
      <div class="grid-2">
        <section class="card chart-card">
          <FigureBox figure={samplesFig}>
            <ChartCanvas figure={samplesFig} height={340} />
          </FigureBox>
        </section>
        <section class="card chart-card">
          {deltaFig
            ? (
              <FigureBox figure={deltaFig}>
                <ChartCanvas figure={deltaFig} height={340} />
              </FigureBox>
            )
            : (
              <p class="muted placeholder">
                The median Δ<sub>k</sub> curves appear when runs are done.
              </p>
            )}
        </section>
      </div>
      <section class="card">
        <div class="card-title">Grid points across seeds</div>
        <SweepGroupsTable groups={s.groups} />
      </section>
      <section class="card">
        <div class="card-title">Runs</div>
        <SweepRunsTable doc={s} href={(r) => `/runs/${encodeURIComponent(r)}`} />
      </section>
    </div>
  );
}
