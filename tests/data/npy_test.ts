/**
 * NumPy `.npy` files and folders: the header parsed robustly, both byte orders, C and Fortran order, the three
 * feature shapes — and each malformed file a DataError naming it: truncated, an unsupported dtype, a bad
 * header, mismatched files.
 */
import { assertEquals, assertMatch, assertRejects, assertThrows } from "./assert.ts";
import { DataError } from "../../lib/errors.ts";
import { encodeNpy, npyFeatures, npyLabels, parseNpy, parseNpyHeader } from "../../lib/data/npy.ts";
import { loadDataset, probeDataset } from "../../lib/data/load.ts";

/** A version-1 .npy file with the given header text (padded as NumPy pads it) and data bytes. */
function npyWith(header: string, data: Uint8Array, major = 1): Uint8Array {
  const pre = major === 1 ? 10 : 12;
  let h = header;
  h += " ".repeat((64 - ((pre + h.length + 1) % 64)) % 64) + "\n";
  const out = new Uint8Array(pre + h.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]);
  const dv = new DataView(out.buffer);
  if (major === 1) dv.setUint16(8, h.length, true);
  else dv.setUint32(8, h.length, true);
  for (let i = 0; i < h.length; i++) out[pre + i] = h.charCodeAt(i);
  out.set(data, pre + h.length);
  return out;
}

async function withTemp(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "kstar-npy-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Writes a tiny NumPy dataset: 12 training and 6 test samples of `shape`, labels 0..2 cyclic. */
async function writeNpyFolder(
  dir: string,
  shape: number[] = [4, 5],
  dtype: "f4" | "u1" = "f4",
): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  const per = shape.reduce((a, b) => a * b, 1);
  for (const [split, n] of [["train", 12], ["test", 6]] as const) {
    const values = dtype === "u1"
      ? Uint8Array.from({ length: n * per }, (_, i) => (i * 7) % 256)
      : Float32Array.from({ length: n * per }, (_, i) => i / 10);
    await Deno.writeFile(`${dir}/x_${split}.npy`, encodeNpy(values, [n, ...shape]));
    await Deno.writeFile(
      `${dir}/y_${split}.npy`,
      encodeNpy(Int32Array.from({ length: n }, (_, i) => i % 3), [n]),
    );
  }
}

Deno.test("npy: the header dict is parsed robustly (quotes, spacing, key order, trailing commas, versions)", () => {
  const data = new Uint8Array(new Float32Array([1, 2, 3, 4, 5, 6]).buffer);
  for (
    const header of [
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
      '{"shape":(2,3),"descr":"<f4","fortran_order":False}',
      "{ 'fortran_order' : False , 'shape' : ( 2 , 3 , ) , 'descr' : '<f4' }",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2L, 3L), }",
    ]
  ) {
    const a = parseNpy(npyWith(header, data), "x.npy");
    assertEquals([a.shape, a.dtype.name, Array.from(npyFeatures(a, "x.npy").values)], [[2, 3], "float32", [
      1,
      2,
      3,
      4,
      5,
      6,
    ]]);
  }
  const v2 = parseNpyHeader(
    npyWith("{'descr': '<f4', 'fortran_order': False, 'shape': (6,), }", data, 2),
    "x.npy",
  );
  assertEquals([v2.version, v2.shape], ["2.0", [6]]);
  const scalar = parseNpy(
    npyWith("{'descr': '<f4', 'fortran_order': False, 'shape': (), }", data.subarray(0, 4)),
    "s.npy",
  );
  assertEquals(scalar.shape, []);
  for (
    const [header, pattern] of [
      ["{'descr': '<f4', 'shape': (2, 3)}", /keys "descr", "shape"; expected exactly/],
      ["{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'extra': 1}", /keys .*"extra"/],
      ["{'descr': '<f4', 'fortran_order': 0, 'shape': (2, 3)}", /'fortran_order' is 0/],
      [
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2, -3)}",
        /'shape' is \[2,-3\], not a tuple of sizes/,
      ],
      [
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)",
        /malformed .npy header: expected ',' or '}'/,
      ],
      ["{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,)}", /structured array/],
      ["['descr']", /not a dict/],
    ] as const
  ) {
    const e = assertThrows(() => parseNpy(npyWith(header, data), "x.npy"), DataError);
    assertEquals(e.file, "x.npy");
    assertMatch(e.message, pattern);
  }
  assertMatch(
    assertThrows(() => parseNpyHeader(new TextEncoder().encode("PK\u0003\u0004 zip"), "x.npy"), DataError)
      .message,
    /not a NumPy \.npy file/,
  );
  const v9 = npyWith("{'descr': '<f4', 'fortran_order': False, 'shape': (6,), }", data);
  v9[6] = 9;
  assertMatch(
    assertThrows(() => parseNpyHeader(v9, "x.npy"), DataError).message,
    /unsupported \.npy format version 9\.0/,
  );
});

