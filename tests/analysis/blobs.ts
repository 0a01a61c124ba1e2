/** A small learnable dataset for the analysis tests. */
import type { Dataset, Split } from "../../lib/data/dataset.ts";
import { Rng } from "../../lib/rng.ts";

/** n samples of 8×8 blobs: the class (0..3) is the quadrant that holds the bright blob. */
export function blobSplit(n: number, rng: Rng): Split {
  const images = new Float32Array(n * 64), labels = new Uint8Array(n);
  for (let s = 0; s < n; s++) {
    const c = rng.int(4);
    labels[s] = c;
    const r0 = c < 2 ? 0 : 4, c0 = c % 2 === 0 ? 0 : 4;
    for (let i = 0; i < 64; i++) images[s * 64 + i] = 0.2 * rng.uniform();
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 4; j++) images[s * 64 + (r0 + i) * 8 + c0 + j] += 0.6 + 0.2 * rng.uniform();
    }
  }
  return { images, labels, n };
}

/** A blobs dataset: n training samples and 200 test samples. */
export function blobs(n: number, seed: number): Dataset {
  const rng = new Rng(seed);
  return {
    name: "blobs",
    height: 8,
    width: 8,
    classes: 4,
    train: blobSplit(n, rng),
    test: blobSplit(200, rng),
  };
}
