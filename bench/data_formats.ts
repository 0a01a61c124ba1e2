/**
 * `deno task bench:data`: how long users' own data take to load (BENCHMARKS.md, "Your own data").
 *
 * Writes the MNIST training and test images (60,000 + 10,000, 28×28) in each format kstar reads — an IDX folder,
 * a NumPy folder, a folder of PNG files (`train/<class>/*.png`, `test/<class>/…`) and a CSV of 784 pixel
 * columns (the first `--csv-rows` samples: a CSV of every sample is ~0.4 GB of text) — into a temporary folder,
 * then loads each `--repeat` times with an empty cache first (the first load) and the cache kept after (the
 * cached loads; formats without a cache read their files again). Prints a markdown table of medians to stdout.
 *
 * Flags: `--repeat N` (default 3), `--csv-rows N` (default 10000), `--keep` (leave the folder), `--json FILE`.
 * @module
 */
import { loadBuiltin } from "../lib/data/builtin.ts";
import type { Dataset } from "../lib/data/dataset.ts";
import { unitFloatsToBytes } from "../lib/data/idx.ts";
import { loadDataset } from "../lib/data/load.ts";
import { encodeNpy } from "../lib/data/npy.ts";
import { fmtInt } from "../lib/present/format.ts";
import { median } from "../lib/sweep/summary.ts";
import { csvTable, writeIdxFolder, writePngFolder } from "../tests/data/write_formats.ts";
import { benchFlags } from "./flags.ts";

const values = benchFlags(
  { "repeat": "integer", "csv-rows": "integer", "keep": "boolean", "json": "string" },
  {
    repeat: 3,
    csvRows: 10_000,
  },
);
const repeat = Number(values.repeat), csvRows = Number(values.csvRows);
const log = (s: string) => console.error(s);
const SIDE = 28, PIX = SIDE * SIDE;

const mnist = await loadBuiltin("mnist");
const splits = {
  train: { bytes: unitFloatsToBytes(mnist.train.images), labels: mnist.train.labels, n: mnist.train.n },
  test: { bytes: unitFloatsToBytes(mnist.test.images), labels: mnist.test.labels, n: mnist.test.n },
};
const root = await Deno.makeTempDir({ prefix: "kstar-bench-data-" });
const cacheDir = `${root}/cache`;

async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const out = await f();
  return [out, (performance.now() - t0) / 1000];
}

log(`writing MNIST in each format under ${root}`);
const idx = `${root}/idx`;
await writeIdxFolder(idx, splits.train, splits.test, SIDE);

const npy = `${root}/npy`;
await Deno.mkdir(npy);
for (const [name, s] of [["train", splits.train], ["test", splits.test]] as const) {
  await Deno.writeFile(`${npy}/x_${name}.npy`, encodeNpy(s.bytes, [s.n, SIDE, SIDE]));
  await Deno.writeFile(`${npy}/y_${name}.npy`, encodeNpy(Int32Array.from(s.labels), [s.n]));
}

const png = `${root}/png`;
const [, pngWrite] = await timed(() => writePngFolder(png, splits.train, splits.test, SIDE));
log(`wrote ${fmtInt(splits.train.n + splits.test.n)} PNG files in ${pngWrite.toFixed(1)} s`);

const csv = `${root}/mnist.csv`;
const csvSamples = Math.min(csvRows, splits.train.n);
await Deno.writeTextFile(
  csv,
  csvTable(
    splits.train.bytes.subarray(0, csvSamples * PIX),
    splits.train.labels.subarray(0, csvSamples),
    PIX,
  ),
);
const csvBytes = (await Deno.stat(csv)).size;

interface Case {
  format: string;
  spec: string;
  opts: Record<string, unknown>;
  cached: boolean;
}
const cases: Case[] = [
  { format: "IDX folder", spec: idx, opts: {}, cached: false },
  { format: "NumPy folder", spec: npy, opts: {}, cached: false },
  { format: "PNG folder", spec: png, opts: { order: "files" }, cached: true },
  {
    format: `CSV, ${fmtInt(Math.min(csvRows, splits.train.n))} rows × 785 columns`,
    spec: csv,
    opts: {},
    cached: false,
  },
];

const rows: { format: string; samples: number; first: number[]; again: number[]; cached: boolean }[] = [];
for (const c of cases) {
  const first: number[] = [], again: number[] = [];
  let ds: Dataset | null = null;
  for (let r = 0; r < repeat; r++) {
    await Deno.remove(cacheDir, { recursive: true }).catch(() => {});
    log(`${c.format}: load ${r + 1}/${repeat}, empty cache`);
    const [d, t1] = await timed(() => loadDataset(c.spec, { ...c.opts, cacheDir }));
    ds = d;
    first.push(t1);
    const [, t2] = await timed(() => loadDataset(c.spec, { ...c.opts, cacheDir }));
    again.push(t2);
  }
  rows.push({ format: c.format, samples: ds!.train.n + ds!.test.n, first, again, cached: c.cached });
}

const cores = navigator.hardwareConcurrency;
const s = (x: number | null) => (x === null ? "—" : `${x.toFixed(2)} s`);
const out = [
  `MNIST written in each format (${
    new Date().toISOString().slice(0, 10)
  }, ${cores} cores); medians of ${repeat} ` +
  `loads with an empty cache, each followed by a second load. Writing the ${
    fmtInt(splits.train.n + splits.test.n)
  } PNG files took ${pngWrite.toFixed(1)} s; the CSV is ${(csvBytes / 2 ** 20).toFixed(0)} MiB.`,
  "",
  "| format | samples | first load | second load | cache |",
  "| --- | ---: | ---: | ---: | --- |",
  ...rows.map((r) =>
    `| ${r.format} | ${fmtInt(r.samples)} | ${s(median(r.first))} | ${s(median(r.again))} | ${
      r.cached ? "decoded pixels cached" : "none (files read again)"
    } |`
  ),
];
console.log(out.join("\n"));
if (values.json) {
  await Deno.writeTextFile(String(values.json), JSON.stringify({ root, pngWrite, csvBytes, rows }, null, 1));
}
if (!values.keep) await Deno.remove(root, { recursive: true });
