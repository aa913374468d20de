/**
 * What every collector process shares: the bar pipeline (PostgreSQL pool, Redis, metrics, bar-closed
 * producer, BarSink) and the process lifecycle (health every 2 s, metrics export, start, and on
 * SIGINT/SIGTERM: stop the stream, drain bars and jobs, publish the final health, close PostgreSQL, then Redis).
 * Entries (workers/collector.ts, workers/alpaca-collector.ts) only build their exchange's collector.
 */
import type { Logger } from "pino";
import { env } from "../server/env.ts";
import { closePool, getPool } from "../server/db/pool.ts";
import type { SymbolRow } from "../server/db/symbols.repo.ts";
import { createCollectorMetrics } from "../server/observability/collector-metrics.ts";
import { startMetricsExport } from "../server/observability/metrics-export.ts";
import { BarClosedProducer } from "../server/queues/bar-closed-producer.ts";
import { createBarClosedQueues } from "../server/queues/bar-closed.ts";
import { createRedis, keys, queueConnection } from "../server/redis/client.ts";
import { ActiveSymbolsWatcher, type ActiveSymbolSet } from "../server/services/active-symbols-watcher.ts";
import { BarSink } from "../server/services/bar-sink.service.ts";
import { queueCollectorHeartbeat } from "../server/services/collector-heartbeat.ts";
import type { CollectorHealth, MarketDataSource } from "../server/sources/market-data-source.ts";

/**
 * A collector that changes its symbols while running. `updateSymbols` gets the FULL set of active symbols of its
 * exchange (empty while the exchange is disabled): it subscribes the new ones (backfilling their recent history)
 * and unsubscribes the removed ones. runCollector never calls it twice at once, and the newest set wins.
 */
export interface LiveSymbolsCollector extends MarketDataSource {
  updateSymbols(rows: readonly SymbolRow[]): Promise<void>;
}

function supportsLiveSymbols(collector: MarketDataSource): collector is LiveSymbolsCollector {
  return typeof (collector as Partial<LiveSymbolsCollector>).updateSymbols === "function";
}

export type CollectorPipeline = ReturnType<typeof createCollectorPipeline>;

/** Pool, Redis, metrics, the bar-closed producer and the BarSink feeding it, as every collector uses them. */
export function createCollectorPipeline(log: Logger) {
  const config = env();
  const pool = getPool();
  const redis = createRedis("command");
  redis.on("error", (error) => log.debug({ error: error.message }, "redis connection error"));
  const metrics = createCollectorMetrics();
  const producer = new BarClosedProducer({
    queues: createBarClosedQueues({ connection: queueConnection("producer"), prefix: keys().queuePrefix(), partitions: config.ANALYTICS_PARTITIONS }),
    onError: (error, backlog) => log.warn({ error: error instanceof Error ? error.message : String(error), backlog }, "bar-closed enqueue failed; retrying"),
    onDropped: (count) => log.error({ count }, "bar-closed backlog overflow: oldest jobs dropped (analytics catches up from PostgreSQL)"),
  });
  const sink = new BarSink({ pool, redis, keys: keys(), metrics, liveThrottleMs: config.LIVE_THROTTLE_MS, onStored: (events) => producer.enqueue(events) });
  return { pool, redis, metrics, producer, sink };
}

export interface RunCollectorOptions {
  processName: string;
  /** The exchange whose symbols the collector streams, as in symbol ids and config/exchanges.yaml (e.g. "BINANCE"). */
  exchange: string;
  /** The active symbols the collector was built with (the watcher delivers only changes from these). */
  initialSymbols?: readonly SymbolRow[];
  collector: MarketDataSource;
  pipeline: CollectorPipeline;
  log: Logger;
  /** What to tell the operator when start() fails, e.g. "check BINANCE_REST_URL / BINANCE_WS_URL". */
  startHint: string;
  /** Extra keys written with each health update (e.g. the feed mode). */
  extraHealth?: Record<string, string>;
}

/** Starts the collector and owns the process until SIGINT/SIGTERM. */
export async function runCollector(options: RunCollectorOptions): Promise<void> {
  const { collector, pipeline, log } = options;
  let watcher: ActiveSymbolsWatcher | null = null;
  const publishHealth = async () => {
    const health = withExchangeState(collector.health(), options.exchange, watcher?.set ?? null);
    const multi = queueCollectorHeartbeat(pipeline.redis.multi(), keys(), health);
    for (const [key, value] of Object.entries(options.extraHealth ?? {})) multi.set(key, value);
    await multi.exec().catch(() => undefined);
  };
  pipeline.sink.start();
  const stopExport = startMetricsExport(options.processName, pipeline.metrics.registry);
  const healthTimer = setInterval(() => void publishHealth(), 2_000);
  await collector.start().catch((error: Error) => {
    log.error({ error: error.message }, `${options.processName} could not start; ${options.startHint}`);
    process.exit(1);
  });
  watcher = watchSymbols(options, publishHealth);
  await watcher.start();
  await publishHealth();

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, `${options.processName} stopping`);
    clearInterval(healthTimer);
    await stopExport();
    await watcher?.stop();
    await collector.stop();
    await pipeline.sink.close();
    await pipeline.producer.close();
    await publishHealth();
    await closePool();
    await pipeline.redis.quit().catch(() => undefined);
    process.exit(0);
  };
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
}

/** The watcher that hands `options.collector` its exchange's symbol set on every change (serialized, newest wins). */
function watchSymbols(options: RunCollectorOptions, publishHealth: () => Promise<void>): ActiveSymbolsWatcher {
  const { collector, log, exchange } = options;
  const subscriber = createRedis("subscriber");
  subscriber.on("error", (error) => log.debug({ error: error.message }, "symbols subscriber connection error"));
  return new ActiveSymbolsWatcher({
    exchange,
    pool: options.pipeline.pool,
    subscriber,
    keys: keys(),
    initial: options.initialSymbols ? { exchange, enabled: true, symbols: [...options.initialSymbols] } : undefined,
    log: (level, message, details) => log[level](details ?? {}, message),
    onChange: async (set) => {
      if (supportsLiveSymbols(collector)) {
        await collector.updateSymbols(set.symbols);
        log.info({ exchange, enabled: set.enabled, symbols: set.symbols.map((row) => row.id) }, "symbols updated");
      } else {
        log.warn({ exchange, symbols: set.symbols.map((row) => row.id) }, `${options.processName} cannot change symbols while running; restart it to apply`);
      }
      setImmediate(() => void publishHealth()); // once the watcher holds the new set: health shows it now, not at the next tick
    },
  });
}

/** Health as published: "disabled" (with the reason) while config/exchanges.yaml switches the exchange off. */
function withExchangeState(health: CollectorHealth, exchange: string, set: ActiveSymbolSet | null): CollectorHealth {
  if (!set || set.enabled) return health;
  return { ...health, status: "disabled", reason: `${exchange} is disabled in config/exchanges.yaml (enabled: false)`, symbols: {} };
}
