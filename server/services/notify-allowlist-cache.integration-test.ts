/**
 * The per-process allowlist cache on the real PostgreSQL and Redis: env ∪ table; a row written elsewhere is
 * seen once the Redis version changes (as another process's admin change would announce it), or after
 * `maxAgeMs` without one; with Redis cut it falls back to `maxAgeMs`; with PostgreSQL cut the last list
 * stays. Connections go through a TcpProxy so the outages are real dropped sockets.
 */
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TcpProxy } from "../../test-support/tcp-proxy.ts";
import { env } from "../env.ts";
import { redisKeys } from "../redis/keys.ts";
import { createAllowlistCache } from "./notify-allowlist-cache.ts";

const HOST_A = `a-${randomBytes(3).toString("hex")}.cache-test.example`;
const HOST_B = `b-${randomBytes(3).toString("hex")}.cache-test.example`;
const keys = redisKeys(`${env().MARKETLENS_NAMESPACE}-allowlist-${randomBytes(3).toString("hex")}`);

let pool: pg.Pool;
let redis: Redis;
let pgProxy: TcpProxy;
let redisProxy: TcpProxy;
let proxiedPool: pg.Pool;
let proxiedRedis: Redis;

async function insertHost(host: string): Promise<void> {
  await pool.query(`INSERT INTO "notify_allowed_hosts" ("host", "note") VALUES ($1, 'cache test')`, [host]);
}

beforeAll(async () => {
  pool = new pg.Pool({ connectionString: env().DATABASE_URL, max: 2 });
  redis = new Redis(env().REDIS_URL, { maxRetriesPerRequest: 1 });
  const database = new URL(env().DATABASE_URL);
  const redisUrl = new URL(env().REDIS_URL);
  pgProxy = new TcpProxy(database.hostname, Number(database.port || 5432));
  redisProxy = new TcpProxy(redisUrl.hostname, Number(redisUrl.port || 6379));
  database.port = String(await pgProxy.listen());
  redisUrl.port = String(await redisProxy.listen());
  proxiedPool = new pg.Pool({ connectionString: database.toString(), max: 2, connectionTimeoutMillis: 2_000 });
  proxiedPool.on("error", () => undefined);
  proxiedRedis = new Redis(redisUrl.toString(), { maxRetriesPerRequest: 1, enableOfflineQueue: false, commandTimeout: 2_000, retryStrategy: () => 100 });
  proxiedRedis.on("error", () => undefined);
  await new Promise((resolve) => proxiedRedis.once("ready", resolve));
});

afterAll(async () => {
  await pool.query(`DELETE FROM "notify_allowed_hosts" WHERE "host" = ANY($1)`, [[HOST_A, HOST_B]]);
  await redis.del(keys.notifyAllowlistVersion());
  proxiedRedis.disconnect();
  await proxiedPool.end().catch(() => undefined);
  await pgProxy.close();
  await redisProxy.close();
  await redis.quit();
  await pool.end();
});

describe("allowlist cache", () => {
  it("holds env ∪ table and re-reads the table when the Redis version changes or the list is older than maxAgeMs", async () => {
    let now = 1_000_000;
    const cache = createAllowlistCache({ pool, redis, keys, envHosts: new Set(["env.example"]), maxAgeMs: 10_000, now: () => now });
    expect((await cache()).has("env.example")).toBe(true);
    expect((await cache()).has(HOST_A)).toBe(false);

    await insertHost(HOST_A); // written by "another process": no local invalidation
    expect((await cache()).has(HOST_A)).toBe(false); // same version, fresh: the cached list
    await redis.incr(keys.notifyAllowlistVersion());
    expect((await cache()).has(HOST_A)).toBe(true);

    await insertHost(HOST_B); // change whose version bump was lost
    now += 9_999;
    expect((await cache()).has(HOST_B)).toBe(false);
    now += 1;
    const hosts = await cache();
    expect([HOST_A, HOST_B, "env.example"].every((host) => hosts.has(host))).toBe(true);

    await pool.query(`DELETE FROM "notify_allowed_hosts" WHERE "host" = $1`, [HOST_B]);
    cache.invalidate(); // what announceAllowlistChange does in this process
    expect((await cache()).has(HOST_B)).toBe(false);
  });

  it("with Redis cut, falls back to maxAgeMs; with PostgreSQL cut, keeps the last list", async () => {
    await pool.query(`DELETE FROM "notify_allowed_hosts" WHERE "host" = ANY($1)`, [[HOST_A, HOST_B]]);
    let now = 5_000_000;
    const cache = createAllowlistCache({ pool: proxiedPool, redis: proxiedRedis, keys, envHosts: new Set(), maxAgeMs: 10_000, now: () => now });
    expect((await cache()).has(HOST_A)).toBe(false);

    redisProxy.cut();
    await insertHost(HOST_A);
    await redis.incr(keys.notifyAllowlistVersion()); // not readable through the cut proxy
    expect((await cache()).has(HOST_A)).toBe(false);
    now += 10_000;
    expect((await cache()).has(HOST_A)).toBe(true); // re-read from PostgreSQL after maxAgeMs

    pgProxy.cut();
    now += 10_000;
    expect((await cache()).has(HOST_A)).toBe(true); // the last list stays
    await pool.query(`DELETE FROM "notify_allowed_hosts" WHERE "host" = $1`, [HOST_A]);
    now += 10_000;
    expect((await cache()).has(HOST_A)).toBe(true);

    pgProxy.restore();
    redisProxy.restore();
    now += 10_000;
    expect((await cache()).has(HOST_A)).toBe(false);
  });
});
