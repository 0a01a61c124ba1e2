/**
 * The route manifest (Fresh's generated manifest, written by hand): every module under `routes/` and the path
 * it serves ({@link routePath}). `tests/server/routes_test.ts` checks that it lists every file.
 * @module
 */
import type { ComponentType } from "npm:preact@10.29.8";
import type { Hono, MiddlewareHandler } from "npm:hono@4.13.19";
import type { AppContext, Handlers, PageHandler, PageProps } from "./context.ts";
import { ApiError } from "./http.ts";
import { renderPage } from "./render.tsx";
import * as apiConfig from "../routes/api/config.ts";
import * as apiDatasets from "../routes/api/datasets.ts";
import * as apiHealth from "../routes/api/health.ts";
import * as apiRuns from "../routes/api/runs/index.ts";
import * as apiRun from "../routes/api/runs/[id]/index.ts";
import * as apiRunEvents from "../routes/api/runs/[id]/events.ts";
import * as apiRunResubmit from "../routes/api/runs/[id]/resubmit.ts";
import * as apiRunResult from "../routes/api/runs/[id]/result.json.ts";
import * as apiRunCsv from "../routes/api/runs/[id]/curves.csv.ts";
import * as apiRunThresholds from "../routes/api/runs/[id]/thresholds.csv.ts";
import * as apiRunReport from "../routes/api/runs/[id]/report.html.ts";
import * as pageIndex from "../routes/index.tsx";
import * as pageRun from "../routes/runs/[id].tsx";
import * as pageCompare from "../routes/compare.tsx";
import * as apiSweeps from "../routes/api/sweeps/index.ts";
import * as apiSweep from "../routes/api/sweeps/[id]/index.ts";
import * as apiSweepJson from "../routes/api/sweeps/[id]/sweep.json.ts";
import * as apiSweepCsv from "../routes/api/sweeps/[id]/sweep.csv.ts";
import * as pageSweep from "../routes/sweeps/[id].tsx";

/** An API route. */
export interface ApiRoute {
  file: string;
  path: string;
  handler: Handlers;
}

/** A page route. */
export interface PageRoute {
  file: string;
  path: string;
  // deno-lint-ignore no-explicit-any
  handler: PageHandler<any>;
  // deno-lint-ignore no-explicit-any
  component: ComponentType<PageProps<any>>;
}

/**
 * The path a module under `routes/` serves, by Fresh's rules: the file name without its extension, `index`
 * for its folder, `[param]` as `:param`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { routePath } from "./routes.ts";
 * assert.equal(routePath("index.tsx"), "/");
 * assert.equal(routePath("api/runs/[id]/index.ts"), "/api/runs/:id");
 * assert.equal(routePath("api/runs/[id]/curves.csv.ts"), "/api/runs/:id/curves.csv");
 * ```
 */
export function routePath(file: string): string {
  const path = "/" + file.replace(/\.tsx?$/, "").replace(/(^|\/)index$/, "").replace(/\[(\w+)\]/g, ":$1");
  return path.replace(/\/$/, "") || "/";
}

const api = (file: string, mod: { handler: Handlers }): ApiRoute => ({
  file,
  path: routePath(file),
  handler: mod.handler,
});
/** A page module: its handler and its component. */
interface PageModule {
  // deno-lint-ignore no-explicit-any
  handler: PageHandler<any>;
  // deno-lint-ignore no-explicit-any
  default: ComponentType<PageProps<any>>;
}

const page = (file: string, mod: PageModule): PageRoute => ({
  file,
  path: routePath(file),
  handler: mod.handler,
  component: mod.default,
});

/** The API routes, in matching order. */
export const API_ROUTES: ApiRoute[] = [
  api("api/config.ts", apiConfig),
  api("api/datasets.ts", apiDatasets),
  api("api/health.ts", apiHealth),
  api("api/runs/index.ts", apiRuns),
  api("api/runs/[id]/events.ts", apiRunEvents),
  api("api/runs/[id]/resubmit.ts", apiRunResubmit),
  api("api/runs/[id]/result.json.ts", apiRunResult),
  api("api/runs/[id]/curves.csv.ts", apiRunCsv),
  api("api/runs/[id]/thresholds.csv.ts", apiRunThresholds),
  api("api/runs/[id]/report.html.ts", apiRunReport),
  api("api/runs/[id]/index.ts", apiRun),
  api("api/sweeps/index.ts", apiSweeps),
  api("api/sweeps/[id]/sweep.json.ts", apiSweepJson),
  api("api/sweeps/[id]/sweep.csv.ts", apiSweepCsv),
  api("api/sweeps/[id]/index.ts", apiSweep),
];

/** The pages. */
export const PAGE_ROUTES: PageRoute[] = [
  page("index.tsx", pageIndex),
  page("runs/[id].tsx", pageRun),
  page("compare.tsx", pageCompare),
  page("sweeps/[id].tsx", pageSweep),
];

/** Files under `routes/` that are not routes (the shell and the not-found page). */
export const SPECIAL_ROUTE_FILES = ["_app.tsx", "_404.tsx"];

/** Mounts every API route (with 405 for other methods) and page on the app. */
export function mountRoutes(app: Hono, ctx: AppContext): void {
  for (const route of API_ROUTES) {
    const methods = Object.keys(route.handler) as (keyof Handlers)[];
    for (const m of methods) {
      const h = route.handler[m]!;
      if (typeof h === "function") app.on(m, route.path, (c) => h(c, ctx));
      else {
        const on = app.on.bind(app) as (m: string, p: string, ...hs: MiddlewareHandler[]) => void;
        on(m, route.path, ...h.use, async (c) => await h.handle(c, ctx));
      }
    }
    app.all(route.path, (c) => {
      throw new ApiError(405, {
        error: `${c.req.method} is not allowed on ${route.path}`,
        allowed: methods.join(", "),
      }, { Allow: methods.join(", ") });
    });
  }
  for (const page of PAGE_ROUTES) {
    app.get(page.path, async (c) => {
      const out = await page.handler(c, ctx);
      if (out instanceof Response) return out;
      return renderPage(c, page.component, out.data, out.title);
    });
  }
}
