/**
 * Process entry: the Binance collector. Reads the active BINANCE symbols, connects to BINANCE_WS_URL /
 * BINANCE_REST_URL (live Binance or the replay exchange), and streams bars into PostgreSQL and Redis.
 * Publishes its health every 2 s and its metrics every 5 s to Redis; data-quality snapshots every 5 s ({ns}:quality:{SYMBOL}). Every closed or revised bar, once stored,
 * becomes a bar-closed job for the analytics worker (server/queues/bar-closed.ts; backlog while Redis is down).
 * SIGINT/SIGTERM: stop the stream, drain pending bars and jobs, close PostgreSQL, then Redis.
 */
import { env } from "../server/env.ts";
import { closePool, getPool } from "../server/db/pool.ts";
import { listSymbols } from "../server/db/symbols.repo.ts";
import { createCollectorMetrics } from "../server/observability/collector-metrics.ts";
import { componentLogger } from "../server/observability/logger.ts";
import { startMetricsExport } from "../server/observability/metrics-export.ts";
import { BarClosedProducer } from "../server/queues/bar-closed-producer.ts";
import { createBarClosedQueues } from "../server/queues/bar-closed.ts";
import { createRedis, keys, queueConnection } from "../server/redis/client.ts";
import { BarSink } from "../server/services/bar-sink.service.ts";
import { BinanceRestClient } from "../server/sources/binance/binance-rest.ts";
import { BinanceCollector } from "./collectors/binance.collector.ts";

const log = componentLogger("collector");
const config = env();
const mode = config.MARKETLENS_FEED === "replay" ? "replay" : "live";
const pool = getPool();
const redis = createRedis("command");
redis.on("error", (error) => log.debug({ error: error.message }, "redis connection error"));
const metrics = createCollectorMetrics();
const producer = new BarClosedProducer({
  queues: createBarClosedQueues({ connection: queueConnection("producer"), prefix: keys().queuePrefix(), partitions: config.ANALYTICS_PARTITIONS }),
  onError: (error, backlog) => log.warn({ error: error instanceof Error ? error.message : String(error), backlog }, "bar-closed enqueue failed; retrying"),
  onDropped: (count) => log.error({ count }, "bar-closed backlog overflow: oldest jobs dropped (analytics catches up from PostgreSQL)"),
});
const sink = new BarSink({
  pool,
  redis,
  keys: keys(),
  metrics,
  liveThrottleMs: config.LIVE_THROTTLE_MS,
  onStored: (events) => producer.enqueue(events),
});
const rest = new BinanceRestClient({ baseUrl: config.BINANCE_REST_URL, onWeight: (used) => metrics.restWeight.set({ source: "binance" }, used) });
const symbols = await listSymbols(pool, { exchange: "BINANCE", activeOnly: true });
const collector = new BinanceCollector({
  mode,
  wsUrl: config.BINANCE_WS_URL,
  rest,
  pool,
  sink,
  metrics,
  symbols,
  latenessMs: config.BAR_LATENESS_MS,
  initialBackfillBars: config.INITIAL_BACKFILL_BARS,
  maxRepairBars: config.MAX_REPAIR_BARS,
  quality: { redis, keys: keys() },
  log: (level, message, details) => log[level](details ?? {}, message),
});

const publishHealth = async () => {
  const health = collector.health();
  await redis
    .multi()
    .set(keys().collectorHealth(collector.name), JSON.stringify(health), "EX", 30)
    .set(keys().feed(), mode)
    .exec()
    .catch(() => undefined);
};

log.info({ mode, ws: config.BINANCE_WS_URL, rest: config.BINANCE_REST_URL, symbols: symbols.map((s) => s.id) }, "collector starting");
sink.start();
const stopExport = startMetricsExport("collector", metrics.registry);
const healthTimer = setInterval(() => void publishHealth(), 2_000);
await collector.start().catch((error: Error) => {
  log.error({ error: error.message }, "collector could not start; check BINANCE_REST_URL / BINANCE_WS_URL");
  process.exit(1);
});
await publishHealth();

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, "collector stopping");
  clearInterval(healthTimer);
  stopExport();
  await collector.stop();
  await sink.close();
  await producer.close();
  await publishHealth();
  await closePool();
  await redis.quit().catch(() => undefined);
  process.exit(0);
};
process.once("SIGINT", () => void shutdown("SIGINT"));
process.once("SIGTERM", () => void shutdown("SIGTERM"));
