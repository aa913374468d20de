import { describe, expect, it } from "vitest";
import type { Bar } from "./bar.ts";
import { MINUTE, readFixture, record, trade } from "./bar-test-helpers.ts";
import { parseBinanceFrame, parseRestKlineRow } from "../binance/binance-frames.ts";

const OMG = "BINANCE:OMGBUSD";
const BTC = "BINANCE:BTCUSDT";
const OMG_MINUTE = 1633998240000; // 2021-10-12T00:24:00Z
const ohlcv = (bar: Bar | undefined) => bar && [bar.open, bar.high, bar.low, bar.close, bar.volume, bar.trades, bar.source];

/** The OMGBUSD frames of the binance.us recording, in order (other symbols come from other feeds). */
function omgFrames() {
  return readFixture("binance/ws/recorded/kline-aggTrade-frames.ndjson")
    .split("\n")
    .filter((line) => line.includes("omgbusd@"))
    .map((line) => parseBinanceFrame(line, "BINANCE"));
}

/** REST /api/v3/klines BTCUSDT 1m (2021-10-22 23:03..23:12 UTC); the last row (n=7) is the still-open candle. */
function restBars(): Bar[] {
  const rows = JSON.parse(readFixture("binance/rest/recorded/nautilus-http_spot_market_klines-BTCUSDT-1m.json")) as unknown[];
  return rows.slice(0, 9).map((row) => {
    const bar = parseRestKlineRow(row, BTC, "1m");
    if (bar === null) throw new Error("fixture row rejected");
    return bar;
  });
}
const at = (hours: number, minutes: number) => 1634860800000 + (hours * 60 + minutes) * MINUTE; // 2021-10-22 hh:mm UTC

