/** @jsxRuntime automatic */
/** @jsxImportSource npm:preact@10.29.8 */
/**
 * What the run is: its config while it runs; once done, the report's facts and the table of every threshold
 * the analysis computed.
 * @module
 */
import type { AnalysisResult } from "../../lib/analysis/types.ts";
import { fmt, fmtInt } from "../../lib/present/format.ts";
import { datasetLabel } from "../../lib/present/labels.ts";
import { RunFacts } from "../../lib/present/components/RunFacts.tsx";
import { ThresholdTable } from "../../lib/present/components/ThresholdTable.tsx";
import type { RunRecord } from "../../server/types.ts";

/** The overview card. */
export function OverviewCard({ run, result }: { run: RunRecord; result: AnalysisResult | null }) {
  const c = run.config;
  return (
    <section class="card overview">
      <div class="card-title">Run</div>
      {result
        ? (
          <div class="facts-grid">
            <RunFacts result={result} groups={["Dataset", "Model & training"]} />
          </div>
        )
        : (
          <dl class="stats">
            <dt>Dataset</dt>
            <dd>{datasetLabel(c.dataset)}</dd>
            <dt>Model</dt>
            <dd>
              <span class="mono">{c.model}</span>
            </dd>
            <dt>Data</dt>
            <dd>
              {c.limit === null ? "all training samples" : `${fmtInt(c.limit)} samples`}, B = {c.batchSize}
            </dd>
            <dt>Analysis</dt>
            <dd>d = {c.d}, {c.mcDraws} Monte Carlo draws, σ = {fmt(c.sigma)}</dd>
          </dl>
        )}
      {result && result.thresholds.length
        ? (
          <>
            <div class="card-title sub-title">Thresholds computed by the analysis</div>
            <ThresholdTable thresholds={result.thresholds} batchSize={result.config.batchSize} />
          </>
        )
        : null}
    </section>
  );
}
