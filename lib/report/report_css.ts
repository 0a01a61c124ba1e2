/**
 * The report's inline stylesheet (the report is one self-contained file). It styles the shared components of
 * `lib/present/components/` under the same class names the dashboard's `static/styles.css` uses.
 * @module
 */

/** The CSS of the HTML report. */
export const REPORT_CSS = `
:root{--fg:#1a1d21;--muted:#5c636a;--line:#dee2e6;--bg:#f6f7f9;--card:#fff;--accent:#1f5fbf;--good:#2b8a3e;--bad:#c92a2a;color-scheme:light}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;-webkit-font-smoothing:antialiased}
main{max-width:1120px;margin:0 auto;padding:28px 20px 48px}
header{margin-bottom:18px}
.kicker{margin:0;color:var(--accent);font-size:12px;font-weight:600;letter-spacing:.06em;text-transform:uppercase}
h1{margin:4px 0 6px;font-size:26px;line-height:1.25}
h2{margin:30px 0 10px;font-size:19px;border-bottom:1px solid var(--line);padding-bottom:6px}
h3{margin:0 0 10px;font-size:14px;color:var(--muted);font-weight:600;text-transform:uppercase;letter-spacing:.04em}
h3.plain,h3.figure-title{text-transform:none;letter-spacing:0;font-size:15px;color:var(--fg)}
.sub{margin:0;color:var(--muted)}
sub,sup{font-size:.75em}
code{font:13px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#eef1f4;border-radius:4px;padding:1px 5px}
.grid{display:grid;gap:14px}
.meta{grid-template-columns:repeat(auto-fit,minmax(240px,1fr))}
.cards{grid-template-columns:repeat(auto-fit,minmax(300px,1fr));margin-bottom:14px}
.charts{grid-template-columns:repeat(auto-fit,minmax(440px,1fr))}
.two{grid-template-columns:repeat(auto-fit,minmax(320px,1fr));align-items:start}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:14px 16px;box-shadow:0 1px 2px rgba(0,0,0,.04)}
.threshold.ok{border-top:4px solid var(--good)}
.threshold.warn{border-top:4px solid var(--bad)}
.headline-numbers{display:flex;gap:28px;margin-bottom:8px}
.eyebrow{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.05em}
.kstar{font-size:30px;font-weight:700;font-variant-numeric:tabular-nums}
.kstar.miss{color:var(--bad);font-size:24px}
.kstar-samples{font-size:22px;font-weight:600;font-variant-numeric:tabular-nums}
.unit{font-size:13px;color:var(--muted);font-weight:400}
.prediction{margin:6px 0 0;font-size:14px}
.kstar-cell.predicted,.predicted{color:#862e9c}
.kstar-cell.not-reached{color:var(--bad)}
dl.stats{display:grid;grid-template-columns:auto 1fr;gap:4px 12px;margin:0;font-size:14px}
dt{color:var(--muted)}
dd{margin:0;font-variant-numeric:tabular-nums}
table{border-collapse:collapse;font-size:14px;font-variant-numeric:tabular-nums}
th,td{padding:5px 10px;text-align:left;border-bottom:1px solid var(--line)}
th{font-weight:600;color:var(--muted);font-size:12.5px}
.num{text-align:right;white-space:nowrap}
table.data{background:var(--card);border:1px solid var(--line);border-radius:8px;width:100%}
table.narrow{width:auto}
table.timings{width:100%;font-size:13px}
table.timings td{padding:3px 6px}
table.timings tfoot td{font-weight:600;border-bottom:0}
td.bar{width:40%}
td.bar span{display:block;height:8px;border-radius:4px;background:var(--accent);opacity:.7;min-width:1px}
figure{margin:0;background:var(--card);border:1px solid var(--line);border-radius:10px;padding:12px;overflow:hidden}
figure.wide{margin-bottom:14px}
h3.figure-title{margin:0 4px 6px}
figcaption{color:var(--muted);font-size:13px;padding:6px 6px 0}
svg.chart{display:block;width:100%;height:auto}
.badge{display:inline-block;font-size:11px;padding:1px 8px;border-radius:10px;color:#fff;vertical-align:1px;margin-left:6px;letter-spacing:.04em}
.badge.good{background:var(--good)}
.badge.bad{background:var(--bad)}
.badge-done{background:var(--good)}
.badge-failed,.badge-interrupted{background:var(--bad)}
.badge-queued,.badge-running,.badge-cancelled{background:var(--muted)}
.muted{color:var(--muted);font-size:13px}
.small{font-size:12.5px}
ul.warnings{margin:0;padding:12px 16px 12px 34px;background:#fff4e6;border:1px solid #ffd8a8;border-radius:8px}
ul.warnings li{margin:2px 0}
footer{margin-top:36px;color:var(--muted);font-size:12px;border-top:1px solid var(--line);padding-top:10px}
@media (max-width:520px){.charts{grid-template-columns:1fr}h1{font-size:21px}}
@media print{body{background:#fff}.card,figure{box-shadow:none;break-inside:avoid}}
`;
