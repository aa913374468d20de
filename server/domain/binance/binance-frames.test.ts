import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { exchangeSymbolId, parseBinanceFrame, parseBinanceMessage, parseRestKlineRow } from "./binance-frames.ts";
import type { BinanceFrame } from "./binance-frames.ts";

const fixture = (relative: string) => readFileSync(resolve(import.meta.dirname, "../../../fixtures/binance", relative), "utf8");
const kindOf = (frame: BinanceFrame) => (frame.kind === "rejected" || frame.kind === "ignored" ? `${frame.kind}: ${frame.reason}` : frame.kind);

/** A valid combined-stream trade frame with `data` fields overridden. */
function tradeFrame(overrides: Record<string, unknown> = {}): string {
  const data = { e: "trade", E: 1639351062244, s: "ETHUSDT", t: 705291099, p: "4149.74000000", q: "0.43870000", T: 1639351062243, m: true, M: true, ...overrides };
  return JSON.stringify({ stream: "ethusdt@trade", data });
}

function klineFrame(overrides: Record<string, unknown> = {}): string {
  const k = { t: 1672515780000, T: 1672515839999, s: "BNBBTC", i: "1m", f: 100, L: 200, o: "0.0016", c: "0.0020", h: "0.0025", l: "0.0015", v: "1000", n: 100, x: false, ...overrides };
  return JSON.stringify({ e: "kline", E: 1672515782136, s: "BNBBTC", k });
}

describe("parseBinanceFrame: trades", () => {
  it("parses the recorded combined-stream trade (nautilus, ETHUSDT 2021-12-12)", () => {
    expect(parseBinanceFrame(fixture("ws/recorded/nautilus-ws_spot_trade.json"))).toEqual({
      kind: "trade",
      eventTime: 1639351062244,
      trade: { symbol: "BINANCE:ETHUSDT", id: 705291099, price: 4149.74, quantity: 0.4387, time: 1639351062243, buyerIsMaker: true, count: 1 },
    });
  });

  it("parses raw documented trade and aggTrade payloads; an aggTrade counts l - f + 1 trades", () => {
    expect(parseBinanceFrame(fixture("ws/documented/trade.json"))).toMatchObject({ kind: "trade", trade: { symbol: "BINANCE:BNBBTC", id: 12345, price: 0.001, quantity: 100, count: 1 } });
    // f 100, l 105: 105 - 100 + 1 = 6 trades
    expect(parseBinanceFrame(fixture("ws/documented/aggTrade.json"))).toMatchObject({ kind: "trade", eventTime: 1672515782136, trade: { id: 12345, count: 6, buyerIsMaker: true } });
    expect(parseBinanceFrame(fixture("ws/recorded/nautilus-ws_spot_agg_trade.json"))).toMatchObject({
      kind: "trade",
      trade: { symbol: "BINANCE:ETHUSDT", id: 226532, price: 1632.46, quantity: 0.34305, time: 1675759520847, buyerIsMaker: false, count: 1 },
    });
  });

  it("uses the exchange prefix for symbol ids", () => {
    expect(parseBinanceFrame(tradeFrame({ s: "ethusdt" }), "BINANCEUS")).toMatchObject({ trade: { symbol: "BINANCEUS:ETHUSDT" } });
    expect(exchangeSymbolId("btctry", "BINANCETR")).toBe("BINANCETR:BTCTRY");
    expect(exchangeSymbolId("BTCUSDT")).toBe("BINANCE:BTCUSDT");
  });

  it.each([
    ["price NaN", { p: "abc" }, /bad price/],
    ["price zero", { p: "0.00000000" }, /bad price/],
    ["price negative", { p: "-1" }, /bad price/],
    ["price infinite", { p: "Infinity" }, /bad price/],
    ["price empty", { p: "" }, /bad price/],
    ["price missing", { p: undefined }, /bad price/],
    ["quantity zero", { q: "0" }, /bad quantity/],
    ["quantity boolean", { q: true }, /bad quantity/],
    ["trade id missing", { t: undefined }, /bad trade id/],
    ["trade id fractional", { t: 1.5 }, /bad trade id/],
    ["trade time string", { T: "1639351062243" }, /bad T or E/],
    ["event time missing", { E: undefined }, /bad T or E/],
    ["maker flag missing", { m: undefined }, /bad m/],
    ["symbol missing", { s: undefined }, /bad symbol/],
  ])("rejects a trade with %s", (_name, overrides, reason) => {
    const frame = parseBinanceFrame(tradeFrame(overrides));
    expect(frame.kind).toBe("rejected");
    expect(frame.kind === "rejected" && frame.reason).toMatch(reason);
  });

  it("rejects an aggTrade whose last trade id is below its first", () => {
    expect(kindOf(parseBinanceFrame(fixture("ws/documented/aggTrade.json").replace('"l": 105', '"l": 99')))).toMatch(/rejected: .*bad f\/l/);
  });
});

