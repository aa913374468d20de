/**
 * BarBuilder: OHLCV bars of every requested timeframe (default 1m, 5m, 15m, 1h, 4h, 1d) for any number of
 * symbols, built from one trade stream and reconciled with the exchange's final 1m klines. Pure: the caller
 * passes the clock through trade times and `advance()`; bars come out through `onEvent`.
 *
 * Semantics
 * - Buckets are UTC aligned (`alignTime`). 1m bars are built from trades; a higher-timeframe bar is the
 *   aggregate of its 1m bars (bar-aggregate.ts: open of the first minute with trades, max high, min low,
 *   close of the last, summed volume and trades; zero-trade minutes do not move its price).
 * - Events: `live` for every open bar a trade touches (the event object is reused: read it in the callback,
 *   copy to keep), `closed` when a bar closes, `revision` when a closed bar's values change. Closed and
 *   revision events carry fresh copies.
 * - Each symbol has a watermark = max(its trade times, `advance()` argument). Bar [t, t+size) closes when
 *   watermark >= t + size + latenessMs: minutes in time order, and after each minute the higher bars ending
 *   with it (5m, 15m, ... in that order). A trade whose minute is still open lands in it even out of order.
 * - A trade for a closed minute younger than `retainMinutes` revises it (`revision`) and every closed higher
 *   bar containing it; a still-open higher bar just gets a `live` event. Older → dropped, `stats().tooLate`.
 * - Duplicate trade ids per symbol are dropped and counted (trade-id-window.ts: bounded memory).
 * - A minute without trades closes, once a previous close is known, as a zero-volume bar with
 *   o=h=l=c=previous close and trades=0 (as Binance does); a higher bar without trades likewise.
 *   A later change of that previous close is carried into such zero-volume minutes (revisions). A silence
 *   longer than retainMinutes is left as a hole (as at an exchange halt) rather than filled minute by minute.
 * - `applyFinalMinute(bar)`: the exchange's 1m values (kline x:true → "kline", REST → "rest") replace the
 *   trade-built ones. An open minute closes at once (the symbol's watermark moves to its close threshold,
 *   so earlier open minutes and higher bars ending with it close too, in order). A closed minute whose values
 *   differ emits `revision` (and its closed higher bars too). Later trades for a finalized minute are ignored.
 *   A final minute without prior state is stored, emitted `closed`, and counts for the higher timeframes.
 * - `markGap(symbol, start, end)` declares a known hole in the exchange's history (halt): no zero-volume bars in it.
 * - `seed(closedMinutes)` restores closed 1m bars (ascending) after a restart, silently; call it before
 *   feeding trades. Minutes with source "kline"/"rest" count as finalized.
 * Memory: typed-array rings (bar-ring.ts) allocated per symbol on first use, about 110 bytes per retained
 * minute: ~0.5 MB per symbol with the defaults (1m history = retainMinutes + the longest timeframe, so a 1d
 * bar can always be recomputed from its minutes).
 * Layout: bar-cursor.ts is the per-trade hot path (the latest open minute and its higher bars live in the
 * reused `live` objects), bar-closing.ts closes by watermark, bar-revisions.ts handles late trades and
 * exchange finals, bar-aggregate.ts holds the aggregation rule, trade-id-window.ts the duplicate check.
 */
import type { Bar, SymbolId, Trade } from "./bar.ts";
import { BarEmitter } from "./bar-emitter.ts";
import type { BarEvent } from "./bar-emitter.ts";
import { addCursorTrade, flushCursor, loadCursor } from "./bar-cursor.ts";
import { CLOSED, FINAL } from "./bar-ring.ts";
import { addLateTrade, applyClosedFinalMinute, recomputeHigher } from "./bar-revisions.ts";
import { closeDue } from "./bar-closing.ts";
import { SymbolState, addHole, applyTradeToMinute, mergeTradeIntoHigher } from "./bar-symbol-state.ts";
import type { BarLevel } from "./bar-symbol-state.ts";
import { buildLevels, checkMinuteBar, firstOpenMinute } from "./bar-levels.ts";
import { TIMEFRAMES } from "../time/timeframes.ts";
import type { Timeframe } from "../time/timeframes.ts";

