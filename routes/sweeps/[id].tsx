/** @jsxRuntime automatic */
/** @jsxImportSource npm:preact@10.29.8 */
/**
 * The sweep page: progress of all its runs, k*·B per grid point across seeds, median Δ_k, downloads.
 * @module
 */
import { Island } from "../../components/Island.tsx";
import SweepView, { type SweepViewProps } from "../../islands/SweepView.tsx";
import type { PageHandler, PageProps } from "../../server/context.ts";
import { sweepDetail } from "../../server/sweeps.ts";
import { notFound } from "../_404.tsx";

export const handler: PageHandler<SweepViewProps> = async (c, ctx) => {
  const id = c.req.param("id")!;
  const sweep = await sweepDetail(ctx, id);
  if (!sweep) return await notFound(c, `There is no sweep “${id}”.`);
  return { title: `Sweep ${sweep.name ?? ""} (${sweep.id})`, data: { sweep } };
};

export default function SweepPage({ data }: PageProps<SweepViewProps>) {
  return <Island name="SweepView" component={SweepView} props={data} />;
}
