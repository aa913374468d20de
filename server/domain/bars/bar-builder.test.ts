import { describe, expect, it } from "vitest";
import type { Bar } from "./bar.ts";
import { BarBuilder } from "./bar-builder.ts";
import type { BarEvent } from "./bar-builder.ts";
import { APRIL_1, BTC, ETH, MINUTE, readFixture, record, trade } from "./bar-test-helpers.ts";
import { parseBinanceFrame } from "../binance/binance-frames.ts";

const DAY = 1440 * MINUTE;
const ohlcv = (bar: Bar | undefined) => bar && [bar.open, bar.high, bar.low, bar.close, bar.volume, bar.trades];

describe("BarBuilder: bucket boundaries and alignment", () => {
  it("puts a trade at exactly t+60000 into the next minute, which closes minute t (lateness 0)", () => {
    const r = record();
    r.builder.addTrade(trade(1, APRIL_1, 100, 1));
    r.builder.addTrade(trade(2, APRIL_1 + 59_999, 110, 2));
    expect(r.of("closed", "1m")).toEqual([]);
    r.builder.addTrade(trade(3, APRIL_1 + 60_000, 105, 0.5));
    // minute 00:00 = trades 1+2: o 100, h 110, l 100, c 110, v 1+2 = 3, n 2
    expect(r.of("closed", "1m")).toEqual([
      { symbol: BTC, timeframe: "1m", openTime: APRIL_1, open: 100, high: 110, low: 100, close: 110, volume: 3, trades: 2, source: "trades" },
    ]);
    expect(r.of("live", "1m").at(-1)).toMatchObject({ openTime: APRIL_1 + 60_000, open: 105, volume: 0.5, trades: 1 });
  });

  it("aligns 5m/15m/1h/4h/1d to UTC, including the day boundary, and closes 1m before higher timeframes", () => {
    const r = record();
    const day2 = APRIL_1 + DAY; // 2023-04-02T00:00:00Z
    r.builder.addTrade(trade(1, day2 - 1, 100, 1)); // 2023-04-01T23:59:59.999Z
    expect(r.events.map((event) => [event.bar.timeframe, event.bar.openTime])).toEqual([
      ["1m", day2 - MINUTE], // 23:59
      ["5m", day2 - 5 * MINUTE], // 23:55
      ["15m", day2 - 15 * MINUTE], // 23:45
      ["1h", day2 - 60 * MINUTE], // 23:00
      ["4h", day2 - 240 * MINUTE], // 20:00
      ["1d", APRIL_1], // 2023-04-01
    ]);
    r.clear();
    r.builder.addTrade(trade(2, day2, 101, 1));
    expect(r.events.map((event) => `${event.kind} ${event.bar.timeframe} ${event.bar.openTime}`)).toEqual([
      `closed 1m ${day2 - MINUTE}`,
      `closed 5m ${day2 - 5 * MINUTE}`,
      `closed 15m ${day2 - 15 * MINUTE}`,
      `closed 1h ${day2 - 60 * MINUTE}`,
      `closed 4h ${day2 - 240 * MINUTE}`,
      `closed 1d ${APRIL_1}`,
      ...["1m", "5m", "15m", "1h", "4h", "1d"].map((timeframe) => `live ${timeframe} ${day2}`),
    ]);
  });

  it("buckets a mid-day trade (13:47:12.345Z) into 13:47, 13:45, 13:45, 13:00, 12:00 and the day", () => {
    const r = record();
    r.builder.addTrade(trade(1, APRIL_1 + (13 * 60 + 47) * MINUTE + 12_345, 100, 1));
    const hm = (hours: number, minutes: number) => APRIL_1 + (hours * 60 + minutes) * MINUTE;
    expect(r.events.map((event) => event.bar.openTime)).toEqual([hm(13, 47), hm(13, 45), hm(13, 45), hm(13, 0), hm(12, 0), APRIL_1]);
  });
});

