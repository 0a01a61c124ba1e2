/**
 * The dashboard in a real browser (playwright-core driving Debian's chromium): submit a small run with the
 * form, see its progress move, see the charts draw and the threshold card show k*, move k* with the tolerance
 * control without a request, and open the compare page. Screenshots go to tests/artifacts/.
 *
 * Skipped (with a message) when /usr/bin/chromium is not installed; `.ci/run` installs it.
 */
import { chromium, type Page } from "npm:playwright-core@1.65.1";
import { assert, assertEquals, call, startServer } from "../server/helpers.ts";
import { ensureClientBuild } from "../../server/client_build.ts";
import type { RunDetail } from "../../server/types.ts";

const CHROMIUM = "/usr/bin/chromium";
const ARTIFACTS = new URL("../artifacts/", import.meta.url);

function exists(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

const haveChromium = exists(CHROMIUM);
if (!haveChromium) {
  console.warn(`browser test skipped: ${CHROMIUM} is not installed (apt-get install chromium)`);
}

/** Non-transparent pixels of a canvas. */
function inkOf(page: Page, name: string): Promise<number> {
  return page.evaluate((n) => {
    const c = document.querySelector(`canvas[data-chart="${n}"]`) as HTMLCanvasElement | null;
    if (!c || c.width === 0 || c.height === 0) return 0;
    const d = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
    let ink = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i] > 0) ink++;
    return ink;
  }, name);
}

