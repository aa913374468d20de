/**
 * Alpaca market data v2 (stocks) WebSocket frames → typed messages (docs: shared PROTOCOLS.md §2). Pure.
 * Every server frame is a JSON array; each entry is classified: success (connected/authenticated), error
 * {code,msg} with an operator message, subscription (the full current lists), `t` trade, `b` minute bar,
 * `u` updated bar (a revision with the same `t`). q/d/c/x/l/s/i are recognised and ignored; anything else,
 * or a known type with bad fields, is rejected with a reason.
 * Timestamps are RFC-3339 with up to nanosecond precision: `time` keeps milliseconds (truncated, so the order
 * is never inverted), `timeText` the original string and `nanos` the sub-millisecond remainder (0–999,999).
 */
import type { Bar, SymbolId, Trade } from "../bars/bar.ts";

export type AlpacaMessage =
  | { kind: "connected" }
  | { kind: "authenticated" }
  | { kind: "error"; code: number; msg: string; operatorMessage: string; fatal: boolean }
  | { kind: "subscription"; lists: Record<string, string[]> }
  | { kind: "trade"; trade: Trade; exchangeTradeId: number; timeText: string; nanos: number }
  | { kind: "bar"; bar: Bar; updated: boolean }
  | { kind: "ignored"; type: string }
  | { kind: "rejected"; reason: string };

const IGNORED = new Set(["q", "d", "c", "x", "l", "s", "i"]);
const MINUTE = 60_000;

/** Error codes after which reconnecting cannot help: the operator must act. */
export const FATAL_ERROR_CODES: ReadonlySet<number> = new Set([402, 405, 406, 409]);

const OPERATOR_MESSAGES: Record<number, string> = {
  400: "invalid syntax (400): the client sent a malformed message",
  401: "not authenticated (401): a message was sent before auth",
  402: "Alpaca rejected the API keys (402 auth failed): check ALPACA_KEY_ID / ALPACA_SECRET_KEY",
  403: "already authenticated (403)",
  404: "auth timeout (404): no auth message within 10 s",
  405: "symbol limit exceeded (405): your Alpaca plan allows fewer symbols than the active ALPACA symbols (free plan: 30); deactivate some in config/symbols.yaml or upgrade the plan",
  406: "connection limit exceeded (406): another process or tab holds the Alpaca stream; one stream per account",
  407: "slow client (407): the client does not read fast enough",
  408: "v2 not enabled (408)",
  409: "insufficient subscription (409): your plan does not include this feed (use v2/iex on the free plan)",
  500: "Alpaca internal error (500)",
};

/**
 * The message an operator should read for an Alpaca error code.
 * @example operatorMessage(406, "connection limit exceeded") // "connection limit exceeded (406): another process ..."
 */
export function operatorMessage(code: number, msg: string): string {
  return OPERATOR_MESSAGES[code] ?? `Alpaca error ${code}: ${msg}`;
}

/**
 * Parses an RFC-3339 timestamp with up to 9 fractional digits and a Z or ±hh:mm offset.
 * @example parseRfc3339("2023-04-06T11:54:26.838232225Z") // { ms: 1680782066838, nanos: 232225 }
 */
export function parseRfc3339(text: string): { ms: number; nanos: number } | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(text);
  if (!match) return null;
  const [, y, mo, d, h, mi, s, fraction = "", zone] = match;
  const digits = fraction.padEnd(9, "0");
  const base = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (!Number.isFinite(base)) return null;
  let offset = 0;
  if (zone !== "Z") {
    const sign = zone!.startsWith("-") ? -1 : 1;
    offset = sign * (Number(zone!.slice(1, 3)) * 60 + Number(zone!.slice(4, 6))) * MINUTE;
  }
  return { ms: base - offset + Number(digits.slice(0, 3)), nanos: Number(digits.slice(3)) };
}

const isNumber = (value: unknown): value is number => typeof value === "number" && Number.isFinite(value);
const isText = (value: unknown): value is string => typeof value === "string" && value.length > 0;

