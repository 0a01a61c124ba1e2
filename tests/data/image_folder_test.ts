/**
 * Folders of PNG and JPEG images: the layouts, the class order, the file order and the seeded shuffle, colour,
 * resizing, the decoded cache — and each malformed input a DataError naming the file: a corrupt PNG, a JPEG of
 * another size, a class without training images, a stray file. An RGB folder trains a CNN end to end.
 */
import { encode as encodePng } from "npm:fast-png@8.0.0";
import jpeg from "npm:jpeg-js@0.4.4";
import { assert, assertEquals, assertMatch, assertRejects } from "./assert.ts";
import { ConfigError, DataError } from "../../lib/errors.ts";
import { loadDataset, probeDataset } from "../../lib/data/load.ts";
import { loadImageFolder } from "../../lib/data/image_folder.ts";
import type { LoadProgress } from "../../lib/data/builtin.ts";
import { analyze } from "../../lib/analysis/analyze.ts";

/** A grayscale PNG whose pixels are `seed + i` (mod 256). */
function grayPng(h: number, w: number, seed: number): Uint8Array {
  const data = Uint8Array.from({ length: h * w }, (_, i) => (seed + 3 * i) % 256);
  return encodePng({ width: w, height: h, data, channels: 1, depth: 8 });
}

/** An RGB PNG: red = seed, green = pixel index, blue = 255 − seed. */
function rgbPng(h: number, w: number, seed: number): Uint8Array {
  const data = new Uint8Array(h * w * 3);
  for (let i = 0; i < h * w; i++) data.set([seed % 256, i % 256, 255 - (seed % 256)], 3 * i);
  return encodePng({ width: w, height: h, data, channels: 3, depth: 8 });
}

function jpegOf(h: number, w: number, value: number): Uint8Array {
  const data = new Uint8Array(h * w * 4).fill(value);
  return jpeg.encode({ width: w, height: h, data }, 95).data;
}

async function withTemp(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "kstar-img-" }));
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** train/<class>/ and test/<class>/ folders of `n` / `m` images per class, made by `make(class, i)`. */
async function writeSplit(
  dir: string,
  classes: string[],
  n: number,
  m: number,
  make: (c: number, i: number) => [string, Uint8Array],
): Promise<void> {
  for (const [split, count] of [["train", n], ["test", m]] as const) {
    for (const [c, name] of classes.entries()) {
      await Deno.mkdir(`${dir}/${split}/${name}`, { recursive: true });
      for (let i = 0; i < count; i++) {
        const [file, bytes] = make(c, split === "train" ? i : 1000 + i);
        await Deno.writeFile(`${dir}/${split}/${name}/${file}`, bytes);
      }
    }
  }
}

Deno.test("images: train/ and test/ class folders; classes in natural order; files in name order or shuffled", async () => {
  await withTemp(async (dir) => {
    // Classes "10", "2", "b": natural order 2, 10, b. Files are named by a global index across the classes.
    const names = ["10", "2", "b"];
    await writeSplit(dir, names, 4, 2, (c, i) => [`img${3 * i + c}.png`, grayPng(3, 4, 10 * c + i)]);
    const ds = await loadDataset(dir, { order: "files", cacheDir: `${dir}/.cache` });
    assertEquals([ds.format, ds.kind, ds.height, ds.width, ds.channels], ["images", "images", 3, 4, 1]);
    assertEquals([ds.classNames, ds.train.n, ds.test.n], [["2", "10", "b"], 12, 6]);
    // img0 is class "10" (label 1), img1 class "2" (label 0), img2 class "b" (label 2), …
    assertEquals(Array.from(ds.train.labels.subarray(0, 6)), [1, 0, 2, 1, 0, 2]);
    assertEquals(ds.train.images[0], Math.fround(0 / 255)); // img0: class index 0 in the writer, i = 0
    assertEquals(ds.train.images[12], Math.fround(10 / 255)); // img1: writer class 1
    assertEquals(ds.preprocessing, {
      scale: "bytes/255",
      standardization: null,
      resize: null,
      order: "files",
      seed: null,
      testSplit: { source: "stored" },
    });
    const shuffled = await loadDataset(dir, { seed: 5, cacheDir: `${dir}/.cache` });
    assertEquals([shuffled.preprocessing!.order, shuffled.preprocessing!.seed], ["shuffle", 5]);
    assert(
      Array.from(shuffled.train.labels).join() !== Array.from(ds.train.labels).join(),
      "a shuffled order",
    );
    assertEquals(
      [...shuffled.train.labels].sort().join(),
      [...ds.train.labels].sort().join(),
      "the same samples",
    );
    assertEquals(
      Array.from(shuffled.test.labels),
      Array.from(ds.test.labels),
      "the test split keeps its order",
    );
  });
});

