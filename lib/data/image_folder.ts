/**
 * Reads a folder of PNG and JPEG images, one folder per class (uses `Deno.*` file APIs), decodes them once and
 * caches the decoded bytes.
 *
 * Layouts:
 * - `train/<class>/*.png|jpg|jpeg` and `test/<class>/…`: the two splits; every test class must have a
 *   training folder.
 * - `<class>/…` (or `train/<class>/…` without `test/`): one pool, from which a seeded class-stratified
 *   `testFraction` is held out (see `assemble.ts`).
 *
 * The classes are the training class folders in natural order (`2` before `10`; see `naturalCompare`); a
 * class folder without images is an error. Files starting with `.` are ignored; any other file that is not a
 * `.png`, `.jpg` or `.jpeg`, and any folder inside a class folder, is an error naming it.
 *
 * Order: the files of a split in natural order of their names, ties broken by class folder (so files named
 * `00000.png`, `00001.png`, … across the class folders keep that order); `order: "shuffle"` (the default) then
 * permutes the training split with `permutation(n, seed)`, `order: "files"` keeps it.
 *
 * Size and colour: every image must have the first training image's size, unless `resize` (`"H×W"`,
 * bilinear) is given. The dataset is grayscale (1 channel) when every image is stored as grayscale, else RGB
 * (3 channels, grayscale images repeated); see `images.ts`. Pixels are scaled to [0, 1].
 *
 * Cache: the decoded bytes (in file order, before any split or shuffle) are written to the cache folder as
 * `images-<folder>-<key>.kds`, where the key is a SHA-256 digest of every image's path, size and modification
 * time, the layout and `resize`; a changed, added or removed image gives a new key, so a stale cache is never
 * read.
 * @module
 */
import type { SampleOrder } from "../config/choices.ts";
import { parseResize } from "../config/fields.ts";
import type { DatasetShape } from "../config/plan.ts";
import { ConfigError, DataError } from "../errors.ts";
import { arrangeDataset, MAX_CLASSES, splitSizes } from "./assemble.ts";
import { cacheFolder, type LoadProgress } from "./builtin.ts";
import { type RawDataset, readCache, readCacheReporting, saveCache } from "./cache.ts";
import type { Dataset } from "./dataset.ts";
import { bytesToUnitFloats } from "./idx.ts";
import { decodeImage, isImageName, resizeImage, sniffImage } from "./images.ts";
import { naturalCompare } from "./natural.ts";
import { basename, isInside, joinPath, resolvePath } from "./paths.ts";

/** Bumped when the decoded form or the key changes. */
const IMAGE_CACHE_VERSION = 1;

/** Options of the image-folder reader. */
export interface ImageFolderOptions {
  /** The dataset's name (default: the folder's). */
  name?: string;
  /** `"H×W"`: resize every image; null: all must share one size. */
  resize?: string | null;
  /** The test share when there is no `test/` folder (default 0.2). */
  testFraction?: number;
  /** `shuffle` (default, seeded by `seed`) or `files`. */
  order?: SampleOrder;
  /** Seed of the shuffle and of a test-fraction split (default 0). */
  seed?: number;
  /** Must be null or absent: the class folders are the classes. */
  classes?: number | null;
  /** When set, no file may lead outside it through a symbolic link. */
  dataRoot?: string | null;
  /** The cache folder (default: the built-ins' cache folder). */
  cacheDir?: string;
  /** Read and write the cache (default true). */
  cache?: boolean;
  /** Progress reports (cache hits and misses, decoding). */
  onProgress?: (p: LoadProgress) => void;
}

/** One image file of an image folder. */
export interface ImageFile {
  /** Its path. */
  path: string;
  /** Its name, for ordering. */
  name: string;
  /** Its class index. */
  label: number;
  /** Its size in bytes (part of the cache key). */
  size: number;
  /** Its modification time in ms (part of the cache key). */
  mtime: number;
}

