/** @jsxRuntime automatic */
/** @jsxImportSource npm:preact@10.29.8 */
/**
 * The power-law tail fits Δ_k ≈ C·k^−α of the curves, optionally with each curve's k* and |D| at one tolerance.
 * @module
 */
import type { JSX } from "npm:preact@10.29.8";
import type { PowerFit, Threshold } from "../../analysis/types.ts";
import { CURVES } from "../../config/choices.ts";
import { fmt, fmtInt } from "../format.ts";
import { CURVE_LABELS } from "../labels.ts";
import { ThresholdValue } from "./ThresholdValue.tsx";

/** The fits table; `at` adds k* and |D| (smoothed) per curve. */
export function FitsTable(
  { fits, at }: { fits: readonly PowerFit[]; at?: readonly Threshold[] },
): JSX.Element {
  return (
    <>
      <table class="data fits" data-testid="fits">
        <thead>
          <tr>
            <th>Curve</th>
            <th class="num">C</th>
            <th class="num">α</th>
            <th class="num">r²</th>
            <th class="num">range of k</th>
            {at ? <th class="num">k*</th> : null}
            {at ? <th class="num">|D|</th> : null}
          </tr>
        </thead>
        <tbody>
          {CURVES.map((c) => {
            const f = fits.find((x) => x.curve === c);
            const t = at?.find((x) => x.curve === c);
            return (
              <tr key={c}>
                <td>{CURVE_LABELS[c]}</td>
                <td class="num">{fmt(f?.C)}</td>
                <td class="num">{fmt(f?.alpha)}</td>
                <td class="num">{fmt(f?.r2, 3)}</td>
                <td class="num">{f ? `${fmtInt(f.fromK)}–${fmtInt(f.toK)}` : "—"}</td>
                {at
                  ? (
                    <td class="num">
                      <ThresholdValue threshold={t} />
                    </td>
                  )
                  : null}
                {at
                  ? (
                    <td class="num">
                      <ThresholdValue threshold={t} of="samples" />
                    </td>
                  )
                  : null}
              </tr>
            );
          })}
        </tbody>
      </table>
      <p class="muted small">
        Least squares on log Δ<sub>k</sub>{" "}
        over the tail (the last three quarters of k); the theory predicts α ≈ 2. ≈: not reached within the
        data, extrapolated as k* ≈ ⌈(C/Δ<sub>tol</sub>)<sup>1/α</sup>⌉.
      </p>
    </>
  );
}
