/**
 * Builds Binance-spot-shaped payloads (as documented in PROTOCOLS.md §1) for the replay exchange:
 * aggTrade and kline WebSocket events and REST kline rows, prices and quantities as strings.
 */
import { minutePath, PRINTS_PER_MINUTE, type RecordedKline } from "./minute-path.ts";

export interface ReplayEvent {
  /** Event time (E), virtual ms. */
  time: number;
  stream: string;
  payload: Record<string, unknown>;
}

const MINUTE = 60_000;
const num = (value: number) => String(value);

/** Aggregate trade ids are stable per minute: minute index × prints + print index. */
export function tradeId(openTime: number, index: number): number {
  return (openTime / MINUTE) * PRINTS_PER_MINUTE + index;
}

/** Partial candle after the trades with offset <= elapsedMs (o=h=l=c=previous close before the first). */
export function partialKline(kline: RecordedKline, elapsedMs: number, previousClose: number) {
  const trades = minutePath(kline).filter((trade) => trade.offsetMs <= elapsedMs);
  if (trades.length === 0) return { open: previousClose, high: previousClose, low: previousClose, close: previousClose, volume: 0, count: 0 };
  let high = -Infinity;
  let low = Infinity;
  let volume = 0;
  for (const trade of trades) {
    high = Math.max(high, trade.price);
    low = Math.min(low, trade.price);
    volume += trade.quantity;
  }
  return { open: trades[0]!.price, high, low, close: trades.at(-1)!.price, volume, count: trades.length };
}

export function aggTradeEvents(ticker: string, kline: RecordedKline, fromMs: number, toMs: number): ReplayEvent[] {
  const stream = `${ticker.toLowerCase()}@aggTrade`;
  return minutePath(kline).flatMap((trade, index) => {
    const time = kline.openTime + trade.offsetMs;
    if (time <= fromMs || time > toMs) return [];
    const id = tradeId(kline.openTime, index);
    return [{
      time,
      stream,
      payload: { e: "aggTrade", E: time + 1, s: ticker, a: id, p: num(trade.price), q: num(trade.quantity), f: id, l: id, T: time, m: index % 3 === 0, M: true },
    }];
  });
}

export function klineEvent(options: { ticker: string; kline: RecordedKline; time: number; closed: boolean; previousClose: number }): ReplayEvent {
  const { ticker, kline, time, closed } = options;
  const values = closed
    ? { ...kline, count: kline.volume > 0 ? minutePath(kline).length : 0 }
    : partialKline(kline, time - kline.openTime, options.previousClose);
  const first = values.count > 0 ? tradeId(kline.openTime, 0) : -1;
  return {
    time,
    stream: `${ticker.toLowerCase()}@kline_1m`,
    payload: {
      e: "kline",
      E: time,
      s: ticker,
      k: {
        t: kline.openTime, T: kline.openTime + MINUTE - 1, s: ticker, i: "1m", f: first, L: values.count > 0 ? first + values.count - 1 : -1,
        o: num(values.open), c: num(values.close), h: num(values.high), l: num(values.low), v: num(values.volume), n: values.count,
        x: closed, q: num(values.volume * values.close), V: num(values.volume / 2), Q: num((values.volume / 2) * values.close), B: "0",
      },
    },
  };
}

/** REST /api/v3/klines row: [openTime, o, h, l, c, v, closeTime, quoteVolume, trades, takerBase, takerQuote, "0"]. */
export function restKlineRow(bar: { openTime: number; open: number; high: number; low: number; close: number; volume: number; count: number }, intervalMs: number) {
  return [
    bar.openTime, num(bar.open), num(bar.high), num(bar.low), num(bar.close), num(bar.volume), bar.openTime + intervalMs - 1,
    num(bar.volume * bar.close), bar.count, num(bar.volume / 2), num((bar.volume / 2) * bar.close), "0",
  ];
}
