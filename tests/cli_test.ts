/** The command line, run as a user would: flags, outputs, errors and exit codes. */
import { assert, assertEquals } from "./assert.ts";
import { encodeIdxImages, encodeIdxLabels } from "../lib/data/idx.ts";
import { Rng } from "../lib/rng.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;

async function cli(args: string[], cwd?: string): Promise<{ code: number; out: string; err: string }> {
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

Deno.test("cli: --help lists every flag with its default", async () => {
  const r = await cli(["analyze", "--help"]);
  assertEquals(r.code, 0);
  for (
    const f of [
      "--dataset",
      "--model",
      "--batch-size",
      "--d",
      "--samples",
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
});

Deno.test("cli: bad flags and values exit 2 with the field and the allowed range", async () => {
  const cases: [string[], RegExp][] = [
    [["--tol", "0"], /tolerances: got 0; allowed: a finite number in \(0/],
    [["--sigma", "-1"], /sigma: got -1/],
    [["--samples", "1"], /samples: got 1; allowed: an integer in \[2, 4096\]/],
    [["--d", "0"], /d: got 0/],
    [["--batch-size", "x"], /--batch-size: got "x"; allowed: a finite number/],
    [["--backend", "tpu"], /backend: got "tpu"; allowed: one of "auto", "webgpu", "wasm", "cpu"/],
    [["--model", "rnn"], /model: got "rnn"/],
    [["--bogus"], /--bogus: .*allowed: a known flag/],
    [["--dataset", "/nonexistent/folder"], /dataset: got "\/nonexistent\/folder"/],
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
    await idxFolder(`${dir}/blobs`, 480);
    const r = await cli([
      "analyze",
      "--dataset",
      `${dir}/blobs`,
      "--model",
      "mlp:16",
      "--batch-size",
      "16",
      "--epochs",
      "2",
      "--train-batch-size",
      "16",
      "--d",
      "3",
      "--samples",
      "8",
      "--tol",
      "0.5,1e-9",
      "--workers",
      "0",
      "--out",
      `${dir}/out`,
    ]);
    assertEquals(r.code, 0, r.err);
    assert(/Dataset\s+Model\s+Δ\s+k\s+L_k\s+Time \(s\)/.test(r.out), r.out);
    assert(r.out.includes("not reached"), "the 1e-9 tolerance is not reached within the data");
    assert(/Δ_tol = 1e-9: not reached within 480 samples/.test(r.out), r.out);
    const result = JSON.parse(await Deno.readTextFile(`${dir}/out/result.json`));
    assertEquals(result.schema, "kstar.result/1");
    assertEquals(result.dataset.batches, 30);
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
    const r = await cli([
      "analyze",
      "--online",
      "--dataset",
      `${dir}/blobs`,
      "--model",
      "mlp:16",
      "--batch-size",
      "16",
      "--d",
      "2",
      "--samples",
      "8",
      "--steps-per-batch",
      "10",
      "--tol",
      "1000",
      "--patience",
      "2",
      "--workers",
      "0",
      "--out",
      `${dir}/out`,
    ]);
    assertEquals(r.code, 0, r.err);
    assert(r.out.includes("Δ-sufficient dataset size: |D| = 32 samples"), r.out);
    const res = JSON.parse(await Deno.readTextFile(`${dir}/out/online.json`));
    assertEquals([res.reached, res.kStar, res.trace.length], [true, 2, 2]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