describe("parseBinanceFrame: klines", () => {
  it("parses an open kline; rejects the documented example, whose illustrative open 0.0010 is below its low 0.0015", () => {
    expect(parseBinanceFrame(klineFrame())).toEqual({
      kind: "kline",
      closed: false,
      eventTime: 1672515782136,
      bar: { symbol: "BINANCE:BNBBTC", timeframe: "1m", openTime: 1672515780000, open: 0.0016, high: 0.0025, low: 0.0015, close: 0.002, volume: 1000, trades: 100, source: "kline" },
    });
    expect(kindOf(parseBinanceFrame(fixture("ws/documented/kline_1m.json")))).toBe("rejected: BNBBTC kline 1m: high/low do not bracket open/close");
  });

  it("parses the recorded x:true klines", () => {
    const recorded = fixture("ws/recorded/kline-aggTrade-frames.ndjson").split("\n").filter((line) => line.includes('"x":true'));
    expect(recorded).toHaveLength(5);
    expect(parseBinanceFrame(recorded[0] ?? "")).toMatchObject({
      kind: "kline",
      closed: true,
      eventTime: 1633998301755,
      bar: { symbol: "BINANCE:OMGBUSD", openTime: 1633998240000, open: 13.7212, high: 13.8076, low: 13.7212, close: 13.7664, volume: 536.51, trades: 14 },
    });
    // Binance TR minute without trades: n 0, v 0, o=h=l=c = previous close
    expect(parseBinanceFrame(recorded[3] ?? "")).toMatchObject({ kind: "kline", closed: true, bar: { symbol: "BINANCE:BELBTC", volume: 0, trades: 0, open: 0.00002369, close: 0.00002369 } });
  });

  it("parses every frame of the recorded kline/aggTrade file", () => {
    const frames = fixture("ws/recorded/kline-aggTrade-frames.ndjson").split("\n").filter((line) => line.trim() !== "").map((line) => parseBinanceFrame(line));
    expect(frames.map((frame) => frame.kind).sort()).toEqual([...Array<string>(15).fill("kline"), ...Array<string>(13).fill("trade")]);
  });

  it("ignores intervals that are not Marketlens timeframes and non-UTC-aligned (time-zone) klines", () => {
    expect(kindOf(parseBinanceFrame(klineFrame({ i: "3m" })))).toBe("ignored: kline interval 3m is not a Marketlens timeframe");
    expect(kindOf(parseBinanceFrame(klineFrame({ i: "1s" })))).toMatch(/^ignored/);
    // a @kline_1d@+08:00 stream opens at 16:00 UTC
    expect(kindOf(parseBinanceFrame(klineFrame({ i: "1d", t: 1672502400000 - 8 * 3600000, T: 1672588799999 - 8 * 3600000 })))).toMatch(/^ignored: .*not UTC-aligned/);
  });

  it.each([
    ["high below low", { h: "0.0010", l: "0.0015" }, /bracket/],
    ["close above high", { c: "0.0030" }, /bracket/],
    ["negative volume", { v: "-1" }, /bad volume/],
    ["zero open", { o: "0" }, /bad price/],
    ["NaN low", { l: "x" }, /bad price/],
    ["fractional trade count", { n: 1.5 }, /bad trade count/],
    ["close time not ending the bar", { T: 1672515840000 }, /close time/],
    ["missing x", { x: undefined }, /bad x/],
  ])("rejects a kline with %s", (_name, overrides, reason) => {
    const frame = parseBinanceFrame(klineFrame(overrides));
    expect(frame.kind === "rejected" && frame.reason).toMatch(reason);
  });
});

