import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { FEATURE_NAMES_V1 } from "../domain/features/feature-set-v1.ts";
import { FEATURE_COLUMNS, runFeaturesCommand } from "./features.command.ts";

const FIXTURE = resolve(import.meta.dirname, "../../fixtures/ohlcv/binance_BTC_USDT-1h.json");
const rows = JSON.parse(readFileSync(FIXTURE, "utf8")) as number[][];

async function run(candles: string, format: "json" | "csv"): Promise<string> {
  const output = new PassThrough();
  const chunks: Buffer[] = [];
  output.on("data", (chunk: Buffer) => chunks.push(chunk));
  await runFeaturesCommand({ candles, format }, output);
  return Buffer.concat(chunks).toString("utf8");
}

describe("marketlens features (runFeaturesCommand)", () => {
  it("JSON: one row object per candle, in order, each with the feature-set version", async () => {
    const printed = JSON.parse(await run(FIXTURE, "json")) as Record<string, unknown>[];
    expect(printed).toHaveLength(rows.length);
    printed.forEach((row, index) => {
      expect(row.featureSet).toBe("v1");
      expect(row.openTime).toBe(rows[index]?.[0]);
    });
    expect(Object.keys(printed[0] ?? {})).toEqual(["featureSet", "openTime", ...FEATURE_NAMES_V1]);
    expect(printed[0]?.return1).toBeNull();
  });

  it("CSV: a header line, then one line per candle with the same values (empty = null)", async () => {
    const [json, csv] = [JSON.parse(await run(FIXTURE, "json")) as Record<string, number | string | null>[], await run(FIXTURE, "csv")];
    const lines = csv.trimEnd().split("\n");
    expect(lines[0]).toBe(FEATURE_COLUMNS.join(","));
    expect(lines).toHaveLength(rows.length + 1);
    for (const index of [0, 19, 250, rows.length - 1]) {
      const cells = (lines[index + 1] ?? "").split(",");
      FEATURE_COLUMNS.forEach((column, k) => {
        const expected = json[index]?.[column];
        const cell = cells[k];
        if (expected === null) expect(cell).toBe("");
        else if (typeof expected === "number") expect(Number(cell)).toBe(expected);
        else expect(cell).toBe(expected);
      });
    }
  });

  it("fails with the file and line on bad input", async () => {
    const dir = mkdtempSync(join(tmpdir(), "features-"));
    const csv = join(dir, "bad.csv");
    writeFileSync(csv, "open_time,open,high,low,close\n1606780800000,1,2,0.5,1\n");
    await expect(run(csv, "csv")).rejects.toThrow(`${csv}:1: header has no "volume" column`);
  });
});
