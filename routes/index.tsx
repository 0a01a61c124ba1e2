/** @jsxRuntime automatic */
/** @jsxImportSource npm:preact@10.29.8 */
/**
 * The dashboard: the run list and the form to submit an analysis.
 * @module
 */
import { fieldInfos } from "../lib/config/fields.ts";
import { BUILTIN_DATASETS } from "../lib/config/choices.ts";
import { Island } from "../components/Island.tsx";
import RunForm, { type RunFormProps } from "../islands/RunForm.tsx";
import RunTable from "../islands/RunTable.tsx";
import type { PageHandler, PageProps } from "../server/context.ts";
import type { RunSummary } from "../server/types.ts";
import { datasetEntries } from "./api/datasets.ts";

interface Data {
  runs: RunSummary[];
  form: RunFormProps;
}

export const handler: PageHandler<Data> = async (_c, ctx) => ({
  title: "Runs",
  data: {
    runs: await ctx.store.list({ limit: 200 }),
    form: {
      fields: fieldInfos("analysis"),
      dataRoot: ctx.options.dataRoot !== null,
      builtins: [...BUILTIN_DATASETS],
      datasets: (await datasetEntries(ctx)).datasets,
    },
  },
});

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
        <section class="card">
          <div class="card-title">All runs</div>
          <Island name="RunTable" component={RunTable} props={{ runs: data.runs }} />
        </section>
        <section class="card form-card">
          <div class="card-title">New analysis</div>
          <Island name="RunForm" component={RunForm} props={data.form} />
        </section>
      </div>
    </div>
  );
}