describe("BarBuilder.applyFinalMinute: the exchange's kline wins", () => {
  it("closes an open minute with the kline x:true values (before the trade-built close)", () => {
    const r = record({ latenessMs: 10_000 });
    for (const frame of omgFrames()) {
      if (frame.kind === "trade") r.builder.addTrade(frame.trade);
      if (frame.kind === "kline" && frame.closed) r.builder.applyFinalMinute(frame.bar);
      if (frame.kind === "trade" || frame.kind === "kline") r.builder.advance(frame.eventTime);
    }
    // kline x:true (E 1633998301755): o 13.7212 h 13.8076 l 13.7212 c 13.7664 v 536.51 n 14; the recorded aggTrades
    // start at trade 439577, so the trade-built minute (o 13.8048, v 355.12, n 9) would have been wrong.
    const kline = [13.7212, 13.8076, 13.7212, 13.7664, 536.51, 14, "kline"];
    expect(r.of("closed", "1m").map(ohlcv)).toEqual([kline]);
    expect(r.of("closed", "5m").map(ohlcv)).toEqual([kline]); // 5m 00:20–00:25 holds only that minute
    expect(r.events.filter((event) => event.kind === "revision")).toEqual([]);
    // the two aggTrades after it (a=425094, 425095 at 13.7604) open minute 00:25: v 18.25 + 10 = 28.25
    expect(r.builder.openBars(OMG)[0]).toMatchObject({ openTime: OMG_MINUTE + MINUTE, open: 13.7604, volume: 28.25, trades: 2 });
  });

  it("revises a trade-built closed minute and its 5m bar when the kline differs, then ignores later trades for it", () => {
    const r = record();
    const frames = omgFrames();
    for (const frame of frames) if (frame.kind === "trade" && frame.trade.time < OMG_MINUTE + MINUTE) r.builder.addTrade(frame.trade);
    r.builder.advance(OMG_MINUTE + MINUTE);
    // built from aggTrades 425085..425093: v 2.1 + 105.82 + 30.11 + 23.31 + 13.5 + 30 + 10 + 110 + 30.28 = 355.12, n 9
    expect(r.of("closed", "1m").map(ohlcv)).toEqual([[13.8048, 13.8076, 13.7664, 13.7664, 355.12, 9, "trades"]]);
    const final = frames.find((frame) => frame.kind === "kline" && frame.closed);
    if (final?.kind !== "kline") throw new Error("fixture has no x:true kline");
    r.clear();
    r.builder.applyFinalMinute(final.bar);
    const kline = [13.7212, 13.8076, 13.7212, 13.7664, 536.51, 14, "kline"];
    expect(r.events.map((event) => [event.kind, event.bar.timeframe, ...(ohlcv(event.bar) ?? [])])).toEqual([
      ["revision", "1m", ...kline],
      ["revision", "5m", ...kline],
      ["live", "15m", ...kline],
      ["live", "1h", ...kline],
      ["live", "4h", ...kline],
      ["live", "1d", ...kline],
    ]);
    r.clear();
    r.builder.applyFinalMinute(final.bar); // same values again: nothing to say
    r.builder.addTrade(trade(425000, OMG_MINUTE + 1000, 13.9, 1, OMG)); // the exchange already counted it
    expect(r.events).toEqual([]);
  });

  it("records the exchange's provenance even when its values equal the trade-built bar", () => {
    const r = record();
    const [rest] = restBars();
    if (rest === undefined) throw new Error("no fixture row");
    r.builder.applyFinalMinute(rest); // stored as "rest"
    r.clear();
    r.builder.applyFinalMinute({ ...rest, source: "kline" }); // same OHLCV, other provenance: a revision to store
    expect(r.events.filter((event) => event.bar.timeframe === "1m").map((event) => [event.kind, event.bar.source])).toEqual([["revision", "kline"]]);
  });

  it("stores REST gap-repair minutes without prior state as closed and aggregates them", () => {
    const r = record();
    for (const bar of restBars()) r.builder.applyFinalMinute(bar);
    expect(r.of("closed", "1m").map((bar) => [bar.openTime, bar.source])).toEqual(restBars().map((bar) => [bar.openTime, "rest"]));
    expect(r.of("closed", "5m").map(ohlcv)).toEqual([
      // 23:00–23:05 = rows 23:03, 23:04: h max(60729.84, 60780.41), l min(60670.90, 60707.00), v 21.63272 + 21.91797, n 617 + 769
      [60685.22, 60780.41, 60670.9, 60771.81, 21.63272 + 21.91797, 1386, "rest"],
      // 23:05–23:10 = rows 23:05..23:09: h 60807.52 (23:06), l 60734.58 (23:08), n 722 + 673 + 491 + 593 + 393
      [60773.18, 60807.52, 60734.58, 60776.64, 15.3866 + 12.6764 + 8.13593 + 10.9012 + 4.72517, 2872, "rest"],
    ]);
    const quarter = r.builder.openBars(BTC).find((bar) => bar.timeframe === "15m");
    // 23:00–23:15 so far = all nine rows: v 108.637, n 617+769+722+673+491+593+393+414+375 = 5047
    expect(quarter).toMatchObject({ openTime: at(23, 0), open: 60685.22, high: 60807.52, low: 60670.9, close: 60739.85, trades: 5047 });
    expect(quarter?.volume).toBeCloseTo(108.637, 9);
  });

  it("rejects a final bar that is not a valid 1m bar", () => {
    const r = record();
    const [bar] = restBars();
    if (bar === undefined) throw new Error("no fixture row");
    expect(() => r.builder.applyFinalMinute({ ...bar, timeframe: "5m" })).toThrow(RangeError);
    expect(() => r.builder.applyFinalMinute({ ...bar, high: bar.low - 1 })).toThrow(/bracket/);
    expect(() => r.builder.applyFinalMinute({ ...bar, openTime: bar.openTime + 1 })).toThrow(/UTC minute/);
    expect(r.events).toEqual([]);
  });
});

