/** @jsxRuntime automatic */
/** @jsxImportSource npm:preact@10.29.8 */
/**
 * A self-contained HTML report of an analysis, rendered from Preact components shared with the dashboard
 * (`lib/present/components/`) by `preact-render-to-string`: inline CSS and SVG, no external requests (opens from
 * file://), the full result embedded as JSON.
 * @module
 */
import type { JSX } from "npm:preact@10.29.8";
import { renderToString } from "npm:preact-render-to-string@6.8.2";
import type { AnalysisResult } from "../analysis/types.ts";
import { headlineThreshold } from "../analysis/thresholds.ts";
import { defaultView, figureSource, runFigures } from "../present/figures.ts";
import { fmt, fmtInt, fmtTime, fmtTolerance } from "../present/format.ts";
import { datasetLabel } from "../present/labels.ts";
import { scriptJson } from "../present/script_json.ts";
import { QuadraticCheckView, TimingsTable, WarningsList } from "../present/components/Checks.tsx";
import { FigureBox } from "../present/components/FigureBox.tsx";
import { FitsTable } from "../present/components/FitsTable.tsx";
import { RunFacts } from "../present/components/RunFacts.tsx";
import { ThresholdHeadline } from "../present/components/ThresholdHeadline.tsx";
import { ThresholdTable } from "../present/components/ThresholdTable.tsx";
import { REPORT_CSS } from "./report_css.ts";
import { renderSvg } from "./svg.ts";

/** Options of {@link htmlReport}. */
export interface HtmlReportOptions {
  /** Page title. Default `"kstar report — <dataset> · <model>"`. */
  title?: string;
}

function Svg({ markup }: { markup: string }): JSX.Element {
  return <div class="svg" dangerouslySetInnerHTML={{ __html: markup }} />;
}

