/**
 * Test helpers for the quality tests (not used by production code): the real BTCUSDT 1m fixture as bars,
 * and trade / bar factories.
 */
import type { Bar, Trade } from "../bars/bar.ts";
import { readFixture } from "../bars/bar-test-helpers.ts";

export const BTC = "BINANCE:BTCUSDT";
export const MINUTE = 60_000;

/** BTCUSDT 1m klines 2023-04-01 00:00 – 2023-04-03 23:59 UTC (4,320 bars, freqtrade download of Binance data). */
export function btcMinutes(): Bar[] {
  const rows = JSON.parse(readFixture("binance/ohlcv/BTCUSDT-1m-20230401-20230403.json")) as [number, number, number, number, number, number][];
  return rows.map(([openTime, open, high, low, close, volume]) => ({
    symbol: BTC, timeframe: "1m", openTime, open, high, low, close, volume, trades: 1, source: "rest",
  }));
}

/** The time at which a live 1m bar is checked: its close. */
export const closeTime = (bar: Bar): number => bar.openTime + MINUTE;

export function trade(id: number, price: number, quantity = 1, time = 0): Trade {
  return { symbol: BTC, id, price, quantity, time, buyerIsMaker: false, count: 1 };
}
