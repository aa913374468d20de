/**
 * `marketlens features --candles FILE [--format json|csv]`: feature set v1 for every input candle, in input
 * order. JSON: an array of row objects (`featureSet`, `openTime`, then the features); CSV: a header line,
 * then one line per candle with the same columns (empty cell = null). Wired into commander by server/cli/main.ts.
 */
import { once } from "node:events";
import { computeFeaturesV1 } from "../domain/features/feature-engine-v1.ts";
import type { FeatureRowV1 } from "../domain/features/feature-set-v1.ts";
import { FEATURE_NAMES_V1 } from "../domain/features/feature-set-v1.ts";
import { readCandlesFile } from "./candles-file.ts";

export interface FeaturesCommandOptions {
  candles: string;
  format: "json" | "csv";
}

/** Output columns: the row keys, in row order. */
export const FEATURE_COLUMNS: readonly (keyof FeatureRowV1)[] = ["featureSet", "openTime", ...FEATURE_NAMES_V1];

function csvLine(row: FeatureRowV1): string {
  return FEATURE_COLUMNS.map((column) => (row[column] === null ? "" : String(row[column]))).join(",");
}

async function write(output: NodeJS.WritableStream, text: string): Promise<void> {
  if (!output.write(text)) await once(output, "drain");
}

/** Runs `marketlens features`. Throws an Error naming the file and line on bad input, or on an unknown format. */
export async function runFeaturesCommand(options: FeaturesCommandOptions, output: NodeJS.WritableStream): Promise<void> {
  if (options.format !== "json" && options.format !== "csv") throw new Error(`features: unknown --format "${String(options.format)}" (json or csv)`);
  const rows = computeFeaturesV1(await readCandlesFile(options.candles));
  if (options.format === "csv") {
    await write(output, `${FEATURE_COLUMNS.join(",")}\n`);
    for (const row of rows) await write(output, `${csvLine(row)}\n`);
    return;
  }
  await write(output, "[");
  for (const [index, row] of rows.entries()) await write(output, `${index === 0 ? "\n" : ",\n"}${JSON.stringify(row)}`);
  await write(output, "\n]\n");
}
