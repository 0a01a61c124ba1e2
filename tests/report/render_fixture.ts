/**
 * Renders the fixture report for a visual check (not a test):
 * `deno run --allow-write tests/report/render_fixture.ts [out.html]`.
 * @module
 */
import { htmlReport } from "../../lib/report/html.tsx";
import { makeResult } from "./fixture.ts";

const out = Deno.args[0] ?? "/tmp/kstar-report.html";
const result = makeResult({
  exact: Deno.args.includes("--exact"),
  warnings: ["Lanczos reached the iteration cap before all residuals fell below 1e-3 (synthetic example)."],
});
await Deno.writeTextFile(out, htmlReport(result));
console.log(`wrote ${out}`);