Deno.test("images: one level of class folders is split by a stratified test fraction; probe agrees", async () => {
  await withTemp(async (dir) => {
    for (const [c, name] of ["cat", "dog"].entries()) {
      await Deno.mkdir(`${dir}/${name}`);
      for (let i = 0; i < (c ? 10 : 20); i++) {
        await Deno.writeFile(`${dir}/${name}/${i}.png`, grayPng(2, 2, i));
      }
    }
    await Deno.writeTextFile(`${dir}/README.txt`, "files beside the class folders are not samples");
    await Deno.writeTextFile(`${dir}/cat/.DS_Store`, "ignored");
    const ds = await loadDataset(dir, { testFraction: 0.2, cache: false });
    assertEquals([ds.classNames, ds.train.n, ds.test.n], [["cat", "dog"], 24, 6]);
    assertEquals(
      [ds.test.labels.filter((l) => l === 0).length, ds.test.labels.filter((l) => l === 1).length],
      [4, 2],
    );
    assertEquals(ds.preprocessing!.testSplit, { source: "fraction", fraction: 0.2, seed: 0 });
    const shape = await probeDataset(dir, { testFraction: 0.2, cache: false });
    assertEquals([shape.format, shape.trainSamples, shape.testSamples, shape.classes], ["images", 24, 6, 2]);
  });
});

Deno.test("images: a corrupt PNG is a DataError naming it", async () => {
  await withTemp(async (dir) => {
    await writeSplit(dir, ["a", "b"], 3, 1, (c, i) => [`${i}.png`, grayPng(4, 4, c + i)]);
    const good = grayPng(4, 4, 9);
    await Deno.writeFile(`${dir}/train/b/1.png`, good.subarray(0, good.length - 12)); // cut inside the data
    const e = await assertRejects(() => loadDataset(dir, { cache: false }), DataError);
    assertEquals(e.file, `${dir}/train/b/1.png`);
    assertMatch(e.message, /corrupt PNG/);
    await Deno.writeFile(`${dir}/train/b/1.png`, new TextEncoder().encode("not an image"));
    for (const f of [loadDataset, probeDataset]) {
      const bad = await assertRejects(() => f(dir, { cache: false }), DataError);
      assertEquals(bad.file, `${dir}/train/b/1.png`);
      assertMatch(bad.message, /not a PNG or JPEG image/);
    }
  });
});

Deno.test("images: a JPEG of another size is a DataError naming it; --resize makes them one size", async () => {
  await withTemp(async (dir) => {
    await writeSplit(dir, ["a", "b"], 3, 1, (c, i) => [`${i}.jpg`, jpegOf(8, 8, 60 * c + i)]);
    await Deno.writeFile(`${dir}/test/b/1000.jpg`, jpegOf(6, 10, 200));
    for (const f of [loadDataset, probeDataset]) {
      const e = await assertRejects(() => f(dir, { cache: false }), DataError);
      assertEquals(e.file, `${dir}/test/b/1000.jpg`);
      assertMatch(e.message, /is 6×10 pixels, but the first image \(.*train\/a\/0\.jpg\) is 8×8; .*--resize/);
    }
    const ds = await loadDataset(dir, { resize: "4x4", cache: false });
    assertEquals([ds.height, ds.width, ds.channels, ds.preprocessing!.resize], [4, 4, 3, "4×4"]);
    const bad = await assertRejects(() => loadDataset(dir, { resize: "4 by 4" }), ConfigError);
    assertEquals(bad.field, "resize");
  });
});

