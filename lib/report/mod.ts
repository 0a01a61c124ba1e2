/**
 * Reports of an analysis result: per-k curves as CSV, summary tables (text and markdown), SVG charts and a
 * self-contained HTML page. Every function returns a string; writing files is the caller's job.
 * @module
 */
export { csvField, type CsvOptions, csvRow, type CsvValue, CURVE_COLUMNS, curvesCsv } from "./csv.ts";
export {
  datasetLabel,
  findThreshold,
  formatDuration,
  formatSeconds,
  formatTolerance,
  formatValue,
  kLabel,
  summaryMarkdown,
  type SummaryOptions,
  type SummaryRow,
  summaryRows,
  summaryTable,
} from "./table.ts";
export {
  type Band,
  type ChartSpec,
  escapeXml,
  formatTick,
  lineChart,
  logTicks,
  niceTicks,
  PALETTE,
  type RefLine,
  type ScaleType,
  type Series,
} from "./svg.ts";
export { htmlReport, type HtmlReportOptions, scriptJson } from "./html.ts";
