/**
 * GET /api/v1/quality/{symbol} and `quality.status` over real HTTP (route handlers on a node:http server), real
 * PostgreSQL and Redis, own namespace: the snapshot from Redis, the newest data_quality_metrics row when Redis is
 * down, the last 20 quarantined items newest first, 404 for an unknown symbol and 400 for a malformed one. The
 * collector side (gate → quarantine, Redis, history) is tested in workers/collectors/.
 */
import { randomBytes } from "node:crypto";
import type { Server } from "node:http";
import { Redis } from "ioredis";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertQuarantine, upsertQualityMetrics, type QuarantineItem } from "../db/quality.repo.ts";
import { env } from "../env.ts";
import { redisKeys } from "../redis/keys.ts";
import type { StoredQualitySnapshot } from "../services/quality-sink.service.ts";
import type { QualityStatus } from "../services/quality.service.ts";
import { createApiServices, type ApiServices } from "./api-services.ts";
import { appRouter } from "./root.ts";
import { createTRPCContext } from "./trpc.ts";
import { serveApi } from "../../test-support/serve-api.ts";

const failFast = { maxRetriesPerRequest: 1, enableOfflineQueue: false, commandTimeout: 2_000, connectTimeout: 1_000 };


describe("data quality REST API and quality.status (in-process handlers)", () => {
  const config = env();
  const runId = randomBytes(3).toString("hex").toUpperCase();
  const namespace = `test-quality-api-${runId.toLowerCase()}`;
  const keys = redisKeys(namespace);
  const SYMBOL = `TEST:QA${runId}`;
  const EMPTY = `TEST:QE${runId}`; // active, nothing recorded
  const pool = new pg.Pool({ connectionString: config.DATABASE_URL, max: 4 });
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1 });
  redis.on("error", () => undefined);
  const connections: Redis[] = [];
  const servers: Server[] = [];
  let base = "";
  let downBase = "";
  let services: ApiServices;
  const t0 = Date.UTC(2024, 0, 31, 12);
  const snapshot: StoredQualitySnapshot = {
    symbol: SYMBOL,
    score: 97.5,
    windowItems: 1000,
    windowRejected: 25,
    issuesByCheck: { price_anomaly: 25, stale: 0, invalid_value: 0, volume_spike: 0 },
    totalItems: 5000,
    totalRejected: 25,
    rebaselines: 0,
    lastEventTime: t0,
    ageMs: 120,
    source: "binance",
    updatedAt: t0 + 1_000,
  };

  beforeAll(async () => {
    for (const id of [SYMBOL, EMPTY]) {
      await pool.query("INSERT INTO symbols (id, exchange, ticker, display_name) VALUES ($1, 'TEST', $2, 'quality API test')", [id, id.split(":")[1]]);
    }
    const items: QuarantineItem[] = Array.from({ length: 25 }, (_, i) => ({
      symbol: SYMBOL,
      kind: i % 5 === 0 ? "bar" : "trade",
      payload: { symbol: SYMBOL, id: i, price: 120 + i, quantity: 1, time: t0 + i * 1_000 },
      checks: [{ check: "price_anomaly", value: 0.2, threshold: 0.1, message: `${SYMBOL} trade ${i}: price is 20% above the previous (limit 10%)` }],
      eventTime: t0 + i * 1_000,
      receivedAt: t0 + i * 1_000 + 5,
    }));
    await insertQuarantine(pool, items);
    await upsertQualityMetrics(pool, [
      { symbol: SYMBOL, at: t0 - 60_000, score: 99, windowItems: 900, windowRejected: 10, issues: { price_anomaly: 10, stale: 0, invalid_value: 0, volume_spike: 0 } },
      { symbol: SYMBOL, at: t0, score: 96.5, windowItems: 1000, windowRejected: 35, issues: { price_anomaly: 30, stale: 5, invalid_value: 0, volume_spike: 0 } },
    ]);
    await redis.set(keys.quality(SYMBOL), JSON.stringify(snapshot), "EX", 300);

    const command = new Redis(config.REDIS_URL, failFast);
    const down = new Redis("redis://127.0.0.1:1", { ...failFast, lazyConnect: true, retryStrategy: () => null });
    down.on("error", () => undefined);
    connections.push(command, down);
    services = createApiServices({ pool, redis: command, keys, now: () => Date.now() });
    const up = await serveApi(services);
    const downServer = await serveApi(createApiServices({ pool, redis: down, keys, now: () => Date.now() }));
    servers.push(up.server, downServer.server);
    base = up.url;
    downBase = downServer.url;
  }, 60_000);

  afterAll(async () => {
    for (const server of servers) await new Promise((resolve) => server.close(resolve));
    for (const table of ["quarantine", "data_quality_metrics"]) await pool.query(`DELETE FROM ${table} WHERE symbol = ANY($1)`, [[SYMBOL, EMPTY]]);
    await pool.query("DELETE FROM symbols WHERE id = ANY($1)", [[SYMBOL, EMPTY]]);
    const owned = await redis.keys(`${namespace}:*`);
    if (owned.length > 0) await redis.del(...owned);
    for (const connection of connections) connection.disconnect();
    await redis.quit();
    await pool.end();
  });

  async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(url);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it("returns the Redis snapshot and the last 20 quarantined items, newest first", async () => {
    const { status, body } = await getJson(`${base}/api/v1/quality/${encodeURIComponent(SYMBOL)}`);
    expect(status).toBe(200);
    const quality = body as unknown as QualityStatus;
    expect(quality).toMatchObject({ symbol: SYMBOL, source: "redis" });
    const { source: _source, symbol: _symbol, ...view } = snapshot;
    expect(quality.snapshot).toEqual(view);
    expect(quality.quarantined).toHaveLength(20);
    expect(quality.quarantined.map((item) => item.eventTime)).toEqual(Array.from({ length: 20 }, (_, i) => t0 + (24 - i) * 1_000));
    expect(quality.quarantined[0]).toMatchObject({ kind: "trade", receivedAt: t0 + 24_005, payload: { price: 144 }, checks: [{ check: "price_anomaly", value: 0.2, threshold: 0.1 }] });
    expect(quality.quarantined[4]!.kind).toBe("bar");
    expect(typeof quality.quarantined[0]!.id).toBe("string");
    // the colon may be sent as is, and the symbol in any case
    expect((await getJson(`${base}/api/v1/quality/${SYMBOL.toLowerCase()}`)).status).toBe(200);
  });

  it("falls back to the newest stored row when Redis is down", async () => {
    const { status, body } = await getJson(`${downBase}/api/v1/quality/${encodeURIComponent(SYMBOL)}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      source: "postgres",
      snapshot: { score: 96.5, windowItems: 1000, windowRejected: 35, issuesByCheck: { price_anomaly: 30, stale: 5 }, totalItems: null, updatedAt: t0 },
    });
    expect((body.quarantined as unknown[]).length).toBe(20);
  });

  it("answers null for an active symbol with nothing recorded, 404 for an unknown one, 400 for a malformed one", async () => {
    expect(await getJson(`${base}/api/v1/quality/${encodeURIComponent(EMPTY)}`)).toEqual({ status: 200, body: { symbol: EMPTY, source: null, snapshot: null, quarantined: [] } });
    const unknown = await getJson(`${base}/api/v1/quality/${encodeURIComponent(`TEST:NOPE${runId}`)}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ error: { code: "NOT_FOUND", message: expect.stringContaining("unknown symbol") as unknown } });
    const bad = await getJson(`${base}/api/v1/quality/not-a-symbol`);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { code: "BAD_REQUEST", message: expect.stringContaining("is invalid") as unknown } });
  });

  it("serves the same through tRPC quality.status", async () => {
    const caller = appRouter.createCaller(createTRPCContext(services));
    const status = await caller.quality.status({ symbol: SYMBOL });
    expect(status.source).toBe("redis");
    expect(status.snapshot?.score).toBe(97.5);
    await expect(caller.quality.status({ symbol: `TEST:NOPE${runId}` })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(caller.quality.status({ symbol: "nope" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});
