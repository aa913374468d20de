/**
 * Wire protocol of the realtime gateway (docs/websocket.md): client requests are parsed here with
 * readable errors, server messages are typed here. Edit together with docs/websocket.md and
 * components/chart/live-protocol.ts (the browser's copy of these types).
 */
import type { Bar, SymbolId } from "../domain/bars/bar.ts";
import { TIMEFRAMES, isTimeframe, type Timeframe } from "../domain/time/timeframes.ts";
import { SYMBOL_ID_HINT, normalizeSymbolId } from "../services/symbol-id.ts";

export type BarEventKind = "live" | "closed" | "revision";
export const BAR_EVENT_KINDS: readonly BarEventKind[] = ["live", "closed", "revision"];

/** `BINANCE:BTCUSDT:1m`: a symbol id plus a timeframe. */
export type StreamId = string;

export type ClientRequest =
  | { op: "subscribe"; symbol: SymbolId; timeframe: Timeframe; stream: StreamId }
  | { op: "unsubscribe"; symbol: SymbolId; timeframe: Timeframe; stream: StreamId }
  | { op: "ping" };

export interface SnapshotMessage {
  type: "snapshot";
  stream: StreamId;
  /** Epoch and seq of the last event the gateway saw on this stream; null before the first one. */
  epoch: string | null;
  seq: number | null;
  /** Closed bars, ascending, up to 1,000. */
  bars: Bar[];
  /** The still-open bar when it is newer than the last closed one. */
  live: Bar | null;
}

export interface BarMessage {
  type: "bar";
  stream: StreamId;
  epoch: string;
  seq: number;
  kind: BarEventKind;
  bar: Bar;
}

export interface ErrorMessage {
  type: "error";
  message: string;
  /** The stream the failed request named, when it named one. */
  stream?: StreamId;
}

export interface PongMessage {
  type: "pong";
}

export type ServerMessage = SnapshotMessage | BarMessage | ErrorMessage | PongMessage;

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string; stream?: StreamId };

/** `BINANCE:BTCUSDT` + `1m` → `BINANCE:BTCUSDT:1m`. */
export function streamIdOf(symbol: SymbolId, timeframe: Timeframe): StreamId {
  return `${symbol}:${timeframe}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  return value === undefined ? "nothing" : JSON.stringify(value);
}

/**
 * Parses one text frame from a client.
 * @example parseClientRequest('{"op":"subscribe","symbol":"BINANCE:BTCUSDT","timeframe":"1m"}')
 */
export function parseClientRequest(text: string): ParseResult<ClientRequest> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { ok: false, error: "invalid JSON: send one JSON object per message" };
  }
  if (!isRecord(data)) return { ok: false, error: "invalid message: expected a JSON object with an \"op\" field" };
  const op = data.op;
  if (op === "ping") return { ok: true, value: { op: "ping" } };
  if (op !== "subscribe" && op !== "unsubscribe") {
    return { ok: false, error: `unknown op ${describe(op)}: expected "subscribe", "unsubscribe" or "ping"` };
  }
  const symbol = typeof data.symbol === "string" ? normalizeSymbolId(data.symbol) : undefined;
  if (!symbol) return { ok: false, error: `invalid symbol ${describe(data.symbol)}: expected ${SYMBOL_ID_HINT}` };
  if (!isTimeframe(data.timeframe)) {
    return { ok: false, error: `unknown timeframe ${describe(data.timeframe)}: expected one of ${TIMEFRAMES.join(", ")}` };
  }
  const timeframe = data.timeframe;
  return { ok: true, value: { op, symbol, timeframe, stream: streamIdOf(symbol, timeframe) } };
}