/** An image folder's files, found and ordered. */
export interface ImageFolderScan {
  /** The folder. */
  dir: string;
  /** `split`: train/ and test/; `pooled`: one pool to split by `testFraction`. */
  layout: "split" | "pooled";
  /** The training class folders' names in natural order (index = label). */
  classNames: string[];
  /** The training images in file order. */
  train: ImageFile[];
  /** The test images in file order (empty for a pooled layout). */
  test: ImageFile[];
}

async function entries(dir: string): Promise<Deno.DirEntry[]> {
  const out: Deno.DirEntry[] = [];
  try {
    for await (const e of Deno.readDir(dir)) out.push(e);
  } catch (e) {
    throw new DataError(dir, `cannot be read: ${(e as Error).message}`);
  }
  return out.sort((a, b) => naturalCompare(a.name, b.name));
}

/** Whether an entry is a folder (a symbolic link is followed, and must stay inside the data root). */
function kindOf(path: string, e: Deno.DirEntry, root: string | null): "dir" | "file" | "other" {
  if (!e.isSymlink) return e.isDirectory ? "dir" : e.isFile ? "file" : "other";
  let real: string;
  try {
    real = Deno.realPathSync(path);
  } catch {
    throw new DataError(path, "is a broken symbolic link");
  }
  if (root && !isInside(real, root)) {
    throw new DataError(path, "is a symbolic link that leads outside the data root; it is not read");
  }
  const st = Deno.statSync(real);
  return st.isDirectory ? "dir" : st.isFile ? "file" : "other";
}

async function classFolders(dir: string, root: string | null): Promise<{ name: string; path: string }[]> {
  const out: { name: string; path: string }[] = [];
  for (const e of await entries(dir)) {
    if (e.name.startsWith(".")) continue;
    const path = joinPath(dir, e.name);
    if (kindOf(path, e, root) === "dir") out.push({ name: e.name, path });
  }
  return out;
}

async function imagesIn(dir: string, label: number, root: string | null): Promise<ImageFile[]> {
  const out: ImageFile[] = [];
  for (const e of await entries(dir)) {
    if (e.name.startsWith(".")) continue;
    const path = joinPath(dir, e.name);
    const kind = kindOf(path, e, root);
    if (kind === "dir") {
      throw new DataError(
        path,
        "is a folder inside a class folder; an image folder has one level of class folders",
      );
    }
    if (kind !== "file" || !isImageName(e.name)) {
      throw new DataError(
        path,
        "is not a .png, .jpg or .jpeg image; class folders hold only images (dot-files are ignored)",
      );
    }
    const st = Deno.statSync(path);
    out.push({ path, name: e.name, label, size: st.size, mtime: st.mtime?.getTime() ?? 0 });
  }
  return out;
}

function fileOrder(a: ImageFile, b: ImageFile): number {
  return naturalCompare(a.name, b.name) || a.label - b.label;
}

/** Whether a folder looks like an image dataset: `train/<class>/<image>` or `<class>/<image>`. */
export async function looksLikeImageFolder(dir: string): Promise<boolean> {
  const hasImage = async (d: string) => {
    try {
      for await (const e of Deno.readDir(d)) if (!e.name.startsWith(".") && isImageName(e.name)) return true;
    } catch { /* not a folder */ }
    return false;
  };
  const subs: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) {
      if (!e.name.startsWith(".") && (e.isDirectory || e.isSymlink)) subs.push(e.name);
    }
  } catch {
    return false;
  }
  if (subs.includes("train")) {
    try {
      for await (const e of Deno.readDir(joinPath(dir, "train"))) {
        if (!e.name.startsWith(".") && (await hasImage(joinPath(dir, "train", e.name)))) return true;
      }
    } catch { /* not a folder */ }
  }
  for (const s of subs.sort(naturalCompare).slice(0, 16)) if (await hasImage(joinPath(dir, s))) return true;
  return false;
}

/**
 * Finds and orders the images of a folder (see the module documentation for the layouts).
 *
 * @throws {DataError} naming the folder or file at fault
 */
