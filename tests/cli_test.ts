/** The command line, run as a user would: flags, outputs, errors and exit codes. */
import { assert, assertEquals } from "./assert.ts";
import { encodeIdxImages, encodeIdxLabels } from "../lib/data/idx.ts";
import { Rng } from "../lib/rng.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;

/** Runs the CLI; `args` as a list, or as one line split at spaces (no quoting needed in these tests). */
async function cli(
  args: string[] | string,
  cwd?: string,
): Promise<{ code: number; out: string; err: string }> {
  if (typeof args === "string") args = args.split(/\s+/).filter(Boolean);
  const o = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
    cwd,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const dec = new TextDecoder();
  return { code: o.code, out: dec.decode(o.stdout), err: dec.decode(o.stderr) };
}

/** Writes a learnable 8×8, 4-class IDX folder (bright quadrant = class). */
async function idxFolder(dir: string, n: number): Promise<void> {
  const rng = new Rng(9);
  const make = (m: number) => {
    const px = new Uint8Array(m * 64), lab = new Uint8Array(m);
    for (let s = 0; s < m; s++) {
      const c = rng.int(4);
      lab[s] = c;
      for (let i = 0; i < 64; i++) {
        const r = Math.floor(i / 8), col = i % 8;
        const inside = (r < 4) === (c < 2) && (col < 4) === (c % 2 === 0);
        px[s * 64 + i] = Math.floor((inside ? 150 : 0) + 100 * rng.uniform());
      }
    }
    return { px, lab };
  };
  const tr = make(n), te = make(100);
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeFile(`${dir}/train-images-idx3-ubyte`, encodeIdxImages(tr.px, n, 8, 8));
  await Deno.writeFile(`${dir}/train-labels-idx1-ubyte`, encodeIdxLabels(tr.lab));
  await Deno.writeFile(`${dir}/t10k-images-idx3-ubyte`, encodeIdxImages(te.px, 100, 8, 8));
  await Deno.writeFile(`${dir}/t10k-labels-idx1-ubyte`, encodeIdxLabels(te.lab));
}

Deno.test("cli: --help lists every flag with its range and default; -h is help", async () => {
  const r = await cli(["analyze", "--help"]);
  assertEquals(r.code, 0);
  for (
    const f of [
      "--dataset",
      "--model",
      "--batch-size",
      "--d",
      "--mc-draws",
      "--sigma",
      "--tol",
      "--epochs",
      "--seed",
      "--backend",
      "--out",
      "--online",
      "--preset",
    ]
  ) {
    assert(r.out.includes(f), `help mentions ${f}`);
  }
  assert(r.out.includes("(default: 64)"), "defaults are shown");
  const flat = r.out.replace(/\n {10,}/g, " "); // continuation lines joined to their flag's line
  assert(/--batch-size <integer>\s+.*an integer in \[1, 65536\] \(default: 64\)/.test(flat), r.out);
  // Every flag with a value shows its range (the text of a flag runs until the next flag or group).
  const entries = r.out.split(/\n(?= {2}--|\S)/).filter((e) => /^\s+--[a-z-]+ </.test(e));
  assert(entries.length >= 17, `${entries.length} flags`);
  for (const e of entries) {
    if (/^\s+--(out|data-root|redis) /.test(e)) continue; // a folder or URL, no range
    assert(
      /an integer in|a number in|one of|a list of|"mlp|"mnist"|"paper-table"|a header name|a path to/.test(e),
      `range shown: ${e}`,
    );
  }
  const h = await cli(["analyze", "-h"]);
  assertEquals([h.code, h.out], [0, r.out]);
});

Deno.test("cli: --online --help shows online mode's own defaults", async () => {
  const r = await cli(["analyze", "--online", "--help"]);
  assertEquals(r.code, 0);
  const flat = r.out.replace(/\n {10,}/g, " ");
  assert(/--lanczos-tol <number>.*\(default: 0\.01\)/.test(flat), r.out);
  assert(/--train-batch-size <integer>.*\(default: 64\)/.test(flat), r.out);
  assert(/--patience <integer>.*\(default: 3\)/.test(flat), r.out);
  assert(
    !r.out.includes("--epochs") && !r.out.includes("--eigen-mode") && !r.out.includes("--preset"),
    r.out,
  );
});

