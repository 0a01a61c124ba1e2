/**
 * fromArrays: data a library user already holds, with the file readers' rules (labels, scaling, the test
 * split, standardisation), checked by name, and analysed in memory.
 */
import { assert, assertEquals, assertInstanceOf, assertMatch, assertThrows } from "./assert.ts";
import { ConfigError, DataError } from "../../lib/errors.ts";
import { fromArrays } from "../../lib/data/assemble.ts";
import { analyze } from "../../lib/analysis/analyze.ts";
import { upgradeResult } from "../../lib/analysis/result_schema.ts";

Deno.test("fromArrays: images as bytes or floats, a given test split, names or indices as labels", () => {
  const x = Uint8Array.from({ length: 6 * 4 }, (_, i) => i * 10);
  const ds = fromArrays(x, [0, 1, 0, 1, 0, 1], [2, 2], { test: { x: x.slice(0, 8), y: [1, 0] } });
  assertEquals([ds.format, ds.kind, ds.height, ds.width, ds.channels, ds.classes], [
    "arrays",
    "images",
    2,
    2,
    1,
    2,
  ]);
  assertEquals([ds.train.n, ds.test.n, ds.train.images[1], ds.preprocessing!.scale], [
    6,
    2,
    Math.fround(10 / 255),
    "bytes/255",
  ]);
  assertEquals([ds.preprocessing!.order, ds.preprocessing!.testSplit], ["stored", { source: "stored" }]);
  const rgb = fromArrays(new Float32Array(5 * 2 * 2 * 3), ["b", "a", "b", "a", "a"], [2, 2, 3], {
    testFraction: 0.4,
  });
  assertEquals([rgb.channels, rgb.classNames, rgb.train.n, rgb.test.n], [3, ["a", "b"], 3, 2]);
  assertEquals(rgb.preprocessing!.standardization, null, "images are not standardised");
  const table = fromArrays([1, 10, 2, 20, 3, 30, 4, 40], [0, 1, 0, 1], [2], {
    testFraction: 0.5,
    standardize: false,
  });
  assertEquals([table.kind, table.preprocessing!.standardization, table.train.n], ["table", null, 2]);
});

Deno.test("fromArrays: input that does not fit is a ConfigError naming x, y, shape or test", () => {
  const cases: [() => unknown, string, RegExp][] = [
    [() => fromArrays(new Float32Array(7), [0, 1], [2, 2]), "x", /8 values \(2 samples of 2 × 2\)/],
    [() => fromArrays(new Float32Array(8), [0, 1], [2, 0]), "shape", /\[features\], \[height, width\]/],
    [() => fromArrays(new Float32Array(8), [0, 1], [2, 2, 1, 1]), "shape", /\[height, width, channels\]/],
    [() => fromArrays([1, NaN, 3, 4], [0, 1], [2]), "x", /x\[1\] is NaN/],
    [() => fromArrays("abc" as never, [0], [3]), "x", /a Uint8Array, Float32Array/],
    [
      () => fromArrays(new Float32Array(4), [0, 1], [2], { test: { x: new Float32Array(3), y: [0, 1] } }),
      "test.x",
      /4 values/,
    ],
    [
      () => fromArrays(new Float32Array(8), [0, 1, 0, 1], [2], { testFraction: 1 }),
      "testFraction",
      /\(0, 1\)/,
    ],
    [
      () => fromArrays(new Float32Array(4), ["a", "b"], [2], { classes: 3 }),
      "classes",
      /null for named labels/,
    ],
  ];
  for (const [fn, field, pattern] of cases) {
    const e = assertThrows(fn);
    assertInstanceOf(e, ConfigError);
    assertEquals(e.field, field, e.message);
    assertMatch(e.message, pattern);
  }
  const one = assertThrows(() => fromArrays(new Float32Array(4), [1, 1], [2]), DataError);
  assertMatch(one.message, /at least 2 classes/);
  const bad = assertThrows(() => fromArrays(new Float32Array(6), [0, 1, 2.5], [2]), DataError);
  assertMatch(bad.message, /y: label 2\.5 at index 2 is not a class index/);
});

Deno.test("fromArrays: a dataset in memory is analysed, and its result records format and preprocessing", async () => {
  // Two noisy 6-feature classes, standardised (the features have very different scales).
  const n = 200;
  const x = new Float64Array(n * 6), y: string[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 2;
    for (let j = 0; j < 6; j++) {
      x[6 * i + j] = (c ? 1 : -1) * (j + 1) * 100 + ((i * 7919 + j * 104729) % 97) - 48;
    }
    y.push(c ? "yes" : "no");
  }
  const data = fromArrays(x, y, [6], { seed: 1, shuffle: true });
  const r = await analyze(
    {
      dataset: "mine",
      model: "mlp:8",
      batchSize: 16,
      epochs: 3,
      learningRate: 0.02,
      d: 2,
      mcDraws: 4,
      workers: 0,
      backend: "cpu",
    },
    { data },
  );
  assertEquals([r.dataset.name, r.dataset.format, r.dataset.kind, r.dataset.width], [
    "arrays",
    "arrays",
    "table",
    6,
  ]);
  assertEquals(r.dataset.classNames, ["no", "yes"]);
  const st = r.dataset.preprocessing.standardization!;
  assertEquals([st.features, st.mean!.length], [6, 6]);
  assertEquals([r.dataset.preprocessing.order, r.dataset.preprocessing.seed], ["shuffle", 1]);
  assert(r.training.testAccuracy > 0.9, String(r.training.testAccuracy));
  // A result read back keeps what it recorded; one written before the data formats gets their defaults.
  assertEquals(upgradeResult(JSON.parse(JSON.stringify(r))).dataset.preprocessing, r.dataset.preprocessing);
  const { format: _f, kind: _k, classNames: _c, preprocessing: _p, ...before } = r.dataset;
  const old = upgradeResult({
    ...r,
    schema: "kstar.result/2",
    dataset: { ...before, name: "fashion-mnist", classes: 10 },
  });
  assertEquals([old.dataset.format, old.dataset.classNames[0], old.dataset.preprocessing.order], [
    "builtin",
    "T-shirt/top",
    "stored",
  ]);
});