Deno.test("images: a class with no training samples, a stray file or a nested folder is a DataError naming it", async () => {
  await withTemp(async (dir) => {
    await writeSplit(dir, ["a", "b"], 2, 1, (c, i) => [`${i}.png`, grayPng(2, 2, c + i)]);
    await Deno.mkdir(`${dir}/train/c`);
    let e = await assertRejects(() => loadDataset(dir, { cache: false }), DataError);
    assertEquals(e.file, `${dir}/train/c`);
    assertMatch(e.message, /class "c" has no training samples: the folder holds no images/);
    await Deno.remove(`${dir}/train/c`);
    await Deno.mkdir(`${dir}/test/z`);
    await Deno.writeFile(`${dir}/test/z/0.png`, grayPng(2, 2, 0));
    e = await assertRejects(() => loadDataset(dir, { cache: false }), DataError);
    assertEquals(e.file, `${dir}/test/z`);
    assertMatch(e.message, /class "z" has no training samples: there is no .*train\/z/);
    await Deno.remove(`${dir}/test/z`, { recursive: true });
    await Deno.writeTextFile(`${dir}/train/a/labels.csv`, "x");
    e = await assertRejects(() => loadDataset(dir, { cache: false }), DataError);
    assertEquals(e.file, `${dir}/train/a/labels.csv`);
    assertMatch(e.message, /is not a \.png, \.jpg or \.jpeg image/);
    await Deno.remove(`${dir}/train/a/labels.csv`);
    await Deno.mkdir(`${dir}/train/a/more`);
    e = await assertRejects(() => loadDataset(dir, { cache: false }), DataError);
    assertMatch(e.message, /is a folder inside a class folder/);
    await Deno.remove(`${dir}/train/a/more`);
    const classes = await assertRejects(() => loadDataset(dir, { classes: 5 }), ConfigError);
    assertEquals(classes.field, "classes");
    assertEquals((await loadDataset(dir, { cache: false })).classes, 2);
  });
});

Deno.test("images: grayscale and RGB together make RGB; transparent pixels are refused; palettes and 16 bits read", async () => {
  await withTemp(async (dir) => {
    await writeSplit(
      dir,
      ["a", "b"],
      2,
      1,
      (c, i) => [`${i}.png`, c === 0 ? grayPng(2, 3, 40) : rgbPng(2, 3, i)],
    );
    const ds = await loadDataset(dir, { order: "files", cache: false });
    assertEquals(ds.channels, 3);
    // The first training image is gray 40, 43, 46, …: each pixel repeated over R, G and B.
    assertEquals(Array.from(ds.train.images.subarray(0, 6)).map((v) => Math.round(v * 255)), [
      40,
      40,
      40,
      43,
      43,
      43,
    ]);
    assertEquals((await probeDataset(dir, { cache: false })).channels, 3);
    // Palette and 16-bit images decode to the same 8-bit values.
    const palette = encodePng({
      width: 2,
      height: 1,
      data: new Uint8Array([1, 0]),
      channels: 1,
      depth: 8,
      palette: [[10, 20, 30], [40, 50, 60]],
    });
    const sixteen = encodePng({
      width: 2,
      height: 1,
      data: new Uint16Array([0, 65535]),
      channels: 1,
      depth: 16,
    });
    const alpha = encodePng({
      width: 1,
      height: 1,
      data: new Uint8Array([9, 9, 9, 128]),
      channels: 4,
      depth: 8,
    });
    const { decodeImage } = await import("../../lib/data/images.ts");
    assertEquals(Array.from(decodeImage(palette, "p.png").pixels), [40, 50, 60, 10, 20, 30]);
    assertEquals(Array.from(decodeImage(sixteen, "s.png").pixels), [0, 255]);
    await Deno.writeFile(`${dir}/train/b/0.png`, alpha);
    const e = await assertRejects(() => loadDataset(dir, { cache: false }), DataError);
    assertEquals(e.file, `${dir}/train/b/0.png`);
    assertMatch(e.message, /has transparent pixels/);
  });
});

