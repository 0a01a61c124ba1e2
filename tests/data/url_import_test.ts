/**
 * The loaders used from outside this repository: a script in a temporary folder without deno.json
 * (run with `--no-config`) imports the data loaders by `file://` URL and by `http://` URL from a tiny
 * static server on 127.0.0.1. npm packages then come from Deno's global cache, not ./node_modules.
 */
import { assert, assertEquals } from "./assert.ts";

const REPO = new URL("../../", import.meta.url);

const CHILD = `
const [base, cacheDir, fixture] = Deno.args;
const data = { ...(await import(base + "lib/data/builtin.ts")), ...(await import(base + "lib/data/load.ts")) };
const mnistFile = await data.npmPackageFile(data.MNIST_PACKAGE, "data/t10k-labels-idx1-ubyte");
const fashionFile = await data.npmPackageFile(data.FASHION_MNIST_PACKAGE, "src/clothes/9.json");
const t0 = performance.now();
const ds = await data.loadBuiltin("mnist", { cacheDir });
const ms = performance.now() - t0;
const folder = await data.loadDataset(fixture);
console.log(JSON.stringify({
  mnistFile: mnistFile.href,
  fashionExists: Deno.statSync(fashionFile).isFile,
  train: ds.train.n, test: ds.test.n, classes: ds.classes, ms,
  folder: [folder.name, folder.train.n, folder.height, folder.width],
}));
`;

async function runChild(modUrl: string): Promise<Record<string, unknown>> {
  const dir = await Deno.makeTempDir({ prefix: "kstar-url-" });
  try {
    await Deno.writeTextFile(`${dir}/child.ts`, CHILD);
    const fixture = new URL("./fixtures/tiny-gz", import.meta.url).pathname;
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--no-config", "child.ts", modUrl, `${dir}/cache`, fixture],
      cwd: dir,
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).output();
    const stdout = new TextDecoder().decode(out.stdout);
    const stderr = new TextDecoder().decode(out.stderr);
    assert(out.success, `child failed (${out.code}):\n${stderr}\n${stdout}`);
    return JSON.parse(stdout.trim().split("\n").at(-1)!);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function check(r: Record<string, unknown>, how: string): void {
  assert(String(r.mnistFile).startsWith("file:///"), `${how}: ${r.mnistFile}`);
  assert(
    !String(r.mnistFile).startsWith(new URL("node_modules/", REPO).href),
    `${how}: global cache expected`,
  );
  assertEquals(r.fashionExists, true);
  assertEquals([r.train, r.test, r.classes], [60000, 10000, 10]);
  assertEquals(r.folder, ["tiny-gz", 2, 3, 2]);
  console.log(`${how}: mnist files at ${r.mnistFile}; first load ${Number(r.ms).toFixed(0)} ms`);
}

Deno.test("url import: file:// from a folder without deno.json (--no-config)", async () => {
  check(await runChild(REPO.href), "file://");
});

Deno.test("url import: http:// from a static server on 127.0.0.1", async () => {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const path = decodeURIComponent(new URL(req.url).pathname);
    if (path.includes("..") || !/^\/lib\/[\w/.-]+\.ts$/.test(path)) {
      return new Response("not found", { status: 404 });
    }
    try {
      const body = await Deno.readFile(new URL(path.slice(1), REPO));
      return new Response(body, { headers: { "content-type": "application/typescript; charset=utf-8" } });
    } catch {
      return new Response("not found", { status: 404 });
    }
  });
  try {
    check(await runChild(`http://127.0.0.1:${server.addr.port}/`), "http://");
  } finally {
    await server.shutdown();
  }
});
