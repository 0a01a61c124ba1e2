/**
 * Shared helpers for the data tests: tiny synthetic IDX datasets.
 * @module
 */

import { encodeIdxImages, encodeIdxLabels, gzipBytes } from "../../lib/data/idx.ts";

/** Deterministic pseudo-random bytes (a small LCG), `n` of them. */
export function fakeBytes(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

/** Labels `0, 1, …, classes-1, 0, 1, …` of length `n`. */
export function cyclicLabels(n: number, classes: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => i % classes);
}

/** Options of {@link writeIdxFolder}. */
export interface FolderSpec {
  rows?: number;
  cols?: number;
  nTrain?: number;
  nTest?: number;
  classes?: number;
  /** Write `.gz` files instead of plain ones. */
  gzip?: boolean;
  /** File base names to leave out. */
  omit?: string[];
}

/** Writes the four MNIST-named IDX files of a tiny dataset into `dir` (created). */
export async function writeIdxFolder(dir: string, spec: FolderSpec = {}): Promise<void> {
  const { rows = 5, cols = 4, nTrain = 12, nTest = 6, classes = 3, gzip = false, omit = [] } = spec;
  await Deno.mkdir(dir, { recursive: true });
  const files: Record<string, Uint8Array> = {
    "train-images-idx3-ubyte": encodeIdxImages(fakeBytes(nTrain * rows * cols, 7), nTrain, rows, cols),
    "train-labels-idx1-ubyte": encodeIdxLabels(cyclicLabels(nTrain, classes)),
    "t10k-images-idx3-ubyte": encodeIdxImages(fakeBytes(nTest * rows * cols, 8), nTest, rows, cols),
    "t10k-labels-idx1-ubyte": encodeIdxLabels(cyclicLabels(nTest, classes)),
  };
  for (const [name, bytes] of Object.entries(files)) {
    if (omit.includes(name)) continue;
    if (gzip) await Deno.writeFile(`${dir}/${name}.gz`, await gzipBytes(bytes));
    else await Deno.writeFile(`${dir}/${name}`, bytes);
  }
}