Deno.test("npy: little- and big-endian, C and Fortran order all read the same values", () => {
  const x = Float64Array.from({ length: 24 }, (_, i) => i * 1.5 - 3);
  for (const fortran of [false, true]) {
    for (const bigEndian of [false, true]) {
      for (const values of [x, Float32Array.from(x)]) {
        const a = parseNpy(encodeNpy(values, [2, 3, 4], { fortran, bigEndian }), "x.npy");
        assertEquals(a.fortranOrder, fortran);
        assertEquals(
          Array.from(npyFeatures(a, "x.npy").values),
          Array.from(Float32Array.from(x)),
          `${fortran} ${bigEndian}`,
        );
      }
    }
  }
  const labels = BigInt64Array.from([0n, 2n, 1n]);
  assertEquals(npyLabels(parseNpy(encodeNpy(labels, [3], { bigEndian: true }), "y.npy"), "y.npy"), [0, 2, 1]);
  // A Fortran-order array really is stored column-major: (2, 3) → 1 4 2 5 3 6.
  const f = parseNpy(encodeNpy(new Uint8Array([1, 2, 3, 4, 5, 6]), [2, 3], { fortran: true }), "x.npy");
  assertEquals(Array.from(f.data), [1, 4, 2, 5, 3, 6]);
  assertEquals(Array.from(npyFeatures(f, "x.npy").values), [1, 2, 3, 4, 5, 6]);
});

Deno.test("npy: a truncated file, or trailing bytes, is a DataError naming it", async () => {
  const file = encodeNpy(new Float32Array(12), [3, 4]);
  const e = assertThrows(() => parseNpy(file.subarray(0, file.length - 5), "x_train.npy"), DataError);
  assertMatch(
    e.message,
    /truncated: the header \(\(3, 4\) float32\) implies 176 bytes, but the file has 171/,
  );
  assertMatch(
    assertThrows(() => parseNpy(file.subarray(0, 20), "x.npy"), DataError).message,
    /truncated: the header is 118 bytes/,
  );
  const extra = new Uint8Array(file.length + 1);
  extra.set(file);
  assertMatch(assertThrows(() => parseNpy(extra, "x.npy"), DataError).message, /trailing bytes/);
  await withTemp(async (dir) => {
    await writeNpyFolder(dir);
    const x = await Deno.readFile(`${dir}/x_train.npy`);
    await Deno.writeFile(`${dir}/x_train.npy`, x.subarray(0, x.length - 7));
    for (const f of [loadDataset, probeDataset]) {
      const err = await assertRejects(() => f(dir), DataError);
      assertEquals(err.file, `${dir}/x_train.npy`);
      assertMatch(err.message, /truncated/);
    }
  });
});

