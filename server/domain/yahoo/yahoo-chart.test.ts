/**
 * Yahoo v8 chart parser on the recorded responses in fixtures/yahoo/chart (yahoo-finance2's HTTP fixtures,
 * see fixtures/SOURCES.md). Rows with nulls are made from a recorded response by nulling values, because no
 * recorded chart with null candles exists (PROTOCOLS §3 describes them from the library's types and issues).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseYahooChartResponse, parseYahooChartResult, roundTo, YahooChartError, yahooIntervalFor } from "./yahoo-chart.ts";

const FIXTURES = path.resolve(import.meta.dirname, "../../../fixtures/yahoo/chart");
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
const body = (file: string): Json => (JSON.parse(readFileSync(path.join(FIXTURES, file), "utf8")) as Json).response.bodyJson;
const LATER = Date.UTC(2026, 0, 1);

describe("parseYahooChartResponse (recorded fixtures)", () => {
  it("moves XETRA daily bars stamped at the 07:00Z open to 00:00 UTC of the Berlin date and rounds with priceHint", () => {
    const parsed = parseYahooChartResponse(body("chart-WSU.DE-2023-08-04-to-2023-08-09.json"), { symbol: "YAHOO:WSU.DE", interval: "1d", now: LATER });
    // timestamps 1691132400 (2023-08-04T07:00Z), 1691391600 (08-07), 1691478000 (08-08)
    expect(parsed.bars.map((bar) => new Date(bar.openTime).toISOString())).toEqual(["2023-08-04T00:00:00.000Z", "2023-08-07T00:00:00.000Z", "2023-08-08T00:00:00.000Z"]);
    // 34.25 / 34.54999923706055 / 34.099998474121094 / 34.45000076293945, priceHint 2
    expect(parsed.bars[0]).toMatchObject({ symbol: "YAHOO:WSU.DE", timeframe: "1d", open: 34.25, high: 34.55, low: 34.1, close: 34.45, volume: 1251, trades: 0, source: "rest" });
    expect(parsed.skippedNullRows).toBe(0);
    expect(parsed.meta.exchangeTimezoneName).toBe("Europe/Berlin");
  });

  it("New York daily bars stamped 13:30Z land on the New York date (never gmtoffset)", () => {
    const parsed = parseYahooChartResponse(body("chart-AAPL-2020-08-31-to-2020-11-07.json"), { symbol: "YAHOO:AAPL", interval: "1d", now: LATER });
    expect(parsed.bars).toHaveLength(49);
    // 1598880600 = 2020-08-31T13:30:00Z → 2020-08-31; open 127.58000183105469 → 127.58, close 129.0399932861328 → 129.04
    expect(parsed.bars[0]).toMatchObject({ openTime: Date.UTC(2020, 7, 31), open: 127.58, high: 131, low: 126, close: 129.04, volume: 225_702_700 });
    const days = parsed.bars.map((bar) => bar.openTime);
    expect(new Set(days).size).toBe(days.length);
    expect(days.every((day) => day % 86_400_000 === 0)).toBe(true);
  });

  it("FX: priceHint 4 and volume 0 are kept", () => {
    const parsed = parseYahooChartResponse(body("chart-EURUSD=X-2020-01-01-to-2020-01-03.json"), { symbol: "YAHOO:EURUSD=X", interval: "1d", now: LATER });
    // 1.1220825910568237 → 1.1221; 1.1228384971618652 → 1.1228
    expect(parsed.bars[0]).toMatchObject({ openTime: Date.UTC(2020, 0, 1), open: 1.1221, high: 1.1228, low: 1.1159, close: 1.1221, volume: 0 });
  });

  it("a weekend 1m range (no timestamp key, quote [{}]) gives no bars and no error", () => {
    const parsed = parseYahooChartResponse(body("chart-AAPL-2025-02-01-to-2025-02-02-includePrePost-false-interval-1m.json"), { symbol: "YAHOO:AAPL", interval: "1m", now: LATER });
    expect(parsed.bars).toEqual([]);
    expect(parsed.skippedNullRows).toBe(0);
  });

  it("skips rows with a null price and counts them; null volume with prices present becomes 0", () => {
    const recorded = body("chart-BTC-USD-2020-01-01-to-2020-01-03.json");
    const quote = recorded.chart.result[0].indicators.quote[0];
    quote.close[1] = null;
    quote.volume[2] = null;
    const parsed = parseYahooChartResponse(recorded, { symbol: "YAHOO:BTC-USD", interval: "1d", now: LATER });
    expect(parsed.skippedNullRows).toBe(1);
    expect(parsed.bars.map((bar) => bar.openTime)).toEqual([Date.UTC(2020, 0, 1), Date.UTC(2020, 0, 3)]);
    expect(parsed.bars[1]).toMatchObject({ close: 7344.88, volume: 0 });
  });

  it("Yahoo's error object (result null) becomes a YahooChartError with code and description", () => {
    const error = { chart: { result: null, error: { code: "Not Found", description: "No data found, symbol may be delisted" } } };
    expect(() => parseYahooChartResponse(error, { symbol: "YAHOO:NOPE.IS", interval: "1m", now: LATER })).toThrowError(YahooChartError);
    try {
      parseYahooChartResponse(error, { symbol: "YAHOO:NOPE.IS", interval: "1m", now: LATER });
    } catch (caught) {
      expect(caught).toMatchObject({ code: "Not Found", description: "No data found, symbol may be delisted" });
    }
  });

  it("a malformed body is refused with a clear message", () => {
    expect(() => parseYahooChartResponse({ chart: { result: [{ meta: {} }], error: null } }, { symbol: "YAHOO:X", interval: "1m", now: LATER })).toThrowError(/exchangeTimezoneName|meta/);
    expect(() => parseYahooChartResponse("Too Many Requests", { symbol: "YAHOO:X", interval: "1m", now: LATER })).toThrowError(/not a v8 chart response/);
  });
});

describe("parseYahooChartResult: the forming bar", () => {
  // An intraday result on the recorded AAPL 1m meta, with three minutes inside the session of 2025-02-20 (14:30Z open).
  const open = 1740061800; // 2025-02-20T14:30:00Z = currentTradingPeriod.regular.start
  const intraday = (regularMarketTime: number) => {
    const recorded = body("chart-AAPL-2025-02-01-to-2025-02-02-includePrePost-false-interval-1m.json").chart.result[0];
    recorded.meta.regularMarketTime = regularMarketTime;
    recorded.timestamp = [open, open + 60, open + 120];
    recorded.indicators.quote = [{ open: [1, 2, 3], high: [1, 2, 3], low: [1, 2, 3], close: [1, 2, 3], volume: [10, 20, 30] }];
    return recorded;
  };

  it("drops the last minute while the session runs and Yahoo's last trade lies inside it", () => {
    const parsed = parseYahooChartResult(intraday(open + 150), { symbol: "YAHOO:AAPL", interval: "1m", now: (open + 160) * 1000 });
    expect(parsed.bars.map((bar) => bar.openTime / 1000)).toEqual([open, open + 60]);
    expect(parsed.droppedForming).toBe(true);
  });

  it("keeps it once the session is over", () => {
    const parsed = parseYahooChartResult(intraday(open + 150), { symbol: "YAHOO:AAPL", interval: "1m", now: (1740085200 + 60) * 1000 });
    expect(parsed.bars).toHaveLength(3);
    expect(parsed.droppedForming).toBe(false);
  });

  it("never returns a minute that has not ended at now", () => {
    const parsed = parseYahooChartResult(intraday(open + 200), { symbol: "YAHOO:AAPL", interval: "1m", now: (open + 150) * 1000 });
    expect(parsed.bars.map((bar) => bar.openTime / 1000)).toEqual([open, open + 60]);
  });

  it("accepts yahoo-finance2's object form (Date where Yahoo sends seconds)", () => {
    const result = intraday(open + 150);
    result.meta.regularMarketTime = new Date((open + 150) * 1000);
    result.meta.currentTradingPeriod.regular.start = new Date(open * 1000);
    result.meta.currentTradingPeriod.regular.end = new Date(1740085200 * 1000);
    const parsed = parseYahooChartResult(result, { symbol: "YAHOO:AAPL", interval: "1m", now: (open + 160) * 1000 });
    expect(parsed.bars).toHaveLength(2);
  });

  it("drops today's daily bar while its session runs", () => {
    const recorded = body("chart-WSU.DE-2023-08-04-to-2023-08-09.json").chart.result[0];
    recorded.meta.currentTradingPeriod.regular = { start: 1691478000, end: 1691508600 }; // 2023-08-08 07:00Z–15:30Z
    const during = parseYahooChartResult(recorded, { symbol: "YAHOO:WSU.DE", interval: "1d", now: Date.UTC(2023, 7, 8, 12) });
    expect(during.bars).toHaveLength(2);
    const after = parseYahooChartResult(recorded, { symbol: "YAHOO:WSU.DE", interval: "1d", now: Date.UTC(2023, 7, 8, 16) });
    expect(after.bars).toHaveLength(3);
  });
});

describe("helpers", () => {
  it("roundTo and the interval map", () => {
    expect(roundTo(1.2666670083999634, 4)).toBe(1.2667);
    expect(yahooIntervalFor("1h")).toBe("60m");
    expect(yahooIntervalFor("4h")).toBeNull();
  });
});
