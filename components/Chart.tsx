/** @jsxRuntime automatic */
/** @jsxImportSource npm:preact@10.29.8 */
/**
 * A figure drawn by chart.js on a canvas: created in the browser after hydration from its {@link FigureSpec}
 * (through `toChartJs`) and updated in place when the figure changes. On the server it renders an empty canvas
 * inside a sized box.
 * @module
 */
import { useEffect, useMemo, useRef } from "npm:preact@10.29.8/hooks";
import Chart from "npm:chart.js@4.6.1/auto";
import type { FigureSpec } from "../lib/present/figures.ts";
import { markerPlugin, toChartJs } from "./chartjs.ts";

let registered = false;

/** A canvas with the chart of `figure`; `data-chart` is the figure's id (for tests and styling). */
export function ChartCanvas({ figure, height = 300 }: { figure: FigureSpec; height?: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart | null>(null);
  const config = useMemo(() => toChartJs(figure), [figure]);
  // Created on the first run (after hydration), updated in place on later ones.
  useEffect(() => {
    const c = chart.current;
    if (c) {
      // deno-lint-ignore no-explicit-any
      c.data = config.data as any;
      // deno-lint-ignore no-explicit-any
      c.options = config.options as any;
      c.update("none");
      return;
    }
    if (!canvas.current) return;
    if (!registered) {
      Chart.register(markerPlugin);
      registered = true;
    }
    // deno-lint-ignore no-explicit-any
    chart.current = new Chart(canvas.current, config as any);
    canvas.current.setAttribute("data-drawn", "1");
  }, [config]);
  useEffect(() => () => {
    chart.current?.destroy();
    chart.current = null;
  }, []);
  return (
    <div class="chart-box" style={{ height: `${height}px` }}>
      <canvas ref={canvas} data-chart={figure.id} role="img" aria-label={figure.title} />
    </div>
  );
}
