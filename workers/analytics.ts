/**
 * Process entry: the analytics worker. Consumes the bar-closed partitions it holds a lease on
 * (ANALYTICS_PARTITIONS, one consumer each), computes indicators, patterns and ML features per closed bar
 * (state rehydrated from PostgreSQL), writes `indicators` and `ml_features`, caches the latest values in Redis
 * and publishes `{ns}:analytics:{SYMBOL}:{tf}`. Metrics every 5 s to Redis. On start it backfills streams that
 * have bars but no indicator rows. SIGINT/SIGTERM: close the workers (running jobs finish), then PostgreSQL,
 * then Redis. Alerts are evaluated here too (workers/analytics/alert-engine.ts, docs/alerts.md).
 */
import { env } from "../server/env.ts";
import { closePool, getPool } from "../server/db/pool.ts";
import { createAnalyticsMetrics } from "../server/observability/analytics-metrics.ts";
import { componentLogger } from "../server/observability/logger.ts";
import { startMetricsExport } from "../server/observability/metrics-export.ts";
import { createRedis, keys, queueConnection } from "../server/redis/client.ts";
import { closeNotificationDeps, notificationDeps } from "../server/services/alerts-notify.ts";
import { whenRedisReady } from "../server/services/service-deps.ts";
import { AnalyticsWorker } from "./analytics/analytics-worker.ts";

const log = componentLogger("analytics");
const config = env();
const pool = getPool();
const redis = createRedis("command");
redis.on("error", (error) => log.debug({ error: error.message }, "redis connection error"));
const metrics = createAnalyticsMetrics();
const redisKeys = keys();
const worker = new AnalyticsWorker({
  pool,
  redis,
  keys: redisKeys,
  connection: queueConnection("worker"),
  partitions: config.ANALYTICS_PARTITIONS,
  metrics,
  log: (level, message, details) => log[level](details ?? {}, message),
  alerts: {
    createSubscriber: () => createRedis("subscriber").on("error", (error) => log.debug({ error: error.message }, "redis subscriber error")),
    notify: notificationDeps({ pool, keys: redisKeys }),
    appUrl: config.AUTH_URL ?? `http://localhost:${config.WEB_PORT}`,
  },
});

log.info({ partitions: config.ANALYTICS_PARTITIONS }, "analytics worker starting");
const stopExport = startMetricsExport("analytics", metrics.registry);
await whenRedisReady(redis, 10_000); // fail-fast connection: give it a moment before the first lease attempt
await worker.start();

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, "analytics worker stopping");
  await worker.close();
  await closeNotificationDeps(redisKeys);
  await stopExport();
  await closePool();
  await redis.quit().catch(() => undefined);
  process.exit(0);
};
process.once("SIGINT", () => void shutdown("SIGINT"));
process.once("SIGTERM", () => void shutdown("SIGTERM"));
