/**
 * The downloads of a finished run (its result JSON, per-k CSV and HTML report) and of a sweep (its document
 * and CSV).
 * @module
 */
import type { Context } from "npm:hono@4.13.19";
import type { AnalysisResult } from "../lib/analysis/types.ts";
import type { SweepDocument } from "../lib/sweep/summary.ts";
import type { AppContext } from "./context.ts";
import { apiError } from "./http.ts";
import { sweepDocumentOf } from "./sweeps.ts";

/** Answers with `render(result)` as an attachment, or 404/409 when the run or its result is missing. */
export async function download(
  c: Context,
  ctx: AppContext,
  file: { name: string; type: string; render: (r: AnalysisResult) => string },
): Promise<Response> {
  const id = c.req.param("id")!;
  const run = await ctx.store.get(id);
  if (!run) return apiError(c, 404, { error: `no run "${id}"` });
  const result = run.hasResult ? await ctx.store.getResult(id) : null;
  if (!result) return apiError(c, 409, { error: `run "${id}" is ${run.status} and has no result` });
  const inline = c.req.query("inline") === "1";
  return c.body(file.render(result), 200, {
    "Content-Type": file.type,
    "Content-Disposition": `${inline ? "inline" : "attachment"}; filename="kstar-${id}-${file.name}"`,
    "Cache-Control": "no-cache",
    // The report is self-contained: inline styles and SVG, no scripts.
    ...(file.type.startsWith("text/html")
      ? { "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox" }
      : {}),
  });
}

/** Answers with `render(sweep document)` as an attachment (`?inline=1`: inline), or 404 for an unknown sweep. */
export async function sweepDownload(
  c: Context,
  ctx: AppContext,
  file: { name: string; type: string; render: (doc: SweepDocument) => string },
): Promise<Response> {
  const id = c.req.param("id")!;
  const doc = await sweepDocumentOf(ctx, id);
  if (!doc) return apiError(c, 404, { error: `no sweep "${id}"` });
  const inline = c.req.query("inline") === "1";
  return c.body(file.render(doc), 200, {
    "Content-Type": file.type,
    "Content-Disposition": `${inline ? "inline" : "attachment"}; filename="kstar-${id}-${file.name}"`,
    "Cache-Control": "no-cache",
  });
}
