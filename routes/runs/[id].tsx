/** @jsxRuntime automatic */
/** @jsxImportSource npm:preact@10.29.8 */
/**
 * The run page: live progress, threshold card with tolerance control, charts, fits and downloads.
 * @module
 */
import { Island } from "../../components/Island.tsx";
import { datasetLabel } from "../../lib/present/labels.ts";
import { ANALYSIS_FIELDS } from "../../lib/config/fields.ts";
import RunView, { type RunViewProps } from "../../islands/RunView.tsx";
import type { PageHandler, PageProps } from "../../server/context.ts";
import { notFound } from "../_404.tsx";

export const handler: PageHandler<RunViewProps> = async (c, ctx) => {
  const id = c.req.param("id")!;
  const run = await ctx.store.get(id);
  if (!run) return await notFound(c, `There is no run “${id}”.`);
  const result = run.hasResult ? await ctx.store.getResult(id) : null;
  const { min, max } = ANALYSIS_FIELDS.tolerances;
  return {
    title: `${datasetLabel(run.config.dataset)} · ${run.config.model} (${run.id})`,
    data: { run: { ...run, result }, tolerance: { min, max } },
  };
};

export default function RunPage({ data }: PageProps<RunViewProps>) {
  return <Island name="RunView" component={RunView} props={data} />;
}
