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

const FORMATS: Record<string, string> = {
  builtin: "built-in (npm package)",
  idx: "IDX files",
  csv: "CSV table",
  tsv: "TSV table",
  npy: "NumPy arrays",
  images: "image folders (PNG/JPEG)",
  arrays: "arrays in memory",
};

/** The class names, when they say more than their indices (at most 12 shown). */
function classNamesLine(names: readonly string[] | undefined): string | null {
  if (!names || names.every((n, i) => n === String(i))) return null;
  const shown = names.slice(0, 12).join(", ");
  return names.length > 12 ? `${shown}, … (${names.length})` : shown;
}

/** What was done to the data before training, as fact rows. */
export function preprocessingFacts(ds: AnalysisResult["dataset"]): [string, string][] {
  const p = ds.preprocessing;
  if (!p) return [];
  const rows: [string, string][] = [];
  const values = [
    p.scale === "bytes/255" ? "bytes scaled to [0, 1]" : "values as stored",
    p.resize ? `resized to ${p.resize} (bilinear)` : null,
  ].filter(Boolean).join(", ");
  rows.push(["values", values]);
  if (p.standardization) {
    const st = p.standardization;
    rows.push([
      "standardised",
      `each of ${plural(st.features, "feature")} by the training mean and standard deviation (means ${
        fmt(st.meanRange[0])
      } to ${fmt(st.meanRange[1])}, deviations ${fmt(st.stdRange[0])} to ${fmt(st.stdRange[1])}${
        st.constant ? `; ${plural(st.constant, "constant feature")} only centred` : ""
      }; digest ${st.digest})`,
    ]);
  } else if (ds.kind === "table") rows.push(["standardised", "no"]);
  rows.push([
    "order",
    p.order === "shuffle"
      ? `shuffled (seed ${p.seed})`
      : p.order === "files"
      ? "the files' order"
      : "as stored",
  ]);
  const t = p.testSplit;
  rows.push([
    "test split",
    t.source === "file"
      ? `from ${t.file}`
      : t.source === "fraction"
      ? `${fmtPercent(t.fraction, 0)} held out, stratified by class (seed ${t.seed})`
      : "as stored",
  ]);
  return rows;
}

/** The facts of a result, in four groups. */
export function runFacts(r: AnalysisResult): { title: string; rows: [string, JSX.Element | string][] }[] {
  const ds = r.dataset, c = r.config, tr = r.training;
  return [
    {
      title: "Dataset",
      rows: [
        ["name", datasetLabel(ds.name)],
        ...(ds.format ? [["format", FORMATS[ds.format] ?? ds.format] as [string, string]] : []),
        [
          "inputs",
          `${
            ds.kind === "table"
              ? plural(ds.width, "feature")
              : `${fmtInt(ds.height)} × ${fmtInt(ds.width)}${ds.channels > 1 ? ` × ${ds.channels}` : ""}`
          }, ${plural(ds.classes, "class", "classes")}`,
        ],
        ...(classNamesLine(ds.classNames)
          ? [["classes", classNamesLine(ds.classNames)!] as [string, string]]
          : []),
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
        ...preprocessingFacts(ds),
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