Deno.test("images: the decoded form is cached; a changed file is decoded again", async () => {
  await withTemp(async (dir) => {
    const data = `${dir}/data`, cache = `${dir}/cache`;
    await writeSplit(data, ["a", "b"], 5, 2, (c, i) => [`${i}.png`, grayPng(4, 4, 20 * c + i)]);
    const stages = async () => {
      const seen: LoadProgress[] = [];
      const ds = await loadImageFolder(data, {
        cacheDir: cache,
        order: "files",
        onProgress: (p) => seen.push(p),
      });
      return { ds, stages: seen.map((p) => p.stage) };
    };
    const first = await stages();
    assert(first.stages.includes("cache-miss") && first.stages.includes("cache-write"), first.stages.join());
    assert(first.stages.includes("read"), "decoding reports progress");
    const files = [...Deno.readDirSync(cache)].map((e) => e.name);
    assertEquals(files.length, 1);
    assertMatch(files[0], /^images-data-[0-9a-f]{24}\.kds$/);
    const second = await stages();
    assertEquals(second.stages.slice(0, 1), ["cache-hit"]);
    assertEquals(Array.from(second.ds.train.images), Array.from(first.ds.train.images));
    assertEquals(Array.from(second.ds.test.labels), Array.from(first.ds.test.labels));
    assertEquals(second.ds.classNames, first.ds.classNames);
    // The probe reads the shape from the cache.
    assertEquals((await probeDataset(data, { cacheDir: cache })).trainSamples, 10);
    // A rewritten image changes the key: decoded again, with its new pixels.
    await Deno.writeFile(`${data}/train/a/0.png`, grayPng(4, 4, 200));
    const third = await stages();
    assert(third.stages.includes("cache-miss"), third.stages.join());
    assertEquals(Math.round(third.ds.train.images[0] * 255), 200);
    // Resizing is part of the key too.
    const resized = await loadImageFolder(data, { cacheDir: cache, resize: "2x2" });
    assertEquals([resized.height, resized.width], [2, 2]);
    assertEquals([...Deno.readDirSync(cache)].length, 3);
  });
});

Deno.test("images: a symbolic link out of the data root is refused", async () => {
  await withTemp(async (dir) => {
    await writeSplit(`${dir}/root/pets`, ["a", "b"], 2, 1, (c, i) => [`${i}.png`, grayPng(2, 2, c + i)]);
    await Deno.writeFile(`${dir}/secret.png`, grayPng(2, 2, 0));
    await Deno.symlink(`${dir}/secret.png`, `${dir}/root/pets/train/a/9.png`);
    const e = await assertRejects(
      () => loadDataset("pets", { dataRoot: `${dir}/root`, cache: false }),
      DataError,
    );
    assertEquals(e.file, `${dir}/root/pets/train/a/9.png`);
    assertMatch(e.message, /symbolic link that leads outside the data root/);
    // Without a data root the link is followed.
    assertEquals((await loadDataset(`${dir}/root/pets`, { cache: false })).train.n, 5);
  });
});

Deno.test("images: an RGB folder trains a CNN end to end with 3 input channels", async () => {
  await withTemp(async (dir) => {
    // Two classes told apart by colour: reddish and bluish 8×8 images with some texture.
    await writeSplit(dir, ["blue", "red"], 48, 8, (c, i) => {
      const data = new Uint8Array(8 * 8 * 3);
      for (let p = 0; p < 64; p++) {
        const t = (p * 37 + i * 11) % 64;
        data.set(c === 1 ? [180 + t, 40, 40] : [40, 40, 180 + t], 3 * p);
      }
      return [
        `${String(i).padStart(4, "0")}.png`,
        encodePng({ width: 8, height: 8, data, channels: 3, depth: 8 }),
      ];
    });
    const r = await analyze(
      {
        dataset: dir,
        model: "cnn:4,8",
        batchSize: 16,
        epochs: 3,
        learningRate: 0.01,
        trainBatchSize: 16,
        d: 2,
        mcDraws: 4,
        workers: 0,
        backend: "cpu",
      },
      { cacheDir: `${dir}/.cache` },
    );
    assertEquals([r.dataset.format, r.dataset.channels, r.dataset.classNames], ["images", 3, [
      "blue",
      "red",
    ]]);
    // conv1: 3·3·3·4 + 4, conv2: 3·3·4·8 + 8, head: (2·2·8)·2 + 2
    assertEquals(r.model.parameters, 112 + 296 + 66);
    assertEquals(r.dataset.batches, 6);
    assert(r.training.testAccuracy > 0.9, `colour is easy: ${r.training.testAccuracy}`);
  });
});