export type { BarEvent, BarEventKind } from "./bar-emitter.ts";

export interface BarBuilderOptions {
  /** Timeframes to emit events for; default all six. 1m is always built internally. */
  timeframes?: readonly Timeframe[];
  /** How long after its end a bar stays open for out-of-order trades. */
  latenessMs: number;
  /** How long closed 1m bars stay revisable by late trades; default 2880 (two days). */
  retainMinutes?: number;
  onEvent: (event: BarEvent) => void;
}

const MINUTE = 60_000;

/**
 * Builds bars of all requested timeframes from trades; see the file header for the exact semantics.
 * @example
 * const events: BarEvent[] = [];
 * const builder = new BarBuilder({ latenessMs: 0, onEvent: (event) => events.push({ ...event, bar: { ...event.bar } }) });
 * builder.addTrade({ symbol: "BINANCE:BTCUSDT", id: 1, price: 100, quantity: 2, time: 1680307265000, buyerIsMaker: false, count: 1 });
 * builder.advance(1680307320000); // closes the 1m bar 1680307260000: { open: 100, ..., volume: 2, trades: 1 }
 */
export class BarBuilder {
  private readonly latenessMs: number;
  private readonly retainMs: number;
  private readonly levels: readonly BarLevel[];
  private readonly emitter: BarEmitter;
  private readonly symbols = new Map<SymbolId, SymbolState>();
  private lastSymbol: SymbolId = "";
  private lastState: SymbolState | null = null;
  private globalWatermark = Number.NEGATIVE_INFINITY;
  private nextGlobalClose = Number.NEGATIVE_INFINITY;
  private duplicateCount = 0;
  private tooLateCount = 0;

  constructor(options: BarBuilderOptions) {
    const { latenessMs, retainMinutes = 2880 } = options;
    if (!(latenessMs >= 0 && latenessMs < Number.POSITIVE_INFINITY)) throw new RangeError(`BarBuilder: bad latenessMs ${latenessMs}`);
    if (!Number.isSafeInteger(retainMinutes) || retainMinutes < 1) throw new RangeError(`BarBuilder: bad retainMinutes ${retainMinutes}`);
    this.latenessMs = latenessMs;
    this.retainMs = retainMinutes * MINUTE;
    this.levels = buildLevels(options.timeframes ?? TIMEFRAMES, retainMinutes, latenessMs);
    this.emitter = new BarEmitter(this.levels, options.onEvent);
  }

  /** Adds one trade (hot path: no allocation for in-order trades). Throws RangeError on a non-finite or non-positive price, quantity or time. */
  addTrade(trade: Trade): void {
    const state = trade.symbol === this.lastSymbol && this.lastState !== null ? this.lastState : this.stateFor(trade.symbol);
    const time = trade.time;
    if (!(trade.price > 0 && trade.quantity > 0 && time > 0) || trade.price === Infinity || trade.quantity === Infinity || time === Infinity) {
      throw new RangeError(`BarBuilder.addTrade: ${trade.symbol} trade ${trade.id}: bad price, quantity or time`);
    }
    if (!state.ids.accept(trade.id)) {
      this.duplicateCount++;
      return;
    }
    if (time > state.watermark) {
      state.watermark = time;
      if (time >= state.closeAt) closeDue(this.emitter, state, this.latenessMs, this.retainMs);
    }
    const cursor = state.cursor.minute;
    if (time >= cursor && time < cursor + MINUTE && cursor >= state.nextClose) {
      addCursorTrade(state, trade, this.emitter.emits, this.emitter.onEvent);
      return;
    }
    if (state.nextClose !== state.nextClose) this.start(state, time);
    const minute = Math.floor(time / MINUTE) * MINUTE;
    if (minute >= state.nextClose) this.addOpenTrade(state, trade, minute);
    else if (minute < state.nextClose - this.retainMs) this.tooLateCount++;
    else {
      flushCursor(state);
      addLateTrade(this.emitter, state, trade, minute);
    }
  }