describe("parseBinanceFrame: control, errors, shutdown, other streams, garbage", () => {
  it("recognizes serverShutdown raw and in the !serverShutdown envelope", () => {
    expect(parseBinanceFrame(fixture("ws/documented/serverShutdown-raw.json"))).toEqual({ kind: "shutdown", eventTime: 1770123456789 });
    expect(parseBinanceFrame(fixture("ws/documented/serverShutdown-combined-envelope.json"))).toEqual({ kind: "shutdown", eventTime: 1770123456789 });
  });

  it("turns the documented control replies into control results and errors into errors", () => {
    const messages = JSON.parse(fixture("ws/documented/control-messages.json")) as { name: string; message: unknown }[];
    const replies = messages.filter((entry) => entry.name.endsWith("-response")).map((entry) => parseBinanceMessage(entry.message));
    expect(replies).toEqual([
      { kind: "control", id: 1, result: null },
      { kind: "control", id: 312, result: null },
      { kind: "control", id: 3, result: ["btcusdt@aggTrade"] },
      { kind: "control", id: 5, result: null },
      { kind: "control", id: 2, result: true },
    ]);
    expect(parseBinanceFrame('{"code":2,"msg":"Invalid request: unknown variant"}')).toEqual({ kind: "error", code: 2, msg: "Invalid request: unknown variant" });
    expect(parseBinanceFrame('{"code":"2","msg":"x"}').kind).toBe("rejected");
  });

  it("ignores recorded depthUpdate and bookTicker frames (cryptofeed, Binance 2021-10-12)", () => {
    const lines = fixture("ws/recorded/cryptofeed-BINANCE.ws.1.0.txt").split("\n").slice(1).filter((line) => line.includes(": {"));
    const frames = lines.map((line) => parseBinanceFrame(line.slice(line.indexOf(": ") + 2)));
    const counts = new Map<string, number>();
    for (const frame of frames) counts.set(kindOf(frame), (counts.get(kindOf(frame)) ?? 0) + 1);
    expect(Object.fromEntries(counts)).toEqual({ 'ignored: event "depthUpdate" is not used': 177, "ignored: bookTicker is not used": 84, kline: 2, trade: 2 });
  });

  it.each([
    ["invalid JSON", "{", /invalid JSON/],
    ["a JSON array", "[1,2]", /not a JSON object/],
    ["a number", "42", /not a JSON object/],
    ["an envelope without data", '{"stream":"btcusdt@trade","data":null}', /"data" is not an object/],
    ["an object of no known shape", '{"hello":"world"}', /unrecognized/],
    ["a non-string event type", '{"e":5}', /"e" is not a string/],
  ])("rejects %s", (_name, text, reason) => {
    const frame = parseBinanceFrame(text);
    expect(frame.kind === "rejected" && frame.reason).toMatch(reason);
  });
});

describe("parseRestKlineRow", () => {
  const rows = JSON.parse(fixture("rest/recorded/nautilus-http_spot_market_klines-BTCUSDT-1m.json")) as unknown[][];

  it("parses the recorded /api/v3/klines rows into rest bars", () => {
    expect(parseRestKlineRow(rows[0], "BINANCE:BTCUSDT", "1m")).toEqual({
      symbol: "BINANCE:BTCUSDT", timeframe: "1m", openTime: 1634943780000, open: 60685.22, high: 60729.84, low: 60670.9, close: 60719.27, volume: 21.63272, trades: 617, source: "rest",
    });
    expect(rows.map((row) => parseRestKlineRow(row, "BINANCE:BTCUSDT", "1m")?.trades)).toEqual([617, 769, 722, 673, 491, 593, 393, 414, 375, 7]);
  });

  it("returns null for malformed rows", () => {
    const good = rows[0] ?? [];
    const with_ = (index: number, value: unknown) => good.map((item, position) => (position === index ? value : item));
    expect(parseRestKlineRow(good, "BINANCE:BTCUSDT", "5m")).toBeNull(); // closeTime is not openTime + 5m - 1
    expect(parseRestKlineRow(good.slice(0, 5), "BINANCE:BTCUSDT", "1m")).toBeNull();
    expect(parseRestKlineRow({ 0: 1 }, "BINANCE:BTCUSDT", "1m")).toBeNull();
    expect(parseRestKlineRow(with_(0, "1634943780000"), "BINANCE:BTCUSDT", "1m")).toBeNull();
    expect(parseRestKlineRow(with_(2, "60000.00"), "BINANCE:BTCUSDT", "1m")).toBeNull(); // high < open
    expect(parseRestKlineRow(with_(5, "-0.1"), "BINANCE:BTCUSDT", "1m")).toBeNull();
    expect(parseRestKlineRow(with_(8, null), "BINANCE:BTCUSDT", "1m")).toBeNull();
  });
});
