/** @jsxRuntime automatic */
/** @jsxImportSource npm:preact@10.29.8 */
/**
 * The form that submits an analysis: every config field with its default and bounds, the common ones up front
 * and the rest under "Advanced". Server validation errors are shown on their field.
 * @module
 */
import { useState } from "npm:preact@10.29.8/hooks";
import type { AnalysisConfig } from "../lib/analysis/types.ts";
import { api, ApiRequestError } from "../components/api.ts";
import { useHydrated } from "../components/hooks.ts";

/** Props: the defaults and bounds of every field (from `lib/analysis/config.ts`). */
export interface RunFormProps {
  defaults: AnalysisConfig;
  limits: Record<string, number>;
  /** Whether folder datasets are accepted (a data root is configured). */
  dataRoot: boolean;
  backends: string[];
}

type Values = Record<string, string>;

const NUMERIC = [
  "limit",
  "batchSize",
  "d",
  "samples",
  "sigma",
  "epochs",
  "learningRate",
  "trainBatchSize",
  "seed",
  "workers",
  "lanczosTol",
  "exactEvery",
] as const;

/** A quick configuration that finishes in seconds. */
const SMALL: Values = { limit: "512", batchSize: "32", epochs: "1", d: "3", samples: "8", workers: "0" };

function initialValues(d: AnalysisConfig): Values {
  const v: Values = {};
  for (const [k, x] of Object.entries(d)) {
    v[k] = x === null ? "" : Array.isArray(x) ? x.join(", ") : String(x);
  }
  v.datasetFolder = "";
  return v;
}

/** The form's values as a config body (empty optional fields → null); a field name → message for bad input. */
export function toConfig(v: Values): { config: Record<string, unknown>; errors: Record<string, string> } {
  const config: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  config.dataset = v.dataset === "folder" ? v.datasetFolder.trim() : v.dataset;
  if (config.dataset === "") errors.dataset = "enter a folder inside the data root";
  config.model = v.model.trim();
  for (const k of NUMERIC) {
    const raw = (v[k] ?? "").trim();
    if (raw === "") {
      if (k === "limit" || k === "workers") config[k] = null;
      else errors[k] = "required";
      continue;
    }
    const n = Number(raw);
    if (!Number.isFinite(n)) errors[k] = "not a number";
    config[k] = n;
  }
  const tol = (v.tolerances ?? "").trim();
  if (tol === "") config.tolerances = null;
  else {
    const list = tol.split(/[\s,;]+/).filter((s) => s !== "").map(Number);
    if (list.some((x) => !Number.isFinite(x))) errors.tolerances = "a comma-separated list of numbers";
    config.tolerances = list;
  }
  config.backend = v.backend;
  config.eigenMode = v.eigenMode;
  return { config, errors };
}

