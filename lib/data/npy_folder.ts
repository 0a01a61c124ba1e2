/**
 * Reads a folder of NumPy arrays (uses `Deno.*` file APIs): `x_train.npy` and `y_train.npy`, and
 * `x_test.npy` and `y_test.npy` (both or neither; without them a seeded stratified `testFraction` is held out).
 *
 * Features are float32, float64 or uint8 (bytes are scaled to [0, 1], floats taken as they are, and must be
 * finite), shaped `(N, F)` (a table: MLPs only), `(N, H, W)` (grayscale images) or `(N, H, W, C)` (C channels);
 * labels are integers shaped `(N,)` or `(N, 1)`. Either byte order, C or Fortran order. Every problem is a
 * {@link DataError} naming the file.
 * @module
 */
import type { DatasetShape } from "../config/plan.ts";
import { DataError } from "../errors.ts";
import { arrangeDataset, classesOf, splitSizes } from "./assemble.ts";
import type { Dataset } from "./dataset.ts";
import { checkInsideRoot } from "./locate.ts";
import {
  checkFeatureDtype,
  checkLabelDtype,
  checkNpyLength,
  describeNpy,
  npyFeatures,
  type NpyHeader,
  npyLabels,
  parseNpy,
  parseNpyHeader,
} from "./npy.ts";
import { basename, joinPath, resolvePath } from "./paths.ts";

/** The file names of a NumPy dataset folder. */
export const NPY_FOLDER_FILES = {
  trainX: "x_train.npy",
  trainY: "y_train.npy",
  testX: "x_test.npy",
  testY: "y_test.npy",
} as const;

/** Options of the NumPy reader. */
export interface NpyFolderOptions {
  /** The dataset's name (default: the folder's). */
  name?: string;
  /** The class count, when the labels alone do not tell it. */
  classes?: number | null;
  /** The test share when there are no test files (default 0.2). */
  testFraction?: number;
  /** Seed of a test-fraction split (default 0). */
  seed?: number;
  /** When set, no file may lead outside it through a symbolic link. */
  dataRoot?: string | null;
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

async function readWhole(path: string, root: string | null | undefined): Promise<Uint8Array> {
  await checkInsideRoot(path, root);
  try {
    return await Deno.readFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) throw new DataError(path, "missing");
    throw new DataError(path, `cannot be read: ${(e as Error).message}`);
  }
}

/** Reads only the header of a `.npy` file and checks the file's length against it. */
async function readHeader(path: string, root: string | null | undefined): Promise<NpyHeader> {
  await checkInsideRoot(path, root);
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) throw new DataError(path, "missing");
    throw new DataError(path, `cannot be read: ${(e as Error).message}`);
  }
  try {
    const size = (await file.stat()).size;
    const buf = new Uint8Array(Math.min(size, 65536 + 12));
    let got = 0;
    while (got < buf.length) {
      const n = await file.read(buf.subarray(got));
      if (n === null) break;
      got += n;
    }
    const h = parseNpyHeader(buf.subarray(0, got), path);
    checkNpyLength(h, size, path);
    return h;
  } finally {
    file.close();
  }
}

/** The layout of a NumPy dataset's files, found without reading the arrays. */
async function layoutOf(
  dir: string,
): Promise<{ x: string; y: string; tx: string | null; ty: string | null }> {
  const f = NPY_FOLDER_FILES;
  const [x, y, tx, ty] = [f.trainX, f.trainY, f.testX, f.testY].map((n) => joinPath(dir, n));
  for (const p of [x, y]) if (!(await exists(p))) throw new DataError(p, "missing: a NumPy dataset needs it");
  const [hasTx, hasTy] = [await exists(tx), await exists(ty)];
  if (hasTx !== hasTy) {
    const [have, lack] = hasTx ? [tx, ty] : [ty, tx];
    throw new DataError(lack, `missing: ${have} is there, and a test split needs both files`);
  }
  return { x, y, tx: hasTx ? tx : null, ty: hasTy ? ty : null };
}

function sampleShape(h: Pick<NpyHeader, "shape" | "dtype">, file: string): number[] {
  if (h.shape.length < 2 || h.shape.length > 4) {
    throw new DataError(
      file,
      `shape ${describeNpy(h)}: features are shaped (N, F), (N, H, W) or (N, H, W, C)`,
    );
  }
  if (h.shape[0] < 1) throw new DataError(file, `shape ${describeNpy(h)} holds no samples`);
  if (h.shape.slice(1).some((d) => d < 1)) {
    throw new DataError(file, `shape ${describeNpy(h)} has an empty axis`);
  }
  return h.shape.slice(1);
}

function checkLabels(hy: Pick<NpyHeader, "shape" | "dtype">, yFile: string, n: number, xFile: string): void {
  const ok = hy.shape.length === 1 || (hy.shape.length === 2 && hy.shape[1] === 1);
  if (!ok) throw new DataError(yFile, `shape ${describeNpy(hy)}: labels are shaped (N,) or (N, 1)`);
  if (hy.shape[0] !== n) {
    throw new DataError(yFile, `has ${hy.shape[0]} labels but ${xFile} has ${n} samples`);
  }
  checkLabelDtype(hy.dtype, yFile);
}

function checkTestLike(train: NpyHeader, test: NpyHeader, trainFile: string, testFile: string): void {
  const a = train.shape.slice(1), b = test.shape.slice(1);
  if (a.join(",") !== b.join(",")) {
    throw new DataError(
      testFile,
      `samples shaped (${b.join(", ")}) but ${trainFile}'s are (${
        a.join(", ")
      }); both splits need the same shape`,
    );
  }
  if ((train.dtype.kind === "u") !== (test.dtype.kind === "u")) {
    throw new DataError(
      testFile,
      `dtype ${test.dtype.name}, but ${trainFile} is ${train.dtype.name}: bytes are scaled by 1/255 and floats ` +
        "are not, so both splits need bytes or both floats",
    );
  }
}

