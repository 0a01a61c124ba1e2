/**
 * Choosing and starting a tfjs backend: `webgpu` when an adapter exists, else `wasm` (SIMD), else `cpu`.
 * @module
 */
import { registerBackends, tf } from "./deps.ts";
import { checkChoice } from "./errors.ts";
import { type BackendName, type BackendRequest, BACKENDS } from "./config/choices.ts";

export { type BackendName, type BackendRequest, BACKENDS };

let registered: Promise<void> | null = null;

interface DenoEnv {
  env: { get(k: string): string | undefined; set(k: string, v: string): void };
  mkdirSync(p: string, o: { recursive: boolean; mode: number }): void;
  uid(): number | null;
}

let quieted = false;

/**
 * Keeps the WebGPU adapter probe quiet. With Mesa's Vulkan drivers installed and no `XDG_RUNTIME_DIR` (a
 * server, a container, CI), probing for an adapter makes libwayland print "error: XDG_RUNTIME_DIR is invalid or
 * not set in the environment." on stderr for every probe, in every worker. Pointing the variable at a private
 * empty folder of this user (mode 0700, as the XDG spec wants) lets the probe find no Wayland socket without a
 * word. Only in Deno, only when the variable is unset and environment access is permitted.
 */
function quietAdapterProbe(): void {
  if (quieted) return;
  quieted = true;
  const D = (globalThis as { Deno?: DenoEnv }).Deno;
  const attempt = <T>(f: () => T): T | undefined => {
    try {
      return f();
    } catch {
      return undefined; // not permitted: the folder is not made, or the variable not set
    }
  };
  if (!D?.env || attempt(() => D.env.get("XDG_RUNTIME_DIR")) !== undefined) return;
  // libwayland only checks that the variable holds an absolute path, then finds no socket there; the folder
  // is made (private, one per user) when permitted, so that other programs see a valid runtime folder.
  const uid = attempt(() => D.uid()) ?? "user";
  const dir = `${(attempt(() => D.env.get("TMPDIR")) ?? "/tmp").replace(/\/+$/, "")}/kstar-runtime-${uid}`;
  attempt(() => D.mkdirSync(dir, { recursive: true, mode: 0o700 }));
  attempt(() => D.env.set("XDG_RUNTIME_DIR", dir));
}

/** What `navigator.gpu` offers here: none, a software rasteriser (e.g. Mesa's llvmpipe), or hardware. */
export async function webGpuAdapter(): Promise<
  { kind: "none" | "software" | "hardware"; description: string }
> {
  // deno-lint-ignore no-explicit-any
  const gpu = (globalThis.navigator as any)?.gpu;
  if (!gpu?.requestAdapter) return { kind: "none", description: "navigator.gpu is absent" };
  quietAdapterProbe();
  try {
    const a = await gpu.requestAdapter();
    if (!a) return { kind: "none", description: "no adapter" };
    const info = a.info ?? {};
    const description = [info.vendor, info.device, info.description].filter(Boolean).join(" ");
    const software = a.isFallbackAdapter === true ||
      /llvmpipe|lavapipe|swiftshader|softpipe|software/i.test(description);
    return { kind: software ? "software" : "hardware", description };
  } catch (e) {
    return { kind: "none", description: (e as Error).message };
  }
}

/**
 * Starts a tfjs backend in this realm (main thread or worker) and returns the one in use.
 *
 * `auto` tries `webgpu` (only when `navigator.gpu` yields a hardware adapter), then `wasm`, then `cpu`;
 * a forced backend that cannot start is an error naming the field `backend`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { initBackend } from "kstar";
 * assert.equal(await initBackend("cpu"), "cpu");
 * assert.ok(["webgpu", "wasm", "cpu"].includes(await initBackend())); // the fastest that starts here
 * ```
 */
export async function initBackend(request: BackendRequest = "auto"): Promise<BackendName> {
  checkChoice("backend", request, BACKENDS);
  registered ??= registerBackends();
  await registered;
  const order: BackendName[] = request === "auto" ? ["webgpu", "wasm", "cpu"] : [request];
  const failures: string[] = [];
  let probed: Awaited<ReturnType<typeof webGpuAdapter>> | null = null;
  for (const name of order) {
    if (name === "webgpu") {
      const a = probed = await webGpuAdapter();
      // `auto` skips software adapters: they are correct but far slower than WASM SIMD.
      if (a.kind === "none" || (a.kind === "software" && request === "auto")) {
        failures.push(
          `webgpu: ${a.kind === "none" ? a.description : `software adapter only (${a.description})`}`,
        );
        continue;
      }
    }
    try {
      if (tf.getBackend() === name) return name;
      if (await tf.setBackend(name)) {
        await tf.ready();
        if (name === "webgpu") {
          watchGpuErrors();
          const a = probed!; // the probe above: one adapter request per start
          adapter = {
            description: a.description || "unnamed WebGPU adapter",
            software: a.kind === "software",
          };
        }
        return name;
      }
      failures.push(`${name}: failed to initialise`);
    } catch (e) {
      failures.push(`${name}: ${(e as Error).message}`);
    }
  }
  throw new Error(`backend: could not start ${request} (${failures.join("; ")})`);
}

/** A WebGPU adapter a backend runs on: its vendor and device, and whether it is a software rasteriser. */
export interface AdapterInfo {
  /** The adapter's vendor and device, as WebGPU reports them. */
  description: string;
  /** True for a software rasteriser (e.g. Mesa's llvmpipe). */
  software: boolean;
}

let adapter: AdapterInfo | null = null;

/**
 * Frees this realm's backend: its tensors, its WebAssembly memory or its WebGPU device (destroyed, so that no
 * GPU state outlives the realm). For a worker that is about to end.
 */
export async function releaseBackend(): Promise<void> {
  const name = tf.getBackend();
  if (!name) return;
  // deno-lint-ignore no-explicit-any
  const device = (tf.backend() as any)?.device as { destroy?: () => void } | undefined;
  tf.engine().reset();
  try {
    device?.destroy?.();
  } catch { /* already lost */ }
  await Promise.resolve();
}

/**
 * The WebGPU adapter this realm's backend runs on — its vendor and device, and whether it is a software
 * rasteriser (e.g. Mesa's llvmpipe) — or null when not on WebGPU.
 */
export function currentAdapter(): AdapterInfo | null {
  return tf.getBackend() === "webgpu" ? adapter : null;
}

let gpuError: string | null = null;

/**
 * WebGPU reports some failures (e.g. a buffer over the 128 MiB binding limit) only as "uncapturederror"
 * events while the computation returns wrong numbers; record them so that {@link read} can throw.
 */
function watchGpuErrors(): void {
  // deno-lint-ignore no-explicit-any
  const device = (tf.backend() as any)?.device as EventTarget | undefined;
  device?.addEventListener?.("uncapturederror", (e: Event) => {
    // deno-lint-ignore no-explicit-any
    gpuError ??= String((e as any).error?.message ?? e);
  });
}

/**
 * Reads a tensor's values; `await data()` works on every backend (webgpu under Deno has no `dataSync`).
 * Throws if the WebGPU device has reported an error, rather than return numbers that may be wrong.
 */
export async function read(t: tf.Tensor): Promise<Float32Array> {
  const v = await t.data();
  if (gpuError) {
    const message = gpuError;
    gpuError = null; // report each failure once; the device stays usable
    throw new Error(`backend: webgpu error: ${message}`);
  }
  return v instanceof Float32Array ? v : Float32Array.from(v as ArrayLike<number>);
}
