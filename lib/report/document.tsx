/** @jsxRuntime automatic */
/** @jsxImportSource npm:preact@10.29.8 */
/**
 * The shell of a self-contained report page — inline CSS, no external requests, the data embedded as JSON —
 * and the inline SVG figure, shared by the run report and the sweep report.
 * @module
 */
import type { ComponentChildren, JSX } from "npm:preact@10.29.8";
import { renderToString } from "npm:preact-render-to-string@6.8.2";
import { scriptJson } from "../present/script_json.ts";
import type { FigureSpec } from "../present/figures.ts";
import { FigureBox } from "../present/components/FigureBox.tsx";
import { REPORT_CSS } from "./report_css.ts";
import { renderSvg, type SvgOptions } from "./svg.ts";

/** A figure drawn as inline SVG in its frame (title, caption). */
export function SvgFigure(
  { figure, size, wide }: { figure: FigureSpec; size: SvgOptions; wide?: boolean },
): JSX.Element {
  return (
    <FigureBox figure={figure} wide={wide}>
      <div class="svg" dangerouslySetInnerHTML={{ __html: renderSvg(figure, size) }} />
    </FigureBox>
  );
}

/**
 * `<!DOCTYPE html>` and the page: `title`, the report CSS, `body`, and `data` as
 * `<script type="application/json" id={dataId}>` (escaped so that it cannot end its script element).
 */
export function reportDocument(
  title: string,
  body: ComponentChildren,
  dataId: string,
  data: unknown,
): string {
  const page = (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{title}</title>
        <style dangerouslySetInnerHTML={{ __html: REPORT_CSS }} />
      </head>
      <body>
        {body}
        <script type="application/json" id={dataId} dangerouslySetInnerHTML={{ __html: scriptJson(data) }} />
      </body>
    </html>
  );
  return `<!DOCTYPE html>\n${renderToString(page)}\n`;
}