  /** A closed 1m bar from the exchange (kline x:true, source "kline") or REST (source "rest"): its values win. */
  applyFinalMinute(bar: Bar): void {
    checkMinuteBar(bar, "applyFinalMinute");
    const state = this.stateFor(bar.symbol);
    flushCursor(state);
    const minute = bar.openTime;
    if (state.nextClose !== state.nextClose) this.start(state, minute);
    if (minute < state.nextClose - this.retainMs) {
      this.tooLateCount++;
      return;
    }
    if (minute < state.nextClose) {
      applyClosedFinalMinute(this.emitter, state, bar);
      return;
    }
    // The exchange says this minute is over: close the ones before it first (their ring slots may be reused
    // across a long gap), then store it and close it.
    this.raiseWatermark(state, minute + this.latenessMs);
    const minutes = state.minutes;
    minutes.write(minutes.indexOf(minute), bar, FINAL);
    if (!(state.frontier >= minute)) state.frontier = minute;
    recomputeHigher(this.emitter, state, minute, minute, false);
    this.raiseWatermark(state, minute + MINUTE + this.latenessMs);
    for (let level = 1; level < state.rings.length; level++) {
      const ring = state.rings[level];
      if (ring === undefined) continue;
      const openTime = ring.align(minute);
      const index = ring.indexOf(openTime);
      if (ring.openTime[index] === openTime && ((ring.flags[index] ?? 0) & CLOSED) === 0) this.emitter.live(state, level, index);
    }
  }

  /** The exchange's clock (max event time seen): closes, for every symbol, bars whose end + latenessMs <= watermarkMs. */
  advance(watermarkMs: number): void {
    if (!(watermarkMs > this.globalWatermark)) return;
    this.globalWatermark = watermarkMs;
    if (watermarkMs < this.nextGlobalClose) return;
    for (const state of this.symbols.values()) {
      if (watermarkMs > state.watermark) state.watermark = watermarkMs;
      if (state.watermark >= state.closeAt) closeDue(this.emitter, state, this.latenessMs, this.retainMs);
    }
    this.nextGlobalClose = Math.floor((watermarkMs - this.latenessMs) / MINUTE) * MINUTE + MINUTE + this.latenessMs;
  }

  /** Rebuilds in-memory state from stored closed 1m bars (ascending openTime per symbol), silently. */
  seed(closedMinutes: readonly Bar[]): void {
    const ranges = new Map<SymbolState, { first: number; last: number; close: number }>();
    for (const bar of closedMinutes) {
      checkMinuteBar(bar, "seed");
      const state = this.stateFor(bar.symbol);
      flushCursor(state);
      const minutes = state.minutes;
      minutes.write(minutes.indexOf(bar.openTime), bar, bar.source === "trades" ? CLOSED : CLOSED | FINAL);
      const range = ranges.get(state);
      if (range === undefined) ranges.set(state, { first: bar.openTime, last: bar.openTime, close: bar.close });
      else if (bar.openTime >= range.last) {
        range.last = bar.openTime;
        range.close = bar.close;
      }
    }
    for (const [state, range] of ranges) {
      const nextClose = range.last + MINUTE;
      if (!(state.nextClose >= nextClose)) {
        state.nextClose = nextClose;
        state.closeAt = nextClose + MINUTE + this.latenessMs;
        state.lastClose = range.close;
      }
      if (state.watermark < nextClose + this.latenessMs) state.watermark = nextClose + this.latenessMs;
      if (!(state.frontier >= range.last)) state.frontier = range.last;
      const longest = this.levels[this.levels.length - 1]?.size ?? MINUTE;
      const horizon = state.nextClose - this.retainMs;
      recomputeHigher(this.emitter, state, Math.max(range.first, Math.floor(horizon / longest) * longest), range.last, false);
    }
    this.nextGlobalClose = Number.NEGATIVE_INFINITY;
  }

