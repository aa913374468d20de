/**
 * Process entry: the scanner worker. Every SCANNER_INTERVAL_MS (default 1 s) it ranks every active symbol
 * into toplists (gainers/losers over 1m, 5m, 1d; volume; relative volume; RSI extremes; distance from VWAP),
 * evaluates the users' saved screens (`screens` table, rule language), writes the results to Redis sorted
 * sets `{ns}:scanner:*` and publishes one ScannerUpdate per cycle on `{ns}:scanner:updates`
 * (workers/scanner/). State comes from the bar and analytics pub/sub, filled at start from the Redis caches
 * (PostgreSQL as fallback). Metrics every 5 s to Redis. SIGINT/SIGTERM: stop the cycles, then PostgreSQL,
 * then Redis.
 */
import { env } from "../server/env.ts";
import { closePool, getPool } from "../server/db/pool.ts";
import { componentLogger } from "../server/observability/logger.ts";
import { startMetricsExport } from "../server/observability/metrics-export.ts";
import { createRedis, keys } from "../server/redis/client.ts";
import { whenRedisReady } from "../server/services/service-deps.ts";
import { createScannerMetrics } from "./scanner/scanner-metrics.ts";
import { ScannerWorker } from "./scanner/scanner-worker.ts";

const log = componentLogger("scanner");
const config = env();
const pool = getPool();
const redis = createRedis("command");
const subscriber = createRedis("subscriber");
for (const connection of [redis, subscriber]) connection.on("error", (error) => log.debug({ error: error.message }, "redis connection error"));
const metrics = createScannerMetrics();
const worker = new ScannerWorker({
  pool,
  redis,
  subscriber,
  keys: keys(),
  intervalMs: config.SCANNER_INTERVAL_MS,
  topK: config.SCANNER_TOP_K,
  metrics,
  log: (level, message, details) => log[level](details ?? {}, message),
});

log.info({ intervalMs: config.SCANNER_INTERVAL_MS, topK: config.SCANNER_TOP_K }, "scanner worker starting");
const stopExport = startMetricsExport("scanner", metrics.registry);
await whenRedisReady(redis, 10_000); // fail-fast connection: give it a moment before the first reads
for (;;) {
  try {
    await worker.start();
    break;
  } catch (error) {
    log.warn({ error: String(error) }, "scanner start failed (PostgreSQL or Redis unreachable?); retrying in 2 s");
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
}

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, "scanner worker stopping");
  await worker.close();
  await stopExport();
  await closePool();
  await subscriber.quit().catch(() => undefined);
  await redis.quit().catch(() => undefined);
  process.exit(0);
};
process.once("SIGINT", () => void shutdown("SIGINT"));
process.once("SIGTERM", () => void shutdown("SIGTERM"));
