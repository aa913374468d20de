import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { INDICATOR_KEYS } from "../domain/indicators/indicator-types.ts";
import { runIndicatorsCommand } from "./indicators.command.ts";

const FIXTURE = resolve(import.meta.dirname, "../../fixtures/ohlcv/binance_BTC_USDT-1h.json");
const rows = JSON.parse(readFileSync(FIXTURE, "utf8")) as number[][];

async function run(candles: string, mode: "batch" | "stream" = "batch"): Promise<string> {
  const output = new PassThrough();
  const chunks: Buffer[] = [];
  output.on("data", (chunk: Buffer) => chunks.push(chunk));
  await runIndicatorsCommand({ candles, mode }, output);
  return Buffer.concat(chunks).toString("utf8");
}

describe("marketlens indicators (runIndicatorsCommand)", () => {
  it("prints one JSON object with exactly the 24 series, one value per candle, null during warm-up", async () => {
    const text = await run(FIXTURE);
    expect(text.endsWith("}\n")).toBe(true);
    const printed = JSON.parse(text) as Record<string, (number | null)[]>;
    expect(Object.keys(printed)).toEqual([...INDICATOR_KEYS]);
    for (const key of INDICATOR_KEYS) expect(printed[key]).toHaveLength(rows.length);
    expect(printed.rsi14?.slice(0, 15).map((value) => value === null)).toEqual([...Array<boolean>(14).fill(true), false]);
    expect(printed.rsi14?.[14]).toBeCloseTo(45.5352988048, 9); // TA-Lib RSI(14) at index 14 (golden file)
    expect(printed.obv?.[0]).toBe(rows[0]?.[5]);
  });

  it("--mode stream prints exactly the same bytes as batch", async () => {
    expect(await run(FIXTURE, "stream")).toBe(await run(FIXTURE, "batch"));
  });

  it("reads the same candles from CSV (extra columns allowed) with the same result", async () => {
    const dir = mkdtempSync(join(tmpdir(), "indicators-"));
    const csv = join(dir, "btc.csv");
    const lines = rows.slice(0, 300).map(([time, open, high, low, close, volume]) => `${time},${open},${high},${low},${close},${volume},x`);
    writeFileSync(csv, `open_time,open,high,low,close,volume,note\n${lines.join("\n")}\n`);
    const json = join(dir, "btc.json");
    writeFileSync(json, JSON.stringify(rows.slice(0, 300)));
    expect(await run(csv)).toBe(await run(json));
  });

  it("fails with a message naming the file and line on bad input", async () => {
    const dir = mkdtempSync(join(tmpdir(), "indicators-"));
    const csv = join(dir, "bad.csv");
    writeFileSync(csv, "open_time,open,high,low,close,volume\n1606780800000,1,0.5,2,1,1\n");
    await expect(run(csv)).rejects.toThrow(`${csv}:2: high 0.5 < low 2`);
    await expect(runIndicatorsCommand({ candles: csv, mode: "fast" as "batch" }, new PassThrough())).rejects.toThrow(/unknown --mode "fast"/);
  });
});
