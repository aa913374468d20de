/**
 * Alpaca market data v2 REST: historical stock bars `GET /v2/stocks/{symbol}/bars?timeframe=1Min&start&end
 * &limit=10000&feed[&page_token]`, paged by the opaque `next_page_token` (passed back verbatim, never built).
 * Auth headers APCA-API-KEY-ID / APCA-API-SECRET-KEY. A request budget (RedisRateBudget, shared by every process
 * through Redis) keeps under the plan's 200 requests/minute; a 429 blocks the shared budget until Retry-After
 * (or a minute) and retries. Every request runs through the "rest" circuit breaker:
 * network errors, timeouts, 5xx and 429 are failures; 400/403/422 are not (Alpaca answered: bad request or keys/plan).
 * Edit when Alpaca's bars endpoint changes; the endpoint comes from ALPACA_DATA_URL (the fake server speaks it too).
 */
import type { Bar, SymbolId } from "../../domain/bars/bar.ts";
import { parseRfc3339 } from "../../domain/alpaca/alpaca-messages.ts";
import { SourceBreaker, type BreakerOptions } from "../circuit-breaker.ts";
import { RedisRateBudget, type RateBudgetOptions } from "../rate-budget.ts";

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

/**
 * The request budget the client takes one unit from per request, and blocks on a 429. `RedisRateBudget`
 * (server/sources/rate-budget.ts) implements it; the collector and the backfill CLI share one through Redis
 * (`{ns}:ratelimit:alpaca:rest`), so together they stay under Alpaca's 200 requests/minute.
 */
export interface RequestBudget {
  acquire(cost?: number): Promise<void>;
  blockUntil(untilMs: number, reason: string): Promise<void>;
}

/** Alpaca's historical-data limit on the free plan. */
export const ALPACA_REQUESTS_PER_MINUTE = 200;

/**
 * The budget every process shares for Alpaca REST (key e.g. `keys.rateBudget("alpaca:rest")`): 200 requests per
 * minute, 10% kept free.
 */
export function alpacaRequestBudget(options: Omit<RateBudgetOptions, "capacity" | "windowMs"> & { capacity?: number }): RedisRateBudget {
  return new RedisRateBudget({ capacity: ALPACA_REQUESTS_PER_MINUTE, windowMs: 60_000, safetyMargin: 0.1, ...options });
}

export interface AlpacaRestOptions {
  baseUrl: string;
  keyId: string;
  secretKey: string;
  feed?: "iex" | "sip";
  /** Requests per minute when no `budget` is given (free plan: 200); a local-only budget is built from it. */
  requestsPerMinute?: number;
  /** Shared budget (RedisRateBudget on `keys.rateBudget("alpaca:rest")`); default: this process only. */
  budget?: RequestBudget;
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
  readonly budget: RequestBudget;
  private readonly options: Required<Omit<AlpacaRestOptions, "breaker" | "breakerOptions" | "budget">>;
  /** Requests sent (tests, metrics). */
  requests = 0;

  constructor({ breaker, breakerOptions, budget, ...options }: AlpacaRestOptions) {
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
    this.budget =
      budget ??
      new RedisRateBudget({ key: "alpaca:rest", capacity: this.options.requestsPerMinute, windowMs: 60_000, safetyMargin: 0, now: this.options.now, sleep: this.options.sleep });
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
      await this.budget.acquire(1);
      try {
        return await this.breaker.execute(() => this.send(path, `${this.options.baseUrl}${path}?${params}`), isAlpacaRestFailure);
      } catch (error) {
        if (!(error instanceof AlpacaHttpError) || error.status !== 429 || attempt >= this.options.maxRetries) throw error;
        // every process sharing the budget pauses until Retry-After (or a minute); the next acquire waits for it
        await this.budget.blockUntil(this.options.now() + (error.retryAfterMs ?? 60_000), error.message);
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
