/**
 * Binance spot REST market data: klines (paged, limit 1000), server time, exchangeInfo.
 * Keeps the REQUEST_WEIGHT budget from the `X-MBX-USED-WEIGHT-1M` header (pausing before the limit),
 * honours 429/418 `Retry-After`, and never sends while a ban or back-off is in force.
 * Every request runs through the source's "rest" circuit breaker (server/sources/circuit-breaker.ts): network
 * errors, timeouts, 5xx and 429/418 are failures; other 4xx (e.g. 400 invalid symbol) are not. While the
 * circuit is open requests fail fast with CircuitOpenError.
 * Endpoint from BINANCE_REST_URL (the replay exchange speaks the same protocol).
 */
import type { Bar, SymbolId } from "../../domain/bars/bar.ts";
import { parseRestKlineRow } from "../../domain/binance/binance-frames.ts";
import { TIMEFRAME_MS, type Timeframe } from "../../domain/time/timeframes.ts";
import { SourceBreaker, type BreakerOptions } from "../circuit-breaker.ts";

export const KLINES_MAX_LIMIT = 1000;
const KLINES_WEIGHT = 2;

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
  /** REQUEST_WEIGHT per minute (Binance: 6,000); requests pause at `weightSafety` of it. */
  weightLimit?: number;
  weightSafety?: number;
  timeoutMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  onWeight?: (usedWeight: number) => void;
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
  private weightMinute = 0;
  private blockedUntil = 0;
  private readonly options: Required<Omit<BinanceRestOptions, "onWeight" | "breaker" | "breakerOptions">> & Pick<BinanceRestOptions, "onWeight">;
  readonly breaker: SourceBreaker;

  constructor({ breaker, breakerOptions, ...options }: BinanceRestOptions) {
    this.breaker = breaker ?? new SourceBreaker("binance", "rest", breakerOptions);
    this.options = {
      weightLimit: 6_000,
      weightSafety: 0.9,
      timeoutMs: 10_000,
      now: Date.now,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      ...options,
      baseUrl: options.baseUrl.replace(/\/+$/, ""),
    };
  }

  /** Weight used in the current minute, as last reported by the server. */
  get weight(): number {
    return this.usedWeight;
  }

  async ping(): Promise<void> {
    await this.request("/api/v3/ping", {}, 1);
  }

  async serverTime(): Promise<number> {
    const body = (await this.request("/api/v3/time", {}, 1)) as { serverTime?: unknown };
    if (typeof body.serverTime !== "number") throw new BinanceHttpError(200, "time: no serverTime in response", null);
    return body.serverTime;
  }

  /** Tickers the exchange lists with their status (TRADING, BREAK, HALT, ...). */
  async exchangeSymbols(): Promise<Map<string, string>> {
    const body = (await this.request("/api/v3/exchangeInfo", {}, 20)) as { symbols?: { symbol: string; status: string }[] };
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
    const rows = await this.request("/api/v3/klines", params, KLINES_WEIGHT);
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
    await this.waitForBudget(weight);
    const url = `${this.options.baseUrl}${path}${Object.keys(params).length ? `?${new URLSearchParams(params)}` : ""}`;
    return this.breaker.execute(() => this.send(path, url), isRestBreakerFailure);
  }

  private async send(path: string, url: string): Promise<unknown> {
    const response = await fetch(url, { signal: AbortSignal.timeout(this.options.timeoutMs) });
    this.recordWeight(response.headers.get("x-mbx-used-weight-1m"));
    if (response.status === 429 || response.status === 418) {
      const retryAfterMs = Math.max(1, Number(response.headers.get("retry-after") ?? "60")) * 1000;
      this.blockedUntil = this.options.now() + retryAfterMs;
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

  private recordWeight(header: string | null): void {
    const used = Number(header);
    if (header === null || !Number.isFinite(used)) return;
    this.usedWeight = used;
    this.weightMinute = Math.floor(this.options.now() / 60_000);
    this.options.onWeight?.(used);
  }

  private async waitForBudget(weight: number): Promise<void> {
    const now = this.options.now();
    if (this.blockedUntil > now) await this.options.sleep(this.blockedUntil - now);
    const minute = Math.floor(this.options.now() / 60_000);
    if (minute !== this.weightMinute) this.usedWeight = 0;
    if (this.usedWeight + weight > this.options.weightLimit * this.options.weightSafety) {
      await this.options.sleep((minute + 1) * 60_000 - this.options.now() + 50);
      this.usedWeight = 0;
    }
  }
}
