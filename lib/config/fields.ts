/**
 * The run specification: one definition per config field — its type, default, range, unit, help text, CLI
 * flag and form label — from which everything else is derived: the defaults, the zod schema that validates
 * library, API and stored input (`resolve.ts`), the CLI flags and `--help` (`cli/flags.ts`), `/api/config` and
 * the dashboard form. Online mode (Algorithm 1) takes a subset of the same definitions plus its own, with two
 * defaults overridden.
 *
 * Browser-safe: no Deno APIs, no tfjs.
 * @module
 */
import { z } from "npm:zod@4.6.7";
import { parseModelSpec } from "../models/spec.ts";
import { BACKENDS, CURVES, EIGEN_MODES, HEADER_MODES, SAMPLE_ORDERS } from "./choices.ts";
import type { AnalysisConfig, DataConfig, OnlineConfig } from "./types.ts";

/** The value kinds a field can have. */
export type FieldKind = "integer" | "number" | "numbers" | "string" | "choice" | "boolean";

/** Where a field sits (the form's sections and the `--help` groups). */
export type FieldGroup = "data" | "model" | "analysis" | "training" | "compute" | "online";

/** The two kinds of run. */
export type RunMode = "analysis" | "online";

/** A field's definition, without its validator: what `/api/config` sends and the form renders. */
export interface FieldInfo {
  /** The config key, e.g. `"batchSize"`. */
  key: string;
  /** The CLI flag without dashes, e.g. `"batch-size"`. */
  flag: string;
  /** A short label for forms and tables, e.g. `"Batch size B"`. */
  label: string;
  /** One line of help. */
  help: string;
  /** The unit of the value, if it has one (e.g. `"samples"`, `"nats²"`). */
  unit?: string;
  /** The kind of value. */
  kind: FieldKind;
  /** The form section and `--help` group. */
  group: FieldGroup;
  /** Shown under the form's "Advanced" section. */
  advanced: boolean;
  /** Lower bound (integers, numbers, list entries). */
  min?: number;
  /** Whether `min` itself is excluded. */
  exclusiveMin?: boolean;
  /** Upper bound. */
  max?: number;
  /** Whether `max` itself is excluded. */
  exclusiveMax?: boolean;
  /** The allowed values of a choice. */
  choices?: readonly string[];
  /** Most entries of a list. */
  maxItems?: number;
  /** Whether `null` is allowed, and what it means (e.g. `"all"`). */
  nullMeans?: string;
  /** The default value (JSON). */
  default: unknown;
  /** The allowed values in words, as error messages and `--help` print them. */
  allowed: string;
}

/** A field's definition with its zod validator; `V` is the type of its value. */
export interface Field<V = unknown> extends FieldInfo {
  /** The default value. */
  default: V;
  /** Validates (and defaults) the value. */
  schema: z.ZodType;
}

interface Common {
  flag?: string;
  label: string;
  help: string;
  unit?: string;
  group: FieldGroup;
  advanced?: boolean;
}

/** `[a, b]`, `(a, b]`, … with ∞ for an absent bound. */
function interval(min?: number, max?: number, exMin = false, exMax = false): string {
  const lo = min === undefined ? "(−∞" : `${exMin ? "(" : "["}${num(min)}`;
  const hi = max === undefined ? "∞)" : `${num(max)}${exMax ? ")" : "]"}`;
  return `${lo}, ${hi}`;
}

function num(x: number): string {
  if (Number.isInteger(x) && Math.abs(x) >= 1e7) {
    return x === 2 ** 31 - 1 ? "2³¹ − 1" : x.toLocaleString("en-US");
  }
  return String(x);
}

/** A field before its table gives it a key (and, unless it has one, a flag). */
type Unkeyed<V> = Omit<Field<V>, "key" | "flag"> & { flag?: string };

function make<V>(
  c: Common,
  rest: Omit<FieldInfo, keyof Common | "key" | "flag" | "default"> & { default: V },
  schema: z.ZodType,
): Unkeyed<V> {
  return { ...c, advanced: c.advanced ?? false, ...rest, schema };
}

