import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { runBarsCommand } from "./bars.command.ts";
import { TIMEFRAMES } from "../domain/time/timeframes.ts";
import type { Timeframe } from "../domain/time/timeframes.ts";

const RECORDING = resolve(import.meta.dirname, "../../fixtures/binance/ws/recorded/kline-aggTrade-frames.ndjson");
const OMG_MINUTE = 1633998240000;

interface PrintedBar {
  symbol: string;
  timeframe: Timeframe;
  openTime: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  trades: number;
}

async function run(input: string, timeframes: Timeframe[] = [...TIMEFRAMES]) {
  const output = new PassThrough();
  const errors = new PassThrough();
  const chunks: string[] = [];
  const errorChunks: string[] = [];
  output.on("data", (chunk: Buffer) => chunks.push(chunk.toString()));
  errors.on("data", (chunk: Buffer) => errorChunks.push(chunk.toString()));
  const result = await runBarsCommand({ input, timeframes }, output, errors);
  const lines = chunks.join("").split("\n").filter((line) => line !== "");
  return { result, lines, bars: lines.map((line) => JSON.parse(line) as PrintedBar), stderr: errorChunks.join("") };
}

/** The recording's frames, parsed independently of the code under test. */
function recordedPayloads(): { e: string; [key: string]: unknown }[] {
  return readFileSync(RECORDING, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => (JSON.parse(line) as { data: { e: string } }).data);
}

describe("marketlens bars (runBarsCommand)", () => {
  it("prints the closed bars of the recorded aggTrades, sorted, with exactly the documented fields", async () => {
    const { result, lines, bars, stderr } = await run(RECORDING);
    expect(result).toEqual({ frames: 28, rejected: 0 });
    expect(Object.keys(bars[0] ?? {})).toEqual(["symbol", "timeframe", "openTime", "open", "high", "low", "close", "volume", "trades"]);
    expect(bars.map((bar) => `${bar.timeframe} ${bar.symbol} ${bar.openTime}`)).toEqual([
      `1m BINANCE:OMGBUSD ${OMG_MINUTE}`,
      `1m BINANCE:OMGBUSD ${OMG_MINUTE + 60_000}`,
      `1m BINANCE:OMGBUSD ${OMG_MINUTE + 120_000}`, // no trade: flat at the previous close
      `1m BINANCE:OMGBUSD ${OMG_MINUTE + 180_000}`,
      `5m BINANCE:OMGBUSD ${OMG_MINUTE - 240_000}`, // 00:20–00:25
    ]);
    expect(new Set(lines).size).toBe(lines.length);
    expect(stderr).toBe("bars: 28 frames, 13 trades, 0 rejected, 15 other frames skipped, 0 duplicate trades; 5 closed bars printed\n");
  });

  it("sums the minute's aggTrade quantities and prints nothing for the last, still open minute", async () => {
    const { bars } = await run(RECORDING);
    const aggTrades = recordedPayloads().filter((data) => data.e === "aggTrade");
    const inMinute = aggTrades.filter((data) => data.s === "OMGBUSD" && Math.floor(Number(data.T) / 60_000) * 60_000 === OMG_MINUTE);
    const volume = inMinute.reduce((sum, data) => sum + Number(data.q), 0); // 355.12
    const minute = bars.find((bar) => bar.timeframe === "1m" && bar.openTime === OMG_MINUTE);
    expect(minute?.volume).toBeCloseTo(volume, 9);
    expect(minute?.trades).toBe(inMinute.length);
    // the input ends at the last trade, 1633998534486 (LRCBTC): minute 1633998480000 is still open for every symbol
    const lastTrade = Math.max(...aggTrades.map((data) => Number(data.T)));
    expect(lastTrade).toBe(1633998534486);
    expect(bars.every((bar) => bar.openTime + 60_000 <= lastTrade)).toBe(true);
    expect(bars.some((bar) => bar.symbol !== "BINANCE:OMGBUSD")).toBe(false); // NKNUSDT/LRCBTC traded only in that minute
  });

  it("agrees with the recorded klines where the aggTrades cover the same trade ids", async () => {
    const { bars } = await run(RECORDING);
    const byMinute = (openTime: number) => bars.find((bar) => bar.timeframe === "1m" && bar.openTime === openTime);
    // OMGBUSD 00:24 kline x:true: f 439572..L 439585, o 13.7212 h 13.8076 l 13.7212 c 13.7664 v 536.51 n 14. The recording
    // starts at aggTrade f=439577, so trades 439572..439576 are missing: open and low cannot match. What can:
    // high and close (set by covered trades), and the trades after the x:false kline whose L is 439577 (v 183.49, n 6):
    // kline 536.51 - 183.49 = 353.02 = ours 355.12 - 2.1 (aggTrade 439577), kline 14 - 6 = 8 = ours 9 - 1.
    const minute = byMinute(OMG_MINUTE);
    expect(minute).toMatchObject({ high: 13.8076, close: 13.7664, trades: 9 });
    expect((minute?.volume ?? 0) - 2.1).toBeCloseTo(536.51 - 183.49, 9);
    // OMGBUSD 00:25: the last kline (x:false, E 1633998304672) covers f 439586..L 439587 = aggTrades 425094, 425095:
    // o=h=l=c 13.7604, v 18.25 + 10 = 28.25, n 2 — identical. The x:true klines of XEMUSDT, LTCBRL, BELBTC and ELFBUSD
    // (Binance TR) have no aggTrades in the recording, so they cannot be compared.
    expect(byMinute(OMG_MINUTE + 60_000)).toMatchObject({ open: 13.7604, high: 13.7604, low: 13.7604, close: 13.7604, volume: 28.25, trades: 2 });
  });

  it("counts rejected frames without stopping, skips blank lines, honours --timeframes", async () => {
    const directory = mkdtempSync(join(tmpdir(), "marketlens-bars-"));
    const input = join(directory, "frames.ndjson");
    writeFileSync(input, `\n${readFileSync(RECORDING, "utf8")}\n{"stream":"x@trade","data":{"e":"trade","p":"NaN"}}\nnot json\n\n`);
    const { result, bars, stderr } = await run(input, ["5m"]);
    expect(result).toEqual({ frames: 30, rejected: 2 });
    expect(bars.map((bar) => `${bar.timeframe} ${bar.openTime}`)).toEqual([`5m ${OMG_MINUTE - 240_000}`]);
    expect(stderr).toMatch(/30 frames, 13 trades, 2 rejected/);
  });

  it("fails with a clear message when the input file does not exist", async () => {
    await expect(run(join(tmpdir(), "marketlens-no-such-file.ndjson"))).rejects.toThrow(/bars: cannot read input file .*no such file/);
    await expect(run(RECORDING, [])).rejects.toThrow(/no timeframes/);
  });
});