  /**
   * Declares [startMs, endMs) a known hole in the exchange's history (e.g. a trading halt: REST has no klines):
   * minutes in it that have no bar are not filled with zero-volume bars. Call before applying the bars after it.
   */
  markGap(symbol: SymbolId, startMs: number, endMs: number): void {
    if (!(endMs > startMs)) return;
    addHole(this.stateFor(symbol), startMs, endMs);
  }

  /** Current unclosed bars of every requested timeframe (copies), by timeframe then openTime. */
  openBars(symbol: SymbolId): Bar[] {
    const state = this.symbols.get(symbol);
    const result: Bar[] = [];
    if (state === undefined || Number.isNaN(state.nextClose)) return result;
    flushCursor(state);
    const last = Math.max(state.frontier, state.nextClose);
    this.levels.forEach((level, index) => {
      const ring = state.rings[index];
      if (!level.emit || ring === undefined) return;
      for (let openTime = ring.align(state.nextClose); openTime <= last; openTime += level.size) {
        const slot = ring.indexOf(openTime);
        if (ring.openTime[slot] === openTime && ((ring.flags[slot] ?? 0) & CLOSED) === 0) result.push(ring.snapshot(slot, symbol));
      }
    });
    return result;
  }

  stats(): { duplicates: number; tooLate: number } {
    return { duplicates: this.duplicateCount, tooLate: this.tooLateCount };
  }

  private stateFor(symbol: SymbolId): SymbolState {
    let state = this.symbols.get(symbol);
    if (state === undefined) {
      state = new SymbolState(symbol, this.levels);
      state.watermark = this.globalWatermark;
      this.symbols.set(symbol, state);
    }
    this.lastSymbol = symbol;
    this.lastState = state;
    return state;
  }

  private raiseWatermark(state: SymbolState, watermark: number): void {
    if (state.watermark < watermark) state.watermark = watermark;
    if (state.watermark >= state.closeAt) closeDue(this.emitter, state, this.latenessMs, this.retainMs);
  }

  /** First data for a symbol: minutes before the first still-open one (by the watermark) count as closed. */
  private start(state: SymbolState, fallbackTime: number): void {
    const watermark = Math.max(state.watermark, this.globalWatermark);
    state.watermark = watermark;
    const time = watermark > Number.NEGATIVE_INFINITY ? watermark : fallbackTime;
    state.nextClose = Math.min(firstOpenMinute(time, this.latenessMs), Math.floor(fallbackTime / MINUTE) * MINUTE);
    state.closeAt = state.nextClose + MINUTE + this.latenessMs;
    if (state.watermark >= state.closeAt) closeDue(this.emitter, state, this.latenessMs, this.retainMs);
  }

  /** A trade for an open minute other than the cursor's: finds or creates its slots; the latest minute becomes the cursor. */
  private addOpenTrade(state: SymbolState, trade: Trade, minute: number): void {
    flushCursor(state);
    const minutes = state.minutes;
    const index = minutes.indexOf(minute);
    if (minutes.openTime[index] !== minute) {
      minutes.reset(index, minute);
      if (!(minute <= state.frontier)) state.frontier = minute;
    }
    applyTradeToMinute(minutes, index, trade);
    const emitter = this.emitter;
    emitter.live(state, 0, index);
    const rings = state.rings;
    for (let level = 1; level < rings.length; level++) {
      const ring = rings[level]!;
      const openTime = ring.align(minute);
      const slot = ring.indexOf(openTime);
      if (ring.openTime[slot] !== openTime) ring.reset(slot, openTime);
      mergeTradeIntoHigher(ring, slot, minutes, index, minute, trade);
      emitter.live(state, level, slot);
    }
    if (minute >= state.frontier) loadCursor(state, minute, index);
  }
}
