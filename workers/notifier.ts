/**
 * Process entry: the notifier. Consumes the "notify" queue (one job per (notification, channel)) and delivers
 * by email (SMTP_URL), Slack, signed webhook and in-app (Redis pub/sub + bell list), with retries and
 * exponential backoff, dead-lettering, per-channel rate limits and a delivery log in PostgreSQL
 * (docs/webhooks.md). Metrics every 5 s to Redis. SIGINT/SIGTERM: close the worker (running sends finish), then
 * PostgreSQL, then Redis. A SIGKILL mid-send is safe: the job is retried after the lock expires and re-sent
 * under the same delivery id. The SSRF guard's allowlist is NOTIFY_ALLOWED_HOSTS ∪ the hosts admins allow on /admin,
 * re-read when they change (server/services/notify-allowlist-cache.ts), so no restart is needed.
 */
import { env } from "../server/env.ts";
import { closePool, getPool } from "../server/db/pool.ts";
import { createNotifyMetrics } from "../server/observability/notify-metrics.ts";
import { componentLogger } from "../server/observability/logger.ts";
import { startMetricsExport } from "../server/observability/metrics-export.ts";
import { createRedis, keys, queueConnection } from "../server/redis/client.ts";
import { whenRedisReady } from "../server/services/service-deps.ts";
import { parseAllowedHosts } from "../server/services/notifications/ssrf-guard.ts";
import { createAllowlistCache } from "../server/services/notify-allowlist-cache.ts";
import { NotifierWorker } from "./notifier/notifier-worker.ts";

const log = componentLogger("notifier");
const config = env();
const redis = createRedis("command");
redis.on("error", (error) => log.debug({ error: error.message }, "redis connection error"));
const metrics = createNotifyMetrics();
const allowedHosts = createAllowlistCache({ pool: getPool(), redis, keys: keys(), envHosts: parseAllowedHosts(config.NOTIFY_ALLOWED_HOSTS) });
const notifier = new NotifierWorker({
  pool: getPool(),
  redis,
  keys: keys(),
  workerConnection: queueConnection("worker"),
  producerConnection: queueConnection("producer"),
  metrics,
  guard: { allowedHosts },
  smtpUrl: config.SMTP_URL,
  from: config.NOTIFY_FROM,
  timeoutMs: config.NOTIFY_TIMEOUT_MS,
  attempts: config.NOTIFY_ATTEMPTS,
  backoffMs: config.NOTIFY_BACKOFF_MS,
  concurrency: config.NOTIFY_CONCURRENCY,
  lockMs: config.NOTIFY_LOCK_MS,
  bellSize: config.NOTIFY_BELL_SIZE,
  log: (level, message, details) => log[level](details ?? {}, message),
});

log.info({ concurrency: config.NOTIFY_CONCURRENCY, email: Boolean(config.SMTP_URL), allowedHosts: config.NOTIFY_ALLOWED_HOSTS || "(none)" }, "notifier starting");
const stopExport = startMetricsExport("notifier", metrics.registry);
await whenRedisReady(redis, 10_000);
await notifier.start();
log.info("notifier ready");

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, "notifier stopping");
  await notifier.close();
  await stopExport();
  await closePool();
  await redis.quit().catch(() => undefined);
  process.exit(0);
};
process.once("SIGINT", () => void shutdown("SIGINT"));
process.once("SIGTERM", () => void shutdown("SIGTERM"));
