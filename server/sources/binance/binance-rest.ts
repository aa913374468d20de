/**
 * Binance spot REST market data: klines (paged, limit 1000), server time, exchangeInfo.
 * REQUEST_WEIGHT (6,000/min per IP) is taken from a RedisRateBudget (server/sources/rate-budget.ts) before each
 * request, by the endpoint's weight (ping/time 1, klines 2, exchangeInfo 20). Every process on the machine shares
 * that budget through Redis, so together they stay below the limit (default margin 10 %): a 429 should not happen
 * and a 418 ban never. Each response's `X-MBX-USED-WEIGHT-1M` raises the shared count to what Binance counted
 * (other clients on the IP); a 429/418 `Retry-After` blocks every process until it has passed.
 * Every request runs through the source's "rest" circuit breaker (server/sources/circuit-breaker.ts): network
 * errors, timeouts, 5xx and 429/418 are failures; other 4xx (e.g. 400 invalid symbol) are not. While the
 * circuit is open requests fail fast with CircuitOpenError.
 * Endpoint from BINANCE_REST_URL (the replay exchange speaks the same protocol).
 */
import type { Bar, SymbolId } from "../../domain/bars/bar.ts";
import { parseRestKlineRow } from "../../domain/binance/binance-frames.ts";
import { TIMEFRAME_MS, type Timeframe } from "../../domain/time/timeframes.ts";
import { SourceBreaker, type BreakerOptions } from "../circuit-breaker.ts";
import { RedisRateBudget, type RateBudgetOptions } from "../rate-budget.ts";

export const KLINES_MAX_LIMIT = 1000;
/** REQUEST_WEIGHT per endpoint (PROTOCOLS.md §1; klines with limit 1000 weigh 2 since 2023). */
export const ENDPOINT_WEIGHT = { ping: 1, time: 1, klines: 2, exchangeInfo: 20 } as const;
/** Binance's REQUEST_WEIGHT limit per minute and IP. */
export const BINANCE_WEIGHT_PER_MINUTE = 6_000;

/**
 * The REQUEST_WEIGHT budget every Binance REST client on this machine shares (pass the same `key` everywhere,
 * e.g. `keys().rateBudget("binance:weight")`). Without Redis it is a budget of this process only.
 */
export function binanceWeightBudget(options: Omit<RateBudgetOptions, "capacity" | "windowMs"> & { capacity?: number }): RedisRateBudget {
  return new RedisRateBudget({ capacity: BINANCE_WEIGHT_PER_MINUTE, windowMs: 60_000, safetyMargin: 0.1, ...options });
}

export class BinanceHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly retryAfterMs: number | null,
  ) {
    super(message);
    this.name = "BinanceHttpError";
  }
}

export interface BinanceRestOptions {
  baseUrl: string;
  /** The shared REQUEST_WEIGHT budget (binanceWeightBudget); default: a budget of this client only, built from the options below. */
  budget?: RedisRateBudget;
  /** REQUEST_WEIGHT per minute of the default budget (Binance: 6,000); requests pause at `weightSafety` of it. */
  weightLimit?: number;
  weightSafety?: number;
  timeoutMs?: number;
  /** Clock and sleep of the default budget (tests); with `budget`, its clock is used. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Each response's X-MBX-USED-WEIGHT-1M (for the metrics gauge). */
  onWeight?: (usedWeight: number) => void;
  /** A 429/418 was answered: every process now waits `retryAfterMs` (for metrics and logs). */
  onRateLimited?: (info: { status: number; retryAfterMs: number; path: string }) => void;
  /** The "rest" breaker to use (default: a new one named binance/rest with `breakerOptions`). */
  breaker?: SourceBreaker;
  breakerOptions?: BreakerOptions;
}

/** Whether a REST error should count against the circuit breaker: the exchange unreachable, failing or throttling. */
export function isRestBreakerFailure(error: unknown): boolean {
  if (!(error instanceof BinanceHttpError)) return true; // network error, DNS, reset, timeout (AbortError)
  return error.status >= 500 || error.status === 429 || error.status === 418;
}

export interface KlinesPage {
  /** Closed bars only (a row whose close time is not before server time is dropped). */
  bars: Bar[];
  /** Rows the server returned, including a still-open last row. */
  rowCount: number;
  /** Open time of the last row returned (open or closed), or null when empty. */
  lastOpenTime: number | null;
  rejected: number;
}

export class BinanceRestClient {
  private usedWeight = 0;
  private readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly now: () => number;
  readonly budget: RedisRateBudget;
  readonly breaker: SourceBreaker;

  constructor(private readonly options: BinanceRestOptions) {
    this.breaker = options.breaker ?? new SourceBreaker("binance", "rest", options.breakerOptions);
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.budget =
      options.budget ??
      binanceWeightBudget({
        key: "binance:weight",
        capacity: options.weightLimit ?? BINANCE_WEIGHT_PER_MINUTE,
        safetyMargin: 1 - (options.weightSafety ?? 0.9),
        now: options.now,
        sleep: options.sleep,
      });
    this.now = this.budget.now;
  }

