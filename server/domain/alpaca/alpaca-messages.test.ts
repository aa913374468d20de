import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseAlpacaEntry, parseAlpacaFrame, parseRfc3339 } from "./alpaca-messages.ts";

const dir = path.resolve(import.meta.dirname, "../../../fixtures/alpaca/ws/documented");
const frames = readFileSync(path.join(dir, "stocks-stream-server-frames.ndjson"), "utf8").trim().split("\n");
const documented = JSON.parse(readFileSync(path.join(dir, "stocks-stream-messages.json"), "utf8")) as {
  errors: unknown[][];
  data: Record<string, unknown>;
};

describe("parseAlpacaFrame on the documented session", () => {
  it("classifies connected, authenticated, subscription, quotes and trades", () => {
    const kinds = frames.map((frame) => parseAlpacaFrame(frame).map((message) => message.kind));
    expect(kinds).toEqual([["connected"], ["authenticated"], ["subscription"], ["ignored"], ["trade", "trade", "trade"], ["ignored"]]);
    const [subscription] = parseAlpacaFrame(frames[2]!);
    expect(subscription).toMatchObject({ kind: "subscription", lists: { trades: ["AAPL"], bars: ["*"], corrections: ["AAPL"], cancelErrors: ["AAPL"] } });
  });

  it("keeps trade order and ms precision of nanosecond timestamps", () => {
    const trades = parseAlpacaFrame(frames[4]!);
    // 2023-04-06T11:54:26Z = 1680782066000; .838232225 → 838 ms + 232225 ns
    expect(trades[0]).toMatchObject({ kind: "trade", trade: { symbol: "ALPACA:AAPL", id: 628, price: 162.92, quantity: 3, time: 1680782066838 }, nanos: 232225, timeText: "2023-04-06T11:54:26.838232225Z" });
    expect(trades[1]).toMatchObject({ trade: { time: 1680782066838 }, nanos: 562809 });
    expect(trades[2]).toMatchObject({ trade: { time: 1680782066839, price: 162.91, quantity: 71 }, nanos: 159730 }); // .83915973 = 839 ms + 159730 ns
  });

  it("parses the documented minute bar and an updated bar with the start of the minute as t", () => {
    const bar = parseAlpacaEntry(documented.data.minute_bar_b);
    // 2021-02-22T19:15:00Z = 1614021300000
    expect(bar).toEqual({ kind: "bar", updated: false, bar: { symbol: "ALPACA:SPY", timeframe: "1m", openTime: 1614021300000, open: 388.985, high: 389.13, low: 388.975, close: 389.12, volume: 49378, trades: 461, source: "kline" } });
    const updated = parseAlpacaEntry({ ...(documented.data.minute_bar_b as object), T: "u" });
    expect(updated).toMatchObject({ kind: "bar", updated: true, bar: { openTime: 1614021300000 } });
  });

  it("maps every documented error to an operator message; 402/405/406/409 are fatal", () => {
    const errors = documented.errors.map((frame) => parseAlpacaFrame(JSON.stringify(frame))[0]);
    expect(errors.map((error) => error?.kind === "error" && error.code)).toEqual([400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 500]);
    const byCode = new Map(errors.map((error) => [error?.kind === "error" ? error.code : 0, error]));
    expect(byCode.get(402)).toMatchObject({ fatal: true, operatorMessage: "Alpaca rejected the API keys (402 auth failed): check ALPACA_KEY_ID / ALPACA_SECRET_KEY" });
    expect(byCode.get(406)).toMatchObject({ fatal: true, operatorMessage: "connection limit exceeded (406): another process or tab holds the Alpaca stream; one stream per account" });
    expect(byCode.get(409)).toMatchObject({ fatal: true, operatorMessage: "insufficient subscription (409): your plan does not include this feed (use v2/iex on the free plan)" });
    expect(byCode.get(405)).toMatchObject({ fatal: true, operatorMessage: "symbol limit exceeded (405): your Alpaca plan allows fewer symbols than the active ALPACA symbols (free plan: 30); deactivate some in config/symbols.yaml or upgrade the plan" });
    expect(byCode.get(500)).toMatchObject({ fatal: false });
  });

  it("ignores q/d/c/x/l/s/i and rejects malformed entries with a reason", () => {
    for (const key of ["quote_q", "daily_bar_d", "trade_correction_c", "trade_cancel_error_x", "luld_l", "status_s", "imbalance_i"]) {
      expect(parseAlpacaEntry(documented.data[key]).kind).toBe("ignored");
    }
    expect(parseAlpacaFrame("not json")).toEqual([{ kind: "rejected", reason: "frame is not JSON" }]);
    expect(parseAlpacaFrame('{"T":"t"}')).toEqual([{ kind: "rejected", reason: "frame is not a JSON array" }]);
    expect(parseAlpacaEntry({ T: "t", S: "AAPL", i: 1, p: 1, s: 1, t: "yesterday" })).toEqual({ kind: "rejected", reason: "trade: bad timestamp yesterday" });
    expect(parseAlpacaEntry({ T: "b", S: "SPY", o: 1, h: 2, l: 1, c: 3, v: 1, t: "2021-02-22T19:15:00Z" })).toEqual({ kind: "rejected", reason: "bar: inconsistent OHLCV" });
    expect(parseAlpacaEntry({ T: "b", S: "SPY", o: 1, h: 1, l: 1, c: 1, v: 1, t: "2021-02-22T19:15:30Z" }).kind).toBe("rejected");
    expect(parseAlpacaEntry({ T: "zz" })).toEqual({ kind: "rejected", reason: "unknown message type zz" });
  });

  it("parses offsets and short fractions", () => {
    expect(parseRfc3339("2021-02-22T15:51:44.208Z")).toEqual({ ms: 1614009104208, nanos: 0 });
    expect(parseRfc3339("2021-02-22T10:51:44.5-05:00")).toEqual({ ms: 1614009104500, nanos: 0 });
  });
});
