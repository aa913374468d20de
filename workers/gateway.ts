/**
 * Process entry of the realtime gateway: `node --import tsx workers/gateway.ts`.
 * Listens on GATEWAY_PORT (path /ws), relays Redis pub/sub bar events to browsers that bring a valid
 * access token (`?token=`, else close code 4001; AUTH_SECRET shared with the web), plus each user's
 * in-app notifications and the scanner's toplists/screens (PostgreSQL only for screen ownership),
 * exports its metrics to Redis for /metrics, and shuts down cleanly on SIGINT/SIGTERM.
 * On a machine with several cores this process is the node:cluster primary: it forks one gateway process
 * per core (at most 4, server/realtime/gateway-cluster.ts) that share the port, so a large fan-out is
 * written by all cores at once; each exports its metrics as `gateway-<n>`. On one core it is the gateway.
 */
import cluster from "node:cluster";
import { fileURLToPath } from "node:url";
import { Registry, collectDefaultMetrics } from "prom-client";
import { authSecret } from "../server/auth/auth-secret.ts";
import { closePool, getPool } from "../server/db/pool.ts";
import { env } from "../server/env.ts";
import { componentLogger } from "../server/observability/logger.ts";
import { startMetricsExport } from "../server/observability/metrics-export.ts";
import { startGateway } from "../server/realtime/gateway.ts";
import { announceGatewayReady, defaultGatewayProcesses, forkGatewayProcesses } from "../server/realtime/gateway-cluster.ts";

const log = componentLogger("gateway");
const config = env();
const processes = config.GATEWAY_PROCESSES ?? defaultGatewayProcesses();

/** Runs until a signal, then stops cleanly (forced exit after 10 s). */
function onShutdown(stop: () => Promise<void>): void {
  let stopping = false;
  async function shutdown(signal: string): Promise<void> {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "gateway stopping");
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    await stop();
    log.info("gateway stopped");
    process.exit(0);
  }
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
}

async function runGateway(metricsName: string): Promise<void> {
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
  const exporter = startMetricsExport(metricsName, registry, {
    onError: (error) => log.debug({ err: String(error) }, "metrics export failed"),
  });
  onShutdown(async () => {
    await gateway.close();
    await exporter.stop();
    await closePool().catch(() => undefined);
  });
  await gateway.ready;
  announceGatewayReady(gateway.port);
}

if (cluster.isWorker) {
  await runGateway(`gateway-${cluster.worker?.id ?? process.pid}`);
} else if (processes > 1) {
  const group = await forkGatewayProcesses({
    processes,
    exec: fileURLToPath(import.meta.url),
    // Outside production an unset AUTH_SECRET means a random one (auth-secret.ts): make it one for all processes.
    env: { AUTH_SECRET: authSecret() },
    restart: true,
    onExit: ({ pid, ...info }) => log.warn({ gatewayPid: pid, ...info }, "gateway process exited"),
    onReady: ({ pid }) => log.info({ gatewayPid: pid }, "gateway process ready"),
  });
  log.info({ port: group.port, processes, pids: group.pids() }, "gateway processes ready");
  onShutdown(() => group.stop());
} else {
  await runGateway("gateway");
}
