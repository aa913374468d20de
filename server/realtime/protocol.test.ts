import { describe, expect, it } from "vitest";
import { parseClientRequest, streamIdOf } from "./protocol.ts";
import { parseBarEvent } from "./stream-hub.ts";

describe("gateway protocol", () => {
  it("parses subscribe, upper-casing the symbol", () => {
    expect(parseClientRequest('{"op":"subscribe","symbol":"binance:btcusdt","timeframe":"1m"}')).toEqual({
      ok: true,
      value: { op: "subscribe", symbol: "BINANCE:BTCUSDT", timeframe: "1m", stream: "BINANCE:BTCUSDT:1m" },
    });
    expect(parseClientRequest('{"op":"ping"}')).toEqual({ ok: true, value: { op: "ping" } });
  });

  it.each([
    ["{", /invalid JSON/],
    ["[1]", /expected a JSON object/],
    ['{"op":"sub"}', /unknown op "sub"/],
    ['{"op":"subscribe","timeframe":"1m"}', /invalid symbol nothing/],
    ['{"op":"subscribe","symbol":"BTC USDT","timeframe":"1m"}', /invalid symbol "BTC USDT"/],
    ['{"op":"unsubscribe","symbol":"BINANCE:BTCUSDT","timeframe":"1w"}', /unknown timeframe "1w": expected one of 1m, 5m, 15m, 1h, 4h, 1d/],
  ])("rejects %s with a readable error", (text, message) => {
    const result = parseClientRequest(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(message);
  });

  it("accepts well-formed BarEvents and drops malformed ones", () => {
    const stream = streamIdOf("BINANCE:BTCUSDT", "1m");
    const bar = { symbol: "BINANCE:BTCUSDT", timeframe: "1m", openTime: 0, open: 1, high: 1, low: 1, close: 1, volume: 0, trades: 0, source: "kline" };
    expect(parseBarEvent(stream, JSON.stringify({ stream, epoch: "e", seq: 1, kind: "closed", bar }))).toMatchObject({ type: "bar", seq: 1, kind: "closed" });
    expect(parseBarEvent(stream, JSON.stringify({ stream, epoch: "e", seq: 1.5, kind: "closed", bar }))).toBeUndefined();
    expect(parseBarEvent(stream, JSON.stringify({ stream, epoch: "e", seq: 1, kind: "open", bar }))).toBeUndefined();
    expect(parseBarEvent(stream, JSON.stringify({ stream: "OTHER:X:1m", epoch: "e", seq: 1, kind: "live", bar }))).toBeUndefined();
    expect(parseBarEvent(stream, JSON.stringify({ stream, epoch: "e", seq: 1, kind: "live", bar: { ...bar, close: "1" } }))).toBeUndefined();
    expect(parseBarEvent(stream, "nope")).toBeUndefined();
  });
});
