/** The repository stays `deno fmt`, `deno lint` and `deno check` clean. */
import { assert } from "./assert.ts";

const ROOT = new URL("../", import.meta.url);

async function run(args: string[]): Promise<{ ok: boolean; out: string }> {
  const o = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  })
    .output();
  const dec = new TextDecoder();
  return {
    ok: o.success,
    out: (dec.decode(o.stdout) + dec.decode(o.stderr)).split("\n").slice(-25).join("\n"),
  };
}

Deno.test("style: deno fmt --check", async () => {
  const r = await run(["fmt", "--check"]);
  assert(r.ok, r.out);
});

Deno.test("style: deno lint", async () => {
  const r = await run(["lint"]);
  assert(r.ok, r.out);
});

Deno.test("style: deno check of the entry points", async () => {
  const r = await run(["check", "main.ts", "mod.ts"]);
  assert(r.ok, r.out);
});

Deno.test("style: deno doc --lint mod.ts (every public symbol documented, no private types in the API)", async () => {
  const r = await run(["doc", "--lint", "mod.ts"]);
  assert(r.ok, r.out);
});
