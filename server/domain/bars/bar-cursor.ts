/**
 * BarBuilder's hot path. While trades keep arriving for the latest open minute (the cursor), that minute and
 * the higher bars containing it live in the symbol's reused `live` Bar objects, which are updated in place
 * and emitted as they are; their ring slots are stale until `flushCursor` writes them back. Every other
 * code path flushes first, so rings are the only state outside this file. Pure. Edit with bar-builder.ts.
 */
import type { Trade } from "./bar.ts";
import type { BarEvent } from "./bar-emitter.ts";
import { SOURCE_BIT } from "./bar-ring.ts";
import type { SymbolState } from "./bar-symbol-state.ts";

export class BarCursor {
  /** Open time of the cursor minute; NaN when there is no cursor (rings are then authoritative). */
  minute = Number.NaN;
  /** Slot of the cursor minute in the 1m ring. */
  index = 0;
  /** Slot of the bar containing the cursor minute, per level (index 0 unused). */
  readonly slots: Int32Array;
  /** Times and ids of the trades that set the cursor minute's open and close. */
  firstTime = 0;
  lastTime = 0;
  firstId = 0;
  lastId = 0;
  /** Per higher level: open time of the first minute with trades (Infinity if none). */
  readonly firstTrade: Float64Array;

  constructor(levels: number) {
    this.slots = new Int32Array(levels);
    this.firstTrade = new Float64Array(levels);
  }
}

/** Makes minute `minute` (1m slot `index`, already holding at least one trade) the cursor. */
export function loadCursor(state: SymbolState, minute: number, index: number): void {
  const cursor = state.cursor;
  const minutes = state.minutes;
  cursor.minute = minute;
  cursor.index = index;
  cursor.firstTime = minutes.firstTime[index]!;
  cursor.lastTime = minutes.lastTime[index]!;
  cursor.firstId = minutes.firstId[index]!;
  cursor.lastId = minutes.lastId[index]!;
  minutes.refresh(state.live[0]!.bar, index);
  for (let level = 1; level < state.rings.length; level++) {
    const ring = state.rings[level]!;
    const slot = ring.indexOf(ring.align(minute));
    cursor.slots[level] = slot;
    cursor.firstTrade[level] = ring.firstTime[slot]!;
    ring.refresh(state.live[level]!.bar, slot);
  }
}

/** Writes the cursor's bars back to their ring slots and drops the cursor. */
export function flushCursor(state: SymbolState): void {
  const cursor = state.cursor;
  if (Number.isNaN(cursor.minute)) return;
  for (let level = 0; level < state.rings.length; level++) {
    const ring = state.rings[level]!;
    const slot = level === 0 ? cursor.index : cursor.slots[level]!;
    const bar = state.live[level]!.bar;
    ring.open[slot] = bar.open;
    ring.high[slot] = bar.high;
    ring.low[slot] = bar.low;
    ring.close[slot] = bar.close;
    ring.volume[slot] = bar.volume;
    ring.trades[slot] = bar.trades;
    ring.sources[slot] = ring.sources[slot]! | SOURCE_BIT[bar.source];
    if (level > 0) {
      ring.firstTime[slot] = cursor.firstTrade[level]!;
      ring.lastTime[slot] = cursor.minute;
    }
  }
  const minutes = state.minutes;
  minutes.firstTime[cursor.index] = cursor.firstTime;
  minutes.lastTime[cursor.index] = cursor.lastTime;
  minutes.firstId[cursor.index] = cursor.firstId;
  minutes.lastId[cursor.index] = cursor.lastId;
  cursor.minute = Number.NaN;
}

/**
 * Adds a trade of the cursor minute to it and to every higher bar containing it, emitting `live` events.
 * Same rules as applyTradeToMinute/mergeTradeIntoHigher, on the live objects instead of the rings.
 */
export function addCursorTrade(state: SymbolState, trade: Trade, emits: readonly boolean[], onEvent: (event: BarEvent) => void): void {
  const cursor = state.cursor;
  const live = state.live;
  const minuteEvent = live[0]!;
  const minuteBar = minuteEvent.bar;
  const price = trade.price;
  const time = trade.time;
  if (price > minuteBar.high) minuteBar.high = price;
  if (price < minuteBar.low) minuteBar.low = price;
  minuteBar.volume += trade.quantity;
  minuteBar.trades += trade.count;
  if (time > cursor.lastTime || (time === cursor.lastTime && trade.id > cursor.lastId)) {
    minuteBar.close = price;
    cursor.lastTime = time;
    cursor.lastId = trade.id;
  }
  if (time < cursor.firstTime || (time === cursor.firstTime && trade.id < cursor.firstId)) {
    minuteBar.open = price;
    cursor.firstTime = time;
    cursor.firstId = trade.id;
  }
  if (emits[0] === true) onEvent(minuteEvent);
  const minute = cursor.minute;
  for (let level = 1; level < live.length; level++) {
    const event = live[level]!;
    const bar = event.bar;
    if (price > bar.high) bar.high = price;
    if (price < bar.low) bar.low = price;
    // The cursor is the latest minute with trades of every bar containing it: it sets the close, and the open
    // too when it is also the first.
    if (cursor.firstTrade[level] === minute) bar.open = minuteBar.open;
    bar.close = minuteBar.close;
    bar.volume += trade.quantity;
    bar.trades += trade.count;
    if (emits[level] === true) onEvent(event);
  }
}
