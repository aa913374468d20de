/**
 * Process entry of the realtime gateway: `node --import tsx workers/gateway.ts`.
 * Listens on GATEWAY_PORT (path /ws), relays Redis pub/sub bar events to browsers that bring a valid
 * access token (`?token=`, else close code 4001; AUTH_SECRET shared with the web), plus each user's
 * in-app notifications and the scanner's toplists/screens (PostgreSQL only for screen ownership),
 * exports its metrics to Redis for /metrics, and shuts down cleanly on SIGINT/SIGTERM.
 */
import { Registry, collectDefaultMetrics } from "prom-client";
import { authSecret } from "../server/auth/auth-secret.ts";
import { closePool, getPool } from "../server/db/pool.ts";
import { env } from "../server/env.ts";
import { componentLogger } from "../server/observability/logger.ts";
import { startMetricsExport } from "../server/observability/metrics-export.ts";
import { startGateway } from "../server/realtime/gateway.ts";

const log = componentLogger("gateway");
const config = env();
const registry = new Registry();
collectDefaultMetrics({ register: registry });

const gateway = await startGateway({
  port: config.GATEWAY_PORT,
  namespace: config.MARKETLENS_NAMESPACE,
  redisUrl: config.REDIS_URL,
  registry,
  logger: log,
  auth: { secret: authSecret() },
  pool: getPool(),
});
const exporter = startMetricsExport("gateway", registry, {
  onError: (error) => log.debug({ err: String(error) }, "metrics export failed"),
});

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, "gateway stopping");
  const force = setTimeout(() => process.exit(1), 10_000);
  force.unref();
  await gateway.close();
  await exporter.stop();
  await closePool().catch(() => undefined);
  log.info("gateway stopped");
  process.exit(0);
}

process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));
