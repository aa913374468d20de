/**
 * REST side of the replay exchange: /api/v3/ping, /time, /exchangeInfo, /klines with Binance's
 * validation errors, REQUEST_WEIGHT accounting per wall-clock minute (`X-MBX-USED-WEIGHT-1M`), 429 + Retry-After
 * past the limit, and, like Binance, a 418 IP ban (Retry-After 120 s) for a client that keeps sending after
 * `banAfter429s` 429s in one minute.
 */
import type http from "node:http";
import { partialKline, restKlineRow } from "./fake-binance-frames.ts";
import { minutePath, type RecordedKline } from "./minute-path.ts";
import type { ReplayClock, ReplayDataset } from "./replay-dataset.ts";

const INTERVALS: Record<string, number> = { "1m": 60_000, "5m": 300_000, "15m": 900_000, "1h": 3_600_000, "4h": 14_400_000, "1d": 86_400_000 };
const WEIGHTS: Record<string, number> = { "/api/v3/ping": 1, "/api/v3/time": 1, "/api/v3/exchangeInfo": 20, "/api/v3/klines": 2 };

export interface RestState {
  datasets: readonly ReplayDataset[];
  clock: ReplayClock;
  weightLimit: number;
  weightMinute: number;
  usedWeight: number;
  requests: number;
  /** Wall clock of the weight minute (default Date.now; tests share a virtual one with their clients). */
  now: () => number;
  /** 429s answered in the current minute; past `banAfter429s` the IP is banned (418). */
  rateLimited: number;
  banAfter429s: number;
  bannedUntil: number;
  /** Responses by HTTP status (tests check that no 429/418 happened). */
  statuses: Map<number, number>;
}

const BAN_MS = 120_000;

function respond(state: RestState, response: http.ServerResponse, status: number, headers: Record<string, string>, body: unknown): void {
  state.statuses.set(status, (state.statuses.get(status) ?? 0) + 1);
  response.writeHead(status, headers);
  response.end(JSON.stringify(body));
}

class RestError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export function handleRestRequest(state: RestState, request: http.IncomingMessage, response: http.ServerResponse): void {
  const url = new URL(request.url ?? "/", "http://replay");
  state.requests += 1;
  const now = state.now();
  if (state.bannedUntil > now) {
    const retryAfter = String(Math.ceil((state.bannedUntil - now) / 1000));
    respond(state, response, 418, { "content-type": "application/json;charset=UTF-8", "retry-after": retryAfter }, { code: -1003, msg: `Way too many requests; IP banned until ${state.bannedUntil}.` });
    return;
  }
  const minute = Math.floor(now / 60_000);
  if (minute !== state.weightMinute) {
    state.weightMinute = minute;
    state.usedWeight = 0;
    state.rateLimited = 0;
  }
  state.usedWeight += WEIGHTS[url.pathname] ?? 1;
  const headers = { "content-type": "application/json;charset=UTF-8", "x-mbx-used-weight-1m": String(state.usedWeight) };
  if (state.usedWeight > state.weightLimit) {
    state.rateLimited += 1;
    if (state.rateLimited > state.banAfter429s) {
      state.bannedUntil = now + BAN_MS;
      respond(state, response, 418, { ...headers, "retry-after": String(BAN_MS / 1000) }, { code: -1003, msg: `Way too many requests; IP banned until ${state.bannedUntil}.` });
      return;
    }
    const retryAfter = Math.ceil(((minute + 1) * 60_000 - now) / 1000);
    respond(state, response, 429, { ...headers, "retry-after": String(retryAfter) }, { code: -1003, msg: `Too many requests; current limit of IP is ${state.weightLimit} requests per minute.` });
    return;
  }
  try {
    respond(state, response, 200, headers, route(state, url));
  } catch (error) {
    const known = error instanceof RestError ? error : new RestError(500, -1000, "An unknown error occurred while processing the request.");
    respond(state, response, known.status, headers, { code: known.code, msg: known.message });
  }
}