export async function scanImageFolder(dir: string, dataRoot?: string | null): Promise<ImageFolderScan> {
  const root = dataRoot ? Deno.realPathSync(resolvePath(dataRoot)) : null;
  const top = await classFolders(dir, root);
  const trainDir = top.find((c) => c.name === "train");
  const testDir = top.find((c) => c.name === "test");
  const layout = trainDir && testDir ? "split" : "pooled";
  const classes = trainDir ? await classFolders(trainDir.path, root) : top;
  if (classes.length === 0) {
    throw new DataError(
      trainDir?.path ?? dir,
      "holds no class folders; an image dataset is train/<class>/*.png (and test/<class>/…) or <class>/*.png",
    );
  }
  const classNames = classes.map((c) => c.name);
  const train: ImageFile[] = [];
  for (const [label, c] of classes.entries()) {
    const files = await imagesIn(c.path, label, root);
    if (files.length === 0) {
      throw new DataError(
        c.path,
        `class ${JSON.stringify(c.name)} has no training samples: the folder holds no images`,
      );
    }
    train.push(...files);
  }
  const test: ImageFile[] = [];
  if (layout === "split") {
    for (const c of await classFolders(testDir!.path, root)) {
      const label = classNames.indexOf(c.name);
      if (label < 0) {
        throw new DataError(
          c.path,
          `class ${JSON.stringify(c.name)} has no training samples: there is no ${
            joinPath(trainDir!.path, c.name)
          }`,
        );
      }
      test.push(...await imagesIn(c.path, label, root));
    }
    if (test.length === 0) {
      throw new DataError(testDir!.path, "holds no images; remove it to split off --test-fraction");
    }
  }
  if (classNames.length < 2) {
    throw new DataError(classes[0].path, "is the only class folder; a classifier needs at least 2 classes");
  }
  if (classNames.length > MAX_CLASSES) {
    throw new DataError(dir, `${classNames.length} class folders; at most ${MAX_CLASSES} are supported`);
  }
  return { dir, layout, classNames, train: train.sort(fileOrder), test: test.sort(fileOrder) };
}

async function cacheKey(scan: ImageFolderScan, resize: string | null): Promise<string> {
  const rel = (p: string) => p.slice(scan.dir.length);
  const text = JSON.stringify([
    IMAGE_CACHE_VERSION,
    scan.layout,
    resize,
    scan.classNames,
    scan.train.map((f) => [rel(f.path), f.label, f.size, f.mtime]),
    scan.test.map((f) => [rel(f.path), f.label, f.size, f.mtime]),
  ]);
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest).subarray(0, 12), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function cacheFile(scan: ImageFolderScan, opts: ImageFolderOptions): Promise<string | null> {
  if (opts.cache === false) return null;
  const dir = cacheFolder(opts.cacheDir);
  const name = scan.dir.split(/[\\/]/).filter(Boolean).pop()!.replace(/[^\w.-]+/g, "_").slice(0, 40);
  return joinPath(dir, `images-${name}-${await cacheKey(scan, opts.resize ?? null)}.kds`);
}

function targetSize(opts: ImageFolderOptions): [number, number] | null {
  if (opts.resize === null || opts.resize === undefined) return null;
  const hw = parseResize(opts.resize);
  if (!hw) throw new ConfigError("resize", opts.resize, '"H×W" or "HxW", each side an integer in [1, 4096]');
  return hw;
}

function sizeError(file: string, h: number, w: number, first: ImageFile, fh: number, fw: number): DataError {
  return new DataError(
    file,
    `is ${h}×${w} pixels, but the first image (${first.path}) is ${fh}×${fw}; every image needs one size ` +
      "(or resize them all with --resize H×W)",
  );
}

async function readImage(path: string): Promise<Uint8Array> {
  try {
    return await Deno.readFile(path);
  } catch (e) {
    throw new DataError(path, `cannot be read: ${(e as Error).message}`);
  }
}

