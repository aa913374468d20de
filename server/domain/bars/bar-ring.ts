/**
 * Column storage for the recent bars of one symbol and one timeframe, used by BarBuilder.
 * A fixed ring of typed arrays indexed by `(openTime / size) % capacity`: no per-bar objects, no GC
 * pressure, and old bars fall out by being overwritten. A slot holds bar `t` when `openTime[slot] === t`.
 * Pure. Edit together with bar-builder.ts.
 */
import type { Bar, BarSource, SymbolId } from "./bar.ts";
import type { Timeframe } from "../time/timeframes.ts";

/** Slot flag: the bar is closed (its `closed` event was emitted). */
export const CLOSED = 1;
/** Slot flag (1m only): the exchange's final values (kline x:true or REST) replaced the trade-built ones. */
export const FINAL = 2;

/** Source bits; a 1m slot has one, a higher-timeframe slot the OR of its minutes. */
export const SOURCE_BIT: Readonly<Record<BarSource, number>> = { trades: 1, kline: 2, rest: 4 };

/** "trades" if any constituent has source trades, else "kline" if any is kline, else "rest". */
export function sourceFromBits(bits: number): BarSource {
  if ((bits & 1) !== 0) return "trades";
  return (bits & 2) !== 0 ? "kline" : "rest";
}

export class BarRing {
  readonly timeframe: Timeframe;
  readonly size: number;
  readonly capacity: number;
  readonly openTime: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
  readonly trades: Float64Array;
  /** 1m: time of the trade that set `open`; higher: openTime of the first minute with trades (Infinity if none). */
  readonly firstTime: Float64Array;
  /** 1m: time of the trade that set `close`; higher: openTime of the last minute with trades (-Infinity if none). */
  readonly lastTime: Float64Array;
  /** 1m only: ids of the trades that set open and close (tie-break for equal times). */
  readonly firstId: Float64Array;
  readonly lastId: Float64Array;
  readonly flags: Uint8Array;
  readonly sources: Uint8Array;

  constructor(timeframe: Timeframe, size: number, capacity: number) {
    this.timeframe = timeframe;
    this.size = size;
    this.capacity = capacity;
    this.openTime = new Float64Array(capacity).fill(Number.NaN);
    this.open = new Float64Array(capacity);
    this.high = new Float64Array(capacity);
    this.low = new Float64Array(capacity);
    this.close = new Float64Array(capacity);
    this.volume = new Float64Array(capacity);
    this.trades = new Float64Array(capacity);
    this.firstTime = new Float64Array(capacity);
    this.lastTime = new Float64Array(capacity);
    const withIds = timeframe === "1m" ? capacity : 0;
    this.firstId = new Float64Array(withIds);
    this.lastId = new Float64Array(withIds);
    this.flags = new Uint8Array(capacity);
    this.sources = new Uint8Array(capacity);
  }

  /** Slot of the bar opening at `openTime` (which must be aligned to this timeframe). */
  indexOf(openTime: number): number {
    // Bar numbers stay below 2^31 until the year 6053, so `| 0` keeps this an integer modulo (no fmod).
    return ((openTime / this.size) | 0) % this.capacity;
  }

  /** Open time of the bar of this timeframe that contains `time` (UTC aligned). */
  align(time: number): number {
    return Math.floor(time / this.size) * this.size;
  }

  /** Makes `index` an empty bar opening at `openTime`: no trades, not closed, no source. */
  reset(index: number, openTime: number): void {
    this.openTime[index] = openTime;
    this.open[index] = Number.NaN;
    this.high[index] = Number.NaN;
    this.low[index] = Number.NaN;
    this.close[index] = Number.NaN;
    this.volume[index] = 0;
    this.trades[index] = 0;
    this.firstTime[index] = Number.POSITIVE_INFINITY;
    this.lastTime[index] = Number.NEGATIVE_INFINITY;
    this.flags[index] = 0;
    this.sources[index] = 0;
  }

  /** Makes `index` a zero-volume bar at `price` (o=h=l=c), as Binance does for a minute without trades. */
  resetFlat(index: number, openTime: number, price: number, flags: number): void {
    this.reset(index, openTime);
    this.open[index] = price;
    this.high[index] = price;
    this.low[index] = price;
    this.close[index] = price;
    this.flags[index] = flags;
    this.sources[index] = SOURCE_BIT.trades;
  }

  /**
   * Stores a bar's values in `index` with the given flags; its source bit comes from `bar.source`. The times of
   * its first and last trades are unknown, so a later trade can widen it but never move its open or close.
   */
  write(index: number, bar: Bar, flags: number): void {
    this.reset(index, bar.openTime);
    this.firstTime[index] = Number.NEGATIVE_INFINITY;
    this.lastTime[index] = Number.POSITIVE_INFINITY;
    this.open[index] = bar.open;
    this.high[index] = bar.high;
    this.low[index] = bar.low;
    this.close[index] = bar.close;
    this.volume[index] = bar.volume;
    this.trades[index] = bar.trades;
    this.flags[index] = flags;
    this.sources[index] = SOURCE_BIT[bar.source];
  }

  /** True when slot `index` holds exactly `bar`'s values and provenance (a provenance change is a revision: it is stored). */
  sameValues(index: number, bar: Bar): boolean {
    return (
      this.open[index] === bar.open &&
      this.high[index] === bar.high &&
      this.low[index] === bar.low &&
      this.close[index] === bar.close &&
      this.volume[index] === bar.volume &&
      this.trades[index] === bar.trades &&
      this.sources[index] === SOURCE_BIT[bar.source]
    );
  }

  /** A fresh Bar with the values of slot `index`. */
  snapshot(index: number, symbol: SymbolId): Bar {
    return {
      symbol,
      timeframe: this.timeframe,
      openTime: this.openTime[index] ?? Number.NaN,
      open: this.open[index] ?? Number.NaN,
      high: this.high[index] ?? Number.NaN,
      low: this.low[index] ?? Number.NaN,
      close: this.close[index] ?? Number.NaN,
      volume: this.volume[index] ?? Number.NaN,
      trades: this.trades[index] ?? Number.NaN,
      source: sourceFromBits(this.sources[index] ?? 0),
    };
  }

  /** Copies slot `index` into an existing Bar (the reused object of `live` events). */
  refresh(target: Bar, index: number): void {
    target.openTime = this.openTime[index]!;
    target.open = this.open[index]!;
    target.high = this.high[index]!;
    target.low = this.low[index]!;
    target.close = this.close[index]!;
    target.volume = this.volume[index]!;
    target.trades = this.trades[index]!;
    const sources = this.sources[index]!;
    target.source = (sources & 1) !== 0 ? "trades" : (sources & 2) !== 0 ? "kline" : "rest";
  }
}
