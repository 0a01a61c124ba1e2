/** @jsxRuntime automatic */
/** @jsxImportSource npm:preact@10.29.8 */
/**
 * Server-side island markup: the props as JSON in a `<script data-island-props>`, then the server-rendered
 * island inside `<div data-island="Name">`, which the client bundle hydrates (see `server/client_build.ts`).
 * @module
 */
import type { ComponentType } from "npm:preact@10.29.8";
import { scriptJson } from "../lib/present/script_json.ts";

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
