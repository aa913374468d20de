/**
 * Binance spot WebSocket frames and REST kline rows → domain types. Pure (no I/O, no clock).
 *
 * Hot path: one `JSON.parse` per frame, then direct field checks (no schema library) and `Number()` on the
 * decimal strings. Every price/quantity must be a finite positive number, volumes finite and >= 0, and a
 * kline's high/low must bracket its open and close; anything else is `rejected` with a reason and changes
 * nothing. Protocol reference: ../shared/PROTOCOLS.md §1 (Binance spot).
 * Edit when Binance adds a stream type we consume, or when the domain `Bar`/`Trade` types change.
 */
import type { Bar, SymbolId, Trade } from "../bars/bar.ts";
import { TIMEFRAME_MS, isTimeframe } from "../time/timeframes.ts";
import type { Timeframe } from "../time/timeframes.ts";

/** What one WebSocket frame turned out to be. */
export type BinanceFrame =
  | { kind: "trade"; trade: Trade; eventTime: number }
  | { kind: "kline"; bar: Bar; closed: boolean; eventTime: number }
  | { kind: "shutdown"; eventTime: number }
  | { kind: "control"; id: number | string | null; result: unknown }
  | { kind: "error"; code: number; msg: string; id?: number | string | null }
  | { kind: "ignored"; reason: string }
  | { kind: "rejected"; reason: string };

type JsonObject = Record<string, unknown>;

let lastPrefix = "";
let lastTicker = "";
let lastSymbolId = "";

/**
 * Symbol id for an exchange ticker: `PREFIX:TICKER`, upper case (TradingView style).
 * Caches the last answer so the hot path reuses one string per symbol run.
 * @example exchangeSymbolId("btcusdt") // "BINANCE:BTCUSDT"
 * @example exchangeSymbolId("BTCTRY", "BINANCETR") // "BINANCETR:BTCTRY"
 */
