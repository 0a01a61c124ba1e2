/** `mod.ts` touches no `Deno.*` API when imported, nor when it analyses data passed in memory. */
import { assert, assertEquals } from "./assert.ts";

Deno.test("mod.ts: importing it, and analysing in-memory data, touch no Deno API", async () => {
  const o = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("./fixtures/no_deno.ts", import.meta.url).pathname],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const text = new TextDecoder().decode(o.stdout).trim().split("\n").pop() ?? "";
  let r: { ok: boolean; atImport?: string[]; inRun?: string[]; batches?: number; error?: string };
  try {
    r = JSON.parse(text);
  } catch {
    throw new Error(`no result line: ${text}\n${new TextDecoder().decode(o.stderr)}`);
  }
  assert(r.ok, r.error);
  assertEquals(r.atImport, [], "at import");
  assertEquals(r.inRun, [], "during an in-memory analysis");
  assertEquals(r.batches, 12);
});
