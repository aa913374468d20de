/**
 * Test helpers for the bar builder tests (not used by production code): trade factories, an event recorder
 * that copies the reused `live` bars, fixture loading and a seeded PRNG.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Bar, SymbolId, Trade } from "./bar.ts";
import { BarBuilder } from "./bar-builder.ts";
import type { BarBuilderOptions, BarEvent, BarEventKind } from "./bar-builder.ts";
import type { Timeframe } from "../time/timeframes.ts";

export const BTC: SymbolId = "BINANCE:BTCUSDT";
export const ETH: SymbolId = "BINANCE:ETHUSDT";
/** 2023-04-01T00:00:00Z */
export const APRIL_1 = 1680307200000;
export const MINUTE = 60_000;

export function trade(id: number, time: number, price: number, quantity: number, symbol: SymbolId = BTC, count = 1): Trade {
  return { symbol, id, price, quantity, time, buyerIsMaker: false, count };
}

export interface Recorder {
  builder: BarBuilder;
  events: BarEvent[];
  /** Events of one kind and timeframe (optionally one symbol), in emission order. */
  of(kind: BarEventKind, timeframe: Timeframe, symbol?: SymbolId): Bar[];
  clear(): void;
}

/** A builder whose events are recorded with copied bars (live bars are reused objects). */
export function record(options: Partial<BarBuilderOptions> = {}): Recorder {
  const events: BarEvent[] = [];
  const builder = new BarBuilder({
    latenessMs: 0,
    ...options,
    onEvent: (event) => events.push({ kind: event.kind, bar: { ...event.bar } }),
  });
  return {
    builder,
    events,
    of: (kind, timeframe, symbol) =>
      events
        .filter((event) => event.kind === kind && event.bar.timeframe === timeframe && (symbol === undefined || event.bar.symbol === symbol))
        .map((event) => event.bar),
    clear: () => {
      events.length = 0;
    },
  };
}

export function fixturePath(relative: string): string {
  return resolve(import.meta.dirname, "../../../fixtures", relative);
}

export function readFixture(relative: string): string {
  return readFileSync(fixturePath(relative), "utf8");
}

/** mulberry32: a small deterministic PRNG in [0, 1). */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

/** Final value of every closed bar: the last `closed`/`revision` event per (symbol, timeframe, openTime). */
export function finalClosedBars(events: readonly BarEvent[]): Map<string, Bar> {
  const bars = new Map<string, Bar>();
  for (const event of events) {
    if (event.kind === "live") continue;
    bars.set(`${event.bar.symbol}|${event.bar.timeframe}|${event.bar.openTime}`, event.bar);
  }
  return bars;
}
