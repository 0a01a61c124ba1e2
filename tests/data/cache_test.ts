import { assert, assertEquals, assertInstanceOf, assertMatch, assertThrows } from "./assert.ts";
import { DataError } from "../../lib/errors.ts";
import {
  CACHE_FORMAT_VERSION,
  decodeCache,
  encodeCache,
  type RawDataset,
  rawToDataset,
  readCache,
  writeFileAtomic,
} from "../../lib/data/cache.ts";
import { defaultCacheDir } from "../../lib/data/builtin.ts";
import { cyclicLabels, fakeBytes } from "./helpers.ts";

function tinyRaw(): RawDataset {
  return {
    height: 3,
    width: 2,
    classes: 4,
    trainPixels: fakeBytes(5 * 6, 1),
    trainLabels: cyclicLabels(5, 4),
    testPixels: fakeBytes(3 * 6, 2),
    testLabels: cyclicLabels(3, 4),
    dropped: 2,
  };
}

function dataError(fn: () => unknown, pattern: RegExp): void {
  const e = assertThrows(fn);
  assertInstanceOf(e, DataError);
  assertEquals(e.file, "c.kds");
  assertMatch(e.message, pattern);
}

Deno.test("cache: encode/decode round trip", () => {
  const raw = tinyRaw();
  const bytes = encodeCache(raw);
  assertEquals(bytes.length, 64 + 5 * 7 + 3 * 7);
  assertEquals(new TextDecoder().decode(bytes.subarray(0, 7)), "KSTARDS");
  assertEquals(decodeCache(bytes, "c.kds"), raw);
  const ds = rawToDataset("tiny", decodeCache(bytes, "c.kds"));
  assertEquals([ds.name, ds.height, ds.width, ds.classes, ds.train.n, ds.test.n], ["tiny", 3, 2, 4, 5, 3]);
  assertEquals(ds.test.images[0], Math.fround(raw.testPixels[0] / 255));
});

Deno.test("cache: corrupt files are DataErrors", () => {
  const bytes = encodeCache(tinyRaw());
  dataError(
    () => decodeCache(bytes.subarray(0, bytes.length - 1), "c.kds"),
    /expected 120 \(truncated or corrupt\)/,
  );
  const flipped = bytes.slice();
  flipped[100] ^= 1;
  dataError(() => decodeCache(flipped, "c.kds"), /checksum mismatch/);
  const magic = bytes.slice();
  magic[0] = 0;
  dataError(() => decodeCache(magic, "c.kds"), /bad magic/);
  const version = bytes.slice();
  version[8] = CACHE_FORMAT_VERSION + 1;
  dataError(() => decodeCache(version, "c.kds"), /format version/);
});

Deno.test("cache: atomic write creates folders, replaces the file and leaves no temp files", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kstar-cache-" });
  try {
    const path = `${dir}/a/b/x.kds`;
    assertEquals(await readCache(path), undefined);
    await writeFileAtomic(path, encodeCache(tinyRaw()));
    await writeFileAtomic(path, encodeCache({ ...tinyRaw(), classes: 9 }));
    assertEquals((await readCache(path))?.classes, 9);
    const names = [];
    for await (const e of Deno.readDir(`${dir}/a/b`)) names.push(e.name);
    assertEquals(names, ["x.kds"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cache: default folder is $KSTAR_CACHE, else ~/.cache/kstar", () => {
  const old = Deno.env.get("KSTAR_CACHE");
  try {
    Deno.env.set("KSTAR_CACHE", "/tmp/kstar-cache-test");
    assertEquals(defaultCacheDir(), "/tmp/kstar-cache-test");
    Deno.env.delete("KSTAR_CACHE");
    const home = Deno.env.get("HOME");
    if (home) assertEquals(defaultCacheDir(), `${home}/.cache/kstar`);
    else assert(true);
  } finally {
    if (old === undefined) Deno.env.delete("KSTAR_CACHE");
    else Deno.env.set("KSTAR_CACHE", old);
  }
});
