/**
 * CSV and TSV tables of numeric features and one label column, parsed with the `csv-parse` package (quoting,
 * a byte-order mark and CRLF line ends handled there) and checked cell by cell: every problem is a
 * {@link DataError} naming the file, the row (counted from 1 after any header), the line and the column.
 * Browser-safe (no file access; `table_file.ts` reads the files).
 *
 * - **Header**: `header: "auto"` takes the first row for a header when one of its cells is not a number while
 *   the same column holds a number in the second row, or when `labelColumn` names one of its cells (a table of
 *   one row: when a cell before the last is not a number); `"yes"` / `"no"` say so.
 * - **Label column**: `labelColumn` is a header name, or a 1-based column number; default the last column.
 * - **Cells**: every feature cell is a finite decimal number (`12`, `-0.5`, `1e-3`); an empty cell is missing.
 *   Labels are any non-empty text (see `classesOf` for how they become classes).
 * @module
 */
import { parse } from "npm:csv-parse@6.2.1/sync";
import type { HeaderMode } from "../config/choices.ts";
import { ConfigError, DataError, describeValue } from "../errors.ts";

/** Options of {@link parseTable}. */
export interface TableOptions {
  /** `,` (CSV) or a tab (TSV). */
  delimiter: "," | "\t";
  /** The label column: a header name or a 1-based number; null or absent: the last column. */
  labelColumn?: string | null;
  /** Whether the first row is a header (default `auto`). */
  header?: HeaderMode;
  /** The training table a test table must match (its columns, header names and label column). */
  like?: ParsedTable;
}

