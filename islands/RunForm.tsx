/** @jsxRuntime automatic */
/** @jsxImportSource npm:preact@10.29.8 */
/**
 * The form that submits an analysis, built from the run specification (`lib/config/fields.ts`): every field
 * with its label, default, range and help; the common ones up front, the rest under "Advanced". A server
 * error is shown on its field, by the field's label — and the "Advanced" section opens when the field is there.
 * @module
 */
import { seedList, SEEDS_ALLOWED } from "../lib/sweep/seeds.ts";
import { useRef, useState } from "npm:preact@10.29.8/hooks";
import type { FieldInfo } from "../lib/config/fields.ts";
import type { DatasetShape } from "../lib/config/plan.ts";
import { fmtInt } from "../lib/present/format.ts";
import { datasetLabel } from "../lib/present/labels.ts";
import { api, ApiRequestError } from "../components/api.ts";
import { useHydrated } from "../components/hooks.ts";

/** A dataset the form offers: a built-in, or one found under the data root (`GET /api/datasets`). */
export interface FormDataset {
  /** What the `dataset` field takes. */
  dataset: string;
  /** The detected format (`builtin`, `idx`, `csv`, `tsv`, `npy`, `images`). */
  format: string;
  /** Its shape with the default data options, or null when it could not be probed. */
  shape: Omit<DatasetShape, "name" | "format"> | null;
  /** Why it could not be probed. */
  error: string | null;
}

/** Props: the analysis fields, whether folder datasets are accepted, and the datasets found. */
export interface RunFormProps {
  fields: FieldInfo[];
  /** Whether folder datasets are accepted (a data root is configured). */
  dataRoot: boolean;
  /** The built-in datasets. */
  builtins: string[];
  /** The built-ins and the datasets found under the data root, with format and shape. */
  datasets?: FormDataset[];
}

const FORMAT_LABELS: Record<string, string> = {
  builtin: "built-in",
  idx: "IDX",
  csv: "CSV",
  tsv: "TSV",
  npy: "NumPy",
  images: "images",
};

/** `CSV · 4 features · 3 classes · 120 / 30` — a dataset's format and shape in one line. */
export function datasetSummary(d: FormDataset): string {
  const format = FORMAT_LABELS[d.format] ?? d.format;
  if (!d.shape) return `${format} · not usable: ${d.error ?? "unknown problem"}`;
  const s = d.shape;
  const size = s.kind === "table"
    ? `${fmtInt(s.width)} features`
    : `${s.height}×${s.width}${s.channels > 1 ? `×${s.channels}` : ""}`;
  return `${format} · ${size} · ${s.classes} classes · ${fmtInt(s.trainSamples)} / ${fmtInt(s.testSamples)}`;
}

type Values = Record<string, string>;

/** A quick configuration that finishes in seconds. */
const SMALL: Values = { limit: "512", batchSize: "32", epochs: "1", d: "3", mcDraws: "8", workers: "0" };
const MODELS = ["mlp:128,64", "mlp:128", "mlp:256,128", "cnn", "cnn:16,32"];
const FOLDER = "\u0000folder";

function text(v: unknown): string {
  return v === null || v === undefined ? "" : Array.isArray(v) ? v.join(", ") : String(v);
}

function initialValues(fields: FieldInfo[]): Values {
  return Object.fromEntries(fields.map((f) => [f.key, text(f.default)]));
}

/**
 * The form's values as a config body: empty nullable fields become null, numbers are parsed; a field key →
 * message for input that is not even of the right kind (ranges are the server's to check).
 */
export function toConfig(fields: FieldInfo[], v: Values, folder: string): {
  config: Record<string, unknown>;
  errors: Record<string, string>;
} {
  const config: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const f of fields) {
    const raw = (f.key === "dataset" && v.dataset === FOLDER ? folder : v[f.key] ?? "").trim();
    if (raw === "") {
      if (f.nullMeans !== undefined) config[f.key] = null;
      else errors[f.key] = f.key === "dataset" ? "enter a folder inside the data root" : "required";
      continue;
    }
    if (f.kind === "integer" || f.kind === "number") {
      const n = Number(raw);
      if (!Number.isFinite(n)) errors[f.key] = `not a number; ${f.allowed}`;
      config[f.key] = n;
    } else if (f.kind === "numbers") {
      const list = raw.split(/[\s,;]+/).filter((s) => s !== "").map(Number);
      if (list.some((x) => !Number.isFinite(x))) {
        errors[f.key] = `a comma-separated list of numbers; ${f.allowed}`;
      }
      config[f.key] = list;
    } else if (f.kind === "boolean") config[f.key] = raw === "true";
    else config[f.key] = raw;
  }
  return { config, errors };
}

