/**
 * `GET /api/datasets` lists what the data root holds — each dataset with its format and shape, a broken one
 * with its problem — never what a symbolic link leads to outside it; the form offers them; a submitted run on
 * a table or image folder is checked against it at once (400 naming the file and position, or the field).
 */
import { encode as encodePng } from "npm:fast-png@8.0.0";
import { assert, assertEquals, assertMatch, call, startServer } from "./helpers.ts";
import { writeIdxFolder } from "../data/helpers.ts";
import { encodeNpy } from "../../lib/data/npy.ts";

interface Entry {
  dataset: string;
  format: string;
  shape: { height: number; width: number; channels: number; classes: number; trainSamples: number } | null;
  error: string | null;
}
type Err = { error: string; field?: string; value?: unknown; allowed?: string; file?: string };

async function dataRoot(): Promise<{ root: string; outside: string }> {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "kstar-ds-root-" }));
  const outside = await Deno.realPath(await Deno.makeTempDir({ prefix: "kstar-ds-out-" }));
  await writeIdxFolder(`${root}/digits`);
  await Deno.mkdir(`${root}/tables`);
  await Deno.writeTextFile(
    `${root}/tables/pets.csv`,
    "w,h,kind\n" + Array.from({ length: 30 }, (_, i) => `${i},${i % 7},${i % 3 ? "cat" : "dog"}`).join("\n"),
  );
  await Deno.writeTextFile(`${root}/tables/broken.tsv`, "a\tb\tc\n1\t2\tx\n3\tnope\ty\n");
  await Deno.mkdir(`${root}/arrays`);
  await Deno.writeFile(`${root}/arrays/x_train.npy`, encodeNpy(new Float32Array(40 * 3), [40, 3]));
  await Deno.writeFile(
    `${root}/arrays/y_train.npy`,
    encodeNpy(Int32Array.from({ length: 40 }, (_, i) => i % 2), [40]),
  );
  for (const c of ["red", "blue"]) {
    await Deno.mkdir(`${root}/deep/er/photos/${c}`, { recursive: true });
    for (let i = 0; i < 10; i++) {
      const data = new Uint8Array(4 * 5 * 3).fill(c === "red" ? 200 : 30 + i);
      await Deno.writeFile(
        `${root}/deep/er/photos/${c}/${i}.png`,
        encodePng({ width: 5, height: 4, data, channels: 3, depth: 8 }),
      );
    }
  }
  await Deno.mkdir(`${root}/.hidden`);
  await Deno.writeTextFile(`${root}/.hidden/secret.csv`, "1,2,a\n3,4,b\n");
  await Deno.writeTextFile(`${root}/notes.txt`, "not a dataset");
  await Deno.writeTextFile(`${outside}/elsewhere.csv`, "1,2,a\n3,4,b\n");
  await Deno.symlink(`${outside}/elsewhere.csv`, `${root}/tables/escape.csv`);
  await Deno.symlink(outside, `${root}/escape-dir`);
  return { root, outside };
}

Deno.test("api/datasets: the data root's datasets with format and shape; escapes and hidden files unlisted", async () => {
  const { root, outside } = await dataRoot();
  const s = await startServer({ dataRoot: root, cacheDir: `${outside}/cache` });
  const builtinOnly = await startServer();
  try {
    const r = await call<{ datasets: Entry[]; dataRoot: boolean; truncated: boolean }>(
      s.base,
      "GET",
      "/api/datasets",
    );
    assertEquals(r.status, 200);
    const byName = new Map(r.body.datasets.map((d) => [d.dataset, d]));
    assertEquals([...byName.keys()], [
      "mnist",
      "fashion-mnist",
      "arrays",
      "deep/er/photos",
      "digits",
      "tables/broken.tsv",
      "tables/pets.csv",
    ]);
    const shape = (name: string) => {
      const e = byName.get(name)!;
      return [
        e.format,
        e.shape?.height,
        e.shape?.width,
        e.shape?.channels,
        e.shape?.classes,
        e.shape?.trainSamples,
      ];
    };
    assertEquals(shape("mnist"), ["builtin", 28, 28, 1, 10, 60000]);
    assertEquals(shape("digits"), ["idx", 5, 4, 1, 3, 12]);
    assertEquals(shape("tables/pets.csv"), ["csv", 1, 2, 1, 2, 24]);
    assertEquals(shape("arrays"), ["npy", 1, 3, 1, 2, 32]);
    assertEquals(shape("deep/er/photos"), ["images", 4, 5, 3, 2, 16]);
    const broken = byName.get("tables/broken.tsv")!;
    assertEquals([broken.format, broken.shape], ["tsv", null]);
    assertMatch(
      broken.error!,
      /^tables\/broken\.tsv: row 2 \(line 3\), column 2 \("b"\): "nope" is not a number/,
    );
    assert(!JSON.stringify(r.body).includes(root), "no server paths");
    const only = await call<{ datasets: Entry[]; dataRoot: boolean }>(
      builtinOnly.base,
      "GET",
      "/api/datasets",
    );
    assertEquals([only.body.dataRoot, only.body.datasets.map((d) => d.dataset)], [false, [
      "mnist",
      "fashion-mnist",
    ]]);
    // The form offers them, with format and shape.
    const html = await (await fetch(`${s.base}/`)).text();
    assert(
      html.includes("tables/pets.csv — CSV · 2 features · 2 classes · 24 / 6"),
      "the form lists the table",
    );
    assert(
      html.includes("deep/er/photos — images · 4×5×3 · 2 classes · 16 / 4"),
      "the form lists the images",
    );
  } finally {
    await s.close();
    await builtinOnly.close();
    await Deno.remove(root, { recursive: true });
    await Deno.remove(outside, { recursive: true });
  }
});

