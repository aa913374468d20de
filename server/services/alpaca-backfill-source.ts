/**
 * Alpaca (US stocks) as a BackfillSource for `marketlens backfill --exchange alpaca`: 1m bars from
 * `GET /v2/stocks/{symbol}/bars` (AlpacaRestClient: next_page_token paging, the shared 200 requests/minute budget,
 * 429 → Retry-After), regular-session minutes only (pre-market and after-hours minutes are dropped, as in the
 * collector; server/domain/alpaca/regular-session.ts), closed minutes only (up to the clock).
 * Holes are normal here (Alpaca omits minutes without trades; nights and weekends are closed), so the source
 * reports no known gaps. Longer timeframes are built from the 1m bars by runBackfill (UTC-aligned: a NYSE session
 * lies inside one UTC date, so the 1d bar is the session, stamped 00:00 UTC of its date).
 * A network error or 5xx is retried from the last page delivered (5 attempts, exponential backoff).
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Redis } from "ioredis";
import { loadCalendarHolidays } from "../config/holidays-config.ts";
import type { Bar } from "../domain/bars/bar.ts";
import { RegularSessionFilter } from "../domain/alpaca/regular-session.ts";
import type { ExchangeCalendar } from "../domain/calendars/calendar-types.ts";
import { createExchangeCalendar } from "../domain/calendars/exchange-calendar.ts";
import { sessionsBetween } from "../domain/calendars/sessions.ts";
import { keys } from "../redis/client.ts";
import { AlpacaHttpError, alpacaRequestBudget, AlpacaRestClient } from "../sources/alpaca/alpaca-rest.ts";
import { isCircuitOpen } from "../sources/circuit-breaker.ts";
import { BackfillInputError, type BackfillSource } from "./backfill.service.ts";

const MINUTE = 60_000;

export interface AlpacaBackfillOptions {
  calendar: ExchangeCalendar;
  now?: () => number;
  attempts?: number;
  backoffMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

function retryable(error: unknown): boolean {
  if (isCircuitOpen(error)) return true;
  if (error instanceof AlpacaHttpError) return error.status >= 500 || error.status === 429;
  return error instanceof TypeError || (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError"));
}

export function alpacaBackfillSource(client: AlpacaRestClient, options: AlpacaBackfillOptions): BackfillSource {
  const filter = new RegularSessionFilter(options.calendar);
  const attempts = options.attempts ?? 5;
  const backoffMs = options.backoffMs ?? 1_000;
  const sleep = options.sleep ?? ((ms: number) => new Promise((resolve) => setTimeout(resolve, ms)));
  const now = options.now ?? Date.now;
  return {
    name: "alpaca",
    reportsGaps: false,
    async *fetchClosedBars(symbol, timeframe, fromInclusive, toExclusive) {
      if (timeframe !== "1m") throw new BackfillInputError(`alpaca backfill fetches 1m bars (--timeframe 1m); 5m…1d are built from them`);
      const ticker = symbol.slice(symbol.indexOf(":") + 1);
      const to = Math.min(toExclusive, Math.floor(now() / MINUTE) * MINUTE);
      try {
        const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
        sessionsBetween(options.calendar, day(fromInclusive), day(to - 1)); // refuses dates without holiday data
      } catch (error) {
        throw new BackfillInputError(`cannot tell NYSE sessions for this range: ${(error as Error).message}`);
      }
      let from = fromInclusive;
      for (let attempt = 1; from < to; ) {
        try {
          for await (const page of client.minuteBars({ symbol, ticker, from, to })) {
            const bars: Bar[] = page.filter((bar) => bar.openTime >= from && filter.containsMinute(bar.openTime));
            from = page[page.length - 1]!.openTime + MINUTE;
            attempt = 1;
            if (bars.length > 0) yield bars;
          }
          return;
        } catch (error) {
          if (error instanceof AlpacaHttpError && (error.status === 400 || error.status === 404 || error.status === 422)) {
            throw new BackfillInputError(`Alpaca refused ${ticker}: ${error.message}`);
          }
          if (attempt >= attempts || !retryable(error)) throw error;
          await sleep(backoffMs * 2 ** (attempt - 1));
          attempt += 1;
        }
      }
    },
  };
}

/** What `marketlens backfill --exchange alpaca` needs from the environment (server/cli/main.ts passes env()). */
export interface AlpacaBackfillConfig {
  dataUrl: string;
  keyId: string | undefined;
  secretKey: string | undefined;
  feed: "iex" | "sip";
  /** Redis for the request budget shared with the collector ({ns}:ratelimit:alpaca:rest); null: this process only. */
  redis?: Redis | null;
  holidaysDirectory?: string;
}

const DEFAULT_HOLIDAYS_DIRECTORY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "config", "holidays");

/** The Alpaca source on the NYSE calendar with the shared request budget; no keys → BackfillInputError. */
export async function alpacaBackfillSourceFromConfig(config: AlpacaBackfillConfig): Promise<BackfillSource> {
  if (!config.keyId || !config.secretKey) throw new BackfillInputError("alpaca backfill needs API keys: set ALPACA_KEY_ID and ALPACA_SECRET_KEY");
  const calendar = createExchangeCalendar("NYSE", await loadCalendarHolidays("NYSE", config.holidaysDirectory ?? DEFAULT_HOLIDAYS_DIRECTORY));
  const budget = alpacaRequestBudget({ redis: config.redis ?? null, key: keys().rateBudget("alpaca:rest") });
  const client = new AlpacaRestClient({ baseUrl: config.dataUrl, keyId: config.keyId, secretKey: config.secretKey, feed: config.feed, budget });
  return alpacaBackfillSource(client, { calendar });
}
