/**
 * Yahoo Finance v8 chart over HTTP through yahoo-finance2's `chart()` (3.15.4, `return: "object"`), pointed at
 * YAHOO_BASE_URL by a custom `fetch`: the library builds `https://${YF_QUERY_HOST}/v8/finance/chart/{SYMBOL}?…`
 * and only lets the host be configured (always https), so `fetch` rewrites the origin to YAHOO_BASE_URL (the fake
 * server in tests and replay, https://query2.finance.yahoo.com live). The same `fetch` turns non-2xx answers into
 * typed errors before the library sees them: 429 → YahooHttpError with Retry-After, 5xx → YahooHttpError, Yahoo's
 * `{"chart":{"result":null,"error":{code,description}}}` → YahooChartError (the library would drop the code and
 * print the URL with console.error). See docs/decisions.md.
 *
 * Every request: takes one unit from the shared request budget (about 1 request/second across processes,
 * RedisRateBudget), runs through the "rest" circuit breaker (network errors, timeouts, 5xx and 429 count as
 * failures; Yahoo's error object does not: Yahoo answered), and a 429 is retried with exponential backoff and
 * jitter (base × 2^attempt × [0.5, 1), capped), or after Retry-After when Yahoo sends one (which then also blocks
 * the shared budget). 1m ranges are split into requests of at most 7 days (Yahoo's limit).
 * Parsing is pure domain code: server/domain/yahoo/yahoo-chart.ts.
 */
import YahooFinance from "yahoo-finance2";
import type { SymbolId } from "../../domain/bars/bar.ts";
import { parseYahooChartResult, YahooChartError, type ParsedChart, type YahooInterval } from "../../domain/yahoo/yahoo-chart.ts";
import { SourceBreaker, type BreakerOptions } from "../circuit-breaker.ts";
import { RedisRateBudget, type RateBudgetOptions } from "../rate-budget.ts";

export const YAHOO_DEFAULT_BASE_URL = "https://query2.finance.yahoo.com";
const DAY = 86_400_000;
/** Longest range of one 1m request (Yahoo refuses more than 7 days). */
export const YAHOO_1M_MAX_SPAN_MS = 7 * DAY;
/** How far back Yahoo serves 1m bars. */
export const YAHOO_1M_MAX_AGE_MS = 30 * DAY;

/**
 * The shared Yahoo request budget: 5 requests per 5 s window (about 1 request/second, PROTOCOLS §3) for every
 * process of the deployment (collector, backfill CLI), through Redis (key `{ns}:ratelimit:yahoo:requests`).
 */
export function yahooRequestBudget(options: Omit<RateBudgetOptions, "capacity" | "windowMs">): RedisRateBudget {
  return new RedisRateBudget({ capacity: 5, windowMs: 5_000, safetyMargin: 0, ...options });
}

export class YahooHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly retryAfterMs: number | null,
  ) {
    super(message);
    this.name = "YahooHttpError";
  }
}

/** Failures for the breaker: anything but Yahoo's own error object (unknown symbol, bad range). */
export function isYahooFailure(error: unknown): boolean {
  return !(error instanceof YahooChartError);
}

/** What the client needs from a shared request budget (server/sources/rate-budget.ts RedisRateBudget fits). */
export interface RequestBudget {
  acquire(cost?: number): Promise<void>;
  blockUntil?(untilMs: number, reason: string): Promise<void>;
}

export interface YahooChartClientOptions {
  /** YAHOO_BASE_URL, e.g. https://query2.finance.yahoo.com or http://127.0.0.1:3004. */
  baseUrl: string;
  budget?: RequestBudget;
  breaker?: SourceBreaker;
  breakerOptions?: BreakerOptions;
  /** 429 retries before giving up (default 5). */
  maxRetries?: number;
  /** First backoff step (default 1 s) and the cap (default 60 s). */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** [0, 1) for the jitter (tests pass a fixed one). */
  random?: () => number;
  /** Called before each backoff wait (metrics, logs, tests). */
  onBackoff?: (info: { attempt: number; delayMs: number; status: number }) => void;
}

export interface ChartRequest {
  symbol: SymbolId;
  ticker: string;
  interval: YahooInterval;
  /** [from, to) in ms; sent as period1/period2 in seconds. */
  from: number;
  to: number;
  /** The caller's clock (drops the forming bar). */
  now: number;
}

export class YahooChartClient {
  readonly breaker: SourceBreaker;
  private readonly yahoo: InstanceType<typeof YahooFinance>;
  private readonly base: URL;
  private readonly options: Required<Pick<YahooChartClientOptions, "maxRetries" | "backoffBaseMs" | "backoffMaxMs" | "timeoutMs" | "sleep" | "random">> & YahooChartClientOptions;
  /** HTTP requests sent (429s included), for tests and metrics. */
  requests = 0;