describe("BarBuilder: recorded trades", () => {
  it("builds the OMGBUSD minute of the recorded aggTrades (Binance, 2021-10-12)", () => {
    const r = record();
    let maxTime = 0;
    for (const line of readFixture("binance/ws/recorded/kline-aggTrade-frames.ndjson").split("\n")) {
      const frame = line.trim() === "" ? null : parseBinanceFrame(line);
      if (frame?.kind !== "trade") continue;
      r.builder.addTrade(frame.trade);
      maxTime = Math.max(maxTime, frame.trade.time);
    }
    r.builder.advance(maxTime);
    const [minute] = r.of("closed", "1m", "BINANCE:OMGBUSD");
    // aggTrades a=425085..425093 at 13.8048, 13.8076, 13.8004, 13.7814, 13.7769 ×4, 13.7664 (f=l each: 1 trade each)
    // volume 2.1 + 105.82 + 30.11 + 23.31 + 13.5 + 30 + 10 + 110 + 30.28 = 355.12
    expect(minute).toMatchObject({ openTime: 1633998240000, open: 13.8048, high: 13.8076, low: 13.7664, close: 13.7664, trades: 9 });
    expect(minute?.volume).toBeCloseTo(355.12, 9);
    expect(r.builder.stats()).toEqual({ duplicates: 0, tooLate: 0 });
  });
});

describe("BarBuilder: lateness, late trades and duplicates", () => {
  it("lands out-of-order trades in their still-open minute (lateness 2 s), open/close by trade time", () => {
    const r = record({ latenessMs: 2000 });
    const at = (seconds: number) => APRIL_1 + seconds * 1000;
    // arrival order 2, 3, 5, 1, 4, 6; ids follow trade time
    for (const t of [trade(2, at(10), 100, 1), trade(3, at(50), 101, 1), trade(5, at(60.5), 102, 1), trade(1, at(5), 98, 1), trade(4, at(59.9), 99, 1)]) {
      r.builder.addTrade(t);
    }
    expect(r.of("closed", "1m")).toEqual([]);
    r.builder.addTrade(trade(6, at(62), 103, 1)); // watermark 62 s >= 60 s + 2 s: minute 00:00 closes
    // minute 00:00 = trades 1..4: open 98 (t=5 s), high 101, low 98, close 99 (t=59.9 s), v 4, n 4
    expect(ohlcv(r.of("closed", "1m")[0])).toEqual([98, 101, 98, 99, 4, 4]);
    expect(r.of("revision", "1m")).toEqual([]);
    // 5m 00:00 = minutes 00:00 + 00:01 (trades 5, 6): o 98, h 103, l 98, c 103, v 6, n 6
    expect(ohlcv(r.of("live", "5m").at(-1))).toEqual([98, 103, 98, 103, 6, 6]);
  });

  it("revises a closed minute and the closed 5m bar on a late trade; the open 15m bar gets a live event", () => {
    const r = record();
    for (const [id, minute, price] of [[1, 0, 100], [2, 1, 101], [4, 3, 103], [5, 5, 105]] as const) {
      r.builder.addTrade(trade(id, APRIL_1 + minute * MINUTE + 1000, price, 1));
    }
    // minutes 00:02 and 00:04 had no trade: zero-volume bars at the previous close (101, 103)
    expect(r.of("closed", "1m").map(ohlcv)).toEqual([[100, 100, 100, 100, 1, 1], [101, 101, 101, 101, 1, 1], [101, 101, 101, 101, 0, 0], [103, 103, 103, 103, 1, 1], [103, 103, 103, 103, 0, 0]]);
    expect(ohlcv(r.of("closed", "5m")[0])).toEqual([100, 103, 100, 103, 3, 3]);
    r.clear();
    r.builder.addTrade(trade(3, APRIL_1 + 2 * MINUTE + 30_000, 90, 2)); // late, fills id gap 3
    expect(r.events.map((event) => `${event.kind} ${event.bar.timeframe}`)).toEqual(["revision 1m", "revision 5m", "live 15m", "live 1h", "live 4h", "live 1d"]);
    expect(ohlcv(r.of("revision", "1m")[0])).toEqual([90, 90, 90, 90, 2, 1]);
    // 5m: low min(100, 101, 90, 103) = 90, volume 1 + 1 + 2 + 1 = 5, trades 4
    expect(ohlcv(r.of("revision", "5m")[0])).toEqual([100, 103, 90, 103, 5, 4]);
    // 15m (open): also minute 00:05 at 105: v 5 + 1 = 6, n 5
    expect(ohlcv(r.of("live", "15m")[0])).toEqual([100, 105, 90, 105, 6, 5]);
    expect(r.builder.stats()).toEqual({ duplicates: 0, tooLate: 0 });
  });

  it("carries a revised close into the zero-volume minutes after it", () => {
    const r = record();
    r.builder.addTrade(trade(1, APRIL_1 + 1000, 100, 1));
    r.builder.addTrade(trade(3, APRIL_1 + 4 * MINUTE + 1000, 104, 1)); // minutes 1..3 close flat at 100
    r.clear();
    r.builder.addTrade(trade(2, APRIL_1 + MINUTE + 5000, 95, 1));
    expect(r.of("revision", "1m").map((bar) => [bar.openTime - APRIL_1, bar.close, bar.trades])).toEqual([
      [MINUTE, 95, 1],
      [2 * MINUTE, 95, 0],
      [3 * MINUTE, 95, 0],
    ]);
    // open 5m 00:00 = trade minutes 0, 1, 4: o 100, h 104, l 95, c 104, v 3, n 3
    expect(ohlcv(r.of("live", "5m").at(-1))).toEqual([100, 104, 95, 104, 3, 3]);
  });

  it("drops trades older than retainMinutes and counts them", () => {
    const r = record({ retainMinutes: 10 });
    r.builder.addTrade(trade(1, APRIL_1 + 1000, 100, 1));
    r.builder.addTrade(trade(10, APRIL_1 + 20 * MINUTE + 1000, 100, 1));
    r.clear();
    r.builder.addTrade(trade(2, APRIL_1 + 5 * MINUTE, 50, 1)); // minute 5 < 20 - 10
    expect(r.events).toEqual([]);
    r.builder.addTrade(trade(3, APRIL_1 + 12 * MINUTE, 50, 1)); // minute 12 is retained
    // minute 12 and the zero-volume minutes 13..19 after it now close at 50
    expect(r.of("revision", "1m").map((bar) => [(bar.openTime - APRIL_1) / MINUTE, bar.close])).toEqual(
      [12, 13, 14, 15, 16, 17, 18, 19].map((minute) => [minute, 50]),
    );
    expect(r.builder.stats()).toEqual({ duplicates: 0, tooLate: 1 });
  });

  it("drops duplicate trade ids, accepts ids that fill a gap once", () => {
    const r = record();
    const at = APRIL_1 + 1000;
    for (const id of [1, 2, 2, 4, 3, 3, 1, 5]) r.builder.addTrade(trade(id, at + id, 100 + id, 1));
    r.builder.advance(APRIL_1 + MINUTE);
    // accepted 1, 2, 4, 3, 5: v 5, n 5; dropped 2, 3, 1
    expect(ohlcv(r.of("closed", "1m")[0])).toEqual([101, 105, 101, 105, 5, 5]);
    expect(r.builder.stats()).toEqual({ duplicates: 3, tooLate: 0 });
  });
});

