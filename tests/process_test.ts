/**
 * The life of a process that uses kstar: scripts end cleanly (no crash at exit, no hang on a forgotten
 * `close()`), Ctrl-C stops a run with one line and exit code 130, missing permissions name their flag, output
 * problems are found before the run and never lose a finished result, and a successful run prints no error line.
 */
import { assert, assertEquals } from "./assert.ts";
import { encodeIdxImages, encodeIdxLabels } from "../lib/data/idx.ts";
import { fitLine } from "../cli/progress.ts";

const ROOT = new URL("../", import.meta.url);
const MAIN = new URL("main.ts", ROOT).pathname;
/** How many times the scripts below are run in a row (KSTAR_EXIT_RUNS; 50 for the check, 6 in CI). */
const RUNS = Number(Deno.env.get("KSTAR_EXIT_RUNS") ?? 6);

async function run(
  args: string[],
  opts: { cwd?: string; env?: Record<string, string>; clearEnv?: boolean; timeoutMs?: number } = {},
): Promise<{ code: number; signal: string | null; out: string; err: string }> {
  const child = new Deno.Command(Deno.execPath(), {
    args,
    cwd: opts.cwd,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", ...opts.env },
    clearEnv: opts.clearEnv,
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 120_000);
  const o = await child.output();
  clearTimeout(timer);
  const dec = new TextDecoder();
  return { code: o.code, signal: o.signal, out: dec.decode(o.stdout), err: dec.decode(o.stderr) };
}

/** A script with two compute workers that returns normally (closing its pool, or forgetting to). */
function poolScript(close: boolean): string {
  return `import { ComputePool, initParams, modelLayout, parseModelSpec } from ${
    JSON.stringify(new URL("mod.ts", ROOT).href)
  };
const layout = modelLayout(parseModelSpec("mlp:3"), 2, 2, 2);
const images = Float32Array.from({ length: 64 * 4 }, (_, i) => (i % 5) / 4);
const split = { images, labels: Uint8Array.from({ length: 64 }, (_, i) => i % 2), n: 64 };
const pool = await ComputePool.create({ workers: 2 });
await pool.load("train", layout, split, 4);
await pool.setWeights(initParams(layout, 0));
await pool.hvp("train", new Float32Array(layout.size).fill(1));
${close ? "await pool.close();" : "// no close()"}
console.log("ok");
`;
}

Deno.test(`process: a script with two compute workers exits 0, ${RUNS} runs in a row, closed or not`, async () => {
  const dir = await Deno.makeTempDir({ prefix: "kstar-exit-" });
  try {
    for (const close of [true, false]) {
      await Deno.writeTextFile(`${dir}/s.ts`, poolScript(close));
      for (let i = 0; i < RUNS; i++) {
        // A forgotten close() must not hang: the timeout would kill the child.
        const r = await run(["run", "-A", "--no-config", "s.ts"], { cwd: dir, timeoutMs: 60_000 });
        assertEquals(
          [r.code, r.signal, r.out.trim()],
          [0, null, "ok"],
          `close ${close}, run ${i + 1}: ${r.err}`,
        );
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** The README's library example, imported by file URL, with a smaller run. */
async function readmeExample(): Promise<string> {
  const readme = await Deno.readTextFile(new URL("README.md", ROOT));
  const block = [...readme.matchAll(/```ts(?: ignore)?\n([\s\S]*?)```/g)].map((m) => m[1])
    .find((b) => b.includes("/mod.ts"))!;
  return block.replace(/"https:\/\/[^"]*\/mod\.ts"/, JSON.stringify(new URL("mod.ts", ROOT).href))
    .replace("limit: 4096, epochs: 2", "limit: 640, epochs: 1");
}

Deno.test("process: the README example runs with the permissions the README gives, and says which flag is missing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kstar-readme-" });
  try {
    await Deno.writeTextFile(`${dir}/example.ts`, await readmeExample());
    for (let i = 0; i < Math.max(1, Math.floor(RUNS / 3)); i++) {
      const ok = await run(
        ["run", "--no-config", "--no-prompt", "--allow-read", "--allow-env", "example.ts"],
        { cwd: dir },
      );
      assertEquals(ok.code, 0, ok.err);
      assert(/k\* = \d+|not reached/.test(ok.out), ok.out);
    }
    const noEnv = await run(["run", "--no-config", "--no-prompt", "--allow-read", "example.ts"], {
      cwd: dir,
    });
    assert(noEnv.code !== 0 && noEnv.err.includes("--allow-env"), noEnv.err);
    const noRead = await run(["run", "--no-config", "--no-prompt", "--allow-env", "example.ts"], {
      cwd: dir,
    });
    assert(noRead.code !== 0 && noRead.err.includes("--allow-read"), noRead.err);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** A learnable 8×8, 4-class IDX folder. */
async function idxFolder(dir: string, n: number): Promise<void> {
  const make = (m: number, seed: number) => {
    let x = seed;
    const rnd = () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
    const px = new Uint8Array(m * 64), lab = new Uint8Array(m);
    for (let s = 0; s < m; s++) {
      const c = s % 4;
      lab[s] = c;
      for (let i = 0; i < 64; i++) {
        const inside = (Math.floor(i / 8) < 4) === (c < 2) && (i % 8 < 4) === (c % 2 === 0);
        px[s * 64 + i] = Math.floor((inside ? 150 : 0) + 100 * rnd());
      }
    }
    return { px, lab };
  };
  const tr = make(n, 1), te = make(64, 2);
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeFile(`${dir}/train-images-idx3-ubyte`, encodeIdxImages(tr.px, n, 8, 8));
  await Deno.writeFile(`${dir}/train-labels-idx1-ubyte`, encodeIdxLabels(tr.lab));
  await Deno.writeFile(`${dir}/t10k-images-idx3-ubyte`, encodeIdxImages(te.px, 64, 8, 8));
  await Deno.writeFile(`${dir}/t10k-labels-idx1-ubyte`, encodeIdxLabels(te.lab));
}

const SMALL = (dir: string) =>
  `analyze --dataset ${dir}/data --model mlp:8 --batch-size 16 --epochs 1 --d 2 --mc-draws 4 --workers 0`
    .split(" ");

Deno.test("process: a successful run prints no error line, with Mesa installed and no XDG_RUNTIME_DIR", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kstar-quiet-" });
  try {
    await idxFolder(`${dir}/data`, 160);
    const env: Record<string, string> = {
      PATH: Deno.env.get("PATH") ?? "",
      HOME: Deno.env.get("HOME") ?? dir,
    };
    for (
      const k of ["DENO_DIR", "KSTAR_CACHE", "VK_DRIVER_FILES", "VK_ICD_FILENAMES", "DENO_WEBGPU_BACKEND"]
    ) {
      const v = Deno.env.get(k);
      if (v !== undefined) env[k] = v;
    }
    // Two workers and the auto backend: every realm probes for a WebGPU adapter.
    const args = [
      ...SMALL(dir).filter((a, i, all) => a !== "--workers" && all[i - 1] !== "--workers"),
      "--workers",
      "2",
    ];
    const r = await run(["run", "-A", MAIN, ...args, "--out", `${dir}/out`], { clearEnv: true, env });
    assertEquals(r.code, 0, r.err);
    assert(!/^error/m.test(r.err), r.err);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("process: Ctrl-C stops a run with one line 'interrupted' and exit code 130", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kstar-int-" });
  try {
    await idxFolder(`${dir}/data`, 4096);
    const args =
      `analyze --dataset ${dir}/data --model mlp:64 --batch-size 16 --epochs 1000 --d 2 --mc-draws 4 ` +
      `--workers 2 --out ${dir}/out`;
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", MAIN, ...args.split(" ")],
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).spawn();
    const dec = new TextDecoder();
    let err = "";
    const reader = child.stderr.getReader();
    while (!err.includes("[train] epoch 1/1000")) {
      const { value, done } = await reader.read();
      if (done) break;
      err += dec.decode(value);
    }
    child.kill("SIGINT");
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      err += dec.decode(value);
    }
    const status = await child.status;
    await child.stdout.cancel();
    assertEquals(status.code, 130, err);
    assertEquals(err.trim().split("\n").at(-1), "interrupted");
    assert(!/compute pool closed|^error/m.test(err), err);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("process: --out problems are found before the run; a finished result is never lost", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kstar-out-" });
  try {
    await idxFolder(`${dir}/data`, 160);
    await Deno.writeTextFile(`${dir}/file`, "x");
    const t0 = performance.now();
    const asFile = await run(["run", "-A", MAIN, ...SMALL(dir), "--out", `${dir}/file`]);
    assertEquals(asFile.code, 2);
    assert(
      /^error: --out: got ".*file"; allowed: a folder to write into \(it is a file\)/m.test(asFile.err),
      asFile.err,
    );
    const under = await run(["run", "-A", MAIN, ...SMALL(dir), "--out", `${dir}/file/sub`]);
    assertEquals(under.code, 2);
    assert(/^error: --out: .*cannot be created/m.test(under.err), under.err);
    assert(performance.now() - t0 < 60_000);
    assert(!asFile.err.includes("[train]") && !under.err.includes("[train]"), "nothing was computed");
    // One output cannot be written (a folder stands where report.html goes): the others, the result first, are.
    await Deno.mkdir(`${dir}/out/report.html`, { recursive: true });
    await Deno.writeTextFile(`${dir}/out/report.html/keep`, "");
    const r = await run(["run", "-A", MAIN, ...SMALL(dir), "--out", `${dir}/out`]);
    assertEquals(r.code, 1, r.err);
    assert(/could not write .*report\.html/.test(r.err), r.err);
    const saved = JSON.parse(await Deno.readTextFile(`${dir}/out/result.json`));
    assertEquals(saved.schema, "kstar.result/3");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("progress: a terminal that reports 0 columns gets the whole line; others lose only what overflows", () => {
  const line = "train      [████····] 50% 1.0s  epoch 1/3";
  assertEquals(fitLine(line, 0), line);
  assertEquals(fitLine(line, undefined), line);
  assertEquals(fitLine(line, 200), line);
  assertEquals(fitLine(line, 11), "train     ");
});
