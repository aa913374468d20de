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
  /** Names of the collectors that wrote a heartbeat (SET; each heartbeat adds its name and refreshes the TTL): health reads it instead of SCAN. */
  collectorRegistry(): string;
  metrics(processName: string): string;
  metricsPattern(): string;
  feed(): string;
  /** Latest indicators + patterns + description of the newest analysed bar (STRING, JSON, TTL). */
  latestIndicators(symbol: SymbolId, timeframe: Timeframe): string;
  /** Latest feature row (newest version) of the newest analysed bar (STRING, JSON, TTL). */
  latestFeatures(symbol: SymbolId, timeframe: Timeframe): string;
  /** Pub/sub channel: one AnalyticsEvent per analysed bar (docs/architecture.md). */
  analyticsChannel(symbol: SymbolId, timeframe: Timeframe): string;
  analyticsChannelPattern(): string;
  /** Lease naming the analytics process that consumes one bar-closed partition (STRING, PX). */
  analyticsLease(partition: number): string;
  /** BullMQ key prefix: queues live under `{ns}:bull:{queue}:…`. */
  queuePrefix(): string;
  /** Data-quality snapshot of a symbol (STRING, JSON QualitySnapshot + updatedAt, TTL), written by the collector every 5 s. */
  quality(symbol: SymbolId): string;
  /** Pub/sub channel of one user's in-app notifications (JSON InAppMessage; the gateway relays it as toasts). */
  notifyUser(userId: string): string;
  /** The user's newest in-app notifications, newest first (LIST of JSON InAppMessage, capped): the bell. */
  notifyBell(userId: string): string;
  /** Token bucket of one notification channel's rate limit (HASH tokens, at). */
  notifyBucket(channelId: string): string;
  /** Pub/sub channel: a symbol or exchange row changed (server/services/symbols.service.ts); collectors re-read their set. */
  symbolsChanged(): string;
  /** Config watcher state (STRING, JSON ConfigHealth, TTL), written by workers/control.ts. */
  configHealth(): string;
  /** Scanner toplist `gainers-1m`, `volume`, … (ZSET symbol → value, replaced atomically when it changes; workers/scanner). */
  scannerList(name: string): string;
  /** Symbols matching one user screen (ZSET, score 0 so members read in symbol order; workers/scanner). */
  scannerScreen(screenId: string): string;
  /** Pub/sub channel: one compact ScannerUpdate per cycle (workers/scanner/scanner-message.ts). */
  scannerUpdates(): string;
  /** Pub/sub channel: publish after writing the `screens` table; the scanner reloads its screens at once. */
  scannerScreensChanged(): string;
  /** Pub/sub channel: publish after writing `alerts`/`watchlists` (server/services/alerts.service.ts); the analytics worker drops its cached alert sets. */
  alertsChanged(): string;
  /** Prefix of a RedisRateBudget shared by every process (server/sources/rate-budget.ts), e.g. rateBudget("binance:weight"). */
  rateBudget(name: string): string;
  /** Token bucket of the public API rate limit for one subject, `user:<id>` or `ip:<address>` (HASH tokens, at; PX). */
  apiRateLimit(subject: string): string;
  /** Version of the webhook host allowlist (STRING counter): INCR after writing `notify_allowed_hosts`; every SSRF guard re-reads the table when it changes. */
  notifyAllowlistVersion(): string;
}

/** Key builder for one namespace (MARKETLENS_NAMESPACE). */
export function redisKeys(namespace: string): RedisKeys {
  return {
    bars: (symbol, timeframe) => `${namespace}:bars:${symbol}:${timeframe}`,
    liveBar: (symbol, timeframe) => `${namespace}:bar:live:${symbol}:${timeframe}`,
    barChannel: (symbol, timeframe) => `${namespace}:bars:${symbol}:${timeframe}`,
    barChannelPattern: () => `${namespace}:bars:*`,
    collectorHealth: (name) => `${namespace}:health:collector:${name}`,
    collectorRegistry: () => `${namespace}:health:collectors`,
    metrics: (processName) => `${namespace}:metrics:${processName}`,
    metricsPattern: () => `${namespace}:metrics:*`,
    feed: () => `${namespace}:feed`,
    latestIndicators: (symbol, timeframe) => `${namespace}:latest:indicators:${symbol}:${timeframe}`,
    latestFeatures: (symbol, timeframe) => `${namespace}:latest:features:${symbol}:${timeframe}`,
    analyticsChannel: (symbol, timeframe) => `${namespace}:analytics:${symbol}:${timeframe}`,
    analyticsChannelPattern: () => `${namespace}:analytics:*`,
    analyticsLease: (partition) => `${namespace}:lease:analytics:${partition}`,
    queuePrefix: () => `${namespace}:bull`,
    quality: (symbol) => `${namespace}:quality:${symbol}`,
    notifyUser: (userId) => `${namespace}:notify:user:${userId}`,
    notifyBell: (userId) => `${namespace}:notify:bell:${userId}`,
    notifyBucket: (channelId) => `${namespace}:notify:bucket:${channelId}`,
    symbolsChanged: () => `${namespace}:symbols:changed`,
    configHealth: () => `${namespace}:health:config`,
    scannerList: (name) => `${namespace}:scanner:${name}`,
    scannerScreen: (screenId) => `${namespace}:scanner:screen:${screenId}`,
    scannerUpdates: () => `${namespace}:scanner:updates`,
    scannerScreensChanged: () => `${namespace}:scanner:screens-changed`,
    alertsChanged: () => `${namespace}:alerts:changed`,
    rateBudget: (name) => `${namespace}:ratelimit:${name}`,
    apiRateLimit: (subject) => `${namespace}:apilimit:${subject}`,
    notifyAllowlistVersion: () => `${namespace}:notify:allowlist-version`,
  };
}

/** Number of closed bars kept per (symbol, timeframe) in the Redis cache. */
export const BAR_CACHE_SIZE = 1_000;