function route(state: RestState, url: URL): unknown {
  switch (url.pathname) {
    case "/api/v3/ping":
      return {};
    case "/api/v3/time":
      return { serverTime: state.clock.now() };
    case "/api/v3/exchangeInfo":
      return exchangeInfo(state);
    case "/api/v3/klines":
      return klines(state, url.searchParams);
    default:
      throw new RestError(404, -1000, `replay exchange: no route ${url.pathname}`);
  }
}

function exchangeInfo(state: RestState) {
  return {
    timezone: "UTC",
    serverTime: state.clock.now(),
    rateLimits: [
      { rateLimitType: "REQUEST_WEIGHT", interval: "MINUTE", intervalNum: 1, limit: state.weightLimit },
      { rateLimitType: "RAW_REQUESTS", interval: "MINUTE", intervalNum: 5, limit: 61_000 },
    ],
    exchangeFilters: [],
    symbols: state.datasets.map((dataset) => ({
      symbol: dataset.ticker,
      status: "TRADING",
      baseAsset: dataset.ticker.replace(/USDT$/, ""),
      quoteAsset: dataset.ticker.endsWith("USDT") ? "USDT" : "",
      permissions: ["SPOT"],
    })),
  };
}

function integerParam(params: URLSearchParams, name: string): number | undefined {
  const raw = params.get(name);
  if (raw === null) return undefined;
  if (!/^\d+$/.test(raw)) throw new RestError(400, -1100, `Illegal characters found in parameter '${name}'; legal range is '^[0-9]{1,20}$'.`);
  return Number(raw);
}

function klines(state: RestState, params: URLSearchParams) {
  const ticker = params.get("symbol");
  const interval = params.get("interval") ?? "";
  if (!ticker) throw new RestError(400, -1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.");
  const dataset = state.datasets.find((candidate) => candidate.ticker === ticker);
  if (!dataset) throw new RestError(400, -1121, "Invalid symbol.");
  const size = INTERVALS[interval];
  if (!size) throw new RestError(400, -1120, "Invalid interval.");
  const limit = integerParam(params, "limit") ?? 500;
  if (limit < 1 || limit > 1000) throw new RestError(400, -1130, "Data sent for parameter 'limit' is not valid.");
  const now = state.clock.now();
  const startTime = integerParam(params, "startTime");
  const endTime = Math.min(integerParam(params, "endTime") ?? now, now);
  const first = startTime !== undefined ? Math.ceil(startTime / size) * size : Math.floor(endTime / size) * size - (limit - 1) * size;
  const rows: unknown[] = [];
  for (let openTime = first; openTime <= endTime && rows.length < limit; openTime += size) {
    const bar = aggregate(dataset, openTime, size, now);
    if (bar) rows.push(restKlineRow(bar, size));
  }
  return rows;
}

/** A kline row before formatting: the candle plus its trade count. */
interface RestBar extends RecordedKline {
  count: number;
}

/** One bar of any interval from the 1m recording, up to `now` (the last one may still be open). */
function aggregate(dataset: ReplayDataset, openTime: number, size: number, now: number): RestBar | null {
  const parts: RestBar[] = [];
  for (let minute = openTime; minute < openTime + size && minute <= now; minute += 60_000) {
    const kline = dataset.klineAt(minute);
    if (!kline) continue;
    const closed = minute + 60_000 <= now;
    const part = closed ? { ...kline, count: minutePath(kline).length } : partialKline(kline, now - minute, dataset.klineAt(minute - 60_000)?.close ?? kline.open);
    if (closed || part.count > 0) parts.push({ openTime, ...part });
  }
  const first = parts[0];
  if (!first) return null;
  return {
    openTime,
    open: first.open,
    high: Math.max(...parts.map((part) => part.high)),
    low: Math.min(...parts.map((part) => part.low)),
    close: parts[parts.length - 1]!.close,
    volume: parts.reduce((sum, part) => sum + part.volume, 0),
    count: parts.reduce((sum, part) => sum + part.count, 0),
  };
}
