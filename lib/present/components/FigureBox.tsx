/** @jsxRuntime automatic */
/** @jsxImportSource npm:preact@10.29.8 */
/**
 * A figure with its title and caption (from its {@link FigureSpec}); the chart itself is the child — inline SVG
 * in the report, a chart.js canvas in the dashboard.
 * @module
 */
import type { ComponentChildren, JSX } from "npm:preact@10.29.8";
import type { FigureSpec } from "../figures.ts";
import { Rich } from "./Rich.tsx";

/** The figure frame. */
export function FigureBox(
  { figure, wide, children }: { figure: FigureSpec; wide?: boolean; children: ComponentChildren },
): JSX.Element {
  return (
    <figure class={`figure${wide ? " wide" : ""}`} data-figure={figure.id}>
      <h3 class="figure-title">
        <Rich text={figure.title} />
      </h3>
      {children}
      <figcaption>
        <Rich text={figure.caption} />
      </figcaption>
    </figure>
  );
}
