/**
 * API input validation: every bad field is a 400 naming the field, the value and the allowed range; bodies
 * are size-limited and must be JSON; folder datasets must lie under the data root; cross-site writes are
 * refused. No run is stored for a refused submission.
 */
import { assert, assertEquals, call, startServer } from "./helpers.ts";
import type { RunSummary } from "../../server/types.ts";
import { hostName, LOOPBACK_HOSTS } from "../../server/app.ts";
import { writeIdxFolder } from "../data/helpers.ts";

type Err = { error: string; field?: string; value?: unknown; allowed?: string };

Deno.test("validation: bad fields → 400 with the field, the value and the allowed range", async () => {
  const s = await startServer();
  try {
    const cases: [Record<string, unknown>, string, unknown, RegExp][] = [
      [{ d: 101 }, "d", 101, /\[1, 100\]/],
      [{ mcDraws: 4097 }, "mcDraws", 4097, /\[2, 4096\]/],
      [{ samples: 1 }, "mcDraws", 1, /\[2, 4096\]/], // the earlier name is read as mcDraws
      [{ batchSize: 0 }, "batchSize", 0, /integer/],
      [{ sigma: -1 }, "sigma", -1, /\(0, /],
      [{ limit: 2.5 }, "limit", 2.5, /integer/],
      [{ epochs: "3" }, "epochs", "3", /integer/],
      [{ tolerances: [] }, "tolerances", [], /1 to 16/],
      [{ tolerances: [0.1, -0.2] }, "tolerances", -0.2, /\(0, /],
      [{ backend: "cuda" }, "backend", "cuda", /"auto"/],
      [{ eigenMode: "fast" }, "eigenMode", "fast", /"projected"/],
      [{ workers: 65 }, "workers", 65, /\[0, 64\]/],
      [{ learningRate: 1e9 }, "learningRate", 1e9, /10\]/],
      [{ bogus: 1 }, "bogus", 1, /known field/],
      [{ dataset: "" }, "dataset", "", /mnist/],
      [{ model: "rnn" }, "model", "rnn", /./],
      [{ limit: 90, batchSize: 31 }, "batchSize", 31, /\[1, 30\].*3 batches/],
    ];
    for (const [body, field, value, allowed] of cases) {
      const r = await call<Err>(s.base, "POST", "/api/runs", body);
      assertEquals(r.status, 400, JSON.stringify(body));
      assertEquals(r.body.field, field, JSON.stringify(r.body));
      assertEquals(r.body.value, value, JSON.stringify(r.body));
      assert(allowed.test(r.body.allowed ?? ""), `${field}: allowed ${r.body.allowed}`);
      assert(r.body.error.includes(field), r.body.error);
    }
    // A non-object config.
    const arr = await call<Err>(s.base, "POST", "/api/runs", [1, 2]);
    assertEquals(arr.status, 400);
    assertEquals(arr.body.field, "config");
    // Nothing was stored.
    const list = await call<{ runs: RunSummary[] }>(s.base, "GET", "/api/runs");
    assertEquals(list.body.runs.length, 0);
  } finally {
    await s.close();
  }
});

Deno.test("validation: body must be JSON, under the size limit; writes from other origins are refused", async () => {
  const s = await startServer({ maxBodyBytes: 2048 });
  try {
    const notJson = await call<Err>(s.base, "POST", "/api/runs", "{nope", {
      "Content-Type": "application/json",
    });
    assertEquals(notJson.status, 400);
    assertEquals(notJson.body.field, "body");
    const form = await fetch(`${s.base}/api/runs`, {
      method: "POST",
      headers: { "Content-Type": "text/plain" },
      body: "{}",
    });
    assertEquals(form.status, 415);
    await form.body?.cancel();
    const big = await call<Err>(s.base, "POST", "/api/runs", { model: "mlp:1" + ",1".repeat(5000) });
    assertEquals(big.status, 413);
    assertEquals(big.body.field, "body");
    // Without a Content-Length (streamed), the limit is counted while reading.
    const streamed = await fetch(`${s.base}/api/runs`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: new ReadableStream({
        start(ctl) {
          for (let i = 0; i < 10; i++) ctl.enqueue(new TextEncoder().encode(" ".repeat(500)));
          ctl.enqueue(new TextEncoder().encode("{}"));
          ctl.close();
        },
      }),
    });
    assertEquals(streamed.status, 413);
    await streamed.body?.cancel();
    // A page on another site can post a form (text/plain, urlencoded, multipart) without a preflight: refused.
    const cross = await fetch(`${s.base}/api/runs`, {
      method: "POST",
      headers: { "Content-Type": "text/plain", Origin: "http://evil.example" },
      body: '{"d": 3}',
    });
    assertEquals(cross.status, 403);
    assertEquals((await cross.json()).field, "origin");
    // A sandboxed frame sends Origin: null; its body-less POST (e.g. resubmit) is refused like any foreign origin.
    const sandboxed = await call<Err>(s.base, "POST", "/api/runs/any/resubmit", undefined, {
      Origin: "null",
    });
    assertEquals(sandboxed.status, 403);
    // JSON from another origin needs a CORS preflight, which this server never grants.
    const pre = await fetch(`${s.base}/api/runs`, {
      method: "OPTIONS",
      headers: { Origin: "http://evil.example", "Access-Control-Request-Method": "POST" },
    });
    await pre.body?.cancel();
    assertEquals(pre.headers.get("access-control-allow-origin"), null);
    // Same-origin browser writes and scripts pass.
    const same = await call<Err>(s.base, "POST", "/api/runs", { d: 101 }, { Origin: s.base });
    assertEquals([same.status, same.body.field], [400, "d"]);
    const wrongMethod = await call<Err>(s.base, "PUT", "/api/runs", {});
    assertEquals(wrongMethod.status, 405);
    const badStatus = await call<Err>(s.base, "GET", "/api/runs?status=weird");
    assertEquals(badStatus.status, 400);
    assertEquals(badStatus.body.field, "status");
    const missing = await call<Err>(s.base, "GET", "/api/runs/nope");
    assertEquals(missing.status, 404);
    const noRoute = await call<Err>(s.base, "GET", "/api/nothing");
    assertEquals(noRoute.status, 404);
  } finally {
    await s.close();
  }
});