/** Gives every field of a table its key (the property name) and its flag (kebab-case key, unless set). */
function keyed<T extends Record<string, Unkeyed<unknown>>>(
  table: T,
): { [K in keyof T]: Field<T[K]["default"]> } {
  return Object.fromEntries(
    Object.entries(table).map(([key, f]) => [
      key,
      { key, ...f, flag: f.flag ?? key.replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`) },
    ]),
  ) as never;
}

function nullable(schema: z.ZodType, nullMeans: string | undefined, def: unknown): z.ZodType {
  return (nullMeans === undefined ? schema : schema.nullable()).default(def as never);
}

function integer<V extends number | null>(
  c: Common & { min: number; max: number; default: V; nullMeans?: string },
): Unkeyed<V> {
  const allowed = `an integer in ${interval(c.min, c.max)}${c.nullMeans ? ` or null (${c.nullMeans})` : ""}`;
  const schema = nullable(z.number().int().min(c.min).max(c.max), c.nullMeans, c.default);
  return make(c, {
    kind: "integer",
    min: c.min,
    max: c.max,
    nullMeans: c.nullMeans,
    default: c.default,
    allowed,
  }, schema);
}

function number<V extends number | null>(
  c: Common & {
    min: number;
    max: number;
    exclusiveMin?: boolean;
    exclusiveMax?: boolean;
    default: V;
    nullMeans?: string;
  },
): Unkeyed<V> {
  let s = z.number();
  s = c.exclusiveMin ? s.gt(c.min) : s.gte(c.min);
  s = c.exclusiveMax ? s.lt(c.max) : s.lte(c.max);
  const allowed = `a number in ${interval(c.min, c.max, c.exclusiveMin, c.exclusiveMax)}${
    c.nullMeans ? ` or null (${c.nullMeans})` : ""
  }`;
  return make(c, {
    kind: "number",
    min: c.min,
    max: c.max,
    exclusiveMin: c.exclusiveMin,
    exclusiveMax: c.exclusiveMax,
    nullMeans: c.nullMeans,
    default: c.default,
    allowed,
  }, nullable(s, c.nullMeans, c.default));
}

function numbers(
  c: Common & { min: number; max: number; exclusiveMin?: boolean; maxItems: number; nullMeans: string },
): Unkeyed<number[] | null> {
  const entry = c.exclusiveMin ? z.number().gt(c.min).lte(c.max) : z.number().gte(c.min).lte(c.max);
  const allowed =
    `a list of 1 to ${c.maxItems} numbers, each in ${interval(c.min, c.max, c.exclusiveMin)}, ` +
    `or null (${c.nullMeans})`;
  return make(c, {
    kind: "numbers",
    min: c.min,
    max: c.max,
    exclusiveMin: c.exclusiveMin,
    maxItems: c.maxItems,
    nullMeans: c.nullMeans,
    default: null,
    allowed,
  }, z.array(entry).min(1).max(c.maxItems).nullable().default(null));
}

function choice<const C extends readonly [string, ...string[]]>(
  c: Common & { choices: C; default: C[number] },
): Unkeyed<C[number]> {
  const allowed = `one of ${c.choices.map((x) => JSON.stringify(x)).join(", ")}`;
  const schema = z.enum(c.choices).default(c.default as never);
  return make<C[number]>(c, { kind: "choice", choices: c.choices, default: c.default, allowed }, schema);
}

function text(c: Common & { default: string; allowed: string; schema: z.ZodType }): Unkeyed<string> {
  return make(
    c,
    { kind: "string", default: c.default, allowed: c.allowed },
    c.schema.default(c.default as never),
  );
}

function optionalText(
  c: Common & { allowed: string; nullMeans: string; schema: z.ZodType },
): Unkeyed<string | null> {
  return make(
    c,
    {
      kind: "string",
      default: null,
      allowed: `${c.allowed} or null (${c.nullMeans})`,
      nullMeans: c.nullMeans,
    },
    c.schema.nullable().default(null),
  );
}

function boolean(c: Common & { default: boolean }): Unkeyed<boolean> {
  return make(
    c,
    { kind: "boolean", default: c.default, allowed: "true or false" },
    z.boolean().default(c.default),
  );
}

/** A path field's schema: non-empty, bounded, no NUL. */
const PATH = z.string().trim().min(1).max(4096).refine((s) => !s.includes("\0"));

/** `H×W` (or `HxW`), each side an integer in [1, 4096]. */
export const RESIZE_PATTERN = /^\s*([1-9]\d{0,3})\s*[x×X]\s*([1-9]\d{0,3})\s*$/;

/** The height and width of a `resize` value such as `"32×32"`; null for null. */
export function parseResize(value: string | null): [number, number] | null {
  if (value === null) return null;
  const m = value.match(RESIZE_PATTERN);
  if (!m || Number(m[1]) > 4096 || Number(m[2]) > 4096) return null;
  return [Number(m[1]), Number(m[2])];
}

const MODEL_ALLOWED =
  '"mlp:W1,W2,…" (hidden widths, integers in [1, 4096]) or "cnn" / "cnn:C1,C2" (channels in [1, 256])';

/** Every field definition, keyed by config key (the table each mode picks from). */
const ALL = keyed({
  dataset: text({
    label: "Dataset",
    help: "the data",
    group: "data",
    default: "mnist",
    allowed: '"mnist", "fashion-mnist", or a path to a dataset: a folder of IDX, NumPy or image files, ' +
      "or a .csv/.tsv table",
    schema: PATH,
  }),
  classes: integer({
    label: "Classes",
    help: "the class count, when integer labels alone do not tell it (a class absent from training)",
    group: "data",
    advanced: true,
    min: 2,
    max: 256,
    default: null,
    nullMeans: "the classes found in training",
  }),
  labelColumn: optionalText({
    label: "Label column",
    help: "a table's label column",
    group: "data",
    advanced: true,
    allowed: "a header name or a 1-based column number",
    nullMeans: "the last column",
    schema: z.string().trim().min(1).max(256),
  }),
  header: choice({
    label: "Header row",
    help: "whether a table's first row names its columns (auto: a row of names above numbers)",
    group: "data",
    advanced: true,
    choices: HEADER_MODES,
    default: "auto",
  }),
  testData: optionalText({
    label: "Test table",
    help: "a table's test split, from a second file with the same columns",
    group: "data",
    advanced: true,
    allowed: "a path to a .csv or .tsv file",
    nullMeans: "split off --test-fraction",
    schema: PATH,
  }),
  testFraction: number({
    label: "Test fraction",
    help: "the seeded, class-stratified share held out for testing when the data have no test split",
    group: "data",
    advanced: true,
    min: 0,
    exclusiveMin: true,
    max: 1,
    exclusiveMax: true,
    default: 0.2,
  }),
  standardize: boolean({
    label: "Standardise",
    help: "standardise a table's features with the training split's mean and standard deviation",
    group: "data",
    advanced: true,
    default: true,
  }),
  resize: optionalText({
    label: "Resize images",
    help: "resize every image of an image folder to H×W pixels (bilinear)",
    group: "data",
    advanced: true,
    allowed: '"H×W" or "HxW", each side an integer in [1, 4096]',
    nullMeans: "every image must have the same size",
    schema: z.string().refine((s) => parseResize(s) !== null),
  }),
  order: choice({
    label: "Sample order",
    help: "the order of an image folder's or a table's samples: a shuffle seeded by --seed, or the files' " +
      "order (image names in natural order, table rows as written)",
    group: "data",
    advanced: true,
    choices: SAMPLE_ORDERS,
    default: "shuffle",
  }),
  model: text({
    label: "Model",
    help: "the network: a ReLU MLP with those hidden widths, or a small CNN",
    group: "model",
    default: "mlp:128,64",
    allowed: MODEL_ALLOWED,
    schema: z.string().refine((s) => {
      try {
        parseModelSpec(s);
        return true;
      } catch {
        return false;
      }
    }),
  }),
  limit: integer({
    label: "Samples used",
    help: "use only the first N training samples",
    unit: "samples",
    group: "data",
    min: 1,
    max: 10_000_000,
    default: null,
    nullMeans: "all",
  }),
  batchSize: integer({
    label: "Batch size B",
    help: "batch size B of the fixed-order batches (|D| = k·B)",
    unit: "samples",
    group: "data",
    min: 1,
    max: 65_536,
    default: 64,
  }),
  d: integer({
    label: "Directions d",
    help: "number of top Hessian eigen-directions",
    group: "analysis",
    min: 1,
    max: 100,
    default: 10,
  }),
  mcDraws: integer({
    label: "Monte Carlo draws",
    help: "Monte Carlo draws of θ for the empirical Δ_k",
    unit: "draws",
    group: "analysis",
    min: 2,
    max: 4096,
    default: 64,
  }),
  sigma: number({
    label: "σ",
    help: "standard deviation σ of θ ~ N(0, σ²I_d)",
    group: "analysis",
    min: 0,
    exclusiveMin: true,
    max: 1000,
    default: 1,
  }),
  tolerances: numbers({
    flag: "tol",
    label: "Tolerances Δ_tol",
    help: "tolerances Δ_tol, comma-separated",
    unit: "nats²",
    group: "analysis",
    min: 0,
    exclusiveMin: true,
    max: 1e6,
    maxItems: 16,
    nullMeans: "the dataset's default: 0.025, fashion-mnist 0.03",
  }),
  tolerance: number({
    flag: "tol",
    label: "Tolerance Δ_tol",
    help: "the tolerance Δ_tol Algorithm 1 stops at",
    unit: "nats²",
    group: "online",
    min: 0,
    exclusiveMin: true,
    max: 1e6,
    default: null,
    nullMeans: "the dataset's default: 0.025, fashion-mnist 0.03",
  }),
  orderings: integer({
    label: "Batch orders",
    help: "random batch orders (each with resampled Monte Carlo draws) for an interval on k* (0 = none)",
    unit: "orders",
    group: "analysis",
    min: 0,
    max: 10_000,
    default: 200,
  }),
  level: number({
    label: "Interval level",
    help: "level of the k* interval over batch orders",
    group: "analysis",
    advanced: true,
    min: 0,
    exclusiveMin: true,
    max: 1,
    exclusiveMax: true,
    default: 0.9,
  }),
  learningCurve: boolean({
    label: "Learning curve",
    help:
      "also train fresh models on k*·B/4, k*·B/2, k*·B, 2·k*·B, … up to all samples (at most 8 sizes) and report their test accuracy",
    group: "analysis",
    default: false,
  }),
  epochs: integer({
    label: "Epochs",
    help: "training epochs",
    unit: "epochs",
    group: "training",
    min: 1,
    max: 1000,
    default: 3,
  }),
  learningRate: number({
    flag: "lr",
    label: "Learning rate",
    help: "Adam learning rate",
    group: "training",
    advanced: true,
    min: 0,
    exclusiveMin: true,
    max: 10,
    default: 2e-3,
  }),
  trainBatchSize: integer({
    label: "Training batch",
    help: "training mini-batch size",
    unit: "samples",
    group: "training",
    advanced: true,
    min: 1,
    max: 65_536,
    default: 128,
  }),
  seed: integer({
    label: "Seed",
    help: "seed for initialisation, shuffles, Lanczos and Monte Carlo",
    group: "training",
    advanced: true,
    min: 0,
    max: 2 ** 31 - 1,
    default: 0,
  }),
  backend: choice({
    label: "Backend",
    help: "tfjs backend (auto: webgpu on a hardware adapter, else wasm, else cpu)",
    group: "compute",
    advanced: true,
    choices: BACKENDS,
    default: "auto",
  }),
  workers: integer({
    label: "Compute workers",
    help: "compute workers (0 = in-process)",
    group: "compute",
    advanced: true,
    min: 0,
    max: 64,
    default: null,
    nullMeans: "one per core, at most 8",
  }),
  lanczosTol: number({
    label: "Lanczos tolerance",
    help: "relative Ritz residual tolerance of Lanczos",
    group: "compute",
    advanced: true,
    min: 0,
    exclusiveMin: true,
    max: 0.5,
    default: 1e-3,
  }),
  eigenMode: choice({
    label: "Eigenvalues",
    help: "projected (Λ_k = PᵀH_kP for every k), or exact (also Lanczos on H_k every --exact-every batches)",
    group: "analysis",
    advanced: true,
    choices: EIGEN_MODES,
    default: "projected",
  }),
  exactEvery: integer({
    label: "Exact every",
    help: "batches between exact solves (with --eigen-mode exact)",
    unit: "batches",
    group: "analysis",
    advanced: true,
    min: 1,
    max: 1_000_000,
    default: 50,
  }),
  criterion: choice({
    label: "Criterion",
    help: "the Δ_k estimate that decides when to stop",
    group: "online",
    choices: CURVES,
    default: "theory",
  }),
  patience: integer({
    label: "Patience",
    help: "consecutive batches below the tolerance before stopping",
    unit: "batches",
    group: "online",
    min: 1,
    max: 1000,
    default: 3,
  }),
  stepsPerBatch: integer({
    label: "Steps per batch",
    help: "Adam steps after each new batch",
    unit: "steps",
    group: "online",
    min: 1,
    max: 1_000_000,
    default: 50,
  }),
});

/** The fields of an analysis run, in `--help` order; the compiler checks them against {@link AnalysisConfig}. */
export const ANALYSIS_FIELDS: { [K in keyof AnalysisConfig]: Field<AnalysisConfig[K]> } = {
  dataset: ALL.dataset,
  model: ALL.model,
  limit: ALL.limit,
  batchSize: ALL.batchSize,
  ...dataFields(),
  d: ALL.d,
  mcDraws: ALL.mcDraws,
  sigma: ALL.sigma,
  tolerances: ALL.tolerances,
  orderings: ALL.orderings,
  level: ALL.level,
  learningCurve: ALL.learningCurve,
  epochs: ALL.epochs,
  learningRate: ALL.learningRate,
  trainBatchSize: ALL.trainBatchSize,
  seed: ALL.seed,
  backend: ALL.backend,
  workers: ALL.workers,
  lanczosTol: ALL.lanczosTol,
  eigenMode: ALL.eigenMode,
  exactEvery: ALL.exactEvery,
};

/**
 * The fields of online mode (Algorithm 1): the shared ones, with small per-step Lanczos solves and
 * mini-batches of one data batch by default, and its own; checked against {@link OnlineConfig}.
 */
export const ONLINE_FIELDS: { [K in keyof OnlineConfig]: Field<OnlineConfig[K]> } = {
  dataset: ALL.dataset,
  model: ALL.model,
  limit: ALL.limit,
  batchSize: { ...ALL.batchSize, help: "batch size B by which the data grow (|D| = k·B)" },
  ...dataFields(),
  d: ALL.d,
  mcDraws: ALL.mcDraws,
  sigma: ALL.sigma,
  tolerance: ALL.tolerance,
  criterion: ALL.criterion,
  patience: ALL.patience,
  stepsPerBatch: ALL.stepsPerBatch,
  learningRate: ALL.learningRate,
  trainBatchSize: withDefault(ALL.trainBatchSize, 64),
  seed: ALL.seed,
  backend: ALL.backend,
  workers: ALL.workers,
  lanczosTol: withDefault(ALL.lanczosTol, 1e-2),
};

/** The fields that tell the loaders how to read a user dataset (both modes). */
function dataFields(): { [K in keyof DataConfig]: Field<DataConfig[K]> } {
  return {
    classes: ALL.classes,
    labelColumn: ALL.labelColumn,
    header: ALL.header,
    testData: ALL.testData,
    testFraction: ALL.testFraction,
    standardize: ALL.standardize,
    resize: ALL.resize,
    order: ALL.order,
  };
}

/** The keys of the data fields, in order. */
export const DATA_KEYS = [
  "classes",
  "labelColumn",
  "header",
  "testData",
  "testFraction",
  "standardize",
  "resize",
  "order",
] as const satisfies readonly (keyof DataConfig)[];

/** A field with another default. */
function withDefault<V>(f: Field<V>, value: V): Field<V> {
  const inner = f.schema instanceof z.ZodDefault ? f.schema.removeDefault() : f.schema;
  return { ...f, default: value, schema: (inner as z.ZodType).default(value as never) };
}

/** A mode's fields in order. */
export function fieldsOf(mode: RunMode): Field[] {
  return Object.values(mode === "analysis" ? ANALYSIS_FIELDS : ONLINE_FIELDS) as Field[];
}

/** The JSON-safe description of a mode's fields (for `/api/config` and the form). */
export function fieldInfos(mode: RunMode): FieldInfo[] {
  return fieldsOf(mode).map(({ schema: _s, ...info }) => info);
}

/** The strict object schema of a mode: unknown keys are errors; absent fields take their defaults. */
export function objectSchema(mode: RunMode): z.ZodObject {
  return z.strictObject(Object.fromEntries(fieldsOf(mode).map((f) => [f.key, f.schema])));
}

/** The defaults of the analysis. */
export const ANALYSIS_DEFAULTS: Readonly<AnalysisConfig> = defaults(ANALYSIS_FIELDS);
/** The defaults of online mode. */
export const ONLINE_DEFAULTS: Readonly<OnlineConfig> = defaults(ONLINE_FIELDS);

function defaults<T>(fields: { [K in keyof T]: Field<T[K]> }): T {
  return Object.freeze(
    Object.fromEntries(Object.entries(fields).map(([k, f]) => [k, (f as Field).default])),
  ) as T;
}
