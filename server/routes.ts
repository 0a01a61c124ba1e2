/**
 * The route manifest (Fresh's generated manifest, written by hand): every module under `routes/` and the path
 * it serves (`[id]` → `:id`). `tests/server/routes_test.ts` checks that it lists every file.
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

/** The API routes, in matching order. */
export const API_ROUTES: ApiRoute[] = [
  { file: "api/config.ts", path: "/api/config", handler: apiConfig.handler },
  { file: "api/datasets.ts", path: "/api/datasets", handler: apiDatasets.handler },
  { file: "api/health.ts", path: "/api/health", handler: apiHealth.handler },
  { file: "api/runs/index.ts", path: "/api/runs", handler: apiRuns.handler },
  { file: "api/runs/[id]/events.ts", path: "/api/runs/:id/events", handler: apiRunEvents.handler },
  { file: "api/runs/[id]/resubmit.ts", path: "/api/runs/:id/resubmit", handler: apiRunResubmit.handler },
  { file: "api/runs/[id]/result.json.ts", path: "/api/runs/:id/result.json", handler: apiRunResult.handler },
  { file: "api/runs/[id]/curves.csv.ts", path: "/api/runs/:id/curves.csv", handler: apiRunCsv.handler },
  {
    file: "api/runs/[id]/thresholds.csv.ts",
    path: "/api/runs/:id/thresholds.csv",
    handler: apiRunThresholds.handler,
  },
  { file: "api/runs/[id]/report.html.ts", path: "/api/runs/:id/report.html", handler: apiRunReport.handler },
  { file: "api/runs/[id]/index.ts", path: "/api/runs/:id", handler: apiRun.handler },
  { file: "api/sweeps/index.ts", path: "/api/sweeps", handler: apiSweeps.handler },
  {
    file: "api/sweeps/[id]/sweep.json.ts",
    path: "/api/sweeps/:id/sweep.json",
    handler: apiSweepJson.handler,
  },
  { file: "api/sweeps/[id]/sweep.csv.ts", path: "/api/sweeps/:id/sweep.csv", handler: apiSweepCsv.handler },
  { file: "api/sweeps/[id]/index.ts", path: "/api/sweeps/:id", handler: apiSweep.handler },
];

/** The pages. */
export const PAGE_ROUTES: PageRoute[] = [
  { file: "index.tsx", path: "/", handler: pageIndex.handler, component: pageIndex.default },
  { file: "runs/[id].tsx", path: "/runs/:id", handler: pageRun.handler, component: pageRun.default },
  { file: "compare.tsx", path: "/compare", handler: pageCompare.handler, component: pageCompare.default },
  { file: "sweeps/[id].tsx", path: "/sweeps/:id", handler: pageSweep.handler, component: pageSweep.default },
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