Deno.test("validation: folder datasets must lie under the data root (no traversal, no symlink escape)", async () => {
  const root = await Deno.makeTempDir({ prefix: "kstar-root-" });
  const outside = await Deno.makeTempDir({ prefix: "kstar-outside-" });
  await Deno.mkdir(`${root}/inside`);
  await Deno.symlink(outside, `${root}/escape`);
  const s = await startServer({ dataRoot: root });
  const noRoot = await startServer();
  try {
    for (const spec of ["../", "../../etc", "inside/../../", outside, "/etc", "escape", "missing-folder"]) {
      const r = await call<Err>(s.base, "POST", "/api/runs", { dataset: spec });
      assertEquals(r.status, 400, spec);
      assertEquals(r.body.field, "dataset");
      assertEquals(r.body.value, spec);
      assert(/data root/.test(r.body.allowed ?? ""), r.body.allowed);
    }
    // Without a data root, only the built-in datasets are accepted.
    const r = await call<Err>(noRoot.base, "POST", "/api/runs", { dataset: "inside" });
    assertEquals(r.status, 400);
    assertEquals(r.body.field, "dataset");
    assert(/data root/.test(r.body.error), r.body.error);
    // A folder inside the root is checked at submit: an empty one is named, relative to the data root (the
    // server's own paths never show), with what a dataset folder holds.
    const empty = await call<Err & { file: string }>(s.base, "POST", "/api/runs", { dataset: "inside" });
    assertEquals([empty.status, empty.body.field, empty.body.file], [400, "dataset", "inside"]);
    assert(
      /holds no dataset: expected IDX files .*NumPy arrays .*class folders/.test(empty.body.error),
      empty.body.error,
    );
    assert(!empty.body.error.includes(root), empty.body.error);
    // A real IDX folder (12 training samples of 5×4 pixels, 3 classes) with impossible settings is refused with
    // the dataset's real shape; with possible ones it is accepted, by relative or absolute path.
    await writeIdxFolder(`${root}/inside`);
    const few = await call<Err>(s.base, "POST", "/api/runs", { dataset: "inside" });
    assertEquals([few.status, few.body.field, few.body.value], [400, "batchSize", 64]);
    assert(
      /\[1, 4\] so that the 12 training samples make at least 3 batches/.test(few.body.allowed!),
      few.body.allowed,
    );
    const big = await call<Err>(s.base, "POST", "/api/runs", {
      dataset: "inside",
      batchSize: 4,
      model: "mlp:1",
      d: 40,
    });
    assertEquals([big.status, big.body.field], [400, "d"]);
    assert(/\[1, 27\] \(the parameter count of mlp:1\)/.test(big.body.allowed!), big.body.allowed);
    const ok = await call<RunSummary>(s.base, "POST", "/api/runs", { dataset: "inside", batchSize: 4 });
    assertEquals(ok.status, 201, JSON.stringify(ok.body));
    const abs = await call<RunSummary>(s.base, "POST", "/api/runs", {
      dataset: `${root}/inside`,
      batchSize: 4,
    });
    assertEquals(abs.status, 201, JSON.stringify(abs.body));
  } finally {
    await s.close();
    await noRoot.close();
    await Deno.remove(root, { recursive: true });
    await Deno.remove(outside, { recursive: true });
  }
});

Deno.test("validation: /api/config gives the defaults and bounds", async () => {
  const s = await startServer();
  try {
    type Info = { key: string; flag: string; max?: number; default: unknown; allowed: string };
    const r = await call<{
      fields: { analysis: Info[]; online: Info[] };
      defaults: { analysis: Record<string, unknown>; online: Record<string, unknown> };
    }>(s.base, "GET", "/api/config");
    assertEquals(r.status, 200);
    const field = (k: string) => r.body.fields.analysis.find((f) => f.key === k)!;
    assertEquals([field("mcDraws").max, field("mcDraws").flag, field("d").max], [4096, "mc-draws", 100]);
    assertEquals(field("batchSize").allowed, "an integer in [1, 65536]");
    assertEquals(r.body.defaults.analysis.dataset, "mnist");
    assertEquals(r.body.defaults.online.lanczosTol, 0.01);
  } finally {
    await s.close();
  }
});

Deno.test("validation: a loopback server answers only to loopback host names (DNS rebinding)", async () => {
  assertEquals([hostName("127.0.0.1:8000"), hostName("[::1]:80"), hostName("LocalHost")], [
    "127.0.0.1",
    "[::1]",
    "localhost",
  ]);
  const s = await startServer({ allowedHosts: LOOPBACK_HOSTS });
  try {
    const bad = await s.kstar.app.request(`${s.base}/api/runs`, {
      headers: { Host: "attacker.example:8000" },
    });
    assertEquals(bad.status, 421);
    assertEquals((await bad.json()).field, "host");
    for (const host of ["127.0.0.1:8000", "localhost:8000", "[::1]:8000"]) {
      const ok = await s.kstar.app.request(`${s.base}/api/runs`, { headers: { Host: host } });
      assertEquals(ok.status, 200, host);
      await ok.body?.cancel();
    }
    assertEquals((await call(s.base, "GET", "/api/health")).status, 200, "real requests pass");
  } finally {
    await s.close();
  }
});
