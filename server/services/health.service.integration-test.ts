/**
 * Health semantics with a "disabled" collector (Alpaca without keys): listed, but it neither makes the system
 * unhealthy nor counts as the reporting collector. Real PostgreSQL and Redis, own namespace.
 */
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { env } from "../env.ts";
import { redisKeys } from "../redis/keys.ts";
import { createHealthService } from "./health.service.ts";

describe("health with a disabled collector", () => {
  let pool: pg.Pool;
  let redis: Redis;
  const keys = redisKeys(`itest-${randomBytes(3).toString("hex")}`);
  const base = { mode: "live", lastMessageAt: null, updatedAt: Date.now(), reconnects: 0, symbols: {} };

  beforeAll(() => {
    pool = new pg.Pool({ connectionString: env().DATABASE_URL });
    redis = new Redis(env().REDIS_URL, { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    await redis.del(keys.collectorHealth("alpaca"), keys.collectorHealth("binance"), keys.configHealth());
    await redis.quit();
    await pool.end();
  });

  it("lists a disabled collector without counting it", async () => {
    const service = createHealthService({ pool, redis, keys, now: Date.now });
    const disabled = { ...base, name: "alpaca", status: "disabled", reason: "no Alpaca API keys (set ALPACA_KEY_ID and ALPACA_SECRET_KEY)" };
    await redis.set(keys.collectorHealth("alpaca"), JSON.stringify(disabled), "EX", 30);
    const alone = await service.getHealth();
    expect(alone.healthy).toBe(false);
    expect(alone.problems).toEqual(["no collector has reported in the last 30 s"]);
    await redis.set(keys.collectorHealth("binance"), JSON.stringify({ ...base, name: "binance", status: "healthy" }), "EX", 30);
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
    await redis.set(keys.collectorHealth("alpaca"), JSON.stringify(closed), "EX", 30);
    await redis.set(keys.collectorHealth("binance"), JSON.stringify({ ...base, name: "binance", status: "healthy" }), "EX", 30);
    const report = await service.getHealth();
    expect(report.problems).toEqual([]);
    expect(report.healthy).toBe(true);
    const alpaca = report.collectors.find((collector) => collector.name === "alpaca");
    expect(alpaca).toMatchObject({ status: "closed", reason: closed.reason, breakers: { stream: { heldReason: "market closed" } } });
  });

  it("a refused config edit is a warning with file:line, not a problem; no report → config null", async () => {
    const service = createHealthService({ pool, redis, keys, now: Date.now });
    await redis.set(keys.collectorHealth("binance"), JSON.stringify({ ...base, name: "binance", status: "healthy" }), "EX", 30);
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
});
