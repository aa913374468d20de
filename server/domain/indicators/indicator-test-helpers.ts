/**
 * Test helpers for indicators, patterns and features (not used by production code): the BTC/USDT 1h
 * fixture as bars, the TA-Lib golden files, and the relative error used by the parity tests.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Bar } from "../bars/bar.ts";
import type { IndicatorKey } from "./indicator-types.ts";

const ROOT = resolve(import.meta.dirname, "../../..");
export const FIXTURE_PATH = resolve(ROOT, "fixtures/ohlcv/binance_BTC_USDT-1h.json");

export type CandleRow = [number, number, number, number, number, number];

export interface GoldenSeries {
  begIndex: number;
  values: (number | null)[];
}

export interface IndicatorGolden {
  reference: string;
  fixture: { file: string; sha256: string; candles: number };
  series: Record<IndicatorKey, GoldenSeries>;
}

export interface PatternGoldenEntry {
  begIndex: number;
  nonZero: [number, number][];
}

export interface PatternGolden {
  reference: string;
  patterns: Record<string, PatternGoldenEntry>;
  synthetic?: { note: string; candles: CandleRow[]; patterns: Record<string, PatternGoldenEntry> };
}

let rowsCache: CandleRow[] | undefined;

/** The 5,482 BTC/USDT 1h candles as `[openTimeMs, o, h, l, c, v]` rows. */
export function fixtureRows(): CandleRow[] {
  rowsCache ??= JSON.parse(readFileSync(FIXTURE_PATH, "utf8")) as CandleRow[];
  return rowsCache;
}

export function rowsToBars(rows: readonly CandleRow[], symbol = "BINANCE:BTCUSDT"): Bar[] {
  return rows.map(([openTime, open, high, low, close, volume]) => ({
    symbol, timeframe: "1h", openTime, open, high, low, close, volume, trades: 0, source: "rest",
  }));
}

/** The fixture as domain bars. */
export function fixtureBars(): Bar[] {
  return rowsToBars(fixtureRows());
}

export function indicatorGolden(): IndicatorGolden {
  return JSON.parse(readFileSync(resolve(import.meta.dirname, "golden/talib-btcusdt-1h.json"), "utf8")) as IndicatorGolden;
}

export function patternGolden(): PatternGolden {
  return JSON.parse(readFileSync(resolve(ROOT, "server/domain/patterns/golden/talib-cdl-btcusdt-1h.json"), "utf8")) as PatternGolden;
}

/** |a − b| / max(|a|, |b|); 0 when both are 0. */
export function relativeError(a: number, b: number): number {
  const scale = Math.max(Math.abs(a), Math.abs(b));
  return scale === 0 ? 0 : Math.abs(a - b) / scale;
}
