/**
 * After a bar is written: caches the stream's latest indicators (with patterns and the enriched description)
 * and latest features in Redis with a TTL of two bars + 5 min, and publishes an AnalyticsEvent for charts.
 * Shapes: server/services/analytics-latest.ts.
 */
import type { Redis } from "ioredis";
import type pg from "pg";
import { FEATURE_SET_V1 } from "../../server/domain/features/feature-set-v1.ts";
import { readLastFeature } from "../../server/db/features.repo.ts";
import type { StreamKey } from "../../server/db/indicators.repo.ts";
import type { RedisKeys } from "../../server/redis/keys.ts";
import {
  labelPatterns,
  latestTtlSeconds,
  type AnalyticsEvent,
  type LatestFeatures,
  type LatestIndicators,
} from "../../server/services/analytics-latest.ts";
import { featureValues } from "./analytics-persist.ts";
import type { StreamAnalytics } from "./stream-analytics.ts";

export interface AnalyticsOutputOptions {
  pool: pg.Pool;
  redis: Redis;
  keys: RedisKeys;
  now: () => number;
}

export class AnalyticsOutput {
  constructor(private readonly options: AnalyticsOutputOptions) {}

  /** Caches and publishes the state's newest bar. Throws when Redis fails (the job is retried). */
  async publishLatest(stream: StreamKey, state: StreamAnalytics, recomputedFrom: number): Promise<void> {
    const latest = state.latest;
    if (!latest) return;
    const { keys, redis, pool, now } = this.options;
    const { openTime } = latest.bar;
    const enriched = state.describeLatest();
    const patterns = labelPatterns(latest.patterns);
    const indicators: LatestIndicators = {
      symbol: stream.symbol,
      timeframe: stream.timeframe,
      openTime,
      bar: latest.bar,
      indicators: latest.indicators,
      patterns,
      signals: enriched?.signals ?? [],
      description: enriched?.description ?? null,
      context: enriched?.context ?? null,
      computedAt: now(),
    };
    const stored = await readLastFeature(pool, { ...stream, featureSet: FEATURE_SET_V1 }, openTime + 1);
    const features: LatestFeatures = {
      symbol: stream.symbol,
      timeframe: stream.timeframe,
      featureSet: FEATURE_SET_V1,
      openTime,
      version: stored?.openTime === openTime ? stored.version : 1,
      knownAt: stored?.openTime === openTime ? stored.knownAt : now(),
      features: featureValues(latest),
      vector: latest.vector,
    };
    const event: AnalyticsEvent = {
      stream: `${stream.symbol}:${stream.timeframe}`,
      symbol: stream.symbol,
      timeframe: stream.timeframe,
      openTime,
      recomputedFrom: Math.min(recomputedFrom, openTime),
      indicators: latest.indicators,
      patterns,
    };
    const ttl = latestTtlSeconds(stream.timeframe);
    const results = await redis
      .multi()
      .set(keys.latestIndicators(stream.symbol, stream.timeframe), JSON.stringify(indicators), "EX", ttl)
      .set(keys.latestFeatures(stream.symbol, stream.timeframe), JSON.stringify(features), "EX", ttl)
      .publish(keys.analyticsChannel(stream.symbol, stream.timeframe), JSON.stringify(event))
      .exec();
    const failed = results?.find(([error]) => error)?.[0];
    if (!results || failed) throw failed ?? new Error("redis transaction aborted");
  }
}
