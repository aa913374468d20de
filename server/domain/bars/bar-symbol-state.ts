/**
 * Per-symbol state of BarBuilder and the per-trade update of a 1m slot and of its higher-timeframe slots.
 * Pure. Edit together with bar-builder.ts.
 */
import type { Bar, SymbolId, Trade } from "./bar.ts";
import { BarCursor } from "./bar-cursor.ts";
import { BarRing, SOURCE_BIT } from "./bar-ring.ts";
import { TradeIdWindow } from "./trade-id-window.ts";
import type { Timeframe } from "../time/timeframes.ts";

/** One level of bars: 1m (always built, index 0) or a higher timeframe. */
export interface BarLevel {
  timeframe: Timeframe;
  size: number;
  capacity: number;
  /** Whether events for this timeframe go to `onEvent` (1m is built even when not requested). */
  emit: boolean;
}

/** The reused object of `live` events for one (symbol, timeframe). */
export interface LiveEvent {
  kind: "live";
  bar: Bar;
}

export class SymbolState {
  readonly symbol: SymbolId;
  readonly ids = new TradeIdWindow();
  /** rings[0] = 1m, rings[k] = levels[k]. */
  readonly rings: BarRing[];
  readonly minutes: BarRing;
  readonly live: LiveEvent[];
  /** max(trade times seen, advance() argument), maintained lazily between minute thresholds. */
  watermark = Number.NEGATIVE_INFINITY;
  /** Open time of the earliest minute not closed yet; NaN until the first trade or final minute. */
  nextClose = Number.NaN;
  /** nextClose + 1 minute + lateness: the watermark at which `nextClose` closes. */
  closeAt = Number.POSITIVE_INFINITY;
  /** Close of the latest closed minute (NaN while unknown): the price of zero-volume minutes. */
  lastClose = Number.NaN;
  /** Open time of the latest minute that has a slot (NaN before any). */
  frontier = Number.NaN;
  /** Hot-path cursor (bar-cursor.ts): the latest open minute, kept in the `live` objects. */
  readonly cursor: BarCursor;
  /** Known holes in the exchange's history, [start, end) pairs (at most MAX_HOLES): not filled with flat minutes. */
  readonly holes: number[] = [];

  constructor(symbol: SymbolId, levels: readonly BarLevel[]) {
    this.symbol = symbol;
    this.rings = levels.map((level) => new BarRing(level.timeframe, level.size, level.capacity));
    const minutes = this.rings[0];
    if (minutes === undefined) throw new Error("BarBuilder: the 1m level is missing");
    this.minutes = minutes;
    this.live = levels.map((level) => ({ kind: "live", bar: emptyBar(symbol, level.timeframe) }));
    this.cursor = new BarCursor(levels.length);
  }
}

const MAX_HOLES = 32;

/** Records [start, end) as a known hole (oldest forgotten beyond MAX_HOLES). */
export function addHole(state: SymbolState, start: number, end: number): void {
  if (state.holes.length >= 2 * MAX_HOLES) state.holes.splice(0, 2);
  state.holes.push(start, end);
}

/** Whether `minute` lies in a known hole of the exchange's history. */
export function inHole(state: SymbolState, minute: number): boolean {
  const holes = state.holes;
  for (let index = 0; index < holes.length; index += 2) {
    if (minute >= holes[index]! && minute < holes[index + 1]!) return true;
  }
  return false;
}

function emptyBar(symbol: SymbolId, timeframe: Timeframe): Bar {
  const nan = Number.NaN;
  return { symbol, timeframe, openTime: nan, open: nan, high: nan, low: nan, close: nan, volume: nan, trades: nan, source: "trades" };
}

/**
 * Adds a trade to 1m slot `i`. Open and close follow trade time (ties: trade id), so out-of-order
 * arrivals land correctly; a slot without trades (new, or a zero-volume minute) takes the trade's price.
 */
export function applyTradeToMinute(minutes: BarRing, i: number, trade: Trade): void {
  const price = trade.price;
  const time = trade.time;
  const id = trade.id;
  if (minutes.trades[i] === 0) {
    minutes.open[i] = price;
    minutes.high[i] = price;
    minutes.low[i] = price;
    minutes.close[i] = price;
    minutes.volume[i] = trade.quantity;
    minutes.trades[i] = trade.count;
    minutes.firstTime[i] = time;
    minutes.lastTime[i] = time;
    minutes.firstId[i] = id;
    minutes.lastId[i] = id;
    minutes.sources[i] = SOURCE_BIT.trades;
    return;
  }
  if (price > minutes.high[i]!) minutes.high[i] = price;
  if (price < minutes.low[i]!) minutes.low[i] = price;
  minutes.volume[i] = minutes.volume[i]! + trade.quantity;
  minutes.trades[i] = minutes.trades[i]! + trade.count;
  const lastTime = minutes.lastTime[i]!;
  if (time > lastTime || (time === lastTime && id > minutes.lastId[i]!)) {
    minutes.close[i] = price;
    minutes.lastTime[i] = time;
    minutes.lastId[i] = id;
  }
  const firstTime = minutes.firstTime[i]!;
  if (time < firstTime || (time === firstTime && id < minutes.firstId[i]!)) {
    minutes.open[i] = price;
    minutes.firstTime[i] = time;
    minutes.firstId[i] = id;
  }
}

/**
 * Folds a trade just applied to minute slot `i` (opening at `minute`) into higher slot `j`: incremental
 * form of the aggregate rule in bar-aggregate.ts (valid because a trade only widens a minute).
 */
export function mergeTradeIntoHigher(higher: BarRing, j: number, minutes: BarRing, i: number, minute: number, trade: Trade): void {
  const first = higher.firstTime[j]!;
  if (first === Number.POSITIVE_INFINITY) {
    higher.open[j] = minutes.open[i]!;
    higher.high[j] = minutes.high[i]!;
    higher.low[j] = minutes.low[i]!;
    higher.close[j] = minutes.close[i]!;
    higher.firstTime[j] = minute;
    higher.lastTime[j] = minute;
  } else {
    const price = trade.price;
    if (price > higher.high[j]!) higher.high[j] = price;
    if (price < higher.low[j]!) higher.low[j] = price;
    if (minute <= first) {
      higher.firstTime[j] = minute;
      higher.open[j] = minutes.open[i]!;
    }
    if (minute >= higher.lastTime[j]!) {
      higher.lastTime[j] = minute;
      higher.close[j] = minutes.close[i]!;
    }
  }
  higher.volume[j] = higher.volume[j]! + trade.quantity;
  higher.trades[j] = higher.trades[j]! + trade.count;
  higher.sources[j] = higher.sources[j]! | SOURCE_BIT.trades;
}

/**
 * Adds a zero-volume minute at `price` to higher slot `j` (creating the bar if needed). Only a bar without
 * trade minutes changes: its o/h/l/c are those of its zero-volume minutes.
 */
export function attachFlatMinute(higher: BarRing, j: number, openTime: number, price: number): void {
  if (higher.openTime[j] !== openTime) {
    higher.reset(j, openTime);
    higher.open[j] = price;
    higher.high[j] = price;
    higher.low[j] = price;
  } else if (higher.firstTime[j] === Number.POSITIVE_INFINITY) {
    if (!(higher.high[j]! >= price)) higher.high[j] = price;
    if (!(higher.low[j]! <= price)) higher.low[j] = price;
  } else {
    higher.sources[j] = higher.sources[j]! | SOURCE_BIT.trades;
    return;
  }
  higher.close[j] = price;
  higher.sources[j] = higher.sources[j]! | SOURCE_BIT.trades;
}
