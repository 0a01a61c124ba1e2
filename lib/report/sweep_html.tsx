/** @jsxRuntime automatic */
/** @jsxImportSource npm:preact@10.29.8 */
/**
 * The self-contained HTML report of a sweep: k*·B per grid point across seeds and the median Δ_k per grid point
 * (the same figure specs the dashboard's sweep page draws, rendered as inline SVG), the grid points' and the
 * runs' tables, and the sweep document embedded as JSON.
 * @module
 */
import { renderToString } from "npm:preact-render-to-string@6.8.2";
import { sweepDeltaFigure, sweepSamplesFigure } from "../present/figures.ts";
import { fmtTime, plural } from "../present/format.ts";
import { scriptJson } from "../present/script_json.ts";
import { FigureBox } from "../present/components/FigureBox.tsx";
import { SweepGroupsTable, SweepRunsTable } from "../present/components/SweepTables.tsx";
import type { SweepDocument } from "../sweep/summary.ts";
import { REPORT_CSS } from "./report_css.ts";
import { renderSvg } from "./svg.ts";

/**
 * The sweep report as an HTML document; `href` links each run (e.g. to its own report).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sweepReport } from "./sweep_html.tsx";
 * const html = sweepReport({
 *   schema: "kstar.sweep/1", id: "s1", name: "demo", createdAt: new Date().toISOString(), spec: {}, size: 0,
 *   counts: {}, runs: [], groups: [], deltaMedians: [], tolerance: null,
 * });
 * assert.ok(html.startsWith("<!DOCTYPE html>") && html.includes("demo") && html.includes("<svg"));
 * ```
 */
export function sweepReport(doc: SweepDocument, href?: (id: string) => string): string {
  const title = `kstar sweep — ${doc.name ?? doc.id}`;
  const samples = sweepSamplesFigure(doc.groups);
  const delta = sweepDeltaFigure(doc.deltaMedians, doc.tolerance);
  const size = { width: 560, height: 360, title: false };
  const counts = Object.entries(doc.counts).map(([s, n]) => `${n} ${s}`).join(", ");
  const page = (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{title}</title>
        <style dangerouslySetInnerHTML={{ __html: REPORT_CSS }} />
      </head>
      <body>
        <main>
          <header>
            <p class="kicker">kstar · sweep</p>
            <h1>{title}</h1>
            <p class="sub">
              {plural(doc.size, "run")} over {plural(doc.groups.length, "grid point")} ({counts || "none"}) ·
              {" "}
              {fmtTime(doc.createdAt)}
            </p>
          </header>
          <section class="grid charts">
            <FigureBox figure={samples}>
              <div class="svg" dangerouslySetInnerHTML={{ __html: renderSvg(samples, size) }} />
            </FigureBox>
            <FigureBox figure={delta}>
              <div class="svg" dangerouslySetInnerHTML={{ __html: renderSvg(delta, size) }} />
            </FigureBox>
          </section>
          <section>
            <h2>Grid points across seeds</h2>
            <SweepGroupsTable groups={doc.groups} />
          </section>
          <section>
            <h2>Runs</h2>
            <SweepRunsTable doc={doc} href={href} />
          </section>
        </main>
        <script
          type="application/json"
          id="kstar-sweep"
          dangerouslySetInnerHTML={{ __html: scriptJson(doc) }}
        />
      </body>
    </html>
  );
  return `<!DOCTYPE html>\n${renderToString(page)}\n`;
}
