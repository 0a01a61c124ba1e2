import { assert, assertEquals, assertInstanceOf, assertMatch, assertRejects } from "./assert.ts";
import { DataError } from "../../lib/errors.ts";
import { encodeIdxImages, encodeIdxLabels } from "../../lib/data/idx.ts";
import { loadIdxFolder } from "../../lib/data/idx_folder.ts";
import { fakeBytes, writeIdxFolder } from "./helpers.ts";

const FIXTURE = new URL("./fixtures/tiny-gz", import.meta.url).pathname;

async function withTemp(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "kstar-data-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("idx folder: loads a generated 5×4, 3-class dataset", async () => {
  await withTemp(async (tmp) => {
    const dir = `${tmp}/tiny-digits`;
    await writeIdxFolder(dir, { rows: 5, cols: 4, nTrain: 12, nTest: 6, classes: 3 });
    const ds = await loadIdxFolder(dir);
    assertEquals([ds.name, ds.height, ds.width, ds.classes], ["tiny-digits", 5, 4, 3]);
    assertEquals([ds.train.n, ds.test.n], [12, 6]);
    assertEquals(ds.train.images.length, 12 * 20);
    assertEquals(ds.test.images.length, 6 * 20);
    assertEquals(ds.train.images[0], Math.fround(fakeBytes(1, 7)[0] / 255));
    assertEquals(Array.from(ds.test.labels), [0, 1, 2, 0, 1, 2]);
    assertEquals(ds.train.images.every((v) => v >= 0 && v <= 1), true);
  });
});

Deno.test("idx folder: gzip files written by Python (fixture)", async () => {
  const ds = await loadIdxFolder(FIXTURE);
  assertEquals([ds.name, ds.height, ds.width, ds.classes, ds.train.n, ds.test.n], ["tiny-gz", 3, 2, 2, 2, 1]);
  assertEquals(Array.from(ds.train.images.subarray(0, 6)).map((v) => Math.round(v * 255)), [
    0,
    255,
    128,
    64,
    32,
    16,
  ]);
  assertEquals(Array.from(ds.test.images), [1, 0, 1, 0, 1, 0]);
  assertEquals(Array.from(ds.train.labels), [0, 1]);
});

Deno.test("idx folder: gzip files written by CompressionStream, plain file preferred when both exist", async () => {
  await withTemp(async (dir) => {
    await writeIdxFolder(dir, { gzip: true, classes: 4 });
    assertEquals((await loadIdxFolder(dir)).classes, 4);
    // A plain labels file beside the .gz one wins: its 6 classes (and the test labels 0..3 among them).
    await Deno.writeFile(
      `${dir}/train-labels-idx1-ubyte`,
      encodeIdxLabels(Uint8Array.from({ length: 12 }, (_, i) => i % 6)),
    );
    assertEquals((await loadIdxFolder(dir)).classes, 6);
  });
});

Deno.test("idx folder: the classes are the training labels; a stray label is an error naming file and index", async () => {
  await withTemp(async (dir) => {
    await writeIdxFolder(dir, { classes: 1 });
    const one = await assertRejects(() => loadIdxFolder(dir));
    assertInstanceOf(one, DataError);
    assert(/at least 2 classes/.test(one.message), one.message);
    // One stray train label 255 among 0..2 does not make a 256-class model.
    await writeIdxFolder(dir, { classes: 3 });
    const labels = Uint8Array.from({ length: 12 }, (_, i) => i % 3);
    labels[7] = 255;
    await Deno.writeFile(`${dir}/train-labels-idx1-ubyte`, encodeIdxLabels(labels));
    const stray = await assertRejects(() => loadIdxFolder(dir));
    assertInstanceOf(stray, DataError);
    assertEquals(stray.file, `${dir}/train-labels-idx1-ubyte`);
    assert(/label 255 at index 7/.test(stray.message), stray.message);
    // With an explicit class count the label is allowed.
    assertEquals((await loadIdxFolder(dir, 256)).classes, 256);
    // A test label that never occurs in training is an error naming the test file.
    await Deno.writeFile(
      `${dir}/train-labels-idx1-ubyte`,
      encodeIdxLabels(Uint8Array.from({ length: 12 }, (_, i) => i % 2)),
    );
    const unseen = await assertRejects(() => loadIdxFolder(dir));
    assertInstanceOf(unseen, DataError);
    assertEquals(unseen.file, `${dir}/t10k-labels-idx1-ubyte`);
    assert(/label 2 at index 2 never occurs in training/.test(unseen.message), unseen.message);
    assertEquals((await loadIdxFolder(dir, 3)).classes, 3);
  });
});

Deno.test("idx folder: a missing file is a DataError naming it", async () => {
  await withTemp(async (dir) => {
    await writeIdxFolder(dir, { omit: ["t10k-labels-idx1-ubyte"] });
    const e = await assertRejects(() => loadIdxFolder(dir));
    assertInstanceOf(e, DataError);
    assertEquals(e.file, `${dir}/t10k-labels-idx1-ubyte`);
    assertMatch(e.message, /missing: expected this file or t10k-labels-idx1-ubyte\.gz/);
  });
});

Deno.test("idx folder: malformed file, count mismatch and size mismatch name the file", async () => {
  await withTemp(async (dir) => {
    await writeIdxFolder(dir);
    await Deno.writeFile(`${dir}/train-images-idx3-ubyte`, new Uint8Array([0, 0, 8, 3, 0, 0]));
    let e = await assertRejects(() => loadIdxFolder(dir));
    assertInstanceOf(e, DataError);
    assertEquals(e.file, `${dir}/train-images-idx3-ubyte`);

    await writeIdxFolder(dir);
    await Deno.writeFile(`${dir}/t10k-labels-idx1-ubyte`, encodeIdxLabels(new Uint8Array(5)));
    e = await assertRejects(() => loadIdxFolder(dir));
    assertInstanceOf(e, DataError);
    assertEquals(e.file, `${dir}/t10k-labels-idx1-ubyte`);
    assertMatch(e.message, /5 labels but .*t10k-images-idx3-ubyte has 6 images/);

    await writeIdxFolder(dir);
    await Deno.writeFile(`${dir}/t10k-images-idx3-ubyte`, encodeIdxImages(fakeBytes(6 * 4 * 5), 6, 4, 5));
    e = await assertRejects(() => loadIdxFolder(dir));
    assertInstanceOf(e, DataError);
    assertMatch(e.message, /image size 4×5 differs from the training images' 5×4/);
  });
});

Deno.test("idx folder: a split with no images is a DataError", async () => {
  await withTemp(async (dir) => {
    await writeIdxFolder(dir, { nTest: 0 });
    const e = await assertRejects(() => loadIdxFolder(dir), DataError);
    assertMatch(e.message, /holds 0 images/);
  });
});
