/**
 * The I/O handles services work with (pg pool, Redis command connection, key builder, clock).
 * Request handlers use `defaultServiceDeps()`; tests build their own (other namespace, a Redis
 * that is down, ...). Edit when a service needs another shared handle.
 */
import type pg from "pg";
import type { Redis } from "ioredis";
import { getPool } from "../db/pool.ts";
import { getRedis, keys } from "../redis/client.ts";
import type { RedisKeys } from "../redis/keys.ts";

export interface ServiceDeps {
  pool: pg.Pool;
  redis: Redis;
  keys: RedisKeys;
  /** Clock in epoch ms (services never call Date.now() directly, so tests can pin it). */
  now: () => number;
}

const settled = new WeakSet<Redis>();

/**
 * Fail-fast connections reject commands until connected. On a connection's first use, wait up
 * to `timeoutMs` for it to come up (so the first request after boot does not see "Redis down");
 * afterwards never wait, so an outage costs requests nothing.
 */
export async function whenRedisReady(redis: Redis, timeoutMs = 1_000): Promise<void> {
  if (redis.status === "ready" || settled.has(redis)) {
    settled.add(redis);
    return;
  }
  await new Promise<void>((resolve) => {
    const timer = setTimeout(done, timeoutMs);
    function done() {
      clearTimeout(timer);
      redis.off("ready", done);
      resolve();
    }
    redis.once("ready", done);
  });
  settled.add(redis);
}

let shared: ServiceDeps | undefined;

/** Process-wide deps built from env (shared pool and Redis connection). */
export function defaultServiceDeps(): ServiceDeps {
  shared ??= { pool: getPool(), redis: getRedis(), keys: keys(), now: () => Date.now() };
  return shared;
}