/** A parsed table: features and labels, with where each row was. */
export interface ParsedTable {
  /** The file, for messages. */
  file: string;
  /** The header's cells, or null when the table has no header. */
  header: string[] | null;
  /** Columns per row (features + 1). */
  columns: number;
  /** The label column, 0-based. */
  labelIndex: number;
  /** The feature columns' names (header names, or `column N`). */
  featureNames: string[];
  /** `n × features` values, row-major. */
  features: Float32Array;
  /** Features per row. */
  featureCount: number;
  /** Each row's label, trimmed. */
  labels: string[];
  /** The file line of each row (1-based). */
  lines: number[];
  /** Rows (samples). */
  n: number;
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function isNumber(cell: string | undefined): boolean {
  return cell !== undefined && DECIMAL.test(cell.trim());
}

/** `row 3 (line 4)`: where sample `i` of a table is. */
export function rowPosition(t: Pick<ParsedTable, "lines">, i: number): string {
  return `row ${i + 1} (line ${t.lines[i]})`;
}

function columnName(header: string[] | null, j: number): string {
  return header && header[j].trim() !== ""
    ? `column ${j + 1} (${describeValue(header[j].trim())})`
    : `column ${j + 1}`;
}

function resolveLabel(value: string | null | undefined, header: string[] | null, columns: number): number {
  if (value === null || value === undefined) return columns - 1;
  const v = value.trim();
  if (header) {
    const hits = header.map((h, j) => [h.trim(), j] as const).filter(([h]) => h === v);
    if (hits.length > 1) {
      throw new ConfigError(
        "labelColumn",
        value,
        "a column name that occurs once, or a column number",
        `columns ${hits.map(([, j]) => j + 1).join(" and ")} are both named ${describeValue(v)}`,
      );
    }
    if (hits.length === 1) return hits[0][1];
  }
  if (/^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= columns) return Number(v) - 1;
  const names = header ? header.map((h) => describeValue(h.trim())).join(", ") : "";
  throw new ConfigError(
    "labelColumn",
    value,
    header
      ? `a column name (${
        names.length > 200 ? `${names.slice(0, 199)}…` : names
      }) or a number in [1, ${columns}]`
      : `a column number in [1, ${columns}]`,
    header ? undefined : "the table has no header row, so its columns have no names",
  );
}

/**
 * Parses a CSV or TSV table (see the module documentation for the rules).
 *
 * @param text the file's text
 * @param file the file, for messages
 * @throws {DataError} naming the file, row, line and column of a malformed cell, a row with another column
 *   count, a missing value, an empty label, or a table with no data rows
 * @throws {ConfigError} (field `labelColumn`) when the label column is not found
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseTable } from "kstar";
 * const t = parseTable("width,height,kind\n1.5,2,bird\n3,4e-1,fish\n", "pets.csv", { delimiter: "," });
 * assert.deepEqual([t.header, t.featureNames, t.labels, Array.from(t.features)], [
 *   ["width", "height", "kind"],
 *   ["width", "height"],
 *   ["bird", "fish"],
 *   [1.5, 2, 3, Math.fround(0.4)],
 * ]);
 * assert.throws(() => parseTable("1,2,a\n3,x,b\n", "t.csv", { delimiter: "," }), /row 2 \(line 2\), column 2: "x" is not a number/);
 * ```
 */
export function parseTable(text: string, file: string, opts: TableOptions): ParsedTable {
  const like = opts.like;
  const mode = opts.header ?? "auto";
  let first: { record: string[]; line: number } | null = null;
  let header: string[] | null = null;
  let decided = false;
  let columns = 0, labelIndex = 0, F = 0;
  let features = new Float32Array(1024);
  const labels: string[] = [];
  const lines: number[] = [];
  let failure: Error | null = null;

  const decide = (second: string[] | null) => {
    const rec = first!.record;
    let isHeader = mode === "yes";
    if (mode === "auto") {
      const lc = like ? null : opts.labelColumn?.trim();
      isHeader = (lc !== undefined && lc !== null && !/^\d+$/.test(lc) && rec.some((c) => c.trim() === lc)) ||
        (second !== null && rec.some((c, j) => !isNumber(c) && isNumber(second[j]))) ||
        (second === null && rec.some((c, j) => j < rec.length - 1 && !isNumber(c)));
    }
    columns = rec.length;
    if (like) {
      if (columns !== like.columns) {
        throw new DataError(
          file,
          `${isHeader ? "the header" : "row 1"} (line ${
            first!.line
          }) has ${columns} columns, but the training ` +
            `table ${like.file} has ${like.columns}; a test table has the same columns`,
        );
      }
      if (isHeader && like.header) {
        const j = rec.findIndex((c, j) => c.trim() !== like.header![j].trim());
        if (j >= 0) {
          throw new DataError(
            file,
            `column ${j + 1} of the header is named ${
              describeValue(rec[j].trim())
            }, but the training table's is ` +
              `${describeValue(like.header[j].trim())}; a test table has the same columns`,
          );
        }
      }
    }
    if (columns < 2) {
      throw new DataError(
        file,
        `${columns} column in line ${
          first!.line
        }; a table needs at least one feature column and a label column`,
      );
    }
    header = isHeader ? rec : null;
    labelIndex = like ? like.labelIndex : resolveLabel(opts.labelColumn, header, columns);
    F = columns - 1;
    decided = true;
    if (!isHeader) addRow(rec, first!.line);
  };

  const addRow = (rec: string[], line: number) => {
    const i = labels.length;
    if (rec.length !== columns) {
      throw new DataError(
        file,
        `row ${i + 1} (line ${line}) has ${rec.length} ${
          rec.length === 1 ? "column" : "columns"
        }, expected ${columns} ` +
          `like ${header ? "the header" : "row 1"}`,
      );
    }
    if ((i + 1) * F > features.length) {
      const grown = new Float32Array(Math.max(features.length * 2, (i + 1) * F));
      grown.set(features);
      features = grown;
    }
    let o = i * F;
    for (let j = 0; j < columns; j++) {
      const cell = rec[j].trim();
      if (j === labelIndex) {
        if (cell === "") {
          throw new DataError(file, `row ${i + 1} (line ${line}), ${columnName(header, j)}: empty label`);
        }
        continue;
      }
      if (cell === "") {
        throw new DataError(file, `row ${i + 1} (line ${line}), ${columnName(header, j)}: missing value`);
      }
      const v = DECIMAL.test(cell) ? Number(cell) : NaN;
      if (!Number.isFinite(v)) {
        throw new DataError(
          file,
          `row ${i + 1} (line ${line}), ${columnName(header, j)}: ${describeValue(cell)} is not ${
            DECIMAL.test(cell) ? "a finite number" : "a number"
          }`,
        );
      }
      features[o++] = v;
    }
    labels.push(rec[labelIndex].trim());
    lines.push(line);
  };

  try {
    parse(text, {
      delimiter: opts.delimiter,
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
      on_record: (record: string[], ctx: { lines: number }) => {
        if (failure) return null;
        try {
          if (first === null) first = { record, line: ctx.lines };
          else if (!decided) {
            decide(record);
            addRow(record, ctx.lines);
          } else addRow(record, ctx.lines);
        } catch (e) {
          failure = e as Error;
        }
        return null;
      },
    });
  } catch (e) {
    if (failure) throw failure;
    throw new DataError(
      file,
      `not a valid ${opts.delimiter === "," ? "CSV" : "TSV"} table: ${(e as Error).message}`,
    );
  }
  if (failure) throw failure;
  if (first === null) throw new DataError(file, "is empty: no header and no data rows");
  if (!decided) decide(null);
  if (labels.length === 0) throw new DataError(file, "has a header but no data rows");
  const names = Array.from(
    { length: columns },
    (_, j) => (header ? (header as string[])[j].trim() : "") || `column ${j + 1}`,
  ).filter((_, j) => j !== labelIndex);
  return {
    file,
    header,
    columns,
    labelIndex,
    featureNames: names,
    features: features.slice(0, labels.length * F),
    featureCount: F,
    labels,
    lines,
    n: labels.length,
  };
}
