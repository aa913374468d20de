/**
 * Every Redis key and pub/sub channel name Marketlens uses (docs/architecture.md "Redis layout").
 * Add new keys here so the layout stays in one place.
 */
import type { SymbolId } from "../domain/bars/bar.ts";
import type { Timeframe } from "../domain/time/timeframes.ts";

export interface RedisKeys {
  bars(symbol: SymbolId, timeframe: Timeframe): string;
  liveBar(symbol: SymbolId, timeframe: Timeframe): string;
  barChannel(symbol: SymbolId, timeframe: Timeframe): string;
  barChannelPattern(): string;
  collectorHealth(name: string): string;
  collectorHealthPattern(): string;
  metrics(processName: string): string;
  metricsPattern(): string;
  feed(): string;
}

/** Key builder for one namespace (MARKETLENS_NAMESPACE). */
export function redisKeys(namespace: string): RedisKeys {
  return {
    bars: (symbol, timeframe) => `${namespace}:bars:${symbol}:${timeframe}`,
    liveBar: (symbol, timeframe) => `${namespace}:bar:live:${symbol}:${timeframe}`,
    barChannel: (symbol, timeframe) => `${namespace}:bars:${symbol}:${timeframe}`,
    barChannelPattern: () => `${namespace}:bars:*`,
    collectorHealth: (name) => `${namespace}:health:collector:${name}`,
    collectorHealthPattern: () => `${namespace}:health:collector:*`,
    metrics: (processName) => `${namespace}:metrics:${processName}`,
    metricsPattern: () => `${namespace}:metrics:*`,
    feed: () => `${namespace}:feed`,
  };
}

/** Number of closed bars kept per (symbol, timeframe) in the Redis cache. */
export const BAR_CACHE_SIZE = 1_000;
