/**
 * `deno task sweep` as a user runs it: here in sequence, and through `--redis` on a worker process; the files it
 * writes; its errors (each names the flag typed, exit 2).
 */
import { assert, assertEquals, assertMatch } from "./assert.ts";
import { killWorker, SKIP_REDIS, spawnWorker, startRedis } from "./server/redis_helpers.ts";
import type { SweepDocument } from "../lib/sweep/summary.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;
const SMALL = "--limit 512 --batch-size 32 --epochs 1 --d 3 --mc-draws 8 --workers 0 --backend wasm --quiet";

async function cli(args: string): Promise<{ code: number; out: string; err: string }> {
  const o = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args.split(/\s+/).filter(Boolean)],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const dec = new TextDecoder();
  return { code: o.code, out: dec.decode(o.stdout), err: dec.decode(o.stderr) };
}

async function readDoc(out: string): Promise<SweepDocument> {
  return JSON.parse(await Deno.readTextFile(`${out}/sweep.json`)) as SweepDocument;
}

Deno.test("cli sweep: a grid here in sequence writes sweep.json, sweep.csv, report.html and each run's files", async () => {
  const out = await Deno.makeTempDir({ prefix: "kstar-sweep-cli-" });
  try {
    const r = await cli(
      `sweep --grid seed=0..1 --grid model=mlp:16,mlp:16,8 --name demo --out ${out} ${SMALL}`,
    );
    assertEquals(r.code, 0, r.err);
    assertMatch(r.out, /mlp:16: \|D\| = k\*·B median/);
    const doc = await readDoc(out);
    assertEquals([doc.schema, doc.name, doc.size, doc.counts.done], ["kstar.sweep/1", "demo", 4, 4]);
    assertEquals(doc.runs.map((x) => `${x.config.seed}/${x.config.model}`), [
      "0/mlp:16",
      "0/mlp:16,8",
      "1/mlp:16",
      "1/mlp:16,8",
    ]);
    assertEquals(doc.groups.map((g) => g.label), ["mlp:16", "mlp:16,8"]);
    assertEquals((await Deno.readTextFile(`${out}/sweep.csv`)).trim().split("\n").length, 5);
    const html = await Deno.readTextFile(`${out}/report.html`);
    assert(
      html.includes('data-figure="sweep-samples"') && html.includes(`runs/${doc.runs[0].id}/report.html`),
    );
    for (const run of doc.runs) assert((await Deno.stat(`${out}/runs/${run.id}/result.json`)).isFile);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("cli sweep: errors name the flag typed and exit 2", async () => {
  const cases: [string, RegExp][] = [
    ["sweep --grid sed=1", /--grid: got "sed=1".*did you mean seed\?/],
    ["sweep --grid seed=0,-1", /--grid seed\[1\]: got -1/],
    ["sweep --grid seed=0 --seed 3", /--grid: got "seed=0".*--seed sets it for every point/],
    ["sweep --grid seed=0 --d 0", /--d: got 0/],
    ["sweep --limit 512", /--grid: got nothing; allowed: at least one --grid/],
    ["sweep --grid seed=0..300", /--grid seed: .*at most 256 values/],
    ["sweep --grid seed=0 --redis http://x", /--redis: got "http:\/\/x"/],
    [
      "analyze --preset paper-table --redis redis://127.0.0.1:1",
      /--redis: got "redis:\/\/127\.0\.0\.1:1"; allowed: a reachable Redis server/,
    ],
    ["analyze --online --redis redis://x", /--redis: .*does not apply to --online/],
  ];
  for (const [args, re] of cases) {
    const r = await cli(args);
    assertEquals(r.code, 2, `${args}: ${r.err}`);
    assertMatch(r.err, re);
  }
});

Deno.test({
  name: "cli sweep --redis: the points run on a worker process; sweep.json names it",
  ignore: SKIP_REDIS,
  async fn() {
    const redis = await startRedis();
    const out = await Deno.makeTempDir({ prefix: "kstar-sweep-redis-" });
    const worker = await spawnWorker(redis.url, "cli-w");
    try {
      const r = await cli(`sweep --grid seed=3,4 --redis ${redis.url} --out ${out} ${SMALL}`);
      assertEquals(r.code, 0, r.err);
      const doc = await readDoc(out);
      assertEquals(doc.counts, { done: 2 });
      assert(doc.runs.every((x) => x.worker === "cli-w"), JSON.stringify(doc.runs.map((x) => x.worker)));
      assertEquals(doc.runs.map((x) => x.config.seed), [3, 4]);
    } finally {
      await killWorker(worker, "SIGTERM");
      await redis.stop();
      await Deno.remove(out, { recursive: true });
    }
  },
});
