/**
 * Writes a small RGB image dataset to try the image-folder reader and a CNN on: 16×16 pictures of a filled
 * circle, square or triangle in a random colour on a random background, at a jittered place and size —
 * `train/<shape>/NNNNN.png|jpg` (500 per class) and `test/<shape>/…` (100 per class), every other file a JPEG.
 * Deterministic (seeded with `lib/rng.ts`).
 *
 * ```sh
 * deno run -A scripts/shapes_images.ts data/shapes
 * deno task analyze --dataset data/shapes --model cnn --batch-size 30 --epochs 8 --lr 0.01 --d 5
 * ```
 * @module
 */
import { encode as encodePng } from "npm:fast-png@8.0.0";
import jpeg from "npm:jpeg-js@0.4.4";
import { Rng } from "../lib/rng.ts";

/** The classes, in the order their folders sort. */
export const SHAPES = ["circle", "square", "triangle"] as const;
const SIDE = 16;

/** One `SIDE × SIDE` RGB picture of `shape`. */
export function drawShape(shape: typeof SHAPES[number], rng: Rng): Uint8Array {
  const colour = () => [rng.int(256), rng.int(256), rng.int(256)];
  let fg = colour(), bg = colour();
  while (Math.abs(fg[0] - bg[0]) + Math.abs(fg[1] - bg[1]) + Math.abs(fg[2] - bg[2]) < 200) {
    [fg, bg] = [colour(), colour()];
  }
  const r = 4.5 + rng.uniform() * 2;
  const cx = SIDE / 2 + (rng.uniform() - 0.5) * 4, cy = SIDE / 2 + (rng.uniform() - 0.5) * 4;
  const img = new Uint8Array(SIDE * SIDE * 3);
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const dx = x + 0.5 - cx, dy = y + 0.5 - cy;
      const inside = shape === "circle"
        ? dx * dx + dy * dy <= r * r
        : shape === "square"
        ? Math.abs(dx) <= r * 0.85 && Math.abs(dy) <= r * 0.85
        : dy <= r * 0.8 && dy >= -r && Math.abs(dx) <= (dy + r) * 0.6;
      img.set(inside ? fg : bg, 3 * (y * SIDE + x));
    }
  }
  return img;
}

/** Writes the dataset into `dir`; returns the number of files written. */
export async function writeShapes(
  dir: string,
  perClass = { train: 500, test: 100 },
  seed = 7,
): Promise<number> {
  const rng = new Rng(seed);
  let n = 0;
  for (const split of ["train", "test"] as const) {
    for (const shape of SHAPES) await Deno.mkdir(`${dir}/${split}/${shape}`, { recursive: true });
    for (let i = 0; i < perClass[split] * SHAPES.length; i++) {
      const shape = SHAPES[rng.int(SHAPES.length)];
      const rgb = drawShape(shape, rng);
      const name = String(i).padStart(5, "0");
      if (i % 2 === 0) {
        await Deno.writeFile(
          `${dir}/${split}/${shape}/${name}.png`,
          encodePng({ width: SIDE, height: SIDE, data: rgb, channels: 3, depth: 8 }),
        );
      } else {
        const rgba = new Uint8Array(SIDE * SIDE * 4);
        for (let p = 0; p < SIDE * SIDE; p++) rgba.set([...rgb.subarray(3 * p, 3 * p + 3), 255], 4 * p);
        await Deno.writeFile(
          `${dir}/${split}/${shape}/${name}.jpg`,
          jpeg.encode({ width: SIDE, height: SIDE, data: rgba }, 95).data,
        );
      }
      n++;
    }
  }
  return n;
}

if (import.meta.main) {
  const dir = Deno.args[0] ?? "data/shapes";
  const n = await writeShapes(dir);
  console.log(`wrote ${n} images to ${dir}: train/ and test/, classes ${SHAPES.join(", ")}, 16×16 RGB`);
}
