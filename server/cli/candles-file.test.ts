import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseCandles, readCandlesFile } from "./candles-file.ts";

const T0 = 1606780800000; // 2020-12-01T00:00Z
const H = 3_600_000;

describe("candles file: CSV", () => {
  it("reads the required columns in any order, ignoring extra columns, CRLF, a BOM and blank lines", () => {
    const text = `\uFEFFclose,volume,open_time,symbol,open,high,low\r\n10,5,${T0},BTC,9,11,8\r\n\r\n11,6,${T0 + H},BTC,10,12,9\r\n`;
    expect(parseCandles(text, "c.csv")).toEqual([
      { openTime: T0, open: 9, high: 11, low: 8, close: 10, volume: 5 },
      { openTime: T0 + H, open: 10, high: 12, low: 9, close: 11, volume: 6 },
    ]);
  });

  it.each([
    ["a missing header column", "open_time,open,high,low,close\n", /^c\.csv:1: header has no "volume" column/],
    ["a non-numeric value", `open_time,open,high,low,close,volume\n${T0},1,2,0.5,abc,1\n`, /^c\.csv:2: close is not a number: "abc"/],
    ["an empty cell", `open_time,open,high,low,close,volume\n${T0},1,2,0.5,,1\n`, /^c\.csv:2: close is not a number/],
    ["high < low", `open_time,open,high,low,close,volume\n${T0},1,2,0.5,1,1\n\n${T0 + H},1,0.5,2,1,1\n`, /^c\.csv:4: high 0.5 < low 2$/],
    ["a duplicate time", `open_time,open,high,low,close,volume\n${T0},1,2,0.5,1,1\n${T0},1,2,0.5,1,1\n`, /^c\.csv:3: duplicate open_time 1606780800000 \(also on line 2\)/],
    ["unsorted times", `open_time,open,high,low,close,volume\n${T0 + H},1,2,0.5,1,1\n${T0},1,2,0.5,1,1\n`, /^c\.csv:3: open_time 1606780800000 is before the previous row's .* rows must be sorted by time/],
    ["times in seconds", `open_time,open,high,low,close,volume\n${T0 / 1000},1,2,0.5,1,1\n`, /^c\.csv:2: open_time 1606780800 looks like seconds/],
    ["a negative volume", `open_time,open,high,low,close,volume\n${T0},1,2,0.5,1,-3\n`, /^c\.csv:2: negative volume -3/],
    ["no rows", "open_time,open,high,low,close,volume\n", /^c\.csv: no candles/],
    ["an empty file", "  \n", /^c\.csv: empty file/],
  ])("refuses %s, naming the file and line", (_case, text, message) => {
    expect(() => parseCandles(text, "c.csv")).toThrow(message);
  });
});

describe("candles file: JSON", () => {
  it("reads [openTimeMs, o, h, l, c, v, ...] rows, numbers or numeric strings", () => {
    const text = JSON.stringify([[T0, 9, 11, 8, 10, 5, 123], [T0 + H, "10", "12", "9", "11", "6"]]);
    expect(parseCandles(text, "c.json").map((bar) => bar.close)).toEqual([10, 11]);
  });

  it("names the line of a bad row, one row per line or not", () => {
    const text = `[\n  [${T0}, 1, 2, 0.5, 1, 1],\n  [${T0 + H}, 1, 2, 0.5, "x", 1]\n]`;
    expect(() => parseCandles(text, "c.json")).toThrow(/^c\.json:3: close is not a number: "x"/);
    expect(() => parseCandles(`[[${T0},1,2,0.5,1,1],\n[${T0 + H},1,2]]`, "c.json")).toThrow(/^c\.json:2: row 2 is not an array of at least 6 values/);
    expect(() => parseCandles(`[[${T0},"a,]",2,0.5,1,1]]`, "c.json")).toThrow(/^c\.json:1: open is not a number: "a,]"/);
  });

  it("refuses invalid JSON and non-arrays", () => {
    expect(() => parseCandles("[[1,2", "c.json")).toThrow(/^c\.json: not valid JSON/);
    expect(() => parseCandles('{"a": 1}', "c.json")).toThrow(/^c\.json: expected a JSON array/);
  });
});

describe("readCandlesFile", () => {
  it("reads a file and names a missing one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "candles-"));
    const path = join(dir, "c.csv");
    writeFileSync(path, `open_time,open,high,low,close,volume\n${T0},1,2,0.5,1,1\n`);
    expect(await readCandlesFile(path)).toHaveLength(1);
    await expect(readCandlesFile(join(dir, "nope.csv"))).rejects.toThrow(/nope\.csv: cannot read candles file \(no such file\)/);
  });
});
