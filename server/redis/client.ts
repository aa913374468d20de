/**
 * ioredis connections. Producers and request handlers fail fast (a short command timeout and
 * offline queue off) so reads can fall back to PostgreSQL when Redis is down; subscribers and
 * BullMQ workers retry forever.
 */
import { Redis } from "ioredis";
import { env } from "../env.ts";
import { redisKeys, type RedisKeys } from "./keys.ts";

export type RedisRole = "command" | "subscriber";

/** Opens a new connection for the given role. The caller closes it with `quit()`. */
export function createRedis(role: RedisRole = "command"): Redis {
  const common = {
    lazyConnect: false,
    retryStrategy: (attempt: number) => Math.min(attempt * 200, 2_000),
  };
  if (role === "subscriber") {
    return new Redis(env().REDIS_URL, { ...common, maxRetriesPerRequest: null });
  }
  return new Redis(env().REDIS_URL, {
    ...common,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    commandTimeout: 2_000,
    connectTimeout: 2_000,
  });
}

/**
 * BullMQ connection options (an options object, never an IORedis instance: BullMQ then owns and closes the
 * connections, STACK.md §3). Workers retry forever (`maxRetriesPerRequest: null`, required for blocking
 * commands); producers fail fast so a Redis outage never blocks the caller (it keeps its own backlog).
 */
export interface QueueConnectionOptions {
  url: string;
  maxRetriesPerRequest: number | null;
  enableOfflineQueue?: boolean;
  commandTimeout?: number;
  connectTimeout?: number;
  retryStrategy: (attempt: number) => number;
}

export function queueConnection(role: "producer" | "worker", url: string = env().REDIS_URL): QueueConnectionOptions {
  const retryStrategy = (attempt: number) => Math.min(attempt * 200, 2_000);
  if (role === "worker") return { url, maxRetriesPerRequest: null, retryStrategy };
  return { url, maxRetriesPerRequest: 1, enableOfflineQueue: false, commandTimeout: 5_000, connectTimeout: 2_000, retryStrategy };
}

let shared: Redis | undefined;

/** A shared command connection for request handlers (web process). */
export function getRedis(): Redis {
  if (!shared) {
    shared = createRedis("command");
    shared.on("error", () => undefined); // surfaced through failed commands and health instead
  }
  return shared;
}

/** Key builder for this process's namespace. */
export function keys(): RedisKeys {
  return redisKeys(env().MARKETLENS_NAMESPACE);
}
