import { assertEquals, assertInstanceOf, assertMatch, assertRejects } from "./assert.ts";
import { ConfigError, DataError } from "../../lib/errors.ts";
import { loadBuiltin } from "../../lib/data/builtin.ts";
import { loadDataset } from "../../lib/data/load.ts";
import { writeIdxFolder } from "./helpers.ts";

async function configError(p: Promise<unknown>, field: string, pattern?: RegExp): Promise<ConfigError> {
  const e = await assertRejects(() => p);
  assertInstanceOf(e, ConfigError);
  assertEquals(e.field, field);
  if (pattern) assertMatch(e.message, pattern);
  return e;
}

/** A temp tree: root/data/{digits, inner/deep}, root/outside (a dataset outside the data root). */
async function tree(): Promise<{ root: string; data: string; cleanup: () => Promise<void> }> {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "kstar-load-" }));
  const data = `${root}/data`;
  await writeIdxFolder(`${data}/digits`);
  await writeIdxFolder(`${data}/inner/deep`, { classes: 5 });
  await writeIdxFolder(`${root}/outside`);
  return { root, data, cleanup: () => Deno.remove(root, { recursive: true }) };
}

Deno.test("loadDataset: unknown names list the allowed values", async () => {
  const e = await configError(loadDataset("cifar10-nope"), "dataset", /"mnist", "fashion-mnist", or a path/);
  assertEquals(e.value, "cifar10-nope");
  await configError(loadDataset(""), "dataset");
  await configError(loadBuiltin("cifar" as "mnist"), "dataset", /one of "mnist", "fashion-mnist"/);
  await configError(loadBuiltin("mnist", { cacheDir: "" }), "cacheDir", /a non-empty folder path/);
});

Deno.test("loadDataset: folder by path, missing folder", async () => {
  const t = await tree();
  try {
    const ds = await loadDataset(`${t.data}/inner/deep`);
    assertEquals([ds.name, ds.classes, ds.train.n], ["deep", 5, 12]);
    await configError(loadDataset(`${t.data}/nope`), "dataset", /nothing at .*\/nope/);
    // A file is not a folder, and the error says so.
    await Deno.writeTextFile(`${t.data}/file.txt`, "x");
    await configError(loadDataset(`${t.data}/file.txt`), "dataset", /file\.txt is a file/);
    // A folder without the IDX files is a DataError, not a ConfigError.
    await Deno.mkdir(`${t.data}/empty`);
    await assertRejects(() => loadDataset(`${t.data}/empty`), DataError);
  } finally {
    await t.cleanup();
  }
});

Deno.test("loadDataset: dataRoot resolves relative specs and accepts folders inside it", async () => {
  const t = await tree();
  try {
    assertEquals((await loadDataset("digits", { dataRoot: t.data })).name, "digits");
    assertEquals((await loadDataset("inner/deep", { dataRoot: t.data })).classes, 5);
    assertEquals((await loadDataset("./inner/../digits", { dataRoot: t.data })).name, "digits");
    assertEquals((await loadDataset(`${t.data}/digits`, { dataRoot: t.data })).name, "digits");
  } finally {
    await t.cleanup();
  }
});

Deno.test("loadDataset: dataRoot rejects traversal, absolute paths outside and symlink escapes", async () => {
  const t = await tree();
  try {
    const outside = /inside the data root .*leads outside the data root/;
    await configError(loadDataset("../outside", { dataRoot: t.data }), "dataset", outside);
    await configError(loadDataset("inner/../../outside", { dataRoot: t.data }), "dataset", outside);
    await configError(loadDataset(`${t.root}/outside`, { dataRoot: t.data }), "dataset", outside);
    await configError(loadDataset("/etc", { dataRoot: t.data }), "dataset", outside);
    // A sibling whose name starts with the root's name is still outside.
    await writeIdxFolder(`${t.data}2`);
    await configError(loadDataset("../data2", { dataRoot: t.data }), "dataset", outside);
    await Deno.symlink(`${t.root}/outside`, `${t.data}/link`);
    await configError(loadDataset("link", { dataRoot: t.data }), "dataset", /symbolic link leads outside/);
    await configError(loadDataset("missing", { dataRoot: t.data }), "dataset", /unknown name/);
    await configError(
      loadDataset("digits", { dataRoot: `${t.root}/nope` }),
      "dataRoot",
      /an existing folder/,
    );
  } finally {
    await t.cleanup();
  }
});