  /** Weight used in the current minute, as last reported by the server. */
  get weight(): number {
    return this.usedWeight;
  }

  async ping(): Promise<void> {
    await this.request("/api/v3/ping", {}, ENDPOINT_WEIGHT.ping);
  }

  async serverTime(): Promise<number> {
    const body = (await this.request("/api/v3/time", {}, ENDPOINT_WEIGHT.time)) as { serverTime?: unknown };
    if (typeof body.serverTime !== "number") throw new BinanceHttpError(200, "time: no serverTime in response", null);
    return body.serverTime;
  }

  /** Tickers the exchange lists with their status (TRADING, BREAK, HALT, ...). */
  async exchangeSymbols(): Promise<Map<string, string>> {
    const body = (await this.request("/api/v3/exchangeInfo", {}, ENDPOINT_WEIGHT.exchangeInfo)) as { symbols?: { symbol: string; status: string }[] };
    return new Map((body.symbols ?? []).map((entry) => [entry.symbol, entry.status]));
  }

  /** One page of klines from `startTime` (inclusive). */
  async klines(options: { symbol: SymbolId; ticker: string; timeframe: Timeframe; startTime: number; endTime?: number; limit?: number; serverTime: number }): Promise<KlinesPage> {
    const params: Record<string, string> = {
      symbol: options.ticker,
      interval: options.timeframe,
      startTime: String(options.startTime),
      limit: String(Math.min(options.limit ?? KLINES_MAX_LIMIT, KLINES_MAX_LIMIT)),
    };
    if (options.endTime !== undefined) params.endTime = String(options.endTime);
    const rows = await this.request("/api/v3/klines", params, ENDPOINT_WEIGHT.klines);
    if (!Array.isArray(rows)) throw new BinanceHttpError(200, "klines: response is not an array", null);
    const bars: Bar[] = [];
    let rejected = 0;
    let lastOpenTime: number | null = null;
    for (const row of rows) {
      const bar = parseRestKlineRow(row, options.symbol, options.timeframe);
      if (!bar) {
        rejected += 1;
        continue;
      }
      lastOpenTime = bar.openTime;
      if (bar.openTime + TIMEFRAME_MS[options.timeframe] <= options.serverTime) bars.push(bar);
    }
    return { bars, rowCount: rows.length, lastOpenTime, rejected };
  }

  /** Every closed kline from `from` (inclusive) up to server time, page by page (limit 1000). */
  async *closedKlines(options: { symbol: SymbolId; ticker: string; timeframe: Timeframe; from: number }): AsyncGenerator<Bar[]> {
    const step = TIMEFRAME_MS[options.timeframe];
    const serverTime = await this.serverTime();
    let startTime = options.from;
    while (startTime + step <= serverTime) {
      const page = await this.klines({ ...options, startTime, serverTime });
      if (page.bars.length > 0) yield page.bars;
      if (page.lastOpenTime === null || page.rowCount < KLINES_MAX_LIMIT) return;
      startTime = page.lastOpenTime + step;
    }
  }

  private async request(path: string, params: Record<string, string>, weight: number): Promise<unknown> {
    await this.budget.acquire(weight);
    const url = `${this.baseUrl}${path}${Object.keys(params).length ? `?${new URLSearchParams(params)}` : ""}`;
    return this.breaker.execute(() => this.send(path, url), isRestBreakerFailure);
  }

  private async send(path: string, url: string): Promise<unknown> {
    const response = await fetch(url, { signal: AbortSignal.timeout(this.timeoutMs) });
    await this.recordWeight(response.headers.get("x-mbx-used-weight-1m"));
    if (response.status === 429 || response.status === 418) {
      const seconds = Number(response.headers.get("retry-after") ?? "60");
      const retryAfterMs = Math.max(1, Number.isFinite(seconds) ? seconds : 60) * 1000;
      await this.budget.blockUntil(this.now() + retryAfterMs, `${path}: HTTP ${response.status}`);
      this.options.onRateLimited?.({ status: response.status, retryAfterMs, path });
      throw new BinanceHttpError(response.status, `${path}: HTTP ${response.status} (${response.status === 418 ? "IP banned" : "rate limited"}), retry after ${retryAfterMs / 1000}s`, retryAfterMs);
    }
    const text = await response.text();
    if (!response.ok) throw new BinanceHttpError(response.status, `${path}: HTTP ${response.status} ${text.slice(0, 200)}`, null);
    try {
      return JSON.parse(text);
    } catch {
      throw new BinanceHttpError(response.status, `${path}: response is not JSON`, null);
    }
  }

  private async recordWeight(header: string | null): Promise<void> {
    const used = Number(header);
    if (header === null || !Number.isFinite(used)) return;
    this.usedWeight = used;
    this.options.onWeight?.(used);
    await this.budget.observe(used);
  }
}
