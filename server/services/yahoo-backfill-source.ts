/**
 * Yahoo Finance as a BackfillSource for `marketlens backfill --exchange yahoo --symbol THYAO.IS --timeframe 1m|1d`:
 * v8 chart through YahooChartClient (YAHOO_BASE_URL, the shared ~1 request/second Redis budget, 429 backoff,
 * "rest" breaker), parsed by server/domain/yahoo/yahoo-chart.ts (null rows skipped, daily bars on the exchange-local
 * session date at 00:00 UTC, the forming bar dropped).
 * - 1m: one request per UTC day (fine-grained checkpoints; Yahoo allows ≤ 7 days per request) and only within the
 *   last 30 days (older → BackfillInputError, nothing changed). runBackfill builds 5m…1d from them.
 * - 1d: one request per calendar year.
 * Holes are normal (nights, weekends, holidays, Yahoo's null rows), so no known gaps are recorded. An unknown symbol
 * (Yahoo's "Not Found" error object) → BackfillInputError with Yahoo's message. A network error, 5xx or an open
 * circuit is retried from the last page delivered (5 attempts, exponential backoff); 429s are the client's.
 */
import type { Redis } from "ioredis";
import type { Timeframe } from "../domain/time/timeframes.ts";
import { YahooChartError, type YahooInterval } from "../domain/yahoo/yahoo-chart.ts";
import { keys } from "../redis/client.ts";
import { CircuitOpenError } from "../sources/circuit-breaker.ts";
import { YAHOO_1M_MAX_AGE_MS, YahooChartClient, YahooHttpError, yahooRequestBudget } from "../sources/yahoo/yahoo-chart-client.ts";
import { BackfillInputError, type BackfillSource } from "./backfill.service.ts";

const DAY = 86_400_000;
const CHUNK: Partial<Record<Timeframe, { interval: YahooInterval; spanMs: number }>> = {
  "1m": { interval: "1m", spanMs: DAY },
  "1d": { interval: "1d", spanMs: 366 * DAY },
};

export interface YahooBackfillOptions {
  now?: () => number;
  attempts?: number;
  backoffMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

function retryable(error: unknown): boolean {
  if (error instanceof CircuitOpenError) return true;
  if (error instanceof YahooHttpError) return error.status >= 500 || error.status === 429;
  return error instanceof TypeError || (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError"));
}

export function yahooBackfillSource(client: YahooChartClient, options: YahooBackfillOptions = {}): BackfillSource {
  const now = options.now ?? Date.now;
  const attempts = options.attempts ?? 5;
  const backoffMs = options.backoffMs ?? 1_000;
  const sleep = options.sleep ?? ((ms: number) => new Promise((resolve) => setTimeout(resolve, ms)));
  return {
    name: "yahoo",
    reportsGaps: false,
    async *fetchClosedBars(symbol, timeframe, fromInclusive, toExclusive) {
      const chunk = CHUNK[timeframe];
      if (!chunk) throw new BackfillInputError(`yahoo backfill fetches --timeframe 1m or 1d (5m…4h are built from 1m), not ${timeframe}`);
      const clock = now();
      if (timeframe === "1m" && fromInclusive < clock - YAHOO_1M_MAX_AGE_MS) {
        throw new BackfillInputError(`Yahoo serves 1m bars for the last 30 days only (from ${new Date(clock - YAHOO_1M_MAX_AGE_MS).toISOString()}); use --timeframe 1d for older history`);
      }
      const ticker = symbol.slice(symbol.indexOf(":") + 1);
      const to = Math.min(toExclusive, clock);
      for (let from = fromInclusive, attempt = 1; from < to; ) {
        const end = Math.min(to, from + chunk.spanMs);
        try {
          const chart = await client.chart({ symbol, ticker, interval: chunk.interval, from, to: end, now: clock });
          const bars = chart.bars.filter((bar) => bar.openTime >= from && bar.openTime < end);
          from = end;
          attempt = 1;
          if (bars.length > 0) yield bars;
        } catch (error) {
          if (error instanceof YahooChartError) throw new BackfillInputError(`Yahoo refused ${ticker}: ${error.description}`);
          if (attempt >= attempts || !retryable(error)) throw error;
          const wait = error instanceof CircuitOpenError ? Math.max(error.retryInMs, backoffMs) : backoffMs * 2 ** (attempt - 1);
          await sleep(wait);
          attempt += 1;
        }
      }
    },
  };
}

/** What `marketlens backfill --exchange yahoo` needs from the environment (server/cli/main.ts passes env()). */
export interface YahooBackfillConfig {
  baseUrl: string;
  /** Redis for the request budget shared with the collector ({ns}:ratelimit:yahoo:requests); null: this process only. */
  redis?: Redis | null;
}

/** The Yahoo source with the shared request budget. */
export function yahooBackfillSourceFromConfig(config: YahooBackfillConfig): BackfillSource {
  const budget = yahooRequestBudget({ redis: config.redis ?? null, key: keys().rateBudget("yahoo:requests") });
  return yahooBackfillSource(new YahooChartClient({ baseUrl: config.baseUrl, budget }));
}
