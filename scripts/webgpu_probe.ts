/**
 * Prints what WebGPU this Deno process sees: the adapter (`navigator.gpu.requestAdapter()`), its limits, and
 * whether tfjs's `webgpu` backend starts on it and computes a small product correctly.
 *
 *     deno run -A scripts/webgpu_probe.ts          # human-readable; exit 1 when there is no adapter
 *     deno run -A scripts/webgpu_probe.ts --json   # one JSON object
 *
 * No flag is needed in Deno 2 (`navigator.gpu` is stable). On a machine without a GPU, Debian's
 * `mesa-vulkan-drivers` provides lavapipe, a software Vulkan device that shows up as an adapter described
 * as "llvmpipe (LLVM …)" with `isFallbackAdapter: true`. Environment that matters:
 *
 * - `DENO_WEBGPU_BACKEND=vulkan` pins wgpu to Vulkan (else it may fall back to the far slower GL path
 *   through Mesa's EGL llvmpipe when no Vulkan driver exists).
 * - `VK_DRIVER_FILES` (alias `VK_ICD_FILENAMES`) = `/usr/share/vulkan/icd.d/lvp_icd.x86_64.json` pins lavapipe.
 * - `XDG_RUNTIME_DIR` set to a private directory silences Mesa's "XDG_RUNTIME_DIR is invalid" messages.
 * @module
 */
import { initBackend, read } from "../lib/backend.ts";
import { tf } from "../lib/deps.ts";

const ENV_VARS = ["DENO_WEBGPU_BACKEND", "VK_DRIVER_FILES", "VK_ICD_FILENAMES", "XDG_RUNTIME_DIR"];
const LIMITS = [
  "maxBufferSize",
  "maxStorageBufferBindingSize",
  "maxComputeWorkgroupStorageSize",
  "maxComputeInvocationsPerWorkgroup",
  "maxComputeWorkgroupsPerDimension",
];

interface Probe {
  deno: string;
  env: Record<string, string | null>;
  navigatorGpu: boolean;
  adapter: null | {
    info: Record<string, unknown>;
    isFallbackAdapter: boolean | null;
    limits: Record<string, number>;
    features: string[];
  };
  requestAdapterError?: string;
  tfjs?: { backend?: string; startMs?: number; matMulOk?: boolean; firstOpMs?: number; error?: string };
}

function envVar(name: string): string | null {
  try {
    return Deno.env.get(name) ?? null;
  } catch {
    return null; // no --allow-env
  }
}

/** Probes the adapter and, when there is one, the tfjs webgpu backend. */
export async function probe(): Promise<Probe> {
  // deno-lint-ignore no-explicit-any
  const gpu = (globalThis.navigator as any)?.gpu;
  const out: Probe = {
    deno: Deno.version.deno,
    env: Object.fromEntries(ENV_VARS.map((k) => [k, envVar(k)])),
    navigatorGpu: !!gpu?.requestAdapter,
    adapter: null,
  };
  if (!out.navigatorGpu) return out;
  // deno-lint-ignore no-explicit-any
  let adapter: any = null;
  try {
    adapter = await gpu.requestAdapter();
  } catch (e) {
    out.requestAdapterError = (e as Error).message;
  }
  if (!adapter) return out;
  const info: Record<string, unknown> = {};
  for (const k of ["vendor", "architecture", "device", "description", "isFallbackAdapter"]) {
    info[k] = adapter.info?.[k];
  }
  out.adapter = {
    info,
    isFallbackAdapter: adapter.info?.isFallbackAdapter ?? adapter.isFallbackAdapter ?? null,
    limits: Object.fromEntries(LIMITS.map((k) => [k, adapter.limits[k]])),
    features: [...adapter.features].sort(),
  };
  out.tfjs = {};
  try {
    const t0 = performance.now();
    out.tfjs.backend = await initBackend("webgpu");
    out.tfjs.startMs = Math.round(performance.now() - t0);
    // Run on the GPU even though the inputs are tiny (tfjs forwards small CPU-resident inputs to CPU kernels).
    tf.env().set("WEBGPU_CPU_FORWARD", false);
    const t1 = performance.now();
    const a = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
    const b = tf.tensor2d([1, 0, 0, 1, 1, 1], [3, 2]);
    const c = tf.matMul(a, b);
    const v = await read(c); // never dataSync(): it throws on webgpu under Deno (no OffscreenCanvas)
    out.tfjs.firstOpMs = Math.round(performance.now() - t1);
    out.tfjs.matMulOk = [4, 5, 10, 11].every((x, i) => v[i] === x);
    tf.dispose([a, b, c]);
  } catch (e) {
    out.tfjs.error = (e as Error).message;
  }
  return out;
}

if (import.meta.main) {
  const p = await probe();
  if (Deno.args.includes("--json")) {
    console.log(JSON.stringify(p, null, 2));
  } else {
    console.log(`deno ${p.deno}; navigator.gpu: ${p.navigatorGpu ? "present" : "absent"}`);
    for (const [k, v] of Object.entries(p.env)) console.log(`  ${k}=${v ?? "(unset)"}`);
    if (!p.adapter) {
      console.log(
        `adapter: none${p.requestAdapterError ? ` (${p.requestAdapterError})` : ""}. ` +
          "Without a GPU, install Debian's mesa-vulkan-drivers (lavapipe).",
      );
    } else {
      const i = p.adapter.info;
      console.log(`adapter: ${i.description || "(no description)"} (vendor ${i.vendor}, device ${i.device})`);
      console.log(`  fallback (software) adapter: ${p.adapter.isFallbackAdapter}`);
      for (const [k, v] of Object.entries(p.adapter.limits)) console.log(`  ${k}: ${v}`);
      console.log(`  features: ${p.adapter.features.join(", ")}`);
      const t = p.tfjs!;
      console.log(
        t.error
          ? `tfjs webgpu: FAILED (${t.error})`
          : `tfjs webgpu: backend ${t.backend} started in ${t.startMs} ms; 2×3·3×2 matMul ${
            t.matMulOk ? "correct" : "WRONG"
          } (${t.firstOpMs} ms incl. shader compile)`,
      );
    }
  }
  Deno.exit(p.adapter && p.tfjs?.matMulOk ? 0 : 1);
}
