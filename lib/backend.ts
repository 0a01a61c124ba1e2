/**
 * Choosing and starting a tfjs backend: `webgpu` when an adapter exists, else `wasm` (SIMD), else `cpu`.
 * @module
 */
import { registerBackends, tf } from "./deps.ts";
import { checkChoice } from "./errors.ts";

/** Backends a user may ask for. `auto` picks the fastest that works here. */
export const BACKENDS = ["auto", "webgpu", "wasm", "cpu"] as const;
/** A backend request. */
export type BackendRequest = typeof BACKENDS[number];
/** A concrete backend. */
export type BackendName = Exclude<BackendRequest, "auto">;

let registered: Promise<void> | null = null;

async function hasWebGpuAdapter(): Promise<boolean> {
  // deno-lint-ignore no-explicit-any
  const gpu = (globalThis.navigator as any)?.gpu;
  if (!gpu?.requestAdapter) return false;
  try {
    return (await gpu.requestAdapter()) != null;
  } catch {
    return false;
  }
}

/**
 * Starts a tfjs backend in this realm (main thread or worker) and returns the one in use.
 *
 * `auto` tries `webgpu` (only when `navigator.gpu` yields an adapter), then `wasm`, then `cpu`;
 * a forced backend that cannot start is an error naming the field `backend`.
 */
export async function initBackend(request: BackendRequest = "auto"): Promise<BackendName> {
  checkChoice("backend", request, BACKENDS);
  registered ??= registerBackends();
  await registered;
  const order: BackendName[] = request === "auto" ? ["webgpu", "wasm", "cpu"] : [request];
  const failures: string[] = [];
  for (const name of order) {
    if (name === "webgpu" && !(await hasWebGpuAdapter())) {
      failures.push("webgpu: no adapter");
      continue;
    }
    try {
      if (tf.getBackend() === name) return name;
      if (await tf.setBackend(name)) {
        await tf.ready();
        return name;
      }
      failures.push(`${name}: failed to initialise`);
    } catch (e) {
      failures.push(`${name}: ${(e as Error).message}`);
    }
  }
  throw new Error(`backend: could not start ${request} (${failures.join("; ")})`);
}

/** Reads a tensor's values; `await data()` works on every backend (webgpu under Deno has no `dataSync`). */
export async function read(t: tf.Tensor): Promise<Float32Array> {
  const v = await t.data();
  return v instanceof Float32Array ? v : Float32Array.from(v as ArrayLike<number>);
}
