/** @jsxRuntime automatic */
/** @jsxImportSource npm:preact@10.29.8 */
/**
 * Server-side island markup: the props as JSON in a `<script data-island-props>`, then the server-rendered
 * island inside `<div data-island="Name">`, which the client bundle hydrates (see `server/client_build.ts`).
 * @module
 */
import type { ComponentType } from "npm:preact@10.29.8";

/** JSON safe to place inside a `<script>` element. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replaceAll("<", "\\u003c")
    .replaceAll(">", "\\u003e")
    .replaceAll("&", "\\u0026")
    .replaceAll("\u2028", "\\u2028")
    .replaceAll("\u2029", "\\u2029");
}

/** Renders `component` as the island `name` (the file name under `islands/`). */
export function Island<P>(
  { name, component: C, props }: { name: string; component: ComponentType<P>; props: P },
) {
  return (
    <>
      <script
        type="application/json"
        data-island-props=""
        dangerouslySetInnerHTML={{ __html: scriptJson(props) }}
      />
      <div data-island={name} class="island">
        {/* @ts-ignore: P is the island's props */}
        <C {...props} />
      </div>
    </>
  );
}
