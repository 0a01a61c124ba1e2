/**
 * Every third-party package the library uses, by full `npm:name@version` specifier.
 *
 * Modules reachable from `mod.ts` import packages from here only, never by bare
 * names: import maps do not apply to a module imported by URL.
 * @module
 */
export * as tf from "npm:@tensorflow/tfjs-core@4.22.0";
export type { Tensor, Tensor1D, Tensor2D, Tensor4D } from "npm:@tensorflow/tfjs-core@4.22.0";

/** Registers the CPU, WASM and WebGPU backends (side effects only; done once per realm). */
export async function registerBackends(): Promise<void> {
  await import("npm:@tensorflow/tfjs-backend-cpu@4.22.0");
  await import("npm:@tensorflow/tfjs-backend-wasm@4.22.0");
  await import("npm:@tensorflow/tfjs-backend-webgpu@4.22.0");
}