/** Decodes every image of a scan into the cached form. */
async function decodeAll(
  scan: ImageFolderScan,
  size: [number, number] | null,
  progress: (p: Omit<LoadProgress, "dataset">) => void,
): Promise<RawDataset> {
  const all = [...scan.train, ...scan.test];
  const decoded: Uint8Array[] = new Array(all.length);
  const rgb = new Uint8Array(all.length);
  let H = 0, W = 0;
  let last = performance.now();
  for (let i = 0; i < all.length; i++) {
    const f = all[i];
    const img = decodeImage(await readImage(f.path), f.path);
    if (i === 0) [H, W] = size ?? [img.height, img.width];
    if (!size && (img.height !== H || img.width !== W)) {
      throw sizeError(f.path, img.height, img.width, all[0], H, W);
    }
    decoded[i] = size ? resizeImage(img.pixels, img.height, img.width, img.channels, H, W) : img.pixels;
    rgb[i] = img.channels === 3 ? 1 : 0;
    const now = performance.now();
    if (now - last > 250 || i === all.length - 1) {
      last = now;
      progress({
        stage: "read",
        message: `decoded ${(i + 1).toLocaleString("en-US")} of ${all.length.toLocaleString("en-US")} images`,
        fraction: (i + 1) / all.length,
      });
    }
  }
  const C = rgb.some((v) => v === 1) ? 3 : 1;
  const pix = H * W * C;
  const pack = (from: number, to: number) => {
    const out = new Uint8Array((to - from) * pix);
    for (let i = from; i < to; i++) {
      const px = decoded[i];
      if (C === 3 && !rgb[i]) {
        for (let p = 0; p < H * W; p++) {
          out.fill(px[p], (i - from) * pix + 3 * p, (i - from) * pix + 3 * p + 3);
        }
      } else out.set(px, (i - from) * pix);
    }
    return out;
  };
  const nTrain = scan.train.length;
  return {
    height: H,
    width: W,
    classes: scan.classNames.length,
    channels: C,
    trainPixels: pack(0, nTrain),
    trainLabels: Uint8Array.from(scan.train, (f) => f.label),
    testPixels: pack(nTrain, all.length),
    testLabels: Uint8Array.from(scan.test, (f) => f.label),
    dropped: 0,
    meta: {
      format: "images",
      layout: scan.layout,
      classNames: scan.classNames,
      resize: size ? `${H}×${W}` : null,
    },
  };
}

function checkClasses(opts: ImageFolderOptions, scan: ImageFolderScan): void {
  if (opts.classes !== null && opts.classes !== undefined) {
    throw new ConfigError(
      "classes",
      opts.classes,
      "null for an image folder",
      `the ${scan.classNames.length} class folders of ${scan.dir} are its classes`,
    );
  }
}

/** Reads the decoded form from the cache, or decodes the images (and caches them). */
async function decoded(
  scan: ImageFolderScan,
  opts: ImageFolderOptions,
  dataset: string,
): Promise<RawDataset> {
  const progress = (p: Omit<LoadProgress, "dataset">) => opts.onProgress?.({ dataset, ...p });
  const size = targetSize(opts);
  const file = await cacheFile(scan, opts);
  const cached = file
    ? await readCacheReporting(file, progress, {
      miss: `decoding ${scan.train.length + scan.test.length} images`,
      redo: "decoding again",
    })
    : undefined;
  if (cached) return cached;
  const raw = await decodeAll(scan, size, progress);
  if (file) await saveCache(file, raw, progress);
  return raw;
}

