/** @jsxRuntime automatic */
/** @jsxImportSource npm:preact@10.29.8 */
/**
 * Server rendering of pages: a route's component inside the `_app` shell, with the built assets.
 * @module
 */
import type { ComponentType } from "npm:preact@10.29.8";
import { renderToString } from "npm:preact-render-to-string@6.8.2";
import type { Context } from "npm:hono@4.13.19";
import App, { type Assets } from "../routes/_app.tsx";
import { readManifest } from "./client_build.ts";
import type { PageProps } from "./context.ts";

/** The asset URLs of the current build (versioned by its hash), or the source stylesheet before a build. */
export async function currentAssets(): Promise<Assets> {
  const m = await readManifest();
  if (!m) return { css: "/static/styles.css", js: null };
  const v = m.hash.slice(0, 12);
  return { css: `/static/build/${m.css}?v=${v}`, js: `/static/build/${m.js}?v=${v}` };
}

/** The pages' content security policy (Hono's secure-headers form): everything from this server, no inline scripts. */
export const PAGE_CSP = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", "data:"],
  connectSrc: ["'self'"],
  frameAncestors: ["'self'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
};

/** Renders a page as a full HTML document. */
export async function renderPage<T>(
  c: Context,
  Page: ComponentType<PageProps<T>>,
  data: T,
  title: string,
  status: 200 | 404 = 200,
): Promise<Response> {
  const url = new URL(c.req.url);
  const body = renderToString(
    <App title={title} assets={await currentAssets()} path={url.pathname}>
      <Page data={data} url={url} />
    </App>,
  );
  return c.html(`<!DOCTYPE html>${body}`, status, { "Cache-Control": "no-store" });
}