export function exchangeSymbolId(ticker: string, exchangePrefix = "BINANCE"): SymbolId {
  if (ticker === lastTicker && exchangePrefix === lastPrefix) return lastSymbolId;
  lastPrefix = exchangePrefix;
  lastTicker = ticker;
  lastSymbolId = `${exchangePrefix}:${ticker.toUpperCase()}`;
  return lastSymbolId;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A Binance decimal (string, or number from lenient producers) as a finite number; NaN when ill-typed. */
function decimal(value: unknown): number {
  if (typeof value === "string") return value.length === 0 ? Number.NaN : Number(value);
  return typeof value === "number" ? value : Number.NaN;
}

function isPositive(value: number): boolean {
  return value > 0 && value !== Number.POSITIVE_INFINITY;
}

function isTimeMs(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value > 0;
}

function isId(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

function rejected(reason: string): BinanceFrame {
  return { kind: "rejected", reason };
}

/**
 * Parses one raw WebSocket text frame from Binance spot (combined-stream envelope or raw payload).
 * Symbol ids are `exchangePrefix + ":" + s` upper-cased. Never throws.
 * @example
 * parseBinanceFrame('{"stream":"btcusdt@trade","data":{"e":"trade","E":2,"s":"BTCUSDT","t":7,"p":"100.5","q":"0.2","T":1,"m":true}}')
 * // { kind: "trade", eventTime: 2, trade: { symbol: "BINANCE:BTCUSDT", id: 7, price: 100.5, quantity: 0.2, time: 1, buyerIsMaker: true, count: 1 } }
 */
export function parseBinanceFrame(text: string, exchangePrefix = "BINANCE"): BinanceFrame {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return rejected("invalid JSON");
  }
  return parseBinanceMessage(message, exchangePrefix);
}

/**
 * Same as {@link parseBinanceFrame} for a message that is already parsed (e.g. by a WebSocket client).
 * @example parseBinanceMessage({ result: null, id: 1 }) // { kind: "control", id: 1, result: null }
 */
export function parseBinanceMessage(message: unknown, exchangePrefix = "BINANCE"): BinanceFrame {
  if (!isObject(message)) return rejected("frame is not a JSON object");
  const stream = message.stream;
  if (typeof stream === "string") {
    const data = message.data;
    if (!isObject(data)) return rejected(`stream ${stream}: "data" is not an object`);
    return parsePayload(data, exchangePrefix, stream);
  }
  return parsePayload(message, exchangePrefix, "");
}

function parsePayload(payload: JsonObject, prefix: string, stream: string): BinanceFrame {
  switch (payload.e) {
    case "trade":
      return parseTrade(payload, prefix, false);
    case "aggTrade":
      return parseTrade(payload, prefix, true);
    case "kline":
      return parseKline(payload, prefix);
    case "serverShutdown":
      return isTimeMs(payload.E) ? { kind: "shutdown", eventTime: payload.E } : rejected("serverShutdown: bad E");
    case undefined:
      return parseUntyped(payload, stream);
    default:
      return typeof payload.e === "string"
        ? { kind: "ignored", reason: `event "${payload.e}" is not used` }
        : rejected('"e" is not a string');
  }
}

/** Payloads without an event type: control replies, errors, bookTicker and partial depth snapshots. */
function parseUntyped(payload: JsonObject, stream: string): BinanceFrame {
  if ("result" in payload && "id" in payload) {
    const id = payload.id;
    if (typeof id === "number" || typeof id === "string" || id === null) return { kind: "control", id, result: payload.result };
    return rejected("control reply: bad id");
  }
  if ("code" in payload || "msg" in payload) {
    const { code, msg } = payload;
    if (typeof code !== "number" || typeof msg !== "string") return rejected("error reply: bad code or msg");
    const id = payload.id;
    if (typeof id === "number" || typeof id === "string" || id === null) return { kind: "error", code, msg, id };
    return { kind: "error", code, msg };
  }
  if (stream.endsWith("@bookTicker") || ("u" in payload && "b" in payload && "a" in payload && "s" in payload)) {
    return { kind: "ignored", reason: "bookTicker is not used" };
  }
  if ("lastUpdateId" in payload && "bids" in payload) return { kind: "ignored", reason: "depth snapshot is not used" };
  return rejected("unrecognized message (no event type)");
}

function parseTrade(payload: JsonObject, prefix: string, aggregate: boolean): BinanceFrame {
  const s = payload.s;
  if (typeof s !== "string" || s.length === 0) return rejected(`${String(payload.e)}: bad symbol "s"`);
  const id = aggregate ? payload.a : payload.t;
  if (!isId(id)) return rejected(`${s} ${String(payload.e)}: bad trade id`);
  let count = 1;
  if (aggregate) {
    const first = payload.f;
    const last = payload.l;
    if (!isId(first) || !isId(last) || last < first) return rejected(`${s} aggTrade ${id}: bad f/l`);
    count = last - first + 1;
  }
  const price = decimal(payload.p);
  if (!isPositive(price)) return rejected(`${s} trade ${id}: bad price ${JSON.stringify(payload.p)}`);
  const quantity = decimal(payload.q);
  if (!isPositive(quantity)) return rejected(`${s} trade ${id}: bad quantity ${JSON.stringify(payload.q)}`);
  const time = payload.T;
  const eventTime = payload.E;
  if (!isTimeMs(time) || !isTimeMs(eventTime)) return rejected(`${s} trade ${id}: bad T or E`);
  const buyerIsMaker = payload.m;
  if (typeof buyerIsMaker !== "boolean") return rejected(`${s} trade ${id}: bad m`);
  const symbol = exchangeSymbolId(s, prefix);
  return { kind: "trade", eventTime, trade: { symbol, id, price, quantity, time, buyerIsMaker, count } };
}

interface OhlcvInput {
  openTime: unknown;
  closeTime: unknown;
  open: unknown;
  high: unknown;
  low: unknown;
  close: unknown;
  volume: unknown;
  trades: unknown;
}

/** Validates kline values shared by the WS kline and REST rows; returns a reason or the bar. */
function validateOhlcv(input: OhlcvInput, symbol: SymbolId, timeframe: Timeframe, source: Bar["source"]): Bar | string {
  const { openTime, closeTime, trades } = input;
  if (!isTimeMs(openTime)) return "bad open time";
  const size = TIMEFRAME_MS[timeframe];
  if (openTime % size !== 0) return `open time ${openTime} is not aligned to a UTC ${timeframe} boundary`;
  if (closeTime !== openTime + size - 1) return `close time ${String(closeTime)} does not end the ${timeframe} bar`;
  const open = decimal(input.open);
  const high = decimal(input.high);
  const low = decimal(input.low);
  const close = decimal(input.close);
  if (!isPositive(open) || !isPositive(high) || !isPositive(low) || !isPositive(close)) return "bad price";
  if (high < low || open > high || open < low || close > high || close < low) return "high/low do not bracket open/close";
  const volume = decimal(input.volume);
  if (!(volume >= 0) || volume === Number.POSITIVE_INFINITY) return "bad volume";
  if (!isId(trades)) return "bad trade count";
  return { symbol, timeframe, openTime, open, high, low, close, volume, trades, source };
}

function parseKline(payload: JsonObject, prefix: string): BinanceFrame {
  const k = payload.k;
  const s = payload.s;
  if (typeof s !== "string" || s.length === 0) return rejected('kline: bad symbol "s"');
  if (!isObject(k)) return rejected(`${s} kline: "k" is not an object`);
  const eventTime = payload.E;
  if (!isTimeMs(eventTime)) return rejected(`${s} kline: bad E`);
  if (typeof k.x !== "boolean") return rejected(`${s} kline: bad x`);
  const interval = k.i;
  if (typeof interval !== "string") return rejected(`${s} kline: bad interval`);
  if (!isTimeframe(interval)) return { kind: "ignored", reason: `kline interval ${interval} is not a Marketlens timeframe` };
  if (isTimeMs(k.t) && k.t % TIMEFRAME_MS[interval] !== 0) {
    return { kind: "ignored", reason: `kline ${interval} at ${k.t} is not UTC-aligned (time-zone stream)` };
  }
  const input = { openTime: k.t, closeTime: k.T, open: k.o, high: k.h, low: k.l, close: k.c, volume: k.v, trades: k.n };
  const bar = validateOhlcv(input, exchangeSymbolId(s, prefix), interval, "kline");
  if (typeof bar === "string") return rejected(`${s} kline ${interval}: ${bar}`);
  return { kind: "kline", bar, closed: k.x, eventTime };
}

/**
 * One row of REST `GET /api/v3/klines` (12-element array) → a `rest` bar, or null when the row is malformed
 * (same checks as WebSocket klines, plus closeTime = openTime + timeframe − 1). The caller must still drop a
 * row whose closeTime >= server time (the still-open candle).
 * @example
 * parseRestKlineRow([1634943780000, "60685.22", "60729.84", "60670.90", "60719.27", "21.63272", 1634943839999, "1313200.01", 617, "12.28", "745719.41", "0"], "BINANCE:BTCUSDT", "1m")
 * // { symbol: "BINANCE:BTCUSDT", timeframe: "1m", openTime: 1634943780000, open: 60685.22, high: 60729.84, low: 60670.9,
 * //   close: 60719.27, volume: 21.63272, trades: 617, source: "rest" }
 */
export function parseRestKlineRow(row: unknown, symbol: SymbolId, timeframe: Timeframe): Bar | null {
  if (!Array.isArray(row) || row.length < 9) return null;
  const input = {
    openTime: row[0],
    open: row[1],
    high: row[2],
    low: row[3],
    close: row[4],
    volume: row[5],
    closeTime: row[6],
    trades: row[8],
  };
  const bar = validateOhlcv(input, symbol, timeframe, "rest");
  return typeof bar === "string" ? null : bar;
}