Deno.test("npy: an unsupported dtype is a DataError naming it and the dtype", async () => {
  const data = new Uint8Array(32);
  for (
    const [descr, name] of [["<i4", "int32"], ["<f2", "float16"], ["|b1", "bool"], ["<c8", "complex64"], [
      "|O",
      null,
    ]]
  ) {
    const header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (2, 2), }`;
    const size = { int32: 16, float16: 8, bool: 4, complex64: 32 }[name ?? ""] ?? 32;
    const bytes = npyWith(header, data.subarray(0, size));
    const e = assertThrows(() => npyFeatures(parseNpy(bytes, "x.npy"), "x.npy"), DataError);
    assertMatch(
      e.message,
      name
        ? new RegExp(`unsupported dtype ${name} .*features are float32, float64 or uint8`)
        : /unsupported dtype "\|O"/,
    );
  }
  const ambiguous = npyWith("{'descr': '=f4', 'fortran_order': False, 'shape': (1,), }", data.subarray(0, 4));
  assertMatch(assertThrows(() => parseNpy(ambiguous, "x.npy"), DataError).message, /native byte order/);
  await withTemp(async (dir) => {
    await writeNpyFolder(dir);
    // int32 features, float labels: both refused by name at load and at probe.
    await Deno.writeFile(`${dir}/x_train.npy`, encodeNpy(new Int32Array(12 * 20), [12, 4, 5]));
    for (const f of [loadDataset, probeDataset]) {
      const e = await assertRejects(() => f(dir), DataError);
      assertEquals(e.file, `${dir}/x_train.npy`);
      assertMatch(e.message, /unsupported dtype int32 \("<i4"\); features are float32, float64 or uint8/);
    }
    await writeNpyFolder(dir);
    await Deno.writeFile(`${dir}/y_test.npy`, encodeNpy(new Float64Array(6), [6]));
    const y = await assertRejects(() => loadDataset(dir), DataError);
    assertEquals(y.file, `${dir}/y_test.npy`);
    assertMatch(y.message, /unsupported dtype float64 .* for labels; labels are integers/);
  });
});

Deno.test("npy folder: (N, F) is a table, (N, H, W) grayscale, (N, H, W, C) channels; bytes scaled, floats kept", async () => {
  await withTemp(async (dir) => {
    await writeNpyFolder(`${dir}/flat`, [6]);
    const flat = await loadDataset(`${dir}/flat`);
    assertEquals([flat.format, flat.kind, flat.height, flat.width, flat.channels], ["npy", "table", 1, 6, 1]);
    assertEquals([flat.train.images[1], flat.preprocessing!.scale, flat.preprocessing!.standardization], [
      Math.fround(0.1),
      "none",
      null,
    ]);
    await writeNpyFolder(`${dir}/gray`, [4, 5], "u1");
    const gray = await loadDataset(`${dir}/gray`);
    assertEquals([gray.kind, gray.height, gray.width, gray.channels, gray.classes], ["images", 4, 5, 1, 3]);
    assertEquals([gray.train.images[1], gray.preprocessing!.scale], [Math.fround(7 / 255), "bytes/255"]);
    await writeNpyFolder(`${dir}/rgb`, [4, 5, 3]);
    const rgb = await probeDataset(`${dir}/rgb`);
    assertEquals([rgb.height, rgb.width, rgb.channels, rgb.trainSamples, rgb.testSamples], [4, 5, 3, 12, 6]);
    // Without test files, a stratified test fraction is held out.
    await Deno.remove(`${dir}/gray/x_test.npy`);
    await Deno.remove(`${dir}/gray/y_test.npy`);
    const split = await loadDataset(`${dir}/gray`, { testFraction: 0.25 });
    assertEquals([split.train.n, split.test.n, split.preprocessing!.testSplit.source], [9, 3, "fraction"]);
    assertEquals((await probeDataset(`${dir}/gray`, { testFraction: 0.25 })).testSamples, 3);
  });
});

Deno.test("npy folder: missing, mismatched and non-finite files are DataErrors naming them", async () => {
  await withTemp(async (dir) => {
    await writeNpyFolder(dir);
    await Deno.remove(`${dir}/y_test.npy`);
    const lack = await assertRejects(() => loadDataset(dir), DataError);
    assertEquals(lack.file, `${dir}/y_test.npy`);
    assertMatch(lack.message, /missing: .*x_test\.npy is there, and a test split needs both files/);
    await writeNpyFolder(dir);
    await Deno.writeFile(`${dir}/y_train.npy`, encodeNpy(new Int32Array(11), [11]));
    assertMatch(
      (await assertRejects(() => loadDataset(dir), DataError)).message,
      /has 11 labels but .*x_train\.npy has 12 samples/,
    );
    await writeNpyFolder(dir);
    await Deno.writeFile(`${dir}/x_test.npy`, encodeNpy(new Float32Array(6 * 21), [6, 21]));
    assertMatch(
      (await assertRejects(() => loadDataset(dir), DataError)).message,
      /samples shaped \(21\) but .*x_train\.npy's are \(4, 5\)/,
    );
    await writeNpyFolder(dir);
    await Deno.writeFile(`${dir}/x_test.npy`, encodeNpy(new Uint8Array(6 * 20), [6, 4, 5]));
    assertMatch(
      (await assertRejects(() => loadDataset(dir), DataError)).message,
      /both splits need bytes or both floats/,
    );
    await writeNpyFolder(dir);
    const x = Float32Array.from({ length: 240 }, (_, i) => i);
    x[45] = NaN;
    await Deno.writeFile(`${dir}/x_train.npy`, encodeNpy(x, [12, 4, 5]));
    const nan = await assertRejects(() => loadDataset(dir), DataError);
    assertMatch(nan.message, /element \(2, 1, 0\) is NaN; features must be finite/);
    await writeNpyFolder(dir);
    await Deno.writeFile(`${dir}/x_train.npy`, encodeNpy(new Float32Array(12), [12]));
    assertMatch(
      (await assertRejects(() => loadDataset(dir), DataError)).message,
      /features are shaped \(N, F\), \(N, H, W\) or \(N, H, W, C\)/,
    );
    await writeNpyFolder(dir);
    await Deno.writeFile(
      `${dir}/y_train.npy`,
      encodeNpy(Int32Array.from({ length: 12 }, (_, i) => (i === 4 ? -1 : i % 3)), [12]),
    );
    assertMatch(
      (await assertRejects(() => loadDataset(dir), DataError)).message,
      /label -1 at index 4 is not a class index/,
    );
  });
});