describe("BarBuilder: empty minutes, symbols, options", () => {
  it("closes minutes and a 5m bar without trades at the previous close, never before a first close", () => {
    const r = record();
    r.builder.advance(APRIL_1); // nothing known yet
    r.builder.addTrade(trade(1, APRIL_1 + 10_000, 100, 1));
    r.builder.addTrade(trade(2, APRIL_1 + 12 * MINUTE + 1000, 110, 1));
    const closed = r.of("closed", "1m");
    expect(closed.map((bar) => (bar.openTime - APRIL_1) / MINUTE)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(closed.slice(1).every((bar) => bar.open === 100 && bar.close === 100 && bar.volume === 0 && bar.trades === 0)).toBe(true);
    // 5m 00:00: the trade minute sets the price; 5m 00:05: no trade at all → o=h=l=c=100, v 0
    expect(r.of("closed", "5m").map(ohlcv)).toEqual([[100, 100, 100, 100, 1, 1], [100, 100, 100, 100, 0, 0]]);
    expect(r.of("closed", "1m")[0]?.openTime).toBe(APRIL_1);
  });

  it("keeps symbols apart: one symbol's trades do not close another's bars; advance() closes all", () => {
    const r = record();
    r.builder.addTrade(trade(1, APRIL_1 + 10_000, 100, 1, BTC));
    r.builder.addTrade(trade(1, APRIL_1 + 3 * MINUTE, 2000, 5, ETH)); // same id, other symbol: not a duplicate
    expect(r.of("closed", "1m")).toEqual([]);
    r.builder.advance(APRIL_1 + 2 * MINUTE);
    expect(r.of("closed", "1m").map((bar) => [bar.symbol, bar.openTime - APRIL_1, bar.close, bar.volume])).toEqual([
      [BTC, 0, 100, 1],
      [BTC, MINUTE, 100, 0],
    ]);
    expect(r.builder.openBars(ETH).map((bar) => [bar.timeframe, bar.close, bar.volume])).toEqual([
      ["1m", 2000, 5], ["5m", 2000, 5], ["15m", 2000, 5], ["1h", 2000, 5], ["4h", 2000, 5], ["1d", 2000, 5],
    ]);
    expect(r.builder.stats().duplicates).toBe(0);
  });

  it("emits only the requested timeframes, one live event per timeframe and trade, on a reused object", () => {
    const seen: BarEvent[] = [];
    const builder = new BarBuilder({ latenessMs: 0, timeframes: ["1h", "1m"], onEvent: (event) => seen.push(event) });
    builder.addTrade(trade(1, APRIL_1 + 1000, 100, 1));
    builder.addTrade(trade(2, APRIL_1 + 2000, 101, 1));
    expect(seen.map((event) => `${event.kind} ${event.bar.timeframe}`)).toEqual(["live 1m", "live 1h", "live 1m", "live 1h"]);
    expect(seen[0]).toBe(seen[2]);
    expect(builder.openBars(BTC).map((bar) => [bar.timeframe, bar.high, bar.trades])).toEqual([["1m", 101, 2], ["1h", 101, 2]]);
  });

  it("rejects a trade with a bad price or quantity with a RangeError and changes nothing", () => {
    const r = record();
    r.builder.addTrade(trade(1, APRIL_1 + 1000, 100, 1));
    const before = r.builder.openBars(BTC);
    expect(() => r.builder.addTrade(trade(2, APRIL_1 + 2000, Number.NaN, 1))).toThrow(RangeError);
    expect(() => r.builder.addTrade(trade(3, APRIL_1 + 2000, 100, -1))).toThrow(/bad price, quantity or time/);
    expect(r.builder.openBars(BTC)).toEqual(before);
    expect(() => new BarBuilder({ latenessMs: -1, onEvent: () => {} })).toThrow(RangeError);
  });
});

describe("BarBuilder: long silences", () => {
  it("fills a silence up to the end of the open day bar, then leaves a hole longer than retainMinutes", () => {
    const r = record({ retainMinutes: 60, timeframes: ["1m", "1d"] });
    r.builder.addTrade(trade(1, APRIL_1 + 1000, 100, 1));
    r.builder.addTrade(trade(2, APRIL_1 + 3 * DAY + 1000, 120, 1)); // three days later
    const minutes = r.of("closed", "1m");
    // minute 00:00 with the trade, then flat minutes until the end of 2023-04-01 (1440 in all), then nothing
    expect(minutes).toHaveLength(1440);
    expect(minutes.at(-1)).toMatchObject({ openTime: APRIL_1 + DAY - MINUTE, close: 100, volume: 0 });
    expect(r.of("closed", "1d").map(ohlcv)).toEqual([[100, 100, 100, 100, 1, 1]]);
    expect(r.builder.openBars(BTC).map((bar) => [bar.timeframe, bar.openTime, bar.open])).toEqual([
      ["1m", APRIL_1 + 3 * DAY, 120],
      ["1d", APRIL_1 + 3 * DAY, 120],
    ]);
  });

  it("survives an absurd clock jump without filling it", () => {
    const r = record();
    r.builder.addTrade(trade(1, APRIL_1 + 1000, 100, 1));
    r.builder.advance(APRIL_1 + 1000 * 365 * DAY);
    expect(r.of("closed", "1m")).toHaveLength(1440);
  });
});