  constructor(options: YahooChartClientOptions) {
    this.options = {
      maxRetries: 5,
      backoffBaseMs: 1_000,
      backoffMaxMs: 60_000,
      timeoutMs: 15_000,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      random: Math.random,
      ...options,
    };
    this.base = new URL(options.baseUrl);
    this.breaker = options.breaker ?? new SourceBreaker("yahoo", "rest", options.breakerOptions);
    this.yahoo = new YahooFinance({
      fetch: (input: RequestInfo | URL, init?: RequestInit) => this.send(input, init),
      suppressNotices: ["yahooSurvey"],
      validation: { logErrors: false, logOptionsErrors: false },
    } as ConstructorParameters<typeof YahooFinance>[0]);
  }

  /** One chart request (with 429 retries), parsed into closed bars. */
  async chart(request: ChartRequest): Promise<ParsedChart> {
    for (let attempt = 0; ; attempt++) {
      await this.options.budget?.acquire(1);
      try {
        const result = await this.breaker.execute(() => this.fetchChart(request), isYahooFailure);
        return parseYahooChartResult(result, { symbol: request.symbol, interval: request.interval, now: request.now });
      } catch (error) {
        if (!(error instanceof YahooHttpError) || error.status !== 429 || attempt >= this.options.maxRetries) throw error;
        const delayMs = error.retryAfterMs ?? this.backoff(attempt);
        if (error.retryAfterMs !== null) await this.options.budget?.blockUntil?.(Date.now() + delayMs, "Yahoo HTTP 429 Retry-After");
        this.options.onBackoff?.({ attempt: attempt + 1, delayMs, status: error.status });
        await this.options.sleep(delayMs);
      }
    }
  }

  /**
   * Every closed bar of [from, to), one request per ≤ 7 days for 1m (Yahoo's limit); one chart per request,
   * in time order. Empty ranges (weekends, holidays) yield charts without bars.
   */
  async *charts(request: ChartRequest): AsyncGenerator<ParsedChart> {
    const span = request.interval === "1m" ? YAHOO_1M_MAX_SPAN_MS : Number.POSITIVE_INFINITY;
    for (let start = request.from; start < request.to; start = Math.min(request.to, start + span)) {
      yield await this.chart({ ...request, from: start, to: Math.min(request.to, start + span) });
    }
  }

  /** Exponential backoff with jitter: base × 2^attempt × [0.5, 1), at most backoffMaxMs. */
  backoff(attempt: number): number {
    const ceiling = Math.min(this.options.backoffMaxMs, this.options.backoffBaseMs * 2 ** attempt);
    return Math.round(ceiling * (0.5 + this.options.random() / 2));
  }

  private async fetchChart(request: ChartRequest): Promise<unknown> {
    const period1 = Math.floor(request.from / 1000);
    const period2 = Math.max(period1 + 1, Math.ceil(request.to / 1000));
    return this.yahoo.chart(request.ticker, { period1, period2, interval: request.interval, includePrePost: false, return: "object" });
  }

  /** The library's fetch: same path and query on YAHOO_BASE_URL; non-2xx answers become typed errors. */
  private async send(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const original = new URL(typeof input === "string" || input instanceof URL ? input : input.url);
    const url = new URL(`${this.base.pathname.replace(/\/+$/, "")}${original.pathname}${original.search}`, this.base.origin);
    const path = `${original.pathname.split("/").pop() ?? ""} ${original.searchParams.get("interval") ?? ""}`.trim();
    this.requests += 1;
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(this.options.timeoutMs) });
    if (response.ok) return response;
    const text = await response.text();
    if (response.status === 429) {
      const seconds = Number(response.headers.get("retry-after"));
      throw new YahooHttpError(429, `Yahoo chart ${path}: HTTP 429 ${text.trim() || "Too Many Requests"}`, Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : null);
    }
    const yahooError = chartError(text);
    if (yahooError) throw yahooError;
    throw new YahooHttpError(response.status, `Yahoo chart ${path}: HTTP ${response.status} ${text.slice(0, 200).trim() || response.statusText}`, null);
  }
}

function chartError(text: string): YahooChartError | null {
  try {
    const body = JSON.parse(text) as { chart?: { error?: { code?: unknown; description?: unknown } | null } };
    const error = body.chart?.error;
    if (error && typeof error.code === "string" && typeof error.description === "string") return new YahooChartError(error.code, error.description);
  } catch {
    // not JSON: an HTTP error
  }
  return null;
}
