/**
 * Writing a collector's heartbeat: its CollectorHealth JSON under `{ns}:health:collector:{name}` (TTL 30 s)
 * and its name in the registry SET `{ns}:health:collectors`, in the caller's MULTI. Health
 * (health.service.ts) reads the registry and MGETs the heartbeats, so it never SCANs the keyspace. The
 * registry gets the same TTL on every heartbeat, so it outlives every heartbeat in it and is gone once all
 * collectors have stopped; a name whose heartbeat expired stays until then and reads as "not reporting".
 */
import type { ChainableCommander, Redis } from "ioredis";
import type { RedisKeys } from "../redis/keys.ts";

/** A heartbeat not refreshed for this long expires: the collector no longer counts as reporting. */
export const HEARTBEAT_TTL_SECONDS = 30;

/**
 * Queues the heartbeat's SET, the registry's SADD and its EXPIRE on `transaction` and returns it.
 * @example
 * await queueCollectorHeartbeat(redis.multi(), keys, collector.health()).set(keys.feed(), "live").exec();
 */
export function queueCollectorHeartbeat<T extends ChainableCommander, H extends { name: string }>(transaction: T, keys: RedisKeys, health: H): T {
  const registry = keys.collectorRegistry();
  transaction
    .set(keys.collectorHealth(health.name), JSON.stringify(health), "EX", HEARTBEAT_TTL_SECONDS)
    .sadd(registry, health.name)
    .expire(registry, HEARTBEAT_TTL_SECONDS);
  return transaction;
}

/** Writes one heartbeat in its own MULTI (tests, one-off tools); throws when Redis fails. */
export async function writeCollectorHeartbeat<H extends { name: string }>(redis: Redis, keys: RedisKeys, health: H): Promise<void> {
  const results = await queueCollectorHeartbeat(redis.multi(), keys, health).exec();
  const failed = results?.find(([error]) => error)?.[0];
  if (!results || failed) throw failed ?? new Error(`collector ${health.name}: heartbeat transaction aborted`);
}
