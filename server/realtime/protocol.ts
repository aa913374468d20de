/**
 * Wire protocol of the realtime gateway (docs/websocket.md): client requests are parsed here with
 * readable errors, server messages are typed here. Edit together with docs/websocket.md and
 * components/chart/live-protocol.ts (the browser's copy of the bar types); the notification and
 * scanner message types are imported as types by components/realtime/*.
 */
import type { Bar, SymbolId } from "../domain/bars/bar.ts";
import { TIMEFRAMES, isTimeframe, type Timeframe } from "../domain/time/timeframes.ts";
import type { InAppMessage } from "../services/notifications/message-format.ts";
import { SYMBOL_ID_HINT, normalizeSymbolId } from "../services/symbol-id.ts";

export type BarEventKind = "live" | "closed" | "revision";
export const BAR_EVENT_KINDS: readonly BarEventKind[] = ["live", "closed", "revision"];

/** `BINANCE:BTCUSDT:1m`: a symbol id plus a timeframe. */
export type StreamId = string;

/** The scanner's toplists stream (all lists). */
export const SCANNER_STREAM = "scanner";
/** Prefix of a user screen's stream: `screen:{screenId}`. */
export const SCREEN_STREAM_PREFIX = "screen:";

export type BarRequest =
  | { op: "subscribe"; symbol: SymbolId; timeframe: Timeframe; stream: StreamId }
  | { op: "unsubscribe"; symbol: SymbolId; timeframe: Timeframe; stream: StreamId };

/** `{"op":"subscribe","stream":"scanner"}` or `{"op":"subscribe","stream":"screen:{id}"}` (and unsubscribe). */
export type TopicRequest =
  | { op: "subscribe" | "unsubscribe"; topic: "scanner"; stream: StreamId }
  | { op: "subscribe" | "unsubscribe"; topic: "screen"; screenId: string; stream: StreamId };

export type ClientRequest = BarRequest | TopicRequest | { op: "ping" };

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

/**
 * One in-app notification of the connection's user (server/services/notifications/message-format.ts
 * InAppMessage), pushed without a subscription to every socket of a signed-in user; guests get none.
 */
export interface NotificationMessage extends InAppMessage {
  type: "notification";
}

/** A toplist, best first: [symbol, value]. */
export type ToplistEntries = [string, number][];

/**
 * The scanner stream. `snapshot: true`: every toplist as stored in Redis when you subscribed; then one
 * `snapshot: false` message per scanner cycle (about every second) whose `lists` holds only the lists that
 * changed (each in full: replace it). `epoch`/`seq` are the scanner's: a seq that is not the previous + 1,
 * or a new epoch, means a missed cycle → subscribe again.
 */
export interface ScannerMessage {
  type: "scanner";
  stream: typeof SCANNER_STREAM;
  snapshot: boolean;
  /** null in a snapshot taken before the gateway saw any cycle. */
  epoch: string | null;
  seq: number | null;
  /** Epoch ms of the cycle (of the newest cycle seen, in a snapshot; null if none). */
  at: number | null;
  lists: Record<string, ToplistEntries>;
}

/**
 * One user screen's matches. `snapshot: true`: `symbols` is the full match set (symbol order); then a
 * `snapshot: false` message each cycle the matches change, with `added`/`removed`, and `count` = the size after
 * applying them. When the count does not match, `truncated` is true, or the epoch changed: subscribe again.
 */
export interface ScreenMessage {
  type: "screen";
  stream: StreamId;
  screenId: string;
  snapshot: boolean;
  epoch: string | null;
  seq: number | null;
  /** Full match set (snapshot only). */
  symbols?: string[];
  added?: string[];
  removed?: string[];
  count: number;
  truncated?: boolean;
}

export type ServerMessage = SnapshotMessage | BarMessage | ErrorMessage | PongMessage | NotificationMessage | ScannerMessage | ScreenMessage;

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
  if (data.stream !== undefined && data.symbol === undefined) return parseTopicRequest(op, data.stream);
  const symbol = typeof data.symbol === "string" ? normalizeSymbolId(data.symbol) : undefined;
  if (!symbol) return { ok: false, error: `invalid symbol ${describe(data.symbol)}: expected ${SYMBOL_ID_HINT}` };
  if (!isTimeframe(data.timeframe)) {
    return { ok: false, error: `unknown timeframe ${describe(data.timeframe)}: expected one of ${TIMEFRAMES.join(", ")}` };
  }
  const timeframe = data.timeframe;
  return { ok: true, value: { op, symbol, timeframe, stream: streamIdOf(symbol, timeframe) } as BarRequest };
}

const SCREEN_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** `stream: "scanner"` or `stream: "screen:{id}"` (ids: letters, digits, `_`, `-`, up to 64). */
function parseTopicRequest(op: "subscribe" | "unsubscribe", stream: unknown): ParseResult<TopicRequest> {
  if (stream === SCANNER_STREAM) return { ok: true, value: { op, topic: "scanner", stream } };
  if (typeof stream === "string" && stream.startsWith(SCREEN_STREAM_PREFIX)) {
    const screenId = stream.slice(SCREEN_STREAM_PREFIX.length);
    if (SCREEN_ID.test(screenId)) return { ok: true, value: { op, topic: "screen", screenId, stream } };
    return { ok: false, error: `invalid screen id ${describe(screenId)}: expected "screen:<id>" (letters, digits, _ and -)` };
  }
  return { ok: false, error: `unknown stream ${describe(stream)}: expected "scanner", "screen:<id>", or a symbol and timeframe` };
}

/** True for requests on the scanner or a screen (not a bar stream). */
export function isTopicRequest(request: ClientRequest): request is TopicRequest {
  return "topic" in request;
}
