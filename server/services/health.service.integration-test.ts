/**
 * Health semantics with a "disabled" collector (Alpaca without keys): listed, but it neither makes the system
 * unhealthy nor counts as the reporting collector; collectors are found through the registry SET, never SCAN.
 * Real PostgreSQL and Redis, own namespace.
 */
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { env } from "../env.ts";
import { redisKeys } from "../redis/keys.ts";
import { writeCollectorHeartbeat } from "./collector-heartbeat.ts";
import { createHealthService } from "./health.service.ts";

describe("health with a disabled collector", () => {
  let pool: pg.Pool;
  let redis: Redis;
  const namespace = `itest-${randomBytes(3).toString("hex")}`;
  const keys = redisKeys(namespace);
  const base = { mode: "live", lastMessageAt: null, updatedAt: Date.now(), reconnects: 0, symbols: {} };

  beforeAll(() => {
    pool = new pg.Pool({ connectionString: env().DATABASE_URL });
    redis = new Redis(env().REDIS_URL, { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    const found = await redis.keys(`${namespace}:*`);
    if (found.length > 0) await redis.del(...found);
    await redis.quit();
    await pool.end();
  });

  it("lists a disabled collector without counting it", async () => {
    const service = createHealthService({ pool, redis, keys, now: Date.now });
    const disabled = { ...base, name: "alpaca", status: "disabled", reason: "no Alpaca API keys (set ALPACA_KEY_ID and ALPACA_SECRET_KEY)" };
    await writeCollectorHeartbeat(redis, keys, disabled);
    const alone = await service.getHealth();
    expect(alone.healthy).toBe(false);
    expect(alone.problems).toEqual(["no collector has reported in the last 30 s"]);
    await writeCollectorHeartbeat(redis, keys, { ...base, name: "binance", status: "healthy" });
    const report = await service.getHealth();
    expect(report.healthy).toBe(true);
    expect(report.problems).toEqual([]);
    expect(report.collectors.map((collector) => [collector.name, collector.status, collector.healthy])).toEqual([["alpaca", "disabled", false], ["binance", "healthy", true]]);
    expect(report.collectors[0]?.reason).toBe(disabled.reason);
  });

  it("a market-closed stock collector is listed with its reason and is not a problem", async () => {
    const service = createHealthService({ pool, redis, keys, now: Date.now });
    const stream = { state: "open", since: Date.now(), failures: 0, heldReason: "market closed", heldUntil: Date.parse("2026-11-23T14:30:00Z") };
    const closed = { ...base, name: "alpaca", status: "closed", reason: "market closed; opens 2026-11-23T14:30:00Z", breakers: { rest: { state: "closed", since: 0, failures: 0 }, stream } };
    await writeCollectorHeartbeat(redis, keys, closed);
    await writeCollectorHeartbeat(redis, keys, { ...base, name: "binance", status: "healthy" });
    const report = await service.getHealth();
    expect(report.problems).toEqual([]);
    expect(report.healthy).toBe(true);
    const alpaca = report.collectors.find((collector) => collector.name === "alpaca");
    expect(alpaca).toMatchObject({ status: "closed", reason: closed.reason, breakers: { stream: { heldReason: "market closed" } } });
  });

  it("a refused config edit is a warning with file:line, not a problem; no report → config null", async () => {
    const service = createHealthService({ pool, redis, keys, now: Date.now });
    await writeCollectorHeartbeat(redis, keys, { ...base, name: "binance", status: "healthy" });
    await redis.del(keys.configHealth());
    const before = await service.getHealth();
    expect(before.config).toBeNull();
    expect(before.warnings).toEqual([]);
    const refused = {
      updatedAt: Date.now(),
      files: {
        "config/symbols.yaml": { status: "refused", checkedAt: Date.now(), appliedAt: Date.now() - 60_000, error: { file: "config/symbols.yaml", line: 7, message: "symbols[1].calendar: unknown calendar \"NYSX\"" } },
        "config/exchanges.yaml": { status: "applied", checkedAt: Date.now(), appliedAt: Date.now() },
      },
    };
    await redis.set(keys.configHealth(), JSON.stringify(refused), "EX", 60);
    const report = await service.getHealth();
    expect(report.healthy).toBe(true);
    expect(report.config?.files["config/symbols.yaml"]?.status).toBe("refused");
    expect(report.warnings).toEqual([
      'config change refused (config/symbols.yaml:7): symbols[1].calendar: unknown calendar "NYSX"; the previous config stays in effect',
    ]);
  });

  it("finds collectors through the registry SET without SCAN: an unregistered heartbeat key is ignored, an expired one is not listed", async () => {
    // SCAN / KEYS would walk the whole shared keyspace: a Redis that refuses them proves health does not need them
    const noScan = new Proxy(redis, {
      get(target, property) {
        if (property === "scan" || property === "scanStream" || property === "keys") throw new Error(`health used ${String(property)}`);
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    const service = createHealthService({ pool, redis: noScan, keys, now: Date.now });
    await redis.del(keys.collectorRegistry(), keys.collectorHealth("alpaca"), keys.collectorHealth("binance"));
    // a heartbeat key under the old pattern that no collector registered: not a collector
    await redis.set(keys.collectorHealth("stray"), JSON.stringify({ ...base, name: "stray", status: "healthy" }), "EX", 30);
    const unregistered = await service.getHealth();
    expect(unregistered.collectors).toEqual([]);
    expect(unregistered.problems).toEqual(["no collector has reported in the last 30 s"]);

    await writeCollectorHeartbeat(redis, keys, { ...base, name: "yahoo", status: "reconnecting", reason: "HTTP 503" });
    await writeCollectorHeartbeat(redis, keys, { ...base, name: "binance", status: "healthy" });
    expect(await redis.smembers(keys.collectorRegistry())).toEqual(expect.arrayContaining(["binance", "yahoo"]));
    expect(await redis.ttl(keys.collectorRegistry())).toBeGreaterThan(0);
    const registered = await service.getHealth();
    expect(registered.collectors.map((collector) => [collector.name, collector.status])).toEqual([["binance", "healthy"], ["yahoo", "reconnecting"]]);
    expect(registered.problems).toEqual(["collector yahoo is reconnecting: HTTP 503"]);

    // yahoo's heartbeat expires (its name stays in the registry): not listed, as before the registry
    await redis.del(keys.collectorHealth("yahoo"));
    const expired = await service.getHealth();
    expect(expired.collectors.map((collector) => collector.name)).toEqual(["binance"]);
    expect(expired.healthy).toBe(true);
  });
});
