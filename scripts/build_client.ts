/**
 * Builds the browser side into `static/build/` (island bundle and styles); see `server/client_build.ts`.
 *
 * ```sh
 * deno run -A scripts/build_client.ts            # build
 * deno run -A scripts/build_client.ts --check    # exit 1 when the build is missing or stale
 * deno run -A scripts/build_client.ts --dev      # unminified
 * ```
 * @module
 */
import { buildClient, readManifest, sourceHash } from "../server/client_build.ts";

if (import.meta.main) {
  const args = new Set(Deno.args);
  if (args.has("--check")) {
    const m = await readManifest();
    const fresh = m !== null && m.hash === await sourceHash();
    console.log(fresh ? "static/build is up to date" : "static/build is missing or stale");
    Deno.exit(fresh ? 0 : 1);
  }
  await buildClient({ minify: !args.has("--dev"), log: (l) => console.log(l) });
}
