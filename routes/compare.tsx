/** @jsxRuntime automatic */
/** @jsxImportSource npm:preact@10.29.8 */
/**
 * The compare page: Δ_k and k* of several finished runs overlaid (`/compare?ids=a,b,c`).
 * @module
 */
import { Island } from "../components/Island.tsx";
import CompareView, { type CompareViewProps } from "../islands/CompareView.tsx";
import type { PageHandler, PageProps } from "../server/context.ts";
import { ANALYSIS_FIELDS } from "../lib/config/fields.ts";

export const handler: PageHandler<CompareViewProps> = async (c, ctx) => {
  const ids = (c.req.query("ids") ?? "").split(",").map((s) => s.trim()).filter((s) => s !== "").slice(0, 20);
  const runs = await ctx.store.list({ status: ["done"], limit: 200 });
  const known = new Set(runs.map((r) => r.id));
  const { min, max } = ANALYSIS_FIELDS.tolerances;
  return {
    title: "Compare",
    data: {
      runs,
      // Without a selection, the three most recent runs.
      selected: ids.length ? ids.filter((id) => known.has(id)) : runs.slice(0, 3).map((r) => r.id),
      missing: ids.filter((id) => !known.has(id)),
      tolerance: { min, max },
    },
  };
};

export default function ComparePage({ data }: PageProps<CompareViewProps>) {
  return (
    <div>
      <div class="page-head">
        <div>
          <h1>Compare runs</h1>
          <p class="lead">
            Δ<sub>k</sub>{" "}
            of several runs on one chart, with each run’s k* at a common tolerance. Plot against |D| = k·B to
            compare runs with different batch sizes.
          </p>
        </div>
      </div>
      <Island name="CompareView" component={CompareView} props={data} />
    </div>
  );
}
