/**
 * Alpaca market data v2 REST: historical stock bars `GET /v2/stocks/{symbol}/bars?timeframe=1Min&start&end
 * &limit=10000&feed[&page_token]`, paged by the opaque `next_page_token` (passed back verbatim, never built).
 * Auth headers APCA-API-KEY-ID / APCA-API-SECRET-KEY. A token bucket keeps under the plan's 200 requests/minute;
 * 429 honours Retry-After (or waits a minute) and retries. Every request runs through the "rest" circuit breaker:
 * network errors, timeouts, 5xx and 429 are failures; 400/403/422 are not (Alpaca answered: bad request or keys/plan).
 * Edit when Alpaca's bars endpoint changes; the endpoint comes from ALPACA_DATA_URL (the fake server speaks it too).
 */
import type { Bar, SymbolId } from "../../domain/bars/bar.ts";
import { parseRfc3339 } from "../../domain/alpaca/alpaca-messages.ts";
import { SourceBreaker, type BreakerOptions } from "../circuit-breaker.ts";

export const ALPACA_BARS_MAX_LIMIT = 10_000;

export class AlpacaHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly retryAfterMs: number | null,
  ) {
    super(message);
    this.name = "AlpacaHttpError";
  }
}

export function isAlpacaRestFailure(error: unknown): boolean {
  if (!(error instanceof AlpacaHttpError)) return true;
  return error.status >= 500 || error.status === 429;
}

/** A token bucket: `capacity` tokens refilled evenly over `perMs`. */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly capacity: number,
    private readonly perMs: number,
    private readonly now: () => number,
  ) {
    this.tokens = capacity;
    this.updatedAt = now();
  }

  /** Takes a token, or returns how long to wait (ms) before one is available. */
  take(): number {
    const now = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.updatedAt) * this.capacity) / this.perMs);
    this.updatedAt = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) * this.perMs) / this.capacity);
  }
}

export interface AlpacaRestOptions {
  baseUrl: string;
  keyId: string;
  secretKey: string;
  feed?: "iex" | "sip";
  /** Requests per minute (free plan: 200). */
  requestsPerMinute?: number;
  timeoutMs?: number;
  /** 429 retries before giving up (default 3). */
  maxRetries?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  breaker?: SourceBreaker;
  breakerOptions?: BreakerOptions;
}

interface BarsResponse {
  bars?: { t: string; o: number; h: number; l: number; c: number; v: number; n?: number }[] | null;
  next_page_token?: string | null;
}

export class AlpacaRestClient {
  readonly breaker: SourceBreaker;
  private readonly bucket: TokenBucket;
  private readonly options: Required<Omit<AlpacaRestOptions, "breaker" | "breakerOptions">>;
  /** Requests sent (tests, metrics). */
  requests = 0;

  constructor({ breaker, breakerOptions, ...options }: AlpacaRestOptions) {
    this.breaker = breaker ?? new SourceBreaker("alpaca", "rest", breakerOptions);
    this.options = {
      feed: "iex",
      requestsPerMinute: 200,
      timeoutMs: 10_000,
      maxRetries: 3,
      now: Date.now,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      ...options,
      baseUrl: options.baseUrl.replace(/\/+$/, ""),
    };
    this.bucket = new TokenBucket(this.options.requestsPerMinute, 60_000, this.options.now);
  }

  /** Every 1m bar of `ticker` in [from, to), page by page (Alpaca omits minutes without trades). */
  async *minuteBars(options: { symbol: SymbolId; ticker: string; from: number; to: number }): AsyncGenerator<Bar[]> {
    let pageToken: string | null = null;
    do {
      const params = new URLSearchParams({
        timeframe: "1Min",
        start: new Date(options.from).toISOString(),
        end: new Date(options.to).toISOString(),
        limit: String(ALPACA_BARS_MAX_LIMIT),
        feed: this.options.feed,
      });
      if (pageToken) params.set("page_token", pageToken);
      const body = (await this.request(`/v2/stocks/${encodeURIComponent(options.ticker)}/bars`, params)) as BarsResponse;
      const bars: Bar[] = [];
      for (const row of body.bars ?? []) {
        const time = parseRfc3339(row.t);
        if (!time) throw new AlpacaHttpError(200, `bars ${options.ticker}: bad t ${row.t}`, null);
        if (time.ms + 60_000 > options.to) continue; // not closed yet
        bars.push({ symbol: options.symbol, timeframe: "1m", openTime: time.ms, open: row.o, high: row.h, low: row.l, close: row.c, volume: row.v, trades: row.n ?? 0, source: "rest" });
      }
      if (bars.length > 0) yield bars;
      pageToken = typeof body.next_page_token === "string" && body.next_page_token !== "" ? body.next_page_token : null;
    } while (pageToken);
  }

  private async request(path: string, params: URLSearchParams): Promise<unknown> {
    for (let attempt = 0; ; attempt++) {
      for (let wait = this.bucket.take(); wait > 0; wait = this.bucket.take()) await this.options.sleep(wait);
      try {
        return await this.breaker.execute(() => this.send(path, `${this.options.baseUrl}${path}?${params}`), isAlpacaRestFailure);
      } catch (error) {
        if (!(error instanceof AlpacaHttpError) || error.status !== 429 || attempt >= this.options.maxRetries) throw error;
        await this.options.sleep(error.retryAfterMs ?? 60_000);
      }
    }
  }

  private async send(path: string, url: string): Promise<unknown> {
    this.requests += 1;
    const response = await fetch(url, {
      headers: { "APCA-API-KEY-ID": this.options.keyId, "APCA-API-SECRET-KEY": this.options.secretKey, accept: "application/json" },
      signal: AbortSignal.timeout(this.options.timeoutMs),
    });
    const text = await response.text();
    if (response.status === 429) {
      const seconds = Number(response.headers.get("retry-after"));
      const retryAfterMs = Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : null;
      throw new AlpacaHttpError(429, `${path}: HTTP 429 rate limited (200 requests/min on the free plan)`, retryAfterMs);
    }
    if (response.status === 403) throw new AlpacaHttpError(403, `${path}: HTTP 403: Alpaca refused the API keys or the plan does not include this feed`, null);
    if (!response.ok) throw new AlpacaHttpError(response.status, `${path}: HTTP ${response.status} ${text.slice(0, 200)}`, null);
    try {
      return JSON.parse(text);
    } catch {
      throw new AlpacaHttpError(response.status, `${path}: response is not JSON`, null);
    }
  }
}
