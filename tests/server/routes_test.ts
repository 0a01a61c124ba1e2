/**
 * The Fresh-style layout: the route manifest lists every module under routes/, every island under islands/
 * is hydrated by the client bundle, and the pages render (server-side) with their islands and the built assets.
 */
import { assert, assertEquals, call, startServer } from "./helpers.ts";
import { API_ROUTES, PAGE_ROUTES, routePath, SPECIAL_ROUTE_FILES } from "../../server/routes.ts";
import { entrySource, islandNames } from "../../server/client_build.ts";

const ROOT = new URL("../../", import.meta.url);

async function filesUnder(dir: URL, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (e.isDirectory) out.push(...await filesUnder(new URL(`${e.name}/`, dir), `${prefix}${e.name}/`));
    else out.push(`${prefix}${e.name}`);
  }
  return out;
}

Deno.test("routes: the manifest lists every file under routes/, with [param] paths", async () => {
  const files = (await filesUnder(new URL("routes/", ROOT))).sort();
  const listed = [...API_ROUTES, ...PAGE_ROUTES].map((r) => r.file).concat(SPECIAL_ROUTE_FILES).sort();
  assertEquals(listed, files);
  const paths = [...API_ROUTES, ...PAGE_ROUTES].map((r) => r.path);
  assertEquals(new Set(paths).size, paths.length, "two files serve one path");
  assertEquals(
    ["compare.tsx", "sweeps/[id].tsx", "api/runs/index.ts", "api/runs/[id]/thresholds.csv.ts"].map(routePath),
    ["/compare", "/sweeps/:id", "/api/runs", "/api/runs/:id/thresholds.csv"],
  );
});

Deno.test("routes: every island is in the client entry; pages render with islands and assets", async () => {
  const names = await islandNames();
  assertEquals(names, ["CompareView", "RunForm", "RunTable", "RunView", "SweepView"]);
  const entry = entrySource(names);
  for (const n of names) assert(entry.includes(`islands/${n}.tsx`), n);
  const s = await startServer();
  try {
    for (const [path, islands] of [["/", ["RunTable", "RunForm"]], ["/compare", ["CompareView"]]] as const) {
      const res = await fetch(`${s.base}${path}`);
      assertEquals(res.status, 200);
      assert(res.headers.get("content-security-policy")!.includes("script-src 'self'"));
      const html = await res.text();
      assert(html.startsWith("<!DOCTYPE html>"));
      for (const i of islands) assert(html.includes(`data-island="${i}"`), `${path}: ${i}`);
      assert(/href="\/static\/(build\/)?styles\.css/.test(html), "styles from the project");
      assert(!/https?:\/\/(?!127\.0\.0\.1)/.test(html.replace(/xmlns="[^"]*"/g, "")), "no CDN");
    }
    for (const missing of ["/runs/does-not-exist", "/sweeps/does-not-exist"]) {
      const nf = await fetch(`${s.base}${missing}`);
      assertEquals(nf.status, 404, missing);
      assert((await nf.text()).includes("does-not-exist"));
    }
    const nf = await fetch(`${s.base}/runs/does-not-exist`);
    assertEquals(nf.status, 404);
    assert((await nf.text()).includes("does-not-exist"));
    const css = await fetch(`${s.base}/static/styles.css`);
    assertEquals(css.status, 200);
    assert(css.headers.get("content-type")!.startsWith("text/css"));
    await css.body?.cancel();
    for (
      const bad of [
        "/static/../deno.json",
        "/static/%2e%2e/deno.json",
        "/static/.hidden",
        "/static/build/../../main.ts",
      ]
    ) {
      assertEquals((await call(s.base, "GET", bad)).status, 404, bad);
    }
  } finally {
    await s.close();
  }
});
