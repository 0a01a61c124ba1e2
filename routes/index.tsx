/** @jsxRuntime automatic */
/** @jsxImportSource npm:preact@10.29.8 */
/**
 * The dashboard: the run list, the sweeps (with their runs' progress), and the form to submit an analysis (or,
 * with training seeds, a sweep over them).
 * @module
 */
import { fieldInfos } from "../lib/config/fields.ts";
import { BUILTIN_DATASETS } from "../lib/config/choices.ts";
import { Island } from "../components/Island.tsx";
import RunForm, { type RunFormProps } from "../islands/RunForm.tsx";
import RunTable from "../islands/RunTable.tsx";
import type { PageHandler, PageProps } from "../server/context.ts";
import { isFinal, type RunStatus, type RunSummary } from "../server/types.ts";
import type { SweepListEntry } from "../lib/present/components/SweepTables.tsx";
import { SweepListTable } from "../lib/present/components/SweepTables.tsx";
import { datasetEntries } from "./api/datasets.ts";

interface Data {
  runs: RunSummary[];
  /** The newest sweeps, with how many of their runs have ended. */
  sweeps: SweepListEntry[];
  form: RunFormProps;
}

/** How many runs these counts per status have ended. */
function ended(counts: Partial<Record<RunStatus, number>>): number {
  return Object.entries(counts).reduce((n, [s, k]) => (isFinal(s as RunStatus) ? n + k : n), 0);
}

export const handler: PageHandler<Data> = async (_c, ctx) => {
  const runs = await ctx.store.list({ limit: 200 });
  const sweeps = await ctx.store.listSweeps(20);
  const counts = await ctx.store.sweepStatusCounts(sweeps.map((sw) => sw.id));
  return {
    title: "Runs",
    data: {
      runs,
      sweeps: sweeps.map((sw) => ({ ...sw, ended: ended(counts.get(sw.id)!) })),
      form: {
        fields: fieldInfos("analysis"),
        dataRoot: ctx.options.dataRoot !== null,
        builtins: [...BUILTIN_DATASETS],
        datasets: (await datasetEntries(ctx)).datasets,
      },
    },
  };
};

export default function Dashboard({ data }: PageProps<Data>) {
  return (
    <div class="dashboard">
      <div class="page-head">
        <div>
          <h1>Runs</h1>
          <p class="lead">
            Each run trains the model, projects the loss landscape onto the top-d Hessian eigen-directions and
            measures how much it still moves when one more batch is added. k* is where Δ<sub>k</sub>{" "}
            stays below the tolerance; |D| = k*·B samples are enough.
          </p>
        </div>
      </div>
      <div class="grid-main">
        <div>
          <section class="card">
            <div class="card-title">All runs</div>
            <Island name="RunTable" component={RunTable} props={{ runs: data.runs }} />
          </section>
          {data.sweeps.length
            ? (
              <section class="card" data-testid="sweep-list">
                <div class="card-title">Sweeps</div>
                <SweepListTable sweeps={data.sweeps} />
              </section>
            )
            : null}
        </div>
        <section class="card form-card">
          <div class="card-title">New analysis</div>
          <Island name="RunForm" component={RunForm} props={data.form} />
        </section>
      </div>
    </div>
  );
}
