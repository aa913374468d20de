/**
 * Higher-timeframe bars as the aggregate of their 1m bars. Pure.
 *
 * Rule (the same in BarBuilder and here): over the minutes that have trades (trades > 0), open = open of the
 * first, high = max high, low = min low, close = close of the last; volume and trades are summed over all
 * minutes. Zero-trade minutes (o=h=l=c=previous close) do not move the price, as on Binance where a 5m
 * kline opens at its first trade. A bar whose minutes all have no trades is the plain aggregate of those
 * minutes, i.e. o=h=l=c=previous close and volume 0. Source: "trades" if any minute is "trades", else
 * "kline" if any is "kline", else "rest".
 */
import type { Bar } from "./bar.ts";
import { SOURCE_BIT, sourceFromBits } from "./bar-ring.ts";
import type { BarRing } from "./bar-ring.ts";
import { alignTime } from "../time/timeframes.ts";
import type { Timeframe } from "../time/timeframes.ts";

const MINUTE = 60_000;

/** Result of {@link aggregateInto}: no minute of the bar exists, values unchanged, or values changed. */
export type AggregateResult = typeof NO_MINUTES | typeof UNCHANGED | typeof CHANGED;
export const NO_MINUTES = -1;
export const UNCHANGED = 0;
export const CHANGED = 1;

interface Accumulator {
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  trades: number;
  sources: number;
  firstTrade: number;
  lastTrade: number;
}

function accumulate(acc: Accumulator, minutes: BarRing, index: number, minute: number, withTrades: boolean): void {
  const high = minutes.high[index] ?? Number.NaN;
  const low = minutes.low[index] ?? Number.NaN;
  if (Number.isNaN(acc.open)) acc.open = minutes.open[index] ?? Number.NaN;
  acc.close = minutes.close[index] ?? Number.NaN;
  if (!(acc.high >= high)) acc.high = high;
  if (!(acc.low <= low)) acc.low = low;
  if (withTrades) {
    if (acc.firstTrade === Number.POSITIVE_INFINITY) acc.firstTrade = minute;
    acc.lastTrade = minute;
  }
}

function emptyAccumulator(): Accumulator {
  const nan = Number.NaN;
  return { open: nan, high: nan, low: nan, close: nan, volume: 0, trades: 0, sources: 0, firstTrade: Infinity, lastTrade: -Infinity };
}

/**
 * Recomputes slot `index` of `higher` (the bar opening at `openTime`) from the minutes in `minutes`.
 * Keeps the slot's flags when it already held that bar. Returns whether anything changed.
 * @example aggregateInto(minuteRing, fiveMinuteRing, fiveMinuteRing.indexOf(t), t) // CHANGED
 */
export function aggregateInto(minutes: BarRing, higher: BarRing, index: number, openTime: number): AggregateResult {
  const traded = emptyAccumulator();
  const all = emptyAccumulator();
  let slot = minutes.indexOf(openTime);
  let found = false;
  for (let minute = openTime, end = openTime + higher.size; minute < end; minute += MINUTE) {
    if (minutes.openTime[slot] === minute) {
      found = true;
      const trades = minutes.trades[slot] ?? 0;
      all.volume += minutes.volume[slot] ?? 0;
      all.trades += trades;
      all.sources |= minutes.sources[slot] ?? 0;
      if (trades > 0) accumulate(traded, minutes, slot, minute, true);
      else accumulate(all, minutes, slot, minute, false);
    }
    slot = slot + 1 === minutes.capacity ? 0 : slot + 1;
  }
  if (!found) return NO_MINUTES;
  const price = traded.firstTrade === Number.POSITIVE_INFINITY ? all : traded;
  return store(higher, index, openTime, { ...price, volume: all.volume, trades: all.trades, sources: all.sources });
}

function store(ring: BarRing, index: number, openTime: number, acc: Accumulator): AggregateResult {
  const present = ring.openTime[index] === openTime;
  const unchanged =
    present &&
    ring.open[index] === acc.open &&
    ring.high[index] === acc.high &&
    ring.low[index] === acc.low &&
    ring.close[index] === acc.close &&
    ring.volume[index] === acc.volume &&
    ring.trades[index] === acc.trades &&
    ring.sources[index] === acc.sources;
  const flags = present ? (ring.flags[index] ?? 0) : 0;
  ring.reset(index, openTime);
  ring.open[index] = acc.open;
  ring.high[index] = acc.high;
  ring.low[index] = acc.low;
  ring.close[index] = acc.close;
  ring.volume[index] = acc.volume;
  ring.trades[index] = acc.trades;
  ring.sources[index] = acc.sources;
  ring.firstTime[index] = acc.firstTrade;
  ring.lastTime[index] = acc.lastTrade;
  ring.flags[index] = flags;
  return unchanged ? UNCHANGED : CHANGED;
}

/**
 * Aggregates 1m bars (any symbols, ascending openTime per symbol) into `timeframe` bars, UTC aligned,
 * with the rule in this file's header. Output is sorted by symbol, then openTime.
 * @example
 * aggregateBars([
 *   { symbol: "BINANCE:BTCUSDT", timeframe: "1m", openTime: 0, open: 10, high: 12, low: 9, close: 11, volume: 1, trades: 2, source: "trades" },
 *   { symbol: "BINANCE:BTCUSDT", timeframe: "1m", openTime: 60000, open: 11, high: 11, low: 11, close: 11, volume: 0, trades: 0, source: "trades" },
 * ], "5m")
 * // [{ symbol: "BINANCE:BTCUSDT", timeframe: "5m", openTime: 0, open: 10, high: 12, low: 9, close: 11, volume: 1, trades: 2, source: "trades" }]
 */
export function aggregateBars(minutes: readonly Bar[], timeframe: Timeframe): Bar[] {
  const groups = new Map<string, Bar[]>();
  for (const bar of minutes) {
    const key = `${bar.symbol}\u0000${alignTime(bar.openTime, timeframe)}`;
    const group = groups.get(key);
    if (group) group.push(bar);
    else groups.set(key, [bar]);
  }
  const result: Bar[] = [];
  for (const group of groups.values()) result.push(aggregateGroup(group, timeframe));
  return result.sort((a, b) => (a.symbol === b.symbol ? a.openTime - b.openTime : a.symbol < b.symbol ? -1 : 1));
}

function aggregateGroup(group: readonly Bar[], timeframe: Timeframe): Bar {
  const sorted = [...group].sort((a, b) => a.openTime - b.openTime);
  const traded = sorted.filter((bar) => bar.trades > 0);
  const priced = traded.length > 0 ? traded : sorted;
  const first = priced[0];
  const last = priced[priced.length - 1];
  if (first === undefined || last === undefined) throw new Error("aggregateBars: empty group");
  let sources = 0;
  for (const bar of sorted) sources |= SOURCE_BIT[bar.source];
  return {
    symbol: first.symbol,
    timeframe,
    openTime: alignTime(first.openTime, timeframe),
    open: first.open,
    high: Math.max(...priced.map((bar) => bar.high)),
    low: Math.min(...priced.map((bar) => bar.low)),
    close: last.close,
    volume: sorted.reduce((sum, bar) => sum + bar.volume, 0),
    trades: sorted.reduce((sum, bar) => sum + bar.trades, 0),
    source: sourceFromBits(sources),
  };
}