export default function RunForm({ defaults, limits, dataRoot, backends }: RunFormProps) {
  const hydrated = useHydrated();
  const [values, setValues] = useState<Values>(() => initialValues(defaults));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (k: string) => (e: Event) => {
    const t = e.currentTarget as HTMLInputElement;
    setValues((v) => ({ ...v, [k]: t.value }));
    setErrors((x) => {
      const { [k]: _, ...rest } = x;
      return rest;
    });
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    const { config, errors: local } = toConfig(values);
    if (Object.keys(local).length) {
      setErrors(local);
      setMessage("Please correct the highlighted fields.");
      return;
    }
    setBusy(true);
    setMessage(null);
    try {
      const run = await api.submit(config);
      location.assign(`/runs/${encodeURIComponent(run.id)}`);
    } catch (err) {
      setBusy(false);
      if (err instanceof ApiRequestError) {
        const b = err.body;
        if (b.field) {
          setErrors({
            [b.field === "dataset" && values.dataset === "folder" ? "datasetFolder" : b.field]: b.allowed
              ? `allowed: ${b.allowed}`
              : b.error,
          });
        }
        setMessage(err.status === 429 ? "The queue is full — try again when a run has finished." : b.error);
      } else setMessage(`Could not submit: ${(err as Error).message}`);
    }
  };

  const num = (
    k: string,
    label: string,
    hint: string,
    opts: { min?: number; max?: number; step?: string; placeholder?: string } = {},
  ) => (
    <label class={`field${errors[k] ? " invalid" : ""}`}>
      <span class="field-label">{label}</span>
      <input
        type="number"
        name={k}
        value={values[k]}
        min={opts.min}
        max={opts.max ?? limits[k]}
        step={opts.step ?? "1"}
        placeholder={opts.placeholder}
        onInput={set(k)}
      />
      <span class="field-hint">{errors[k] ?? hint}</span>
    </label>
  );

  return (
    <form
      class="run-form"
      onSubmit={submit}
      noValidate
      data-testid="run-form"
      data-hydrated={hydrated ? "1" : undefined}
    >
      <div class="form-grid">
        <label class={`field span-2${errors.dataset ? " invalid" : ""}`}>
          <span class="field-label">Dataset</span>
          <select name="dataset" value={values.dataset} onChange={set("dataset")}>
            <option value="mnist">MNIST</option>
            <option value="fashion-mnist">Fashion-MNIST</option>
            {dataRoot ? <option value="folder">Folder of IDX files…</option> : null}
          </select>
          <span class="field-hint">
            {errors.dataset ?? (dataRoot ? "built-in, or a folder under the data root" : "built-in datasets")}
          </span>
        </label>
        {values.dataset === "folder"
          ? (
            <label class={`field span-2${errors.datasetFolder ? " invalid" : ""}`}>
              <span class="field-label">Folder (relative to the data root)</span>
              <input
                type="text"
                name="datasetFolder"
                value={values.datasetFolder}
                placeholder="my-data"
                onInput={set("datasetFolder")}
              />
              <span class="field-hint">{errors.datasetFolder ?? "train/t10k IDX files, MNIST layout"}</span>
            </label>
          )
          : null}
        <label class={`field span-2${errors.model ? " invalid" : ""}`}>
          <span class="field-label">Model</span>
          <input type="text" name="model" value={values.model} list="model-options" onInput={set("model")} />
          <datalist id="model-options">
            <option value="mlp:128,64" />
            <option value="mlp:128" />
            <option value="mlp:256,128" />
            <option value="cnn" />
            <option value="cnn:16,32" />
          </datalist>
          <span class="field-hint">{errors.model ?? "mlp:W1,W2,… or cnn / cnn:C1,C2"}</span>
        </label>
        {num("limit", "Samples used", "first N training samples", { min: 1, placeholder: "all" })}
        {num("batchSize", "Batch size B", "|D| = k·B", { min: 1 })}
        {num("d", "Directions d", `top-d eigenvectors, ≤ ${limits.d}`, { min: 1 })}
        {num("samples", "Monte Carlo K", `θ samples, ≤ ${limits.samples}`, { min: 2 })}
        {num("sigma", "σ", "θ ~ N(0, σ²I_d)", { min: 0, step: "any" })}
        <label class={`field${errors.tolerances ? " invalid" : ""}`}>
          <span class="field-label">Tolerance Δ_tol</span>
          <input
            type="text"
            name="tolerances"
            value={values.tolerances}
            placeholder={values.dataset === "fashion-mnist" ? "0.03" : "0.025"}
            onInput={set("tolerances")}
          />
          <span class="field-hint">{errors.tolerances ?? "one or more, comma-separated"}</span>
        </label>
        {num("epochs", "Epochs", "training epochs", { min: 1 })}
      </div>
      <details class="advanced">
        <summary>Advanced options</summary>
        <div class="form-grid">
          {num("learningRate", "Learning rate", "Adam", { min: 0, step: "any" })}
          {num("trainBatchSize", "Train batch", "mini-batch size", { min: 1 })}
          {num("seed", "Seed", "init, shuffles, Lanczos, MC", { min: 0 })}
          {num("workers", "Compute workers", "0 = in-process", { min: 0, placeholder: "one per core" })}
          <label class="field">
            <span class="field-label">Backend</span>
            <select name="backend" value={values.backend} onChange={set("backend")}>
              {backends.map((b) => <option key={b} value={b}>{b}</option>)}
            </select>
            <span class="field-hint">{errors.backend ?? "tfjs backend"}</span>
          </label>
          {num("lanczosTol", "Lanczos tol", "relative Ritz residual", { min: 0, max: 0.5, step: "any" })}
          <label class="field">
            <span class="field-label">Eigenvalues</span>
            <select name="eigenMode" value={values.eigenMode} onChange={set("eigenMode")}>
              <option value="projected">projected (PᵀH_kP)</option>
              <option value="exact">exact (Lanczos on H_k)</option>
            </select>
            <span class="field-hint">{errors.eigenMode ?? "how λ_k are obtained"}</span>
          </label>
          {num("exactEvery", "Exact every", "batches between exact solves", { min: 1 })}
        </div>
      </details>
      {message ? <p class="form-message" role="alert">{message}</p> : null}
      <div class="form-actions">
        <button
          type="button"
          class="btn btn-ghost"
          onClick={() => {
            setValues((v) => ({ ...v, ...SMALL }));
            setErrors({});
          }}
          title="limit 512, B 32, 1 epoch, d 3, K 8, in-process"
          data-testid="preset-small"
        >
          Quick preset
        </button>
        <button
          type="button"
          class="btn btn-ghost"
          onClick={() => {
            setValues(initialValues(defaults));
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
