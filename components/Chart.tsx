/** @jsxRuntime automatic */
/** @jsxImportSource npm:preact@10.29.8 */
/**
 * A chart.js chart on a canvas: created in the browser after hydration and updated in place when its
 * configuration changes (no animation). On the server it renders an empty canvas inside a sized box.
 * @module
 */
import { useEffect, useRef } from "npm:preact@10.29.8/hooks";
import Chart from "npm:chart.js@4.6.1/auto";
import { type ChartSpec, markerPlugin } from "./charts.ts";

let registered = false;

/** A canvas with a chart; `name` becomes `data-chart` (for tests and styling). */
export function ChartCanvas(
  { config, name, height = 300 }: { config: ChartSpec; name: string; height?: number },
) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart | null>(null);
  useEffect(() => {
    if (!canvas.current) return;
    if (!registered) {
      Chart.register(markerPlugin);
      registered = true;
    }
    // deno-lint-ignore no-explicit-any
    chart.current = new Chart(canvas.current, config as any);
    canvas.current.setAttribute("data-drawn", "1");
    return () => {
      chart.current?.destroy();
      chart.current = null;
    };
  }, []);
  useEffect(() => {
    const c = chart.current;
    if (!c) return;
    // deno-lint-ignore no-explicit-any
    c.data = config.data as any;
    // deno-lint-ignore no-explicit-any
    c.options = config.options as any;
    c.update("none");
  }, [config]);
  return (
    <div class="chart-box" style={{ height: `${height}px` }}>
      <canvas ref={canvas} data-chart={name} role="img" aria-label={name} />
    </div>
  );
}
