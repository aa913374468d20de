/**
 * BarBuilder's closing: when a symbol's watermark passes a minute's close threshold, that minute closes
 * (as a zero-volume bar at the previous close if it had no trades), then the higher bars ending with it.
 * Pure. Edit together with bar-builder.ts.
 */
import type { BarEmitter } from "./bar-emitter.ts";
import { flushCursor } from "./bar-cursor.ts";
import { firstOpenMinute } from "./bar-levels.ts";
import { CLOSED } from "./bar-ring.ts";
import { attachFlatMinute, inHole } from "./bar-symbol-state.ts";
import type { SymbolState } from "./bar-symbol-state.ts";

const MINUTE = 60_000;

/**
 * Closes, in time order, every minute (and the higher bars ending with it) whose close threshold
 * (end + latenessMs) the symbol's watermark has reached. Before any close price is known, minutes
 * without data are skipped in one jump. A silence longer than `maxGapMs` after the last minute with data is
 * left as a hole (like an exchange halt): bars close up to the end of the longest bar holding data, then resume
 * at the watermark instead of being filled minute by minute (a bogus clock jump cannot stall the builder).
 */
export function closeDue(emitter: BarEmitter, state: SymbolState, latenessMs: number, maxGapMs: number): void {
  flushCursor(state);
  const resume = firstOpenMinute(state.watermark, latenessMs);
  const dataEnd = state.frontier >= state.nextClose ? state.frontier + MINUTE : state.nextClose;
  if (resume - dataEnd > maxGapMs) {
    const longest = state.rings[state.rings.length - 1]?.size ?? MINUTE;
    const watermark = state.watermark;
    state.watermark = Math.min(watermark, Math.ceil(dataEnd / longest) * longest + latenessMs);
    closeUntilWatermark(emitter, state, latenessMs);
    state.watermark = watermark;
    state.nextClose = Math.max(state.nextClose, resume);
    state.closeAt = state.nextClose + MINUTE + latenessMs;
  }
  closeUntilWatermark(emitter, state, latenessMs);
}

function closeUntilWatermark(emitter: BarEmitter, state: SymbolState, latenessMs: number): void {
  while (state.watermark >= state.closeAt) {
    const minute = state.nextClose;
    const closed = closeMinute(emitter, state, minute);
    if (!closed && Number.isNaN(state.lastClose) && !(state.frontier > minute)) {
      state.nextClose = Math.max(minute + MINUTE, firstOpenMinute(state.watermark, latenessMs));
    } else {
      state.nextClose = minute + MINUTE;
    }
    state.closeAt = state.nextClose + MINUTE + latenessMs;
  }
}

/** Closes one minute (creating a zero-volume bar when it has none and a previous close is known); returns whether it exists. */
function closeMinute(emitter: BarEmitter, state: SymbolState, minute: number): boolean {
  const minutes = state.minutes;
  const index = minutes.indexOf(minute);
  let present = minutes.openTime[index] === minute;
  const flat = !present && !Number.isNaN(state.lastClose) && !inHole(state, minute);
  if (flat) {
    minutes.resetFlat(index, minute, state.lastClose, 0);
    present = true;
  }
  if (present) {
    minutes.flags[index] = (minutes.flags[index] ?? 0) | CLOSED;
    state.lastClose = minutes.close[index] ?? state.lastClose;
    emitter.snapshot(state, 0, index, "closed");
  }
  const end = minute + MINUTE;
  for (let level = 1; level < state.rings.length; level++) {
    const ring = state.rings[level]!;
    const openTime = ring.align(minute);
    const slot = ring.indexOf(openTime);
    if (flat) attachFlatMinute(ring, slot, openTime, state.lastClose);
    if (end === openTime + ring.size && ring.openTime[slot] === openTime) {
      ring.flags[slot] = (ring.flags[slot] ?? 0) | CLOSED;
      emitter.snapshot(state, level, slot, "closed");
    }
  }
  return present;
}
