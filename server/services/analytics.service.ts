/**
 * Analytics reads for the API: indicator and feature ranges (paged from PostgreSQL for streaming exports),
 * the latest features (Redis first, PostgreSQL when Redis is down or the key expired) and the latest
 * indicators + patterns + enriched description for the app. Unknown symbols are NOT_FOUND; a store that
 * cannot answer before anything was sent is UNAVAILABLE.
 */
import type { SymbolId } from "../domain/bars/bar.ts";
import type { Timeframe } from "../domain/time/timeframes.ts";
import { FEATURE_NAMES_V1, FEATURE_SET_V1 } from "../domain/features/feature-set-v1.ts";
import { enrichCandle } from "../domain/patterns/enriched-candle.ts";
import { computeMarketContext } from "../domain/patterns/market-context.ts";
import { PATTERN_NAMES, emptyPatternValues, type PatternName } from "../domain/patterns/pattern-registry.ts";
import { swingLevels } from "../domain/patterns/support-resistance.ts";
import { readCandles } from "../db/candles-read.repo.ts";
import { readFeatureRange, readLastFeature, type StoredFeatureRow } from "../db/features.repo.ts";
import { readIndicatorRange, readLastIndicator, type IndicatorRow } from "../db/indicators.repo.ts";
import {
  labelPatterns,
  parseLatestFeatures,
  parseLatestIndicators,
  type LatestFeatures,
  type LatestIndicators,
} from "./analytics-latest.ts";
import { AppError } from "./app-error.ts";
import { whenRedisReady, type ServiceDeps } from "./service-deps.ts";
import type { SymbolsService } from "./symbols.service.ts";

/** Rows per page read from PostgreSQL (and per Parquet row group). */
export const EXPORT_PAGE_ROWS = 2_000;
const EARLIEST = Date.UTC(1800, 0, 1);

export interface StreamQuery {
  symbol: SymbolId;
  timeframe: Timeframe;
}

export interface RangeQuery extends StreamQuery {
  /** Inclusive, epoch ms; null for the beginning. */
  from: number | null;
  /** Exclusive, epoch ms; null for no bound. */
  to: number | null;
}

export interface FeatureRangeQuery extends RangeQuery {
  featureSet: string;
  /** Versions known at or before this time (epoch ms); null for the newest. */
  asOf: number | null;
}

export type Source = "redis" | "postgres";

export interface AnalyticsService {
  /** Pages of indicator rows, the first one already read (so a failure is an error response, not a cut body). */
  indicatorPages(query: RangeQuery): Promise<AsyncGenerator<IndicatorRow[]>>;
  featurePages(query: FeatureRangeQuery): Promise<AsyncGenerator<StoredFeatureRow[]>>;
  latestFeatures(query: StreamQuery): Promise<LatestFeatures & { source: Source }>;
  /** Latest indicators, patterns and description; null when nothing was computed yet. */
  latestAnalytics(query: StreamQuery): Promise<(LatestIndicators & { source: Source }) | null>;
}

function unavailable(what: string, error: unknown): AppError {
  return new AppError("UNAVAILABLE", `${what}: PostgreSQL is unreachable`, { cause: error });
}

async function pages<Row extends { openTime: number }>(what: string, from: number, read: (from: number) => Promise<Row[]>): Promise<AsyncGenerator<Row[]>> {
  let first: Row[];
  try {
    first = await read(from);
  } catch (error) {
    throw unavailable(what, error);
  }
  async function* generate(): AsyncGenerator<Row[]> {
    let page = first;
    while (page.length > 0) {
      yield page;
      if (page.length < EXPORT_PAGE_ROWS) return;
      page = await read(page.at(-1)!.openTime + 1); // keyset: open times are unique per stream
    }
  }
  return generate();
}

export function createAnalyticsService(deps: ServiceDeps, symbols: SymbolsService): AnalyticsService {
  async function requireSymbol(symbol: SymbolId): Promise<void> {
    if ((await symbols.isActive(symbol)) === false) {
      throw new AppError("NOT_FOUND", `unknown symbol ${symbol}: it is not in the active symbol list`);
    }
  }

  async function cached(key: string): Promise<string | null> {
    try {
      await whenRedisReady(deps.redis);
      return await deps.redis.get(key);
    } catch {
      return null; // Redis down: PostgreSQL answers
    }
  }

  async function latestFromDatabase(query: StreamQuery): Promise<LatestIndicators | null> {
    const row = await readLastIndicator(deps.pool, query);
    if (!row) return null;
    const [bars, previous] = await Promise.all([
      readCandles(deps.pool, { ...query, to: row.openTime + 1, limit: 100 }),
      readLastIndicator(deps.pool, query, row.openTime),
    ]);
    const bar = bars.at(-1);
    if (!bar || bar.openTime !== row.openTime) return null;
    const patternValues = emptyPatternValues();
    for (const name of PATTERN_NAMES) patternValues[name] = 0;
    for (const pattern of row.patterns) patternValues[pattern.name as PatternName] = pattern.value;
    const context = computeMarketContext(bars, row.values);
    const enriched = enrichCandle({ bar, closed: true, indicators: row.values, previous: previous?.values ?? null, patterns: patternValues, context, levels: swingLevels(bars) });
    return {
      symbol: query.symbol,
      timeframe: query.timeframe,
      openTime: row.openTime,
      bar,
      indicators: row.values,
      patterns: labelPatterns(row.patterns),
      signals: enriched.signals,
      description: enriched.description,
      context,
      computedAt: row.computedAt ?? row.openTime,
    };
  }

  return {
    async indicatorPages(query) {
      await requireSymbol(query.symbol);
      return pages(`indicators ${query.symbol} ${query.timeframe}`, query.from ?? EARLIEST, (from) =>
        readIndicatorRange(deps.pool, { ...query, from, limit: EXPORT_PAGE_ROWS }),
      );
    },

    async featurePages(query) {
      await requireSymbol(query.symbol);
      return pages(`features ${query.symbol} ${query.timeframe}`, query.from ?? EARLIEST, (from) =>
        readFeatureRange(deps.pool, { ...query, from, limit: EXPORT_PAGE_ROWS }),
      );
    },

    async latestFeatures(query) {
      await requireSymbol(query.symbol);
      const hit = parseLatestFeatures(await cached(deps.keys.latestFeatures(query.symbol, query.timeframe)));
      if (hit) return { ...hit, source: "redis" };
      let row: StoredFeatureRow | null;
      try {
        row = await readLastFeature(deps.pool, { ...query, featureSet: FEATURE_SET_V1 });
      } catch (error) {
        throw unavailable(`latest features ${query.symbol} ${query.timeframe}`, error);
      }
      if (!row) throw new AppError("NOT_FOUND", `no features yet for ${query.symbol} ${query.timeframe}: no bar has been analysed`);
      const features: Record<string, number | null> = {};
      for (const name of FEATURE_NAMES_V1) features[name] = row.values[name] ?? null;
      return { symbol: query.symbol, timeframe: query.timeframe, featureSet: FEATURE_SET_V1, openTime: row.openTime, version: row.version, knownAt: row.knownAt, features, vector: row.vector, source: "postgres" };
    },

    async latestAnalytics(query) {
      await requireSymbol(query.symbol);
      const hit = parseLatestIndicators(await cached(deps.keys.latestIndicators(query.symbol, query.timeframe)));
      if (hit) return { ...hit, source: "redis" };
      try {
        const latest = await latestFromDatabase(query);
        return latest && { ...latest, source: "postgres" };
      } catch (error) {
        throw unavailable(`latest analytics ${query.symbol} ${query.timeframe}`, error);
      }
    },
  };
}