/**
 * Loads an image folder (see the module documentation): decoded once, then from the cache.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encode } from "npm:fast-png@8.0.0";
 * import { loadImageFolder } from "kstar";
 * const dir = await Deno.makeTempDir();
 * for (const [cls, value] of [["cat", 0], ["dog", 255]] as const) {
 *   await Deno.mkdir(`${dir}/${cls}`);
 *   for (let i = 0; i < 5; i++) {
 *     const png = encode({ width: 2, height: 2, data: new Uint8Array(4).fill(value), channels: 1, depth: 8 });
 *     await Deno.writeFile(`${dir}/${cls}/${i}.png`, png);
 *   }
 * }
 * const ds = await loadImageFolder(dir, { cache: false, order: "files" });
 * assert.deepEqual([ds.classNames, ds.height, ds.channels, ds.train.n, ds.test.n], [["cat", "dog"], 2, 1, 8, 2]);
 * assert.deepEqual(ds.preprocessing!.testSplit, { source: "fraction", fraction: 0.2, seed: 0 });
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @throws {DataError} naming the folder or file at fault (a file that does not decode, an image of another size,
 *   a class without training images, …)
 * @throws {ConfigError} on `resize`, `classes` or `testFraction` when they do not fit
 */
export async function loadImageFolder(dir: string, opts: ImageFolderOptions = {}): Promise<Dataset> {
  dir = resolvePath(dir);
  const name = opts.name ?? basename(dir);
  const scan = await scanImageFolder(dir, opts.dataRoot);
  checkClasses(opts, scan);
  const raw = await decoded(scan, opts, name);
  const C = raw.channels ?? 1;
  const ds = arrangeDataset({
    name,
    format: "images",
    kind: "images",
    height: raw.height,
    width: raw.width,
    channels: C,
    classes: scan.classNames.length,
    classNames: scan.classNames,
    train: {
      images: bytesToUnitFloats(raw.trainPixels),
      labels: raw.trainLabels.slice(),
      n: raw.trainLabels.length,
    },
    test: scan.layout === "split"
      ? {
        images: bytesToUnitFloats(raw.testPixels),
        labels: raw.testLabels.slice(),
        n: raw.testLabels.length,
      }
      : null,
    scale: "bytes/255",
    resize: opts.resize ? `${raw.height}×${raw.width}` : null,
    orderable: true,
  }, { testFraction: opts.testFraction, seed: opts.seed, order: opts.order, standardize: false });
  opts.onProgress?.({
    dataset: name,
    stage: "done",
    message: `${name}: ${ds.train.n} train / ${ds.test.n} test`,
  });
  return ds;
}

/**
 * The shape of an image folder with every file checked from its header (format, size, colour) but nothing
 * decoded — or from the cache when the images were decoded before.
 *
 * @throws {DataError} and {@link ConfigError} as {@link loadImageFolder} does, except for damage beyond an
 *   image's header, which decoding finds
 */
export async function probeImageFolder(dir: string, opts: ImageFolderOptions = {}): Promise<DatasetShape> {
  dir = resolvePath(dir);
  const name = opts.name ?? basename(dir);
  const scan = await scanImageFolder(dir, opts.dataRoot);
  checkClasses(opts, scan);
  const size = targetSize(opts);
  let H = 0, W = 0, C = 1;
  const file = await cacheFile(scan, opts).catch(() => null);
  const cached = file ? await readCache(file).catch(() => undefined) : undefined;
  if (cached) [H, W, C] = [cached.height, cached.width, cached.channels ?? 1];
  else {
    const all = [...scan.train, ...scan.test];
    for (const [i, f] of all.entries()) {
      const info = sniffImage(await readImage(f.path), f.path);
      if (i === 0) [H, W] = size ?? [info.height, info.width];
      if (!size && (info.height !== H || info.width !== W)) {
        throw sizeError(f.path, info.height, info.width, all[0], H, W);
      }
      if (info.channels === 3) C = 3;
    }
  }
  const labels = Uint8Array.from(scan.train, (f) => f.label);
  const sizes = scan.layout === "split"
    ? { train: scan.train.length, test: scan.test.length }
    : splitSizes(labels, scan.classNames.length, opts.testFraction ?? 0.2);
  return {
    name,
    height: H,
    width: W,
    channels: C,
    classes: scan.classNames.length,
    trainSamples: sizes.train,
    testSamples: sizes.test,
    format: "images",
    kind: "images",
  };
}