/** The report's body. */
export function Report({ result: r, title }: { result: AnalysisResult; title: string }): JSX.Element {
  const view = defaultView(r);
  const figs = runFigures(figureSource(r), view);
  const big = { width: 960, height: 420, title: false };
  const small = { width: 560, height: 340, title: false };
  return (
    <main>
      <header>
        <p class="kicker">kstar · Δ-sufficient dataset size from Hessian geometry</p>
        <h1>{title}</h1>
        <p class="sub">
          {datasetLabel(r.dataset.name)} · {r.model.description} <code>{r.model.spec}</code> ·{" "}
          {fmtInt(r.model.parameters)} parameters · {r.backend} backend · {fmtTime(r.createdAt)}
        </p>
      </header>
      <section class="grid meta">
        <RunFacts result={r} />
        <div class="card">
          <h3>Timings</h3>
          <TimingsTable timings={r.timings} />
        </div>
      </section>
      <section>
        <h2>Thresholds</h2>
        <p class="muted">
          Headline k*: the first k after which the smoothed empirical Δ<sub>k</sub> stays below the tolerance.
        </p>
        <div class="grid cards">
          {view.tolerances.map((tol) => {
            const t = headlineThreshold(r, tol);
            return t
              ? (
                <div class={`card threshold ${t.kStar !== null ? "ok" : "warn"}`} key={tol}>
                  <h3 class="plain">
                    Δ<sub>tol</sub> = {fmtTolerance(tol)}
                  </h3>
                  <ThresholdHeadline
                    threshold={t}
                    fit={r.fits.find((f) => f.curve === "empirical") ?? null}
                    batchSize={r.config.batchSize}
                    batches={r.dataset.batches}
                    orderings={r.uncertainty?.orderings}
                  />
                </div>
              )
              : null;
          })}
        </div>
        <ThresholdTable thresholds={r.thresholds} batchSize={r.config.batchSize} />
      </section>
      {figs.kStarHistogram || figs.learningCurve
        ? (
          <section>
            <h2>How sure is k*?</h2>
            <div class="grid charts">
              {figs.kStarHistogram
                ? (
                  <FigureBox figure={figs.kStarHistogram}>
                    <Svg markup={renderSvg(figs.kStarHistogram, small)} />
                  </FigureBox>
                )
                : null}
              {figs.learningCurve
                ? (
                  <FigureBox figure={figs.learningCurve}>
                    <Svg markup={renderSvg(figs.learningCurve, small)} />
                  </FigureBox>
                )
                : null}
            </div>
          </section>
        )
        : null}
      <section>
        <h2>
          Δ<sub>k</sub> convergence
        </h2>
        <FigureBox figure={figs.delta} wide>
          <Svg markup={renderSvg(figs.delta, big)} />
        </FigureBox>
        <div class="grid charts">
          <FigureBox figure={figs.scaled}>
            <Svg markup={renderSvg(figs.scaled, small)} />
          </FigureBox>
          {figs.spectrum
            ? (
              <FigureBox figure={figs.spectrum}>
                <Svg markup={renderSvg(figs.spectrum, small)} />
              </FigureBox>
            )
            : null}
          <FigureBox figure={figs.eigen}>
            <Svg markup={renderSvg(figs.eigen, small)} />
          </FigureBox>
          <FigureBox figure={figs.eigenDiff}>
            <Svg markup={renderSvg(figs.eigenDiff, small)} />
          </FigureBox>
        </div>
      </section>
      <section>
        <h2>Power-law fits &amp; validity</h2>
        <div class="grid two">
          <div>
            <FitsTable fits={r.fits} />
          </div>
          <QuadraticCheckView check={r.quadraticCheck} sigma={r.config.sigma} />
        </div>
      </section>
      {r.exact && r.exact.k.length
        ? (
          <section>
            <h2>Exact vs projected eigenvalues</h2>
            <table class="data narrow">
              <thead>
                <tr>
                  <th class="num">k</th>
                  <th class="num">max relative gap</th>
                </tr>
              </thead>
              <tbody>
                {r.exact.k.map((k, i) => (
                  <tr key={k}>
                    <td class="num">{fmtInt(k)}</td>
                    <td class="num">{fmt(r.exact!.maxRelativeGap[i])}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        )
        : null}
      <section>
        <h2>Warnings</h2>
        <WarningsList warnings={r.warnings} />
      </section>
      <footer>
        Schema <code>{r.schema}</code> · generated {fmtTime(r.createdAt)}{" "}
        · the full result is embedded in this page as JSON (<code>#kstar-result</code>).
      </footer>
    </main>
  );
}

/**
 * The HTML report of one analysis: the run's facts and timings, a threshold card per tolerance and the table of
 * every threshold, the figures (Δ_k with its 95% band, theory and second order, tolerances and k*; Δ_k·k²; the
 * spectrum; the eigenvalue trajectories and their changes), the fits, the quadratic-regime check and the
 * warnings. Self-contained; the result is embedded in `<script type="application/json" id="kstar-result">`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { analyze, htmlReport } from "kstar";
 * const result = await analyze({ limit: 512, batchSize: 32, epochs: 1, d: 2, mcDraws: 4, workers: 0 });
 * const html = htmlReport(result, { title: "My run" });
 * assert.ok(html.startsWith("<!DOCTYPE html>") && html.includes("My run") && html.includes("<svg"));
 * ```
 */
export function htmlReport(result: AnalysisResult, opts: HtmlReportOptions = {}): string {
  const title = opts.title ?? `kstar report — ${datasetLabel(result.dataset.name)} · ${result.model.spec}`;
  const page = (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{title}</title>
        <style dangerouslySetInnerHTML={{ __html: REPORT_CSS }} />
      </head>
      <body>
        <Report result={result} title={title} />
        <script
          type="application/json"
          id="kstar-result"
          dangerouslySetInnerHTML={{ __html: scriptJson(result) }}
        />
      </body>
    </html>
  );
  return `<!DOCTYPE html>\n${renderToString(page)}\n`;
}
