/** @jsxRuntime automatic */
/** @jsxImportSource npm:preact@10.29.8 */
/**
 * The run page: live progress, threshold card with tolerance control, charts, fits and downloads.
 * @module
 */
import { Island } from "../../components/Island.tsx";
import { datasetLabel } from "../../components/format.ts";
import RunView from "../../islands/RunView.tsx";
import type { PageHandler, PageProps } from "../../server/context.ts";
import type { RunDetail } from "../../server/types.ts";
import { notFound } from "../_404.tsx";

export const handler: PageHandler<RunDetail> = async (c, ctx) => {
  const id = c.req.param("id")!;
  const run = await ctx.store.get(id);
  if (!run) return await notFound(c, `There is no run “${id}”.`);
  const result = run.hasResult ? await ctx.store.getResult(id) : null;
  return {
    title: `${datasetLabel(run.config.dataset)} · ${run.config.model} (${run.id})`,
    data: { ...run, result },
  };
};

export default function RunPage({ data }: PageProps<RunDetail>) {
  return <Island name="RunView" component={RunView} props={{ run: data }} />;
}
