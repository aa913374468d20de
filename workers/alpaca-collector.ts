/**
 * Process entry: the Alpaca (US stocks) collector. Reads the active ALPACA symbols, connects to ALPACA_STREAM_URL
 * with ALPACA_KEY_ID / ALPACA_SECRET_KEY, repairs gaps over ALPACA_DATA_URL and streams bars into PostgreSQL and
 * Redis. Without keys or ALPACA symbols it publishes a "disabled" health (with the reason) and idles until
 * SIGTERM, so a supervisor does not treat it as a crash. A fatal Alpaca error (402/405/406/409) leaves it idle
 * with health "down" and the operator message (no reconnect loop).
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
import { AlpacaRestClient } from "../server/sources/alpaca/alpaca-rest.ts";
import { AlpacaCollector } from "./collectors/alpaca.collector.ts";

const log = componentLogger("alpaca-collector");
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
const hasKeys = Boolean(config.ALPACA_KEY_ID && config.ALPACA_SECRET_KEY);
const rest = hasKeys ? new AlpacaRestClient({ baseUrl: config.ALPACA_DATA_URL, keyId: config.ALPACA_KEY_ID!, secretKey: config.ALPACA_SECRET_KEY!, feed: config.ALPACA_FEED }) : null;
const symbols = await listSymbols(pool, { exchange: "ALPACA", activeOnly: true });
const collector = new AlpacaCollector({
  mode: "live",
  streamUrl: config.ALPACA_STREAM_URL,
  keyId: config.ALPACA_KEY_ID,
  secretKey: config.ALPACA_SECRET_KEY,
  rest,
  pool,
  sink,
  metrics,
  symbols,
  latenessMs: config.BAR_LATENESS_MS,
  initialBackfillBars: config.INITIAL_BACKFILL_BARS,
  maxRepairBars: config.MAX_REPAIR_BARS,
  log: (level, message, details) => log[level](details ?? {}, message),
});

const publishHealth = async () => {
  await redis.set(keys().collectorHealth(collector.name), JSON.stringify(collector.health()), "EX", 30).catch(() => undefined);
};

log.info({ stream: config.ALPACA_STREAM_URL, rest: config.ALPACA_DATA_URL, feed: config.ALPACA_FEED, keys: hasKeys, symbols: symbols.map((s) => s.id) }, "alpaca collector starting");
sink.start();
const stopExport = startMetricsExport("alpaca-collector", metrics.registry);
const healthTimer = setInterval(() => void publishHealth(), 2_000);
await collector.start().catch((error: Error) => {
  log.error({ error: error.message }, "alpaca collector could not start; check ALPACA_DATA_URL / ALPACA_STREAM_URL");
  process.exit(1);
});
await publishHealth();

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, "alpaca collector stopping");
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
