/**
 * The same 1,000 MNIST training images (and 200 test images) written as IDX files, as NumPy arrays (uint8
 * pixels in Fortran order, big-endian int64 test labels), as PNG class folders (files named by their index,
 * read with `order: "files"`) and as CSV tables of 784 pixel columns (the [0, 1] values, `standardize: false`,
 * the test table by `testData`) give the same k*, curves, spectrum and accuracy.
 */
import { analyze } from "../../lib/analysis/analyze.ts";
import type { AnalysisConfig, AnalysisResult } from "../../lib/analysis/types.ts";
import { loadBuiltin } from "../../lib/data/builtin.ts";
import { unitFloatsToBytes } from "../../lib/data/idx.ts";
import { encodeNpy } from "../../lib/data/npy.ts";
import type { Split } from "../../lib/data/dataset.ts";
import { assert, assertEquals } from "./assert.ts";
import { csvTable, writeIdxFolder, writePngFolder } from "./write_formats.ts";

const N_TRAIN = 1000, N_TEST = 200, SIDE = 28, PIX = SIDE * SIDE;

function head(split: Split, n: number): { bytes: Uint8Array; values: Float32Array; labels: Uint8Array } {
  const values = split.images.slice(0, n * PIX);
  return { bytes: unitFloatsToBytes(values), values, labels: split.labels.slice(0, n) };
}

async function writeNpy(dir: string, train: ReturnType<typeof head>, test: ReturnType<typeof head>) {
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeFile(
    `${dir}/x_train.npy`,
    encodeNpy(train.bytes, [N_TRAIN, SIDE, SIDE], { fortran: true }),
  );
  await Deno.writeFile(`${dir}/y_train.npy`, encodeNpy(Int32Array.from(train.labels), [N_TRAIN]));
  await Deno.writeFile(`${dir}/x_test.npy`, encodeNpy(test.bytes, [N_TEST, SIDE, SIDE]));
  const y = BigInt64Array.from(test.labels, (l) => BigInt(l));
  await Deno.writeFile(`${dir}/y_test.npy`, encodeNpy(y, [N_TEST], { bigEndian: true }));
}

const TINY: Partial<AnalysisConfig> = {
  model: "mlp:16",
  batchSize: 100,
  epochs: 2,
  learningRate: 0.01,
  d: 3,
  mcDraws: 8,
  workers: 0,
  backend: "cpu",
  order: "files",
};

Deno.test("equivalence: IDX, NumPy, PNG folders and CSV of the same samples give the same k*, curves and accuracy", async () => {
  const mnist = await loadBuiltin("mnist");
  const train = head(mnist.train, N_TRAIN), test = head(mnist.test, N_TEST);
  const dir = await Deno.makeTempDir({ prefix: "kstar-equiv-" });
  try {
    await writeIdxFolder(`${dir}/idx`, train, test, SIDE);
    await writeNpy(`${dir}/npy`, train, test);
    await writePngFolder(`${dir}/png`, train, test, SIDE);
    await Deno.writeTextFile(`${dir}/train.csv`, csvTable(train.values, train.labels, PIX));
    await Deno.writeTextFile(`${dir}/test.csv`, csvTable(test.values, test.labels, PIX));
    const opts = { cacheDir: `${dir}/cache` };
    const runs: [string, AnalysisResult][] = [];
    for (
      const [format, cfg] of [
        ["idx", { dataset: `${dir}/idx` }],
        ["npy", { dataset: `${dir}/npy` }],
        ["images", { dataset: `${dir}/png` }],
        ["csv", { dataset: `${dir}/train.csv`, testData: `${dir}/test.csv`, standardize: false }],
      ] as const
    ) {
      const r = await analyze({ ...TINY, ...cfg }, opts);
      assertEquals(r.dataset.format, format);
      runs.push([format, r]);
    }
    const [, ref] = runs[0];
    assertEquals([ref.dataset.trainSamples, ref.dataset.testSamples, ref.dataset.batches], [
      N_TRAIN,
      N_TEST,
      10,
    ]);
    assert(ref.training.testAccuracy > 0.6, `the model learned something: ${ref.training.testAccuracy}`);
    assert(ref.curves.empirical.every((x) => Number.isFinite(x) && x >= 0), "finite curves");
    for (const [format, r] of runs.slice(1)) {
      const shape = (x: AnalysisResult) => {
        const { height, width, channels, classes, classNames, trainSamples, testSamples, usedSamples } =
          x.dataset;
        return {
          inputs: height * width * channels,
          classes,
          classNames,
          trainSamples,
          testSamples,
          usedSamples,
        };
      };
      assertEquals(shape(r), shape(ref), `${format}: shape`);
      const epochs = (x: AnalysisResult) => x.training.epochs.map(({ seconds: _, ...e }) => e);
      assertEquals(epochs(r), epochs(ref), `${format}: training`);
      assertEquals(
        [r.training.trainLoss, r.training.trainAccuracy, r.training.testLoss, r.training.testAccuracy],
        [
          ref.training.trainLoss,
          ref.training.trainAccuracy,
          ref.training.testLoss,
          ref.training.testAccuracy,
        ],
        `${format}: accuracy and loss`,
      );
      assertEquals(r.spectrum.values, ref.spectrum.values, `${format}: spectrum`);
      assertEquals(r.curves, ref.curves, `${format}: curves`);
      assertEquals(r.thresholds, ref.thresholds, `${format}: k*`);
      assertEquals(r.fits, ref.fits, `${format}: fits`);
    }
    // What each result records about its data: the table is 784 features of one row, the others 28×28 images.
    const sizes = runs.map((
      [, r],
    ) => [r.dataset.kind, r.dataset.height, r.dataset.width, r.dataset.channels]);
    assertEquals(sizes, [["images", 28, 28, 1], ["images", 28, 28, 1], ["images", 28, 28, 1], [
      "table",
      1,
      784,
      1,
    ]]);
    const pre = Object.fromEntries(runs.map(([f, r]) => [f, r.dataset.preprocessing]));
    assertEquals([pre.idx.order, pre.npy.order, pre.images.order, pre.csv.order], [
      "stored",
      "stored",
      "files",
      "files",
    ]);
    assertEquals([pre.idx.scale, pre.npy.scale, pre.images.scale, pre.csv.scale], [
      "bytes/255",
      "bytes/255",
      "bytes/255",
      "none",
    ]);
    assertEquals(pre.csv.standardization, null);
    assertEquals(pre.csv.testSplit, { source: "file", file: "test.csv" });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
