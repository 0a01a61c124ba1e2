/** @jsxRuntime automatic */
/** @jsxImportSource npm:preact@10.29.8 */
/**
 * Every threshold of a result: for each tolerance and curve, k* and |D| on the smoothed curve and k* on the
 * raw one.
 * @module
 */
import type { JSX } from "npm:preact@10.29.8";
import type { Threshold } from "../../analysis/types.ts";
import { CURVES } from "../../config/choices.ts";
import { fmtLevel, fmtTolerance } from "../format.ts";
import { intervalCell, tolerancesIn } from "../threshold_view.ts";
import { CURVE_LABELS } from "../labels.ts";
import { ThresholdValue } from "./ThresholdValue.tsx";

/** The thresholds table, with the interval over batch orders beside each k* when the run has them. */
export function ThresholdTable(
  { thresholds, batchSize = 0 }: { thresholds: readonly Threshold[]; batchSize?: number },
): JSX.Element {
  const tols = tolerancesIn({ thresholds });
  const level = thresholds.find((t) => t.interval)?.interval?.level;
  const head = level === undefined ? "" : `${fmtLevel(level)} interval`;
  const iv = (t: Threshold | undefined) => <td class="num">{intervalCell(t?.interval, batchSize).k}</td>;
  const find = (tol: number, curve: string, smoothed: boolean) =>
    thresholds.find((t) => t.tolerance === tol && t.curve === curve && t.smoothed === smoothed);
  return (
    <table class="data thresholds" data-testid="thresholds-table">
      <thead>
        <tr>
          <th>Curve</th>
          <th class="num">
            Δ<sub>tol</sub>
          </th>
          <th class="num">k* (smoothed)</th>
          {head ? <th class="num">{head} (smoothed)</th> : null}
          <th class="num">|D| (smoothed)</th>
          <th class="num">k* (raw)</th>
          {head ? <th class="num">{head} (raw)</th> : null}
        </tr>
      </thead>
      <tbody>
        {tols.flatMap((tol) =>
          CURVES.map((c) => (
            <tr key={`${tol}-${c}`}>
              <td>{CURVE_LABELS[c]}</td>
              <td class="num">{fmtTolerance(tol)}</td>
              <td class="num">
                <ThresholdValue threshold={find(tol, c, true)} />
              </td>
              {head ? iv(find(tol, c, true)) : null}
              <td class="num">
                <ThresholdValue threshold={find(tol, c, true)} of="samples" />
              </td>
              <td class="num">
                <ThresholdValue threshold={find(tol, c, false)} />
              </td>
              {head ? iv(find(tol, c, false)) : null}
            </tr>
          ))
        )}
      </tbody>
    </table>
  );
}