function geometry(
  s: number[],
): { height: number; width: number; channels: number; kind: "table" | "images" } {
  return s.length === 1
    ? { height: 1, width: s[0], channels: 1, kind: "table" }
    : { height: s[0], width: s[1], channels: s[2] ?? 1, kind: "images" };
}

/**
 * Loads a NumPy dataset folder (see the module documentation).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeNpy, loadNpyFolder } from "kstar";
 * const dir = await Deno.makeTempDir();
 * const x = Float32Array.from({ length: 12 }, (_, i) => i); // 6 samples of 2 features
 * await Deno.writeFile(`${dir}/x_train.npy`, encodeNpy(x, [6, 2]));
 * await Deno.writeFile(`${dir}/y_train.npy`, encodeNpy(new Int32Array([0, 1, 0, 1, 0, 1]), [6]));
 * await Deno.writeFile(`${dir}/x_test.npy`, encodeNpy(x.slice(0, 4), [2, 2], { bigEndian: true }));
 * await Deno.writeFile(`${dir}/y_test.npy`, encodeNpy(new Uint8Array([1, 0]), [2]));
 * const ds = await loadNpyFolder(dir);
 * assert.deepEqual([ds.format, ds.kind, ds.width, ds.classes, ds.train.n, ds.test.n], ["npy", "table", 2, 2, 6, 2]);
 * assert.deepEqual(Array.from(ds.test.images), [0, 1, 2, 3]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @throws {DataError} naming the file that is missing, truncated, malformed, of an unsupported dtype or shape,
 *   or inconsistent with the others
 */
export async function loadNpyFolder(dir: string, opts: NpyFolderOptions = {}): Promise<Dataset> {
  dir = resolvePath(dir);
  const name = opts.name ?? basename(dir);
  const files = await layoutOf(dir);
  const x = parseNpy(await readWhole(files.x, opts.dataRoot), files.x);
  checkFeatureDtype(x.dtype, files.x);
  const s = sampleShape(x, files.x);
  const y = parseNpy(await readWhole(files.y, opts.dataRoot), files.y);
  checkLabels(y, files.y, x.shape[0], files.x);
  let test: { x: ReturnType<typeof parseNpy>; y: ReturnType<typeof parseNpy> } | null = null;
  if (files.tx && files.ty) {
    const tx = parseNpy(await readWhole(files.tx, opts.dataRoot), files.tx);
    checkFeatureDtype(tx.dtype, files.tx);
    sampleShape(tx, files.tx);
    checkTestLike(x, tx, files.x, files.tx);
    const ty = parseNpy(await readWhole(files.ty, opts.dataRoot), files.ty);
    checkLabels(ty, files.ty, tx.shape[0], files.tx);
    test = { x: tx, y: ty };
  }
  const labelled = classesOf(
    { values: npyLabels(y, files.y), file: files.y },
    test ? { values: npyLabels(test.y, files.ty!), file: files.ty! } : null,
    opts.classes,
  );
  const features = (a: ReturnType<typeof parseNpy>, file: string) => {
    const { values, bytes } = npyFeatures(a, file);
    if (bytes) { for (let i = 0; i < values.length; i++) values[i] /= 255; }
    return values;
  };
  const g = geometry(s);
  return arrangeDataset({
    name,
    format: "npy",
    kind: g.kind,
    height: g.height,
    width: g.width,
    channels: g.channels,
    classes: labelled.classes,
    classNames: labelled.classNames,
    train: { images: features(x, files.x), labels: labelled.train, n: x.shape[0] },
    test: test ? { images: features(test.x, files.tx!), labels: labelled.test, n: test.x.shape[0] } : null,
    scale: x.dtype.kind === "u" ? "bytes/255" : "none",
    orderable: false,
  }, { testFraction: opts.testFraction, seed: opts.seed, standardize: false });
}

/** The shape of a NumPy dataset folder: the feature files' headers and lengths checked, the labels read. */
export async function probeNpyFolder(dir: string, opts: NpyFolderOptions = {}): Promise<DatasetShape> {
  dir = resolvePath(dir);
  const name = opts.name ?? basename(dir);
  const files = await layoutOf(dir);
  const x = await readHeader(files.x, opts.dataRoot);
  checkFeatureDtype(x.dtype, files.x);
  const s = sampleShape(x, files.x);
  const y = parseNpy(await readWhole(files.y, opts.dataRoot), files.y);
  checkLabels(y, files.y, x.shape[0], files.x);
  let ty: ReturnType<typeof parseNpy> | null = null;
  if (files.tx && files.ty) {
    const tx = await readHeader(files.tx, opts.dataRoot);
    checkFeatureDtype(tx.dtype, files.tx);
    sampleShape(tx, files.tx);
    checkTestLike(x, tx, files.x, files.tx);
    ty = parseNpy(await readWhole(files.ty, opts.dataRoot), files.ty);
    checkLabels(ty, files.ty, tx.shape[0], files.tx);
  }
  const labelled = classesOf(
    { values: npyLabels(y, files.y), file: files.y },
    ty ? { values: npyLabels(ty, files.ty!), file: files.ty! } : null,
    opts.classes,
  );
  const sizes = ty
    ? { train: x.shape[0], test: ty.shape[0] }
    : splitSizes(labelled.train, labelled.classes, opts.testFraction ?? 0.2);
  const g = geometry(s);
  return {
    name,
    height: g.height,
    width: g.width,
    channels: g.channels,
    classes: labelled.classes,
    trainSamples: sizes.train,
    testSamples: sizes.test,
    format: "npy",
    kind: g.kind,
  };
}
