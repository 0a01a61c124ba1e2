/**
 * The README's library example, for real: the repository is served over HTTP on loopback and a script in a
 * folder without deno.json imports `mod.ts` by URL (`--no-config`), so no import map can help it.
 */
import { assert } from "./assert.ts";

const ROOT = new URL("../", import.meta.url);
const TYPES: Record<string, string> = {
  ts: "application/typescript; charset=utf-8",
  js: "application/javascript; charset=utf-8",
  json: "application/json",
};

/** The README's `ts` block that imports mod.ts by URL, with its host replaced and a smaller run. */
async function readmeExample(base: string): Promise<string> {
  const readme = await Deno.readTextFile(new URL("README.md", ROOT));
  // Marked `ts ignore` so that `deno test --doc` leaves it to this test (its URL is a placeholder).
  const block = [...readme.matchAll(/```ts(?: ignore)?\n([\s\S]*?)```/g)].map((m) => m[1]).find((b) =>
    b.includes("/mod.ts")
  );
  assert(block, "README has a library example importing mod.ts");
  return block
    .replace(/"https:\/\/[^"]*\/mod\.ts"/, JSON.stringify(`${base}/mod.ts`))
    .replace("limit: 4096, epochs: 2", "limit: 640, epochs: 1");
}

/** The README's command line for such a script (`deno run --allow-import=your.host …`), for `host`. */
async function readmeCommand(host: string): Promise<string[]> {
  const readme = await Deno.readTextFile(new URL("README.md", ROOT));
  const line = /^deno run --allow-import=your\.host [^\n]*script\.ts$/m.exec(readme)?.[0];
  assert(line, "README gives the command that runs a script importing kstar by URL");
  return line.replace("your.host", host).replace("script.ts", "example.ts").split(/\s+/).slice(1);
}

Deno.test("url import: the README example runs against mod.ts served over HTTP, with the README's permissions", async () => {
  const ac = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen: () => {} },
    async (req) => {
      const path = decodeURIComponent(new URL(req.url).pathname);
      if (path.includes("..")) return new Response("no", { status: 403 });
      try {
        const body = await Deno.readFile(new URL(`.${path}`, ROOT));
        return new Response(body, {
          headers: { "content-type": TYPES[path.split(".").pop()!] ?? "text/plain" },
        });
      } catch {
        return new Response("not found", { status: 404 });
      }
    },
  );
  const dir = await Deno.makeTempDir({ prefix: "kstar-url-" });
  try {
    const base = `http://127.0.0.1:${server.addr.port}`;
    await Deno.writeTextFile(`${dir}/example.ts`, await readmeExample(base));
    const out = await new Deno.Command(Deno.execPath(), {
      // The README's permissions exactly (--no-prompt: a missing one fails instead of asking).
      args: ["run", "--no-prompt", ...(await readmeCommand(`127.0.0.1:${server.addr.port}`)).slice(1)],
      cwd: dir,
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).output();
    const stdout = new TextDecoder().decode(out.stdout), stderr = new TextDecoder().decode(out.stderr);
    assert(out.success, `example failed:\n${stderr.slice(-3000)}`);
    assert(/k\* = \d+|not reached/.test(stdout), `unexpected output: ${stdout}`);
    assert(!/Import "[^"]+" not a dependency/.test(stderr), stderr);
  } finally {
    ac.abort();
    await server.finished;
    await Deno.remove(dir, { recursive: true });
  }
});
