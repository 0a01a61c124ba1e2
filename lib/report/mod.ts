/**
 * Reports of an analysis result: per-k curves as CSV, the summary table (text and markdown), SVG figures and a
 * self-contained HTML page. Every function returns a string; writing files is the caller's job.
 * @module
 */
export {
  bandColumn,
  csvField,
  type CsvOptions,
  csvRow,
  type CsvValue,
  CURVE_COLUMNS,
  curvesCsv,
  THRESHOLD_COLUMNS,
  thresholdsCsv,
} from "./csv.ts";
export { summaryMarkdown, type SummaryOptions, type SummaryRow, summaryRows, summaryTable } from "./table.ts";
export { renderSvg } from "./svg.ts";
export { htmlReport, type HtmlReportOptions } from "./html.tsx";
