/**
 * Process entry: the control plane. Today it watches the live config (config/symbols.yaml and
 * config/exchanges.yaml, or MARKETLENS_CONFIG_DIR) and applies every valid change through the symbols service, so
 * running collectors subscribe/unsubscribe within seconds; an invalid change is refused with file:line in the log
 * and in `{ns}:health:config`, and the previous config stays (workers/control/config-watcher.ts).
 * SIGINT/SIGTERM: stop watching (an apply under way finishes), close PostgreSQL, then Redis.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { closePool, getPool } from "../server/db/pool.ts";
import { env } from "../server/env.ts";
import { componentLogger } from "../server/observability/logger.ts";
import { createRedis, keys } from "../server/redis/client.ts";
import { createSymbolsWriter } from "../server/services/symbols.service.ts";
import { ConfigWatcher } from "./control/config-watcher.ts";

const log = componentLogger("control");
const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dir = path.resolve(env().MARKETLENS_CONFIG_DIR ?? path.join(projectRoot, "config"));
const pool = getPool();
const redis = createRedis("command");
redis.on("error", (error) => log.debug({ error: error.message }, "redis connection error"));

const watcher = new ConfigWatcher({
  dir,
  projectRoot,
  writer: createSymbolsWriter({ pool, redis, keys: keys(), now: () => Date.now() }),
  health: { redis, keys: keys() },
  log: (level, message, details) => log[level](details ?? {}, message),
});

log.info({ dir }, "control starting: watching symbols.yaml and exchanges.yaml");
await watcher.start();

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, "control stopping");
  await watcher.stop();
  await closePool();
  await redis.quit().catch(() => undefined);
  process.exit(0);
};
process.once("SIGINT", () => void shutdown("SIGINT"));
process.once("SIGTERM", () => void shutdown("SIGTERM"));
