import { describe, expect, it } from "vitest";
import { compactNumber, parseAnalyticsEvent, parseBarEvent } from "./scanner-messages.ts";

const bar = { symbol: "BINANCE:BTCUSDT", timeframe: "1m", openTime: 1_700_000_040_000, open: 1, high: 2, low: 0.5, close: 1.5, volume: 3, trades: 4, source: "trades" };

describe("scanner wire formats", () => {
  it("parses a BarSink event and refuses malformed ones", () => {
    expect(parseBarEvent(JSON.stringify({ stream: "BINANCE:BTCUSDT:1m", epoch: "ab", seq: 1, kind: "live", bar }))).toEqual({ kind: "live", bar });
    expect(parseBarEvent(JSON.stringify({ kind: "open", bar }))).toBeUndefined(); // unknown kind
    expect(parseBarEvent(JSON.stringify({ kind: "closed", bar: { ...bar, close: "1.5" } }))).toBeUndefined();
    expect(parseBarEvent(JSON.stringify({ kind: "closed", bar: { ...bar, timeframe: "2m" } }))).toBeUndefined();
    expect(parseBarEvent("{not json")).toBeUndefined();
  });

  it("parses an AnalyticsEvent or a LatestIndicators record, keeping null values and the patterns present", () => {
    const patterns = [{ name: "engulfing", value: -100, label: "bearish engulfing" }];
    const event = { stream: "X:A:1h", symbol: "X:A", timeframe: "1h", openTime: 10, recomputedFrom: 10, indicators: { rsi14: 55.5, sma200: null }, patterns };
    expect(parseAnalyticsEvent(JSON.stringify(event))).toEqual({ symbol: "X:A", timeframe: "1h", openTime: 10, indicators: { rsi14: 55.5, sma200: null }, patterns: [{ name: "engulfing", value: -100 }] });
    expect(parseAnalyticsEvent(JSON.stringify({ ...event, patterns: [{ name: "engulfing" }] }))).toBeUndefined();
    expect(parseAnalyticsEvent(JSON.stringify({ ...event, indicators: { rsi14: "55" } }))).toBeUndefined();
    expect(parseAnalyticsEvent(JSON.stringify({ ...event, timeframe: "1w" }))).toBeUndefined();
    expect(parseAnalyticsEvent(null)).toBeUndefined();
  });

  it("rounds message values to 8 significant digits", () => {
    expect(compactNumber(12.3456789012)).toBe(12.345679);
    expect(compactNumber(-0.000123456789)).toBe(-0.00012345679);
  });
});
