/** @jsxRuntime automatic */
/** @jsxImportSource npm:preact@10.29.8 */
/**
 * What a run was: its dataset, model and training, analysis settings and compute, as definition lists. The
 * report's header cards and the dashboard's overview card.
 * @module
 */
import type { JSX } from "npm:preact@10.29.8";
import type { AnalysisResult } from "../../analysis/types.ts";
import { fmt, fmtInt, fmtPercent, fmtTime, plural } from "../format.ts";
import { datasetLabel } from "../labels.ts";

/** One fact list. */
function Facts({ rows }: { rows: [string, JSX.Element | string][] }): JSX.Element {
  return (
    <dl class="stats">
      {rows.map(([k, v]) => [<dt key={`${k}-t`}>{k}</dt>, <dd key={`${k}-d`}>{v}</dd>])}
    </dl>
  );
}

/** The facts of a result, in four groups. */
export function runFacts(r: AnalysisResult): { title: string; rows: [string, JSX.Element | string][] }[] {
  const ds = r.dataset, c = r.config, tr = r.training;
  return [
    {
      title: "Dataset",
      rows: [
        ["name", datasetLabel(ds.name)],
        [
          "inputs",
          `${fmtInt(ds.height)} × ${fmtInt(ds.width)}${ds.channels > 1 ? ` × ${ds.channels}` : ""}, ${
            plural(ds.classes, "class", "classes")
          }`,
        ],
        ["train / test", `${fmtInt(ds.trainSamples)} / ${fmtInt(ds.testSamples)}`],
        [
          "analysed",
          `${plural(ds.batches, "batch", "batches")} × ${fmtInt(c.batchSize)} = ${
            plural(ds.usedSamples, "sample")
          }`,
        ],
        ...(ds.droppedSamples
          ? [
            ["not analysed", `${plural(ds.droppedSamples, "sample")} after the last full batch`] as [
              string,
              string,
            ],
          ]
          : []),
      ],
    },
    {
      title: "Model & training",
      rows: [
        [
          "model",
          <span key="model">
            {r.model.description} <code>{r.model.spec}</code>
          </span>,
        ],
        ["parameters", fmtInt(r.model.parameters)],
        [
          "training",
          `${plural(c.epochs, "epoch")}, Adam lr ${fmt(c.learningRate)}, batch ${fmtInt(c.trainBatchSize)}`,
        ],
        ["train", `${fmtPercent(tr.trainAccuracy, 2)} accuracy, loss ${fmt(tr.trainLoss, 4)}`],
        ["test", `${fmtPercent(tr.testAccuracy, 2)} accuracy, loss ${fmt(tr.testLoss, 4)}`],
      ],
    },
    {
      title: "Analysis",
      rows: [
        ["directions d", fmtInt(c.d)],
        ["Monte Carlo", `${plural(c.mcDraws, "draw")} of θ ~ N(0, σ²I), σ = ${fmt(c.sigma)}`],
        [
          "eigenvalues",
          c.eigenMode === "exact"
            ? `projected, and exact every ${plural(c.exactEvery, "batch", "batches")}`
            : "projected (Λ_k = PᵀH_kP)",
        ],
        [
          "Lanczos",
          `${plural(r.spectrum.hvps, "HVP")}, tolerance ${fmt(c.lanczosTol)}, ${
            r.spectrum.converged ? "converged" : "not converged"
          }`,
        ],
        ["seed", String(c.seed)],
      ],
    },
    {
      title: "Compute",
      rows: [
        ["backend", `${r.backend}${r.adapter ? ` (${r.adapter})` : ""}, ${plural(r.workers, "worker")}`],
        ["finished", fmtTime(r.createdAt)],
      ],
    },
  ];
}

/** The fact groups as cards (`card` class) with a heading each. */
export function RunFacts({ result, groups }: { result: AnalysisResult; groups?: string[] }): JSX.Element {
  const all = runFacts(result).filter((g) => !groups || groups.includes(g.title));
  return (
    <>
      {all.map((g) => (
        <div class="card facts" key={g.title}>
          <h3>{g.title}</h3>
          <Facts rows={g.rows} />
        </div>
      ))}
    </>
  );
}