describe("BarBuilder.seed", () => {
  it("restores closed minutes silently and continues with trades", () => {
    const r = record();
    r.builder.seed(restBars());
    expect(r.events).toEqual([]);
    // open 5m 23:10 = seeded 23:10 (o 60776.63 h 60776.63 l 60723.78) + 23:11 (c 60739.85): v 7.94426 + 5.31675, n 414 + 375
    const open5m = r.builder.openBars(BTC).find((bar) => bar.timeframe === "5m");
    expect(ohlcv(open5m)).toEqual([60776.63, 60776.63, 60723.78, 60739.85, 7.94426 + 5.31675, 789, "rest"]);
    r.builder.addTrade(trade(1, at(23, 12) + 30_000, 60750, 0.5));
    r.builder.advance(at(23, 15));
    expect(r.events.filter((event) => event.kind === "closed").map((event) => `${event.bar.timeframe} ${event.bar.openTime}`)).toEqual([
      `1m ${at(23, 12)}`,
      `1m ${at(23, 13)}`,
      `1m ${at(23, 14)}`,
      `5m ${at(23, 10)}`,
      `15m ${at(23, 0)}`,
    ]);
    // 5m 23:10: close 60750 (the trade; 23:13 and 23:14 are flat at 60750), v 13.26101 + 0.5, n 789 + 1
    expect(ohlcv(r.of("closed", "5m")[0])).toEqual([60776.63, 60776.63, 60723.78, 60750, 7.94426 + 5.31675 + 0.5, 790, "trades"]);
    // 15m 23:00: seeded highs/lows still count: h 60807.52 (23:06), l 60670.90 (23:03), n 5047 + 1
    const quarter = r.of("closed", "15m")[0];
    expect(quarter).toMatchObject({ open: 60685.22, high: 60807.52, low: 60670.9, close: 60750, trades: 5048 });
    expect(quarter?.volume).toBeCloseTo(108.637 + 0.5, 9);
  });

  it("ignores late trades for seeded exchange minutes but revises seeded trade-built ones", () => {
    const r = record();
    const [first, second] = restBars();
    if (first === undefined || second === undefined) throw new Error("no fixture rows");
    r.builder.seed([first, { ...second, source: "trades" }]);
    r.builder.addTrade(trade(7, first.openTime + 1000, 1, 1)); // "rest" minute: final
    expect(r.events).toEqual([]);
    r.builder.addTrade(trade(8, second.openTime + 1000, 60000, 1)); // "trades" minute: revised
    expect(r.of("revision", "1m").map(ohlcv)).toEqual([[second.open, second.high, 60000, second.close, second.volume + 1, second.trades + 1, "trades"]]);
  });
});

describe("BarBuilder.markGap", () => {
  // Binance BTCUSDT 1m, 2023-03-24 11:00–14:59 UTC, with the real hole 12:40 → 14:00 of that day's trading halt.
  // The archive rows carry no trade count: a minute with volume counts as 1 trade here.
  function outageBars(): Bar[] {
    const rows = JSON.parse(readFixture("binance/ohlcv/BTCUSDT-1m-20230324-outage-gap.json")) as number[][];
    return rows.map(([openTime = 0, open = 0, high = 0, low = 0, close = 0, volume = 0]) => ({
      symbol: BTC, timeframe: "1m", openTime, open, high, low, close, volume, trades: volume > 0 ? 1 : 0, source: "rest",
    }));
  }
  const hour = (hours: number) => 1679616000000 + hours * 60 * MINUTE; // 2023-03-24 hh:00 UTC

  function repair(markGaps: boolean) {
    const r = record({ timeframes: ["1m", "1h"] });
    let expected: number | null = null;
    for (const bar of outageBars()) {
      if (markGaps && expected !== null && bar.openTime > expected) r.builder.markGap(BTC, expected, bar.openTime);
      r.builder.applyFinalMinute(bar);
      expected = bar.openTime + MINUTE;
    }
    return r;
  }

  it("leaves a declared hole empty instead of filling it with zero-volume bars", () => {
    const r = repair(true);
    expect(r.of("closed", "1m")).toHaveLength(160); // 11:00–12:39 and 14:00–14:59, as in the exchange's history
    expect(r.of("closed", "1m").some((bar) => bar.openTime >= hour(12) + 40 * MINUTE && bar.openTime < hour(14))).toBe(false);
    expect(r.of("closed", "1h").map((bar) => bar.openTime)).toEqual([hour(11), hour(12), hour(14)]);
  });

  it("without markGap fills the 80 missing minutes at the last close (28080)", () => {
    const r = repair(false);
    const filled = r.of("closed", "1m").filter((bar) => bar.openTime >= hour(12) + 40 * MINUTE && bar.openTime < hour(14));
    expect(filled).toHaveLength(80);
    expect(filled.every((bar) => bar.close === 28080 && bar.volume === 0)).toBe(true);
    expect(r.of("closed", "1h").map((bar) => bar.openTime)).toEqual([hour(11), hour(12), hour(13), hour(14)]);
  });
});

describe("BarBuilder.applyFinalMinute after a long outage", () => {
  it("keeps a final minute that lands more than the ring's span after the last bar", () => {
    const r = record({ retainMinutes: 30, timeframes: ["1m"] });
    const [first, second] = restBars();
    if (first === undefined || second === undefined) throw new Error("no fixture rows");
    r.builder.applyFinalMinute(first);
    const later = { ...second, openTime: first.openTime + 3 * 1440 * MINUTE }; // three days later
    r.builder.applyFinalMinute(later);
    expect(r.of("closed", "1m").at(-1)).toEqual(later);
  });
});
