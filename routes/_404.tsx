/** @jsxRuntime automatic */
/** @jsxImportSource npm:preact@10.29.8 */
/**
 * The not-found page.
 * @module
 */
import type { Context } from "npm:hono@4.13.19";
import type { PageProps } from "../server/context.ts";
import { renderPage } from "../server/render.tsx";

export default function NotFound({ data }: PageProps<{ message: string }>) {
  return (
    <section class="card empty not-found">
      <h1>Not found</h1>
      <p>{data.message}</p>
      <p>
        <a class="btn btn-secondary" href="/">Back to the runs</a>
      </p>
    </section>
  );
}

/** Answers 404 with the not-found page. */
export function notFound(c: Context, message = "There is no page at this address."): Promise<Response> {
  return renderPage(c, NotFound, { message }, "Not found", 404);
}
