/**
 * Fills the scanner state for symbols it has not seen yet: the newest 1m bars (for the 1m/5m reference
 * prices), the newest bar of every other timeframe (the daily bar gives the 1d change and today's volume) and
 * the latest analytics of every kept timeframe, all from Redis (bar cache ZSETs, live-bar keys,
 * `latest:indicators`) in pipelines of `chunk` symbols. Symbols with no 1m or 1d bar in Redis fall back to
 * PostgreSQL (closed candles). Latest analytics have no PostgreSQL fallback: an expired key means a stale
 * stream, and the next analytics event fills it.
 */
import type { Redis } from "ioredis";
import type pg from "pg";
import type { SymbolId } from "../../server/domain/bars/bar.ts";
import { MINUTE_RING, type ScannerState } from "../../server/domain/scanner/scanner-state.ts";
import { TIMEFRAMES, type Timeframe } from "../../server/domain/time/timeframes.ts";
import { readCandles } from "../../server/db/candles-read.repo.ts";
import type { RedisKeys } from "../../server/redis/keys.ts";
import { parseBarJson, parseBarList } from "../../server/services/bar-json.ts";
import { parseAnalyticsEvent } from "./scanner-messages.ts";

export interface BootstrapOptions {
  redis: Redis;
  pool: pg.Pool;
  keys: RedisKeys;
  state: ScannerState;
  chunk?: number;
}

export interface BootstrapReport {
  symbols: number;
  fromRedis: number;
  fromPostgres: number;
  analytics: number;
}

/** Loads `symbols` (already given slots in the state). Redis failures throw; PostgreSQL failures leave the symbol empty. */
export async function bootstrapSymbols(options: BootstrapOptions, symbols: readonly SymbolId[]): Promise<BootstrapReport> {
  const { redis, keys, state } = options;
  const analyticsTimeframes = TIMEFRAMES.filter((timeframe) => state.metricColumns(timeframe) !== undefined);
  const report: BootstrapReport = { symbols: symbols.length, fromRedis: 0, fromPostgres: 0, analytics: 0 };
  const missing: SymbolId[] = [];
  const chunk = options.chunk ?? 250;
  for (let offset = 0; offset < symbols.length; offset += chunk) {
    const slice = symbols.slice(offset, offset + chunk);
    const pipeline = redis.pipeline();
    for (const symbol of slice) {
      for (const timeframe of TIMEFRAMES) {
        pipeline.zrange(keys.bars(symbol, timeframe), String(timeframe === "1m" ? -MINUTE_RING : -1), "-1");
        pipeline.get(keys.liveBar(symbol, timeframe));
      }
      for (const timeframe of analyticsTimeframes) pipeline.get(keys.latestIndicators(symbol, timeframe));
    }
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([error]) => error);
    if (failed) throw failed[0];
    let at = 0;
    const next = () => results[at++]?.[1];
    for (const symbol of slice) {
      let hasMinute = false;
      let hasDay = false;
      for (const timeframe of TIMEFRAMES) {
        const closed = parseBarList((next() as string[] | null) ?? []);
        const live = parseBarJson(next() as string | null);
        for (const bar of closed) state.applyBar(bar, "closed");
        if (live) state.applyBar(live, "live");
        const seen = closed.length > 0 || live !== undefined;
        if (timeframe === "1m") hasMinute = seen;
        if (timeframe === "1d") hasDay = seen;
      }
      for (let index = 0; index < analyticsTimeframes.length; index++) {
        const event = parseAnalyticsEvent(next() as string | null);
        if (event && event.symbol === symbol) report.analytics += state.applyAnalytics(event) ? 1 : 0;
      }
      if (hasMinute && hasDay) report.fromRedis++;
      else missing.push(symbol);
    }
  }
  for (const symbol of missing) if (await loadFromPostgres(options, symbol)) report.fromPostgres++;
  return report;
}

async function loadFromPostgres(options: BootstrapOptions, symbol: SymbolId): Promise<boolean> {
  const wanted: [Timeframe, number][] = [["1m", MINUTE_RING], ["1d", 1]];
  let found = false;
  for (const [timeframe, limit] of wanted) {
    try {
      const bars = await readCandles(options.pool, { symbol, timeframe, limit });
      for (const bar of bars) options.state.applyBar(bar, "closed");
      found ||= bars.length > 0;
    } catch {
      return found; // PostgreSQL down: the live events fill the symbol later
    }
  }
  return found;
}
