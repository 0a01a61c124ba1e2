/**
 * The server's edges over real HTTP: HEAD answers carry GET's length; an access token guards every request when
 * set; runs too large for the machine are refused at submit with a 400 naming the model; the compare page names
 * the ids it cannot show.
 */
import { assert, assertEquals, assertMatch, call, startServer } from "./helpers.ts";
import type { RunSummary } from "../../server/types.ts";

type Err = { error: string; field?: string; value?: unknown; allowed?: string };

Deno.test("edges: HEAD reports the length GET sends, with no body", async () => {
  const s = await startServer();
  try {
    for (const path of ["/", "/api/runs", "/api/config", "/compare"]) {
      const get = await fetch(`${s.base}${path}`);
      const body = new Uint8Array(await get.arrayBuffer());
      const head = await fetch(`${s.base}${path}`, { method: "HEAD" });
      assertEquals(head.status, get.status, path);
      assertEquals(head.headers.get("content-length"), String(body.byteLength), path);
      assertEquals(head.headers.get("content-type"), get.headers.get("content-type"), path);
      assertEquals((await head.arrayBuffer()).byteLength, 0, path);
    }
  } finally {
    await s.close();
  }
});

Deno.test("edges: with a token, every request needs it (Bearer header, or the cookie ?token= sets)", async () => {
  const s = await startServer({ token: "s3cret-token" });
  try {
    const none = await call<Err>(s.base, "GET", "/api/runs");
    assertEquals([none.status, none.body.field], [401, "token"]);
    assertMatch(none.headers.get("www-authenticate") ?? "", /Bearer/);
    assertEquals(
      (await call(s.base, "GET", "/api/runs", undefined, { Authorization: "Bearer wrong" })).status,
      401,
    );
    assertEquals((await call(s.base, "GET", "/", undefined, {})).status, 401, "pages too");
    const post = await call<Err>(s.base, "POST", "/api/runs", { d: 3 });
    assertEquals(post.status, 401, "no run is submitted without the token");
    const ok = await call(s.base, "GET", "/api/runs", undefined, { Authorization: "Bearer s3cret-token" });
    assertEquals(ok.status, 200);
    // A browser opens ?token= once: the cookie is set and the token leaves the address bar.
    const visit = await fetch(`${s.base}/compare?ids=a&token=s3cret-token`, { redirect: "manual" });
    await visit.body?.cancel();
    assertEquals(visit.status, 303);
    assertEquals(visit.headers.get("location"), "/compare?ids=a");
    const cookie = (visit.headers.get("set-cookie") ?? "").split(";")[0];
    assertMatch(visit.headers.get("set-cookie") ?? "", /HttpOnly/i);
    assertEquals((await call(s.base, "GET", "/api/runs", undefined, { Cookie: cookie })).status, 200);
    const wrongVisit = await fetch(`${s.base}/?token=nope`, { redirect: "manual" });
    await wrongVisit.body?.cancel();
    assertEquals(wrongVisit.status, 401);
  } finally {
    await s.close();
  }
});

Deno.test("edges: a model too large, or a run needing more memory than allowed, is a 400 before anything is stored", async () => {
  const s = await startServer({ memoryLimitBytes: 256 * 1024 ** 2 });
  try {
    const huge = await call<Err>(s.base, "POST", "/api/runs", {
      model: "mlp:4096,4096,4096,4096,4096,4096,4096,4096,4096,4096",
    });
    assertEquals([huge.status, huge.body.field], [400, "model"]);
    assertMatch(huge.body.allowed ?? "", /at most 5,000,000 parameters/);
    assertMatch(huge.body.error, /154,\d{3},\d{3}/);
    const heavy = await call<Err>(s.base, "POST", "/api/runs", {
      model: "mlp:2048",
      mcDraws: 4096,
      workers: 8,
    });
    assertEquals([heavy.status, heavy.body.field], [400, "model"]);
    assertMatch(heavy.body.allowed ?? "", /fits in 0\.3 GiB/);
    assertMatch(heavy.body.error, /estimated [\d.]+ GiB/);
    const list = await call<{ runs: RunSummary[] }>(s.base, "GET", "/api/runs");
    assertEquals(list.body.runs.length, 0);
  } finally {
    await s.close();
  }
});

Deno.test("edges: the compare page names ids it cannot show", async () => {
  const s = await startServer();
  try {
    const res = await fetch(`${s.base}/compare?ids=nope1,nope2`);
    const html = await res.text();
    assertEquals(res.status, 200);
    assert(/data-testid="compare-missing"[^>]*>[^<]*Not shown: nope1, nope2/.test(html), html.slice(0, 2000));
  } finally {
    await s.close();
  }
});