Deno.test("api/runs: tables and image folders are checked at submit, errors relative to the data root", async () => {
  const { root, outside } = await dataRoot();
  const s = await startServer({ dataRoot: root, cacheDir: `${outside}/cache` });
  try {
    const broken = await call<Err>(s.base, "POST", "/api/runs", { dataset: "tables/broken.tsv" });
    assertEquals([broken.status, broken.body.field, broken.body.file], [400, "dataset", "tables/broken.tsv"]);
    assertMatch(broken.body.error, /row 2 \(line 3\), column 2 \("b"\): "nope" is not a number/);
    const cnn = await call<Err>(s.base, "POST", "/api/runs", {
      dataset: "tables/pets.csv",
      model: "cnn",
      batchSize: 4,
    });
    assertEquals([cnn.status, cnn.body.field], [400, "model"]);
    assertMatch(cnn.body.error, /tabular data go to MLPs/);
    const label = await call<Err>(s.base, "POST", "/api/runs", {
      dataset: "tables/pets.csv",
      labelColumn: "size",
    });
    assertEquals([label.status, label.body.field, label.body.value], [400, "labelColumn", "size"]);
    const esc = await call<Err>(s.base, "POST", "/api/runs", {
      dataset: "tables/pets.csv",
      testData: "tables/escape.csv",
    });
    assertEquals([esc.status, esc.body.field], [400, "testData"]);
    assertMatch(esc.body.error, /symbolic link leads outside the data root/);
    await Deno.writeTextFile(`${root}/tables/test.csv`, "w,h,kind\n1,2,bird\n");
    const unseen = await call<Err>(s.base, "POST", "/api/runs", {
      dataset: "tables/pets.csv",
      testData: "tables/test.csv",
    });
    assertEquals([unseen.status, unseen.body.field, unseen.body.file], [400, "testData", "tables/test.csv"]);
    assertMatch(unseen.body.error, /class "bird" has no training samples/);
    const resize = await call<Err>(s.base, "POST", "/api/runs", { dataset: "digits", resize: "8x8" });
    assertEquals([resize.status, resize.body.field], [400, "resize"]);
    const badResize = await call<Err>(s.base, "POST", "/api/runs", {
      dataset: "deep/er/photos",
      resize: "8 by 8",
    });
    assertEquals([badResize.status, badResize.body.field], [400, "resize"]);
    // Accepted: the image folder with a CNN (its real shape: 16 training images, so B = 4 makes 4 batches).
    const ok = await call<{ id: string }>(s.base, "POST", "/api/runs", {
      dataset: "deep/er/photos",
      model: "cnn:2,2",
      batchSize: 4,
      d: 2,
      mcDraws: 2,
      epochs: 1,
      workers: 0,
      backend: "cpu",
    });
    assertEquals(ok.status, 201, JSON.stringify(ok.body));
    await call(s.base, "DELETE", `/api/runs/${ok.body.id}`);
  } finally {
    await s.close();
    await Deno.remove(root, { recursive: true });
    await Deno.remove(outside, { recursive: true });
  }
});
