/**
 * Grayscale square images (e.g. MNIST's) written in the formats kstar reads — an IDX folder, a PNG class
 * folder, a CSV table — for the format equivalence test and `deno task bench:data`.
 * @module
 */
import { encode as encodePng } from "npm:fast-png@8.0.0";
import { encodeIdxImages, encodeIdxLabels } from "../../lib/data/idx.ts";

/** Samples as bytes: `labels.length` images of `side × side` pixels in `bytes`. */
export interface ByteSplit {
  bytes: Uint8Array;
  labels: Uint8Array;
}

/** An IDX folder named like MNIST's (`train-images-idx3-ubyte`, …, `t10k-labels-idx1-ubyte`). */
export async function writeIdxFolder(
  dir: string,
  train: ByteSplit,
  test: ByteSplit,
  side: number,
): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  for (const [prefix, s] of [["train", train], ["t10k", test]] as const) {
    await Deno.writeFile(
      `${dir}/${prefix}-images-idx3-ubyte`,
      encodeIdxImages(s.bytes, s.labels.length, side, side),
    );
    await Deno.writeFile(`${dir}/${prefix}-labels-idx1-ubyte`, encodeIdxLabels(s.labels));
  }
}

/**
 * A PNG class folder: `train/<label>/<index>.png` and `test/<label>/…` (a folder for every class 0 … max label
 * in both splits), files named by their index in the split (five digits), so that `order: "files"` reads them
 * in the splits' order.
 */
export async function writePngFolder(
  dir: string,
  train: ByteSplit,
  test: ByteSplit,
  side: number,
): Promise<void> {
  const pixels = side * side;
  const classes = 1 + [train, test].reduce((m, s) => s.labels.reduce((a, b) => Math.max(a, b), m), 0);
  for (const [split, s] of [["train", train], ["test", test]] as const) {
    for (let c = 0; c < classes; c++) await Deno.mkdir(`${dir}/${split}/${c}`, { recursive: true });
    for (let i = 0; i < s.labels.length; i++) {
      const png = encodePng({
        width: side,
        height: side,
        data: s.bytes.subarray(i * pixels, (i + 1) * pixels),
        channels: 1,
        depth: 8,
      });
      await Deno.writeFile(`${dir}/${split}/${s.labels[i]}/${String(i).padStart(5, "0")}.png`, png);
    }
  }
}

/** A CSV table: a header `p0,…,p<width−1>,label`, then per sample its `width` features and its label. */
export function csvTable(features: Float32Array | Uint8Array, labels: Uint8Array, width: number): string {
  const lines = [[...Array.from({ length: width }, (_, j) => `p${j}`), "label"].join(",")];
  for (let i = 0; i < labels.length; i++) {
    lines.push([...features.subarray(i * width, (i + 1) * width), labels[i]].join(","));
  }
  return lines.join("\n") + "\n";
}
