/** @jsxRuntime automatic */
/** @jsxImportSource npm:preact@10.29.8 */
/**
 * A finished run's details: the analysis and compute facts, the quadratic-regime check, the timings, the
 * downloads and the warnings.
 * @module
 */
import type { AnalysisResult } from "../../lib/analysis/types.ts";
import { QuadraticCheckView, TimingsTable, WarningsList } from "../../lib/present/components/Checks.tsx";
import { RunFacts } from "../../lib/present/components/RunFacts.tsx";

/** The details cards. */
export function DetailsCards({ result, id }: { result: AnalysisResult; id: string }) {
  return (
    <div class="grid-2">
      <section class="card">
        <div class="facts-grid">
          <RunFacts result={result} groups={["Analysis", "Compute"]} />
        </div>
        <QuadraticCheckView check={result.quadraticCheck} sigma={result.config.sigma} />
      </section>
      <section class="card">
        <div class="card-title">Timings</div>
        <TimingsTable timings={result.timings} />
        <div class="card-title sub-title">Downloads</div>
        <div class="downloads">
          <a class="btn btn-secondary" href={`/api/runs/${id}/result.json`} download>result.json</a>
          <a class="btn btn-secondary" href={`/api/runs/${id}/curves.csv`} download>curves.csv</a>
          <a class="btn btn-secondary" href={`/api/runs/${id}/thresholds.csv`} download>thresholds.csv</a>
          <a class="btn btn-secondary" href={`/api/runs/${id}/report.html`} download>report.html</a>
          <a
            class="btn btn-ghost"
            href={`/api/runs/${id}/report.html?inline=1`}
            target="_blank"
            rel="noopener"
          >
            view report
          </a>
        </div>
        <div class="card-title sub-title">Warnings</div>
        <WarningsList warnings={result.warnings} />
      </section>
    </div>
  );
}