Deno.test("cli: bad flags and values exit 2 with the field and the allowed range", async () => {
  const cases: [string[], RegExp][] = [
    [["--tol", "0"], /^error: --tol: got 0; allowed: a list of 1 to 16 numbers, each in \(0, 1000000\]/m],
    [["--sigma", "-1"], /^error: --sigma: got -1; allowed: a number in \(0, 1000\]/m],
    [["--mc-draws", "1"], /^error: --mc-draws: got 1; allowed: an integer in \[2, 4096\]/m],
    [["--d", "0"], /^error: --d: got 0; allowed: an integer in \[1, 100\]/m],
    [["--batch-size", "x"], /^error: --batch-size: got "x"; allowed: an integer in \[1, 65536\]/m],
    [
      ["--batch-size", "64", "--limit", "100"],
      /^error: --batch-size: got 64; allowed: an integer in \[1, 33\]/m,
    ],
    [["--lr", "0x10"], /^error: --lr: got "0x10"; allowed: a number in \(0, 10\]/m],
    [["--epochs", "2.5"], /^error: --epochs: got "2.5"; allowed: an integer in \[1, 1000\]/m],
    [["--backend", "tpu"], /^error: --backend: got "tpu"; allowed: one of "auto", "webgpu", "wasm", "cpu"/m],
    [["--model", "rnn"], /^error: --model: got "rnn"/m],
    [["--bogus"], /^error: --bogus: .*allowed: a known flag/m],
    [["--bach-size", "3"], /did you mean --batch-size\?/],
    [["-d", "3"], /^error: -d: .*did you mean --d\?/m],
    [["extra"], /^error: argument: got "extra"/m],
    [["--dataset", "/nonexistent/folder"], /^error: --dataset: got "\/nonexistent\/folder"/m],
    [["--online", "--epochs", "3"], /^error: --epochs: .*does not apply to --online/m],
    [["--online", "--tol", "0.1,0.2"], /^error: --tol: got "0.1,0.2"; allowed: a number in \(0, 1000000\]/m],
    [["--patience", "3"], /^error: --patience: .*applies only with --online/m],
    [["--preset", "paper-table", "--dataset", "mnist"], /^error: --dataset: .*the preset sets the dataset/m],
    [["--preset", "nope"], /^error: --preset: got "nope"/m],
    [["--tol", "0.1", "--tol", "0.2"], /^error: --tol: .*given twice/m],
  ];
  for (const [args, re] of cases) {
    const r = await cli(["analyze", ...args, "--quiet"]);
    assertEquals(r.code, 2, `${args.join(" ")}: ${r.err}`);
    assert(re.test(r.err), `${args.join(" ")}: ${r.err}`);
  }
});