export default function RunForm({ fields, dataRoot, builtins, datasets }: RunFormProps) {
  const offered: FormDataset[] = datasets ??
    builtins.map((b) => ({ dataset: b, format: "builtin", shape: null, error: null }));
  const hydrated = useHydrated();
  const [values, setValues] = useState<Values>(() => initialValues(fields));
  const [folder, setFolder] = useState("");
  // Training seeds: one analysis per seed, submitted as a sweep (the sweep page shows k*·B per seed).
  const [seeds, setSeeds] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const advanced = useRef<HTMLDetailsElement>(null);
  const byKey = new Map(fields.map((f) => [f.key, f]));

  const set = (k: string) => (e: Event) => {
    const t = e.currentTarget as HTMLInputElement;
    setValues((v) => ({ ...v, [k]: t.type === "checkbox" ? String(t.checked) : t.value }));
    setErrors(({ [k]: _, ...rest }) => rest);
  };
  const show = (errs: Record<string, string>) => {
    setErrors(errs);
    if (Object.keys(errs).some((k) => byKey.get(k)?.advanced) && advanced.current) {
      advanced.current.open = true;
    }
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    const { config, errors: local } = toConfig(fields, values, folder);
    if (Object.keys(local).length) {
      show(local);
      setMessage(`Please correct: ${Object.keys(local).map((k) => byKey.get(k)?.label ?? k).join(", ")}.`);
      return;
    }
    let seedValues: number[] | null = null;
    if (seeds.trim() !== "") {
      try {
        seedValues = seedList(seeds, typeof config.seed === "number" ? config.seed : 0, "seeds");
        delete config.seed;
      } catch (err) {
        show({ seeds: (err as Error).message.replace(/^seeds: /, "") });
        setMessage(`Please correct: Training seeds.`);
        if (advanced.current) advanced.current.open = true;
        return;
      }
    }
    setBusy(true);
    setMessage(null);
    try {
      if (seedValues) {
        const sweep = await api.submitSweep({
          name: `seeds ${seedValues.join(", ")}`,
          base: config,
          grid: { seed: seedValues },
        });
        location.assign(`/sweeps/${encodeURIComponent(sweep.id)}`);
        return;
      }
      const run = await api.submit(config);
      location.assign(`/runs/${encodeURIComponent(run.id)}`);
    } catch (err) {
      setBusy(false);
      if (err instanceof ApiRequestError) {
        const b = err.body;
        const f = b.field
          ? byKey.get(b.field.replace(/^(base|grid)\./, "").replace(/\[\d+\]$/, ""))
          : undefined;
        if (f) show({ [f.key]: b.allowed ? `allowed: ${b.allowed}` : b.error });
        setMessage(
          err.status === 429
            ? "The queue is full — try again when a run has finished."
            : f
            ? `${f.label}: ${b.error.replace(/^[\w.]+: /, "")}`
            : b.error,
        );
      } else setMessage(`Could not submit: ${(err as Error).message}`);
    }
  };

  const control = (f: FieldInfo) => {
    if (f.kind === "choice") {
      return (
        <select name={f.key} value={values[f.key]} onChange={set(f.key)}>
          {(f.choices ?? []).map((c) => <option key={c} value={c}>{c}</option>)}
        </select>
      );
    }
    if (f.kind === "boolean") {
      return <input type="checkbox" name={f.key} checked={values[f.key] === "true"} onChange={set(f.key)} />;
    }
    if (f.kind === "integer" || f.kind === "number") {
      return (
        <input
          type="number"
          name={f.key}
          value={values[f.key]}
          min={f.exclusiveMin ? undefined : f.min}
          max={f.max}
          step={f.kind === "integer" ? "1" : "any"}
          placeholder={f.nullMeans}
          onInput={set(f.key)}
        />
      );
    }
    return (
      <input
        type="text"
        name={f.key}
        value={values[f.key]}
        placeholder={f.nullMeans}
        list={f.key === "model" ? "model-options" : undefined}
        onInput={set(f.key)}
      />
    );
  };

  const field = (f: FieldInfo) => {
    if (f.key === "dataset") {
      return (
        <>
          <label key="dataset" class={`field span-2${errors.dataset ? " invalid" : ""}`}>
            <span class="field-label">{f.label}</span>
            <select
              name="dataset"
              value={values.dataset}
              onChange={set("dataset")}
              data-testid="dataset-select"
            >
              {offered.map((d) => (
                <option
                  key={d.dataset}
                  value={d.dataset}
                  disabled={d.format !== "builtin" && d.shape === null}
                  title={d.error ?? undefined}
                  data-format={d.format}
                >
                  {d.format === "builtin" ? datasetLabel(d.dataset) : d.dataset}
                  {d.shape || d.error ? ` — ${datasetSummary(d)}` : ""}
                </option>
              ))}
              {dataRoot ? <option value={FOLDER}>Other path under the data root…</option> : null}
            </select>
            <span class="field-hint">
              {values.dataset === FOLDER ? "" : errors.dataset ??
                (dataRoot
                  ? "built-in, or a dataset under the data root: IDX, NumPy or image folders, CSV/TSV tables"
                  : "built-in datasets")}
            </span>
          </label>
          {values.dataset === FOLDER
            ? (
              <label key="folder" class={`field span-2${errors.dataset ? " invalid" : ""}`}>
                <span class="field-label">Path (relative to the data root)</span>
                <input
                  type="text"
                  name="datasetFolder"
                  value={folder}
                  placeholder="my-data"
                  onInput={(e) => setFolder((e.currentTarget as HTMLInputElement).value)}
                />
                <span class="field-hint">
                  {errors.dataset ??
                    "a folder (IDX files, x_train.npy…, or train/<class>/*.png) or a .csv/.tsv table"}
                </span>
              </label>
            )
            : null}
        </>
      );
    }
    const wide = f.key === "model" || f.kind === "numbers";
    return (
      <label
        key={f.key}
        class={`field${wide ? " span-2" : ""}${errors[f.key] ? " invalid" : ""}`}
        data-field={f.key}
      >
        <span class="field-label">{f.label}</span>
        {control(f)}
        <span class="field-hint" title={f.allowed}>{errors[f.key] ?? f.help}</span>
      </label>
    );
  };

  return (
    <form
      class="run-form"
      onSubmit={submit}
      noValidate
      data-testid="run-form"
      data-hydrated={hydrated ? "1" : undefined}
    >
      <div class="form-grid">{fields.filter((f) => !f.advanced).map(field)}</div>
      <datalist id="model-options">{MODELS.map((m) => <option key={m} value={m} />)}</datalist>
      <details class="advanced" ref={advanced}>
        <summary>Advanced options</summary>
        <div class="form-grid">
          {fields.filter((f) => f.advanced).map(field)}
          <label class={`field${errors.seeds ? " invalid" : ""}`} data-field="seeds">
            <span class="field-label">Training seeds</span>
            <input
              type="text"
              name="seeds"
              value={seeds}
              placeholder="one run"
              data-testid="seeds"
              onInput={(e) => {
                setSeeds((e.currentTarget as HTMLInputElement).value);
                setErrors(({ seeds: _, ...rest }) => rest);
              }}
            />
            <span class="field-hint" title={SEEDS_ALLOWED}>
              {errors.seeds ?? "e.g. 0..4: the analysis once per seed, as a sweep (k*·B per seed)"}
            </span>
          </label>
        </div>
      </details>
      {message ? <p class="form-message" role="alert" data-testid="form-message">{message}</p> : null}
      <div class="form-actions">
        <button
          type="button"
          class="btn btn-ghost"
          onClick={() => {
            setValues((v) => ({ ...v, ...SMALL }));
            setErrors({});
          }}
          title="limit 512, B 32, 1 epoch, d 3, 8 draws, in-process"
          data-testid="preset-small"
        >
          Quick preset
        </button>
        <button
          type="button"
          class="btn btn-ghost"
          onClick={() => {
            setValues(initialValues(fields));
            setErrors({});
            setMessage(null);
          }}
        >
          Defaults
        </button>
        <button type="submit" class="btn btn-primary" disabled={busy} data-testid="submit-run">
          {busy ? "Submitting…" : "Run analysis"}
        </button>
      </div>
    </form>
  );
}
