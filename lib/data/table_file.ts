/**
 * Reads a CSV or TSV table dataset (uses `Deno.*` file APIs): the training table, an optional test table from a
 * second file (`testData`, located with the same data-root rules as the dataset), the labels made classes, and
 * the shared steps of `assemble.ts` (test-fraction split, order, standardisation).
 * @module
 */
import type { HeaderMode, SampleOrder } from "../config/choices.ts";
import type { DatasetShape } from "../config/plan.ts";
import { ConfigError, DataError } from "../errors.ts";
import { arrangeDataset, classesOf, type DatasetParts, splitSizes } from "./assemble.ts";
import type { Dataset } from "./dataset.ts";
import { locateDataset, type PathLocation, TEST_DATA_ALLOWED } from "./locate.ts";
import { basename } from "./paths.ts";
import { type ParsedTable, parseTable, rowPosition } from "./table.ts";

/** Options of the table reader. */
export interface TableFileOptions {
  /** The label column: a header name or a 1-based number (default: the last). */
  labelColumn?: string | null;
  /** Whether the first row is a header (default `auto`). */
  header?: HeaderMode;
  /** A test table (a path, located like the dataset). */
  testData?: string | null;
  /** The test share without a test table (default 0.2). */
  testFraction?: number;
  /** Standardise the features (default true). */
  standardize?: boolean;
  /** `shuffle` (default) or `files`. */
  order?: SampleOrder;
  /** Seed of the shuffle and the test split (default 0). */
  seed?: number;
  /** The class count for integer labels. */
  classes?: number | null;
  /** Paths resolve against it and must stay inside it. */
  dataRoot?: string | null;
}

/** `"csv"` for `.csv`, `"tsv"` for `.tsv` and `.tab` (any case); null for anything else. */
export function tableFormatOf(path: string): "csv" | "tsv" | null {
  const ext = path.toLowerCase().match(/\.([a-z]+)$/)?.[1];
  return ext === "csv" ? "csv" : ext === "tsv" || ext === "tab" ? "tsv" : null;
}

async function readTable(path: string, opts: TableFileOptions, like?: ParsedTable) {
  const format = tableFormatOf(path)!;
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    throw new DataError(path, `cannot be read: ${(e as Error).message}`);
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new DataError(path, "is not UTF-8 text");
  }
  return parseTable(text, path, {
    delimiter: format === "csv" ? "," : "\t",
    labelColumn: opts.labelColumn,
    header: opts.header,
    like,
  });
}

async function tableParts(loc: PathLocation, opts: TableFileOptions) {
  const format = tableFormatOf(loc.path)!;
  const train = await readTable(loc.path, opts);
  let test: ParsedTable | null = null;
  if (opts.testData !== null && opts.testData !== undefined) {
    const t = await locateDataset(opts.testData, opts.dataRoot, "testData");
    if (t.kind !== "file" || tableFormatOf(t.path) === null) {
      throw new ConfigError(
        "testData",
        opts.testData,
        TEST_DATA_ALLOWED,
        `${"display" in t ? t.display : opts.testData} is ${
          t.kind === "folder" ? "a folder" : "not a table"
        }`,
      );
    }
    try {
      test = await readTable(t.path, opts, train);
    } catch (e) {
      throw e instanceof DataError ? new DataError(e.file, e.problem, "testData") : e;
    }
  }
  let labelled;
  try {
    labelled = classesOf(
      { values: train.labels, file: train.file, position: (i) => rowPosition(train, i) },
      test ? { values: test.labels, file: test.file, position: (i) => rowPosition(test!, i) } : null,
      opts.classes,
    );
  } catch (e) {
    if (e instanceof DataError && test && e.file === test.file) {
      throw new DataError(e.file, e.problem, "testData");
    }
    throw e;
  }
  return { format, train, test, labelled };
}

/**
 * Loads a CSV or TSV table: numeric feature columns and one label column (see `table.ts` for the parsing
 * rules, `assemble.ts` for the classes, the test split, the order and the standardisation).
 *
 * @throws {DataError} naming the file, row, line and column of anything malformed
 * @throws {ConfigError} on `labelColumn`, `testData`, `classes` or `testFraction` when they do not fit the table
 */
export async function loadTableFile(
  loc: PathLocation,
  opts: TableFileOptions = {},
): Promise<Dataset> {
  const { format, train, test, labelled } = await tableParts(loc, opts);
  const F = train.featureCount;
  const parts: DatasetParts = {
    name: loc.name,
    format,
    kind: "table",
    height: 1,
    width: F,
    channels: 1,
    classes: labelled.classes,
    classNames: labelled.classNames,
    train: { images: train.features, labels: labelled.train, n: train.n },
    test: test ? { images: test.features, labels: labelled.test, n: test.n } : null,
    testSource: test ? { source: "file", file: basename(test.file) } : undefined,
    scale: "none",
    orderable: true,
  };
  return arrangeDataset(parts, {
    testFraction: opts.testFraction,
    seed: opts.seed,
    order: opts.order,
    standardize: opts.standardize,
  });
}

/** The shape of a table dataset, every cell checked (the table is parsed; nothing is standardised). */
export async function probeTableFile(
  loc: PathLocation,
  opts: TableFileOptions = {},
): Promise<DatasetShape> {
  const { format, train, test, labelled } = await tableParts(loc, opts);
  const sizes = test
    ? { train: train.n, test: test.n }
    : splitSizes(labelled.train, labelled.classes, opts.testFraction ?? 0.2);
  return {
    name: loc.name,
    height: 1,
    width: train.featureCount,
    channels: 1,
    classes: labelled.classes,
    trainSamples: sizes.train,
    testSamples: sizes.test,
    format,
    kind: "table",
  };
}