Deno.test("cli: a small run on an IDX folder prints the table and writes result.json, curves.csv, report.html", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kstar-cli-" });
  try {
    await idxFolder(`${dir}/blobs`, 490); // 30 batches of 16; the last 10 samples are left out
    const r = await cli(
      `analyze --dataset ${dir}/blobs --model mlp:16 --batch-size 16 --epochs 2 --train-batch-size 16 --d 3 ` +
        `--mc-draws 8 --tol 0.5,1e-9 --workers 0 --out ${dir}/out`,
    );
    assertEquals(r.code, 0, r.err);
    assert(/Dataset\s+Model\s+Δ\s+k\s+k \(90% CI\)\s+L_k\s+Time \(s\)/.test(r.out), r.out);
    assert(r.out.includes("not reached"), "the 1e-9 tolerance is not reached within the data");
    assert(/Δ_tol = 1e-9: not reached within 480 samples/.test(r.out), r.out);
    assert(r.err.includes("490 training samples, 30 batches of 16 (the last 10 do not fill a batch"), r.err);
    assert(/^warning: the last 10 of the 490 training samples do not fill a batch of 16/m.test(r.err), r.err);
    assert(!/^error:/m.test(r.err), `a successful run prints no error line: ${r.err}`);
    const result = JSON.parse(await Deno.readTextFile(`${dir}/out/result.json`));
    assertEquals(result.schema, "kstar.result/3");
    assertEquals([result.dataset.batches, result.dataset.usedSamples, result.dataset.droppedSamples], [
      30,
      480,
      10,
    ]);
    const csv = (await Deno.readTextFile(`${dir}/out/curves.csv`)).trim().split("\n");
    assertEquals(csv.length, 31);
    const html = await Deno.readTextFile(`${dir}/out/report.html`);
    assert(html.includes("<svg") && html.includes("kstar-result"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli: --online runs Algorithm 1 and reports |D|", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kstar-cli-" });
  try {
    await idxFolder(`${dir}/blobs`, 320);
    // --samples: the earlier name of --mc-draws still works.
    const r = await cli(
      `analyze --online --dataset ${dir}/blobs --model mlp:16 --batch-size 16 --d 2 --samples 8 ` +
        `--steps-per-batch 10 --tol 1000 --patience 2 --workers 0 --out ${dir}/out`,
    );
    assertEquals(r.code, 0, r.err);
    // k* is the first batch of the window of --patience batches; the run stopped at the window's last.
    assert(r.out.includes("Δ-sufficient dataset size: |D| = 16 samples (k* = 1 batches of 16"), r.out);
    assert(r.out.includes("the run stopped at batch 2"), r.out);
    assert(r.err.includes("--samples is now --mc-draws"), "the earlier flag name still works, with a note");
    const res = JSON.parse(await Deno.readTextFile(`${dir}/out/online.json`));
    assertEquals([res.reached, res.kStar, res.stoppedAt, res.trace.length], [true, 1, 2, 2]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli: a CSV table end to end with --no-standardize; a malformed table exits 2 naming row and column", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kstar-cli-csv-" });
  try {
    const rows = Array.from(
      { length: 96 },
      (_, i) => `${i % 2 ? 1 + (i % 5) / 10 : -1 - (i % 7) / 10},${i % 3},${i % 2 ? "b" : "a"}`,
    );
    await Deno.writeTextFile(`${dir}/t.csv`, "x,noise,label\n" + rows.join("\n"));
    const flags =
      "--model mlp:4 --batch-size 8 --epochs 2 --d 2 --mc-draws 4 --workers 0 --backend cpu --quiet --json";
    const r = await cli(`--dataset ${dir}/t.csv --no-standardize --order files --out ${dir}/out ${flags}`);
    assertEquals(r.code, 0, r.err);
    const result = JSON.parse(r.out);
    assertEquals([result.dataset.format, result.dataset.width, result.dataset.classNames], ["csv", 2, [
      "a",
      "b",
    ]]);
    assertEquals([result.dataset.preprocessing.standardization, result.config.standardize], [null, false]);
    assertEquals([result.dataset.trainSamples, result.dataset.testSamples], [76, 20]);
    await Deno.writeTextFile(`${dir}/bad.csv`, "x,noise,label\n1,2,a\n3,?,b\n");
    const bad = await cli(`--dataset ${dir}/bad.csv ${flags}`);
    assertEquals(bad.code, 2);
    assert(/bad\.csv: row 2 \(line 3\), column 2 \("noise"\): "\?" is not a number/.test(bad.err), bad.err);
    const cnn = await cli(`--dataset ${dir}/t.csv --model cnn --quiet`);
    assertEquals(cnn.code, 2);
    assert(/--model: got "cnn"; allowed: .*tabular data go to MLPs/.test(cnn.err), cnn.err);
    const label = await cli(`--dataset ${dir}/t.csv --label-column colour --quiet`);
    assertEquals(label.code, 2);
    assert(
      /--label-column: got "colour"; allowed: a column name \("x", "noise", "label"\)/.test(label.err),
      label.err,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli: prediction lines near the data's edge, a preset's rows named, the paper's time only for full runs", async () => {
  const { PAPER_TABLE, summaryText, totalLine } = await import("../cli/analyze_command.ts");
  const { predictionLine } = await import("../lib/present/threshold_view.ts");
  const { makeResult } = await import("./report/fixture.ts");
  const t = {
    curve: "empirical",
    smoothed: true,
    tolerance: 0.001,
    kStar: null,
    samples: null,
    lossAtK: null,
    predictedKStar: 20,
    predictedSamples: 1290,
    interval: null,
  } as const;
  const fit = { curve: "empirical", C: 1.6, alpha: 2, r2: 0.9, fromK: 5, toK: 19 } as const;
  // The prediction at (or below) the data's size never reads "about 0 more samples".
  for (const have of [1280, 1290, 1300]) {
    const line = predictionLine({ ...t }, fit, have, 64);
    assert(!/about -?\d+ more samples/.test(line), line);
    assert(line.includes("one more batch of 64 would tell"), line);
  }
  assert(/about 1,280 more samples/.test(predictionLine({ ...t, predictedSamples: 2560 }, fit, 1280, 64)));
  // One run: its sentences as they are. Six rows: each sentence names its row; toy runs are not compared with
  // the paper's full runs.
  const one = makeResult();
  const single = summaryText([one]);
  assert(/^Δ_tol = 0\.001: not reached/m.test(single), single);
  const rows = PAPER_TABLE.map((p, i) =>
    makeResult({ dataset: p.dataset, model: p.model, seed: i + 1, total: 10 })
  ).map((r) => ({ ...r, config: { ...r.config, limit: 2000 } }));
  const preset = summaryText(rows);
  const named = preset.split("\n").filter((l) => l.includes("Δ_tol = "));
  assertEquals(named.length, rows.length, preset);
  for (const [i, l] of named.entries()) {
    assert(l.startsWith(`${i < 3 ? "MNIST" : "Fashion-MNIST"} · `), `the row is named: ${l}`);
  }
  assert(/did not use all the training data/.test(preset) && /not a comparison/.test(preset), preset);
  const full = totalLine(
    rows.map((r) => ({
      ...r,
      config: { ...r.config, limit: null },
      dataset: { ...r.dataset, trainSamples: r.dataset.usedSamples },
    })),
  );
  assert(/the original needed [\d,]+ s for the six on the same full data/.test(full), full);
});