Deno.test({
  name: "browser: submit a small run, watch progress, charts draw, threshold card shows k*",
  ignore: !haveChromium,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await ensureClientBuild();
    await Deno.mkdir(ARTIFACTS, { recursive: true });
    const s = await startServer({ progressIntervalMs: 100 });
    const profile = await Deno.makeTempDir({ prefix: "kstar-chromium-" });
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1440, height: 900 },
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    const errors: string[] = [];
    try {
      const page = context.pages()[0] ?? await context.newPage();
      page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
      page.on("console", (m) => {
        if (m.type() === "error") errors.push(`console: ${m.text()}`);
      });
      page.on("requestfailed", (r) => {
        // The events stream is closed by the page itself when the run ends.
        if (!r.url().includes("/events")) errors.push(`request failed: ${r.url()}`);
      });
      const external: string[] = [];
      page.on("request", (r) => {
        if (!r.url().startsWith(s.base)) external.push(r.url());
      });

      // The dashboard: empty list, the form with defaults.
      await page.goto(`${s.base}/`);
      await page.waitForSelector('[data-testid="run-form"][data-hydrated]');
      assertEquals(await page.inputValue('input[name="d"]'), "10");
      await page.screenshot({ path: new URL("dashboard-empty.png", ARTIFACTS).pathname, fullPage: true });

      // Submit a small run: a few hundred samples, in-process, so that it ends in seconds.
      await page.click('[data-testid="preset-small"]');
      await page.waitForFunction(() =>
        (document.querySelector('input[name="d"]') as HTMLInputElement).value === "3"
      );
      await page.fill('input[name="limit"]', "384");
      await page.fill('input[name="batchSize"]', "24");
      // The wasm backend, so that the run behaves the same with or without a WebGPU adapter.
      await page.click(".advanced summary");
      await page.selectOption('select[name="backend"]', "wasm");
      await page.click('[data-testid="submit-run"]');
      await page.waitForURL(/\/runs\/[\w-]+$/, { timeout: 15_000 });
      const id = decodeURIComponent(new URL(page.url()).pathname.split("/").pop()!);
      await page.waitForSelector(".run-view[data-hydrated]");

      // Progress moves.
      const seen = new Set<string>();
      let midShot = false, lateShot = false;
      const end = Date.now() + 90_000;
      while (Date.now() < end) {
        const status = await page.getAttribute(".run-view", "data-status");
        const pct = await page.locator('[data-testid="percent"]').getAttribute("data-overall", {
          timeout: 200,
        })
          .catch(() => null);
        if (pct !== null) seen.add(pct);
        // A screenshot mid-run (the latest one past 30% if there is one).
        if (
          pct !== null && Number(pct) > 0 && Number(pct) < 1 && (!midShot || Number(pct) >= 0.3) && !lateShot
        ) {
          await page.screenshot({ path: new URL("run-progress.png", ARTIFACTS).pathname, fullPage: true });
          lateShot = Number(pct) >= 0.3;
          midShot = true;
        }
        if (status === "done" || status === "failed") break;
        await page.waitForTimeout(40);
      }
      assertEquals(await page.getAttribute(".run-view", "data-status"), "done", errors.join("\n"));
      const fractions = [...seen].map(Number);
      assert(fractions.length >= 2, `progress values seen: ${[...seen].join(", ")}`);
      assert(fractions.some((f) => f > 0 && f < 1), `intermediate progress seen: ${[...seen].join(", ")}`);

      // The threshold card shows the run's k*.
      const api = await call<RunDetail>(s.base, "GET", `/api/runs/${id}`);
      assertEquals(api.body.status, "done");
      assertEquals(api.body.result!.dataset.usedSamples, 384);
      assertEquals([api.body.config.d, api.body.config.mcDraws, api.body.config.workers], [3, 8, 0]);
      assertEquals(api.body.config.backend, "wasm");
      await page.waitForSelector('[data-testid="threshold-card"]');
      const kText = (await page.textContent('[data-testid="kstar"]'))!.trim();
      assertEquals(kText, api.body.kStar === null ? "not reached" : String(api.body.kStar));
      const samplesText = (await page.textContent('[data-testid="samples"]'))!;
      if (api.body.samples !== null) assert(samplesText.includes(api.body.samples.toLocaleString("en-US")));

      // The charts draw.
      for (const name of ["delta", "scaled", "eigen", "spectrum", "kstar-histogram"]) {
        await page.waitForSelector(`canvas[data-chart="${name}"][data-drawn]`);
        const ink = await inkOf(page, name);
        assert(ink > 2000, `chart ${name} is drawn (${ink} pixels)`);
      }
      await page.screenshot({ path: new URL("run-page.png", ARTIFACTS).pathname, fullPage: true });

      // How sure is k*: the interval over batch orders beside k*, as the API has it.
      const head = api.body.result!.thresholds[0];
      const iv = head.interval!;
      assert(iv !== null && api.body.result!.uncertainty!.orderings === 200, "200 batch orders by default");
      const ivText = (await page.textContent('[data-testid="interval-k"]'))!.trim();
      assertEquals(
        ivText,
        iv.low === null ? `reached in ${Math.round(100 * iv.reached)}% of orders` : `${iv.low}–${iv.high}`,
      );

      // The tolerance control moves k* in the browser, without asking the server.
      const before = await inkOf(page, "delta");
      let apiCalls = 0;
      const count = (r: { url(): string }) => {
        if (r.url().includes("/api/")) apiCalls++;
      };
      page.on("request", count);
      await page.fill('[data-testid="tol-input"]', "1e-9");
      await page.waitForFunction(() =>
        document.querySelector('[data-testid="kstar"]')?.textContent?.trim() === "not reached"
      );
      assert(await page.isVisible('[data-testid="prediction"]'), "the prediction is shown when not reached");
      // The interval moves with the tolerance, from the stored replicates: no order reaches 1e-9 …
      assertEquals((await page.textContent('[data-testid="interval-k"]'))!.trim(), "reached in 0% of orders");
      await page.fill('[data-testid="tol-input"]', "1000");
      await page.waitForFunction(() =>
        document.querySelector('[data-testid="kstar"]')?.textContent?.trim() === "1"
      );
      // … and every order has k* = 1 at 1000.
      assertEquals((await page.textContent('[data-testid="interval-k"]'))!.trim(), "1–1");
      assertEquals((await page.textContent('[data-testid="tolerance"]'))!.trim(), "1000");
      assert((await inkOf(page, "delta")) !== before, "the chart redraws with the new threshold");
      page.off("request", count);
      assertEquals(apiCalls, 0, "no request while moving the tolerance");
      await page.fill('[data-testid="tol-input"]', "0.025");
      await page.screenshot({ path: new URL("run-page-tolerance.png", ARTIFACTS).pathname, fullPage: false });

      // The report has the interval and the histogram too.
      await page.goto(`${s.base}/api/runs/${id}/report.html?inline=1`);
      assert(await page.isVisible('svg[data-figure="kstar-histogram"]'), "the report's histogram");
      assert(await page.isVisible('[data-testid="interval"]'), "the report's interval");
      await page.screenshot({ path: new URL("report.png", ARTIFACTS).pathname, fullPage: true });

      // The dashboard lists it; the compare page overlays it.
      await page.goto(`${s.base}/`);
      await page.waitForSelector(`.run-table-wrap[data-hydrated] tr[data-run-id="${id}"]`);
      assert((await page.textContent(`tr[data-run-id="${id}"]`))!.includes("Done"));
      await page.screenshot({ path: new URL("dashboard.png", ARTIFACTS).pathname, fullPage: true });
      await page.goto(`${s.base}/compare?ids=${id}`);
      await page.waitForSelector(".compare[data-hydrated]");
      await page.waitForSelector('canvas[data-chart="compare"][data-drawn]');
      assert((await inkOf(page, "compare")) > 2000, "compare chart is drawn");
      await page.screenshot({ path: new URL("compare.png", ARTIFACTS).pathname, fullPage: true });

      assertEquals(external, [], "no request leaves the server (no CDN)");
      assertEquals(errors, []);
    } finally {
      await context.close();
      await s.close();
      await Deno.remove(profile, { recursive: true }).catch(() => {});
    }
  },
});
