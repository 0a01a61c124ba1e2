/**
 * CSV and TSV tables: header detection, the label column, labels as indices or names, standardisation with the
 * training statistics, the stratified test split, a test table from a second file — and every malformed input
 * a DataError naming the file, row, line and column.
 */
import {
  assert,
  assertEquals,
  assertInstanceOf,
  assertMatch,
  assertRejects,
  assertThrows,
} from "./assert.ts";
import { ConfigError, DataError } from "../../lib/errors.ts";
import { parseTable } from "../../lib/data/table.ts";
import { loadDataset, probeDataset } from "../../lib/data/load.ts";
import { planRun } from "../../lib/config/plan.ts";
import { resolveConfig } from "../../lib/config/resolve.ts";

const CSV = { delimiter: "," } as const;

function dataError(fn: () => unknown, file: string, pattern: RegExp): DataError {
  const e = assertThrows(fn);
  assertInstanceOf(e, DataError);
  assertEquals(e.file, file);
  assertMatch(e.message, pattern);
  return e;
}

async function withTemp(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "kstar-table-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** A two-class table of n rows: x = i, y = i², label odd/even. */
function rows(n: number, label: (i: number) => string = (i) => (i % 2 ? "odd" : "even")): string {
  return Array.from({ length: n }, (_, i) => `${i},${i * i},${label(i)}`).join("\n") + "\n";
}

Deno.test("table: the header is detected, or given; the label column is the last, a name or a number", () => {
  const t = parseTable("a,b,kind\n1,2,x\n3,4,y\n", "t.csv", CSV);
  assertEquals([t.header, t.n, t.labelIndex, t.featureNames], [["a", "b", "kind"], 2, 2, ["a", "b"]]);
  // No header: the first row is data (its label cell is text, like the labels below it).
  const n = parseTable("1,2,x\n3,4,y\n", "t.csv", CSV);
  assertEquals([n.header, n.n, n.featureNames], [null, 2, ["column 1", "column 2"]]);
  // Given: a numeric first row taken as a header, or a named one taken as data would fail.
  assertEquals(parseTable("1,2,3\n4,5,6\n", "t.csv", { ...CSV, header: "yes" }).header, ["1", "2", "3"]);
  assertThrows(() => parseTable("a,b,c\n4,5,6\n", "t.csv", { ...CSV, header: "no" }), DataError);
  // The label column by name (first) or 1-based number.
  const byName = parseTable("kind,a,b\nx,1,2\ny,3,4\n", "t.csv", { ...CSV, labelColumn: "kind" });
  assertEquals([byName.labelIndex, byName.labels, Array.from(byName.features)], [0, ["x", "y"], [
    1,
    2,
    3,
    4,
  ]]);
  assertEquals(parseTable("1,x,2\n3,y,4\n", "t.csv", { ...CSV, labelColumn: "2" }).labels, ["x", "y"]);
  const missing = assertThrows(() => parseTable("a,b\n1,x\n", "t.csv", { ...CSV, labelColumn: "c" }));
  assertInstanceOf(missing, ConfigError);
  assertEquals(missing.field, "labelColumn");
  assertMatch(missing.message, /a column name \("a", "b"\) or a number in \[1, 2\]/);
  // TSV, a byte-order mark, CRLF and quoted cells.
  const tsv = parseTable('\ufeffw\th\tname\r\n1.5\t2\t"big, red"\r\n', "t.tsv", { delimiter: "\t" });
  assertEquals([tsv.header, tsv.labels, Array.from(tsv.features)], [["w", "h", "name"], ["big, red"], [
    1.5,
    2,
  ]]);
});

Deno.test("table: a row with another column count names its row and line", () => {
  dataError(
    () => parseTable("a,b,c\n1,2,x\n\n3,4\n", "t.csv", CSV),
    "t.csv",
    /row 2 \(line 4\) has 2 columns, expected 3 like the header/,
  );
  dataError(
    () => parseTable("1,2,x\n3,4,y,5\n", "t.csv", CSV),
    "t.csv",
    /row 2 \(line 2\) has 4 columns, expected 3 like row 1/,
  );
});

Deno.test("table: a non-numeric or missing cell names its row, line and column", () => {
  dataError(
    () => parseTable("width,height,kind\n1,2,x\n3,abc,y\n", "t.csv", CSV),
    "t.csv",
    /row 2 \(line 3\), column 2 \("height"\): "abc" is not a number/,
  );
  dataError(
    () => parseTable("a,b,kind\n1,,x\n", "t.csv", CSV),
    "t.csv",
    /row 1 \(line 2\), column 2 \("b"\): missing value/,
  );
  dataError(
    () => parseTable("a,b,kind\n1,1e999,x\n", "t.csv", CSV),
    "t.csv",
    /"1e999" is not a finite number/,
  );
  dataError(() => parseTable("a,b,kind\n1,NaN,x\n", "t.csv", CSV), "t.csv", /"NaN" is not a number/);
  dataError(
    () => parseTable('a,b\n"1,x\n', "t.csv", CSV),
    "t.csv",
    /not a valid CSV table: Quote Not Closed/,
  );
  dataError(() => parseTable("", "t.csv", CSV), "t.csv", /is empty/);
  dataError(() => parseTable("a,b,c\n", "t.csv", CSV), "t.csv", /has a header but no data rows/);
  dataError(
    () => parseTable("1\n2\n", "t.csv", CSV),
    "t.csv",
    /at least one feature column and a label column/,
  );
});

Deno.test("table: an empty label names its row, line and column", () => {
  dataError(
    () => parseTable("a,b,kind\n1,2,x\n3,4,  \n", "t.csv", CSV),
    "t.csv",
    /row 2 \(line 3\), column 3 \("kind"\): empty label/,
  );
});

Deno.test("table: names map to classes in natural order, integers are class indices; the mapping is recorded", async () => {
  await withTemp(async (dir) => {
    await Deno.writeTextFile(
      `${dir}/n.csv`,
      "x,y,c\n" + rows(20, (i) => ["item10", "item2", "item1"][i % 3]),
    );
    const named = await loadDataset(`${dir}/n.csv`);
    assertEquals([named.format, named.kind, named.classNames], ["csv", "table", [
      "item1",
      "item2",
      "item10",
    ]]);
    // Integer labels are indices: 0..2 present, so 3 classes named "0", "1", "2".
    await Deno.writeTextFile(`${dir}/i.csv`, "x,y,c\n" + rows(20, (i) => String(i % 3)));
    const ints = await loadDataset(`${dir}/i.csv`);
    assertEquals([ints.classes, ints.classNames], [3, ["0", "1", "2"]]);
    // Integer labels that skip a class need --classes, as IDX labels do; the error names the row and line.
    await Deno.writeTextFile(`${dir}/gap.csv`, "x,y,c\n" + rows(20, (i) => String(2 * (i % 2))));
    const gap = await assertRejects(() => loadDataset(`${dir}/gap.csv`), DataError);
    assertMatch(gap.message, /label 2 at row 2 \(line 3\): the 2 distinct training labels are not 0\.\.1/);
    assertEquals((await loadDataset(`${dir}/gap.csv`, { classes: 3 })).classes, 3);
    // --classes does not apply to named labels.
    const c = await assertRejects(() => loadDataset(`${dir}/n.csv`, { classes: 3 }), ConfigError);
    assertEquals(c.field, "classes");
  });
});

Deno.test("table: a test class with no training samples is an error naming the test file and row", async () => {
  await withTemp(async (dir) => {
    await Deno.writeTextFile(`${dir}/train.csv`, "x,y,c\n" + rows(12));
    await Deno.writeTextFile(`${dir}/test.csv`, "x,y,c\n1,2,odd\n3,4,prime\n");
    const e = await assertRejects(
      () => loadDataset(`${dir}/train.csv`, { testData: `${dir}/test.csv` }),
      DataError,
    );
    assertEquals(e.file, `${dir}/test.csv`);
    assertMatch(e.message, /label "prime" at row 2 \(line 3\): class "prime" has no training samples/);
    // A test table with other columns is refused, naming both files.
    await Deno.writeTextFile(`${dir}/other.csv`, "x,z,c\n1,2,odd\n");
    const cols = await assertRejects(
      () => loadDataset(`${dir}/train.csv`, { testData: `${dir}/other.csv` }),
      DataError,
    );
    assertMatch(cols.message, /column 2 of the header is named "z", but the training table's is "y"/);
    await Deno.writeTextFile(`${dir}/narrow.csv`, "1,odd\n");
    const narrow = await assertRejects(
      () => loadDataset(`${dir}/train.csv`, { testData: `${dir}/narrow.csv` }),
      DataError,
    );
    assertMatch(narrow.message, /has 2 columns, but the training table .*train\.csv has 3/);
    // With a matching test table: its rows, in file order, form the test split.
    await Deno.writeTextFile(`${dir}/ok.csv`, "x,y,c\n5,25,odd\n4,16,even\n");
    const ds = await loadDataset(`${dir}/train.csv`, { testData: `${dir}/ok.csv`, standardize: false });
    assertEquals([ds.train.n, ds.test.n, Array.from(ds.test.labels), Array.from(ds.test.images)], [12, 2, [
      1,
      0,
    ], [5, 25, 4, 16]]);
    assertEquals(ds.preprocessing!.testSplit, { source: "file", file: "ok.csv" });
    // The test table must be a table.
    const dirAsTest = await assertRejects(
      () => loadDataset(`${dir}/train.csv`, { testData: dir }),
      ConfigError,
    );
    assertEquals(dirAsTest.field, "testData");
  });
});

Deno.test("table: features standardised with the training mean and deviation (recorded), or not", async () => {
  await withTemp(async (dir) => {
    // x = 0..9 (mean 4.5, sd √8.25), y constant 7 (centred only); a test row uses the training statistics.
    await Deno.writeTextFile(
      `${dir}/train.csv`,
      Array.from({ length: 10 }, (_, i) => `${i},7,${i % 2}`).join("\n"),
    );
    await Deno.writeTextFile(`${dir}/test.csv`, "9,8,1\n");
    const ds = await loadDataset(`${dir}/train.csv`, { testData: `${dir}/test.csv`, order: "files" });
    const st = ds.preprocessing!.standardization!;
    assertEquals([st.features, st.constant, st.mean, st.std], [2, 1, [4.5, 7], [Math.sqrt(8.25), 0]]);
    assertEquals(Array.from(ds.train.images.subarray(0, 2)), [Math.fround(-4.5 / Math.sqrt(8.25)), 0]);
    assertEquals(Array.from(ds.test.images), [Math.fround(4.5 / Math.sqrt(8.25)), 1]);
    let mean = 0;
    for (let i = 0; i < 10; i++) mean += ds.train.images[2 * i];
    assert(Math.abs(mean / 10) < 1e-6, "training features have mean 0");
    const raw = await loadDataset(`${dir}/train.csv`, { standardize: false, testData: `${dir}/test.csv` });
    assertEquals([raw.preprocessing!.standardization, Array.from(raw.test.images)], [null, [9, 8]]);
  });
});

Deno.test("table: a seeded, stratified test fraction; the order shuffled by seed or kept", async () => {
  await withTemp(async (dir) => {
    // 30 rows of class a, 10 of class b, sorted by class.
    const text = "v,w,c\n" +
      Array.from({ length: 40 }, (_, i) => `${i},${-i},${i < 30 ? "a" : "b"}`).join("\n");
    await Deno.writeTextFile(`${dir}/t.csv`, text);
    const kept = await loadDataset(`${dir}/t.csv`, { standardize: false, order: "files", testFraction: 0.2 });
    assertEquals([kept.train.n, kept.test.n], [32, 8]);
    const count = (l: Uint8Array, c: number) => l.filter((x) => x === c).length;
    assertEquals(
      [count(kept.test.labels, 0), count(kept.test.labels, 1)],
      [6, 2],
      "stratified: 6 of a, 2 of b",
    );
    const firsts = Array.from({ length: kept.train.n }, (_, i) => kept.train.images[2 * i]);
    assertEquals(firsts, [...firsts].sort((a, b) => a - b), "files order keeps the rows' order");
    assertEquals(kept.preprocessing!.testSplit, { source: "fraction", fraction: 0.2, seed: 0 });
    const shuffled = await loadDataset(`${dir}/t.csv`, { standardize: false, seed: 3 });
    const again = await loadDataset(`${dir}/t.csv`, { standardize: false, seed: 3 });
    const other = await loadDataset(`${dir}/t.csv`, { standardize: false, seed: 4 });
    assertEquals(Array.from(shuffled.train.images), Array.from(again.train.images), "seeded");
    assert(
      Array.from(shuffled.train.images).join() !== Array.from(other.train.images).join(),
      "another seed, another order",
    );
    const kept3 = await loadDataset(`${dir}/t.csv`, { standardize: false, seed: 3, order: "files" });
    assertEquals(
      [...shuffled.train.images].sort().join(),
      [...kept3.train.images].sort().join(),
      "same samples",
    );
    assertEquals(
      Array.from(shuffled.test.images),
      Array.from(kept3.test.images),
      "the test split is not shuffled",
    );
    assertEquals([shuffled.preprocessing!.order, shuffled.preprocessing!.seed], ["shuffle", 3]);
    // A fraction that leaves no test sample is refused by name.
    await Deno.writeTextFile(`${dir}/small.csv`, "1,2,a\n3,4,b\n5,6,a\n7,8,b\n");
    const none = await assertRejects(
      () => loadDataset(`${dir}/small.csv`, { testFraction: 0.1 }),
      ConfigError,
    );
    assertEquals(none.field, "testFraction");
    // The probe gives the same shape without standardising.
    const shape = await probeDataset(`${dir}/t.csv`, { testFraction: 0.2 });
    assertEquals([shape.format, shape.kind, shape.width, shape.trainSamples, shape.testSamples], [
      "csv",
      "table",
      2,
      32,
      8,
    ]);
  });
});

Deno.test("table: a CNN on a table is refused by planRun; options of other formats are refused by name", async () => {
  await withTemp(async (dir) => {
    await Deno.writeTextFile(`${dir}/t.csv`, "x,y,c\n" + rows(60));
    const shape = await probeDataset(`${dir}/t.csv`);
    const e = assertThrows(() => planRun(resolveConfig({ model: "cnn", batchSize: 8 }), shape));
    assertInstanceOf(e, ConfigError);
    assertEquals(e.field, "model");
    assertMatch(e.message, /tabular data go to MLPs .*t\.csv is a table of 2 features per row, not images/);
    assertEquals(planRun(resolveConfig({ model: "mlp:4", batchSize: 8 }), shape).batches, 6);
    const resize = await assertRejects(() => loadDataset(`${dir}/t.csv`, { resize: "8x8" }), ConfigError);
    assertEquals(resize.field, "resize");
    const label = await assertRejects(() => loadDataset("mnist", { labelColumn: "label" }), ConfigError);
    assertEquals(label.field, "labelColumn");
    assertMatch(label.message, /no value for a built-in dataset \(it applies to CSV\/TSV tables\)/);
    await Deno.writeTextFile(`${dir}/notes.txt`, "x");
    const txt = await assertRejects(() => loadDataset(`${dir}/notes.txt`), ConfigError);
    assertMatch(txt.message, /notes\.txt is a file, but not a \.csv or \.tsv table/);
  });
});