function parseTrade(entry: Record<string, unknown>, exchange: string): AlpacaMessage {
  const { S, i, p, s, t } = entry;
  if (!isText(S) || !isNumber(i) || !isNumber(p) || !isNumber(s) || !isText(t)) return { kind: "rejected", reason: "trade: missing or bad S/i/p/s/t" };
  const time = parseRfc3339(t);
  if (!time) return { kind: "rejected", reason: `trade: bad timestamp ${t}` };
  if (!(p > 0 && s > 0)) return { kind: "rejected", reason: "trade: non-positive price or size" };
  const trade: Trade = { symbol: `${exchange}:${S}`, id: i, price: p, quantity: s, time: time.ms, buyerIsMaker: false, count: 1 };
  return { kind: "trade", trade, exchangeTradeId: i, timeText: t, nanos: time.nanos };
}

function parseBar(entry: Record<string, unknown>, exchange: string, updated: boolean): AlpacaMessage {
  const { S, o, h, l, c, v, n, t } = entry;
  if (!isText(S) || !isNumber(o) || !isNumber(h) || !isNumber(l) || !isNumber(c) || !isNumber(v) || !isText(t)) {
    return { kind: "rejected", reason: "bar: missing or bad S/o/h/l/c/v/t" };
  }
  const time = parseRfc3339(t);
  if (!time) return { kind: "rejected", reason: `bar: bad timestamp ${t}` };
  if (time.ms % MINUTE !== 0 || time.nanos !== 0) return { kind: "rejected", reason: `bar: ${t} is not the start of a minute` };
  if (!(l > 0 && h >= l && o >= l && o <= h && c >= l && c <= h && v >= 0)) return { kind: "rejected", reason: "bar: inconsistent OHLCV" };
  const trades = isNumber(n) && n >= 0 ? n : 0;
  const bar: Bar = { symbol: `${exchange}:${S}` as SymbolId, timeframe: "1m", openTime: time.ms, open: o, high: h, low: l, close: c, volume: v, trades, source: "kline" };
  return { kind: "bar", bar, updated };
}

/** Classifies one entry of a frame. */
export function parseAlpacaEntry(entry: unknown, exchange = "ALPACA"): AlpacaMessage {
  if (!entry || typeof entry !== "object" || Array.isArray(entry)) return { kind: "rejected", reason: "entry is not an object" };
  const record = entry as Record<string, unknown>;
  const type = record.T;
  if (!isText(type)) return { kind: "rejected", reason: "entry has no T" };
  switch (type) {
    case "success":
      if (record.msg === "connected") return { kind: "connected" };
      if (record.msg === "authenticated") return { kind: "authenticated" };
      return { kind: "rejected", reason: `success: unknown msg ${String(record.msg)}` };
    case "error": {
      if (!isNumber(record.code)) return { kind: "rejected", reason: "error: no code" };
      const msg = typeof record.msg === "string" ? record.msg : "";
      return { kind: "error", code: record.code, msg, operatorMessage: operatorMessage(record.code, msg), fatal: FATAL_ERROR_CODES.has(record.code) };
    }
    case "subscription": {
      const lists: Record<string, string[]> = {};
      for (const [key, value] of Object.entries(record)) {
        if (key !== "T" && Array.isArray(value)) lists[key] = value.filter((item): item is string => typeof item === "string");
      }
      return { kind: "subscription", lists };
    }
    case "t":
      return parseTrade(record, exchange);
    case "b":
    case "u":
      return parseBar(record, exchange, type === "u");
    default:
      return IGNORED.has(type) ? { kind: "ignored", type } : { kind: "rejected", reason: `unknown message type ${type}` };
  }
}

/**
 * Parses one server frame (a JSON array) into messages, in order.
 * @example parseAlpacaFrame('[{"T":"success","msg":"connected"}]') // [{ kind: "connected" }]
 */
export function parseAlpacaFrame(text: string, exchange = "ALPACA"): AlpacaMessage[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return [{ kind: "rejected", reason: "frame is not JSON" }];
  }
  if (!Array.isArray(parsed)) return [{ kind: "rejected", reason: "frame is not a JSON array" }];
  return parsed.map((entry) => parseAlpacaEntry(entry, exchange));
}
