/**
 * The REST API test suite, shared by two entry points: api.integration-test.ts (route handlers on a
 * node:http server, own namespace) and api.api-test.ts (a running `next start` at
 * MARKETLENS_TEST_BASE_URL). Real HTTP, real PostgreSQL and Redis: every input error path, chart
 * reads from Redis and PostgreSQL, the Redis-down fallback, health 200/503 (collectors picked by name; disabled
 * and market-closed ones never 503), a symbol's market, /metrics, OpenAPI.
 */
import { randomUUID } from "node:crypto";
import type { Server } from "node:http";
import { Redis } from "ioredis";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Bar } from "../domain/bars/bar.ts";
import { createExchangeCalendar } from "../domain/calendars/exchange-calendar.ts";
import { marketStatus } from "../domain/calendars/market-status.ts";
import { env } from "../env.ts";
import { redisKeys } from "../redis/keys.ts";
import type { ServiceDeps } from "../services/service-deps.ts";
import { writeCollectorHeartbeat } from "../services/collector-heartbeat.ts";
import { createApiServices, type ApiServices } from "./api-services.ts";
import { appRouter } from "./root.ts";
import { createTRPCContext } from "./trpc.ts";
import { serveApi } from "../../test-support/serve-api.ts";

const T0 = Date.UTC(2024, 0, 1);
const CLOSED = 1_200;
const failFast = { maxRetriesPerRequest: 1, enableOfflineQueue: false, commandTimeout: 2_000, connectTimeout: 1_000 };


/**
 * Defines the suite. `remote`: base URL of a running web server (its namespace and database come
 * from the environment); undefined: serve the handlers in-process on a fresh namespace.
 */
export function defineApiSuite(remote: string | undefined): void {
  const config = env();
  const runId = randomUUID().replaceAll("-", "").slice(0, 8).toUpperCase();
  const namespace = remote ? config.MARKETLENS_NAMESPACE : `test-api-${runId.toLowerCase()}`;
  const keys = redisKeys(namespace);
  const SYMBOL = `TEST:X${runId}`;

  function bar(index: number, source: Bar["source"] = "rest"): Bar {
    const close = 100 + index;
    return { symbol: SYMBOL, timeframe: "1m", openTime: T0 + index * 60_000, open: close - 1, high: close + 1, low: close - 2, close, volume: 10 + index, trades: 5, source };
  }

  function deps(pool: pg.Pool, redis: Redis): ServiceDeps {
    return { pool, redis, keys, now: () => Date.now() };
  }

  describe(`REST API (${remote ? `against ${remote}` : "in-process handlers"})`, () => {
    const pool = new pg.Pool({ connectionString: config.DATABASE_URL, max: 4 });
    const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1 });
    redis.on("error", () => undefined); // failures surface in the commands that hit them
    const servers: Server[] = [];
    const extraConnections: Redis[] = [];
    let base = remote ?? "";
    let services: ApiServices | undefined;

    const get = (path: string) => fetch(`${base}${path}`);
    const getJson = async (path: string) => {
      const response = await get(path);
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };

    beforeAll(async () => {
      await pool.query("INSERT INTO symbols (id, exchange, ticker, display_name) VALUES ($1, 'TEST', $2, 'Integration test symbol')", [SYMBOL, SYMBOL.split(":")[1]]);
      const bars = Array.from({ length: CLOSED }, (_, index) => bar(index));
      await pool.query(
        `INSERT INTO candles (symbol, timeframe, open_time, open, high, low, close, volume, trades, source)
         SELECT $1, '1m', to_timestamp(t / 1000.0), o, h, l, c, v, 5, 'rest'
         FROM unnest($2::float8[], $3::float8[], $4::float8[], $5::float8[], $6::float8[], $7::float8[]) AS x(t, o, h, l, c, v)`,
        [SYMBOL, bars.map((b) => b.openTime), bars.map((b) => b.open), bars.map((b) => b.high), bars.map((b) => b.low), bars.map((b) => b.close), bars.map((b) => b.volume)],
      );
      const cached = bars.slice(-1_000).map((b) => ({ ...b, source: "kline" as const }));
      await redis.zadd(keys.bars(SYMBOL, "1m"), ...cached.flatMap((b) => [b.openTime, JSON.stringify(b)]));
      await redis.set(keys.liveBar(SYMBOL, "1m"), JSON.stringify(bar(CLOSED, "trades")), "EX", 600);
      if (!remote) {
        const command = new Redis(config.REDIS_URL, failFast);
        extraConnections.push(command);
        services = createApiServices(deps(pool, command));
        const started = await serveApi(services);
        servers.push(started.server);
        base = started.url;
      }
    });

    afterAll(async () => {
      for (const server of servers) await new Promise((resolve) => server.close(resolve));
      await pool.query("DELETE FROM candles WHERE symbol = $1", [SYMBOL]);
      await pool.query("DELETE FROM symbols WHERE id = $1", [SYMBOL]);
      const owned = remote
        ? [keys.bars(SYMBOL, "1m"), keys.liveBar(SYMBOL, "1m"), keys.metrics(`test-${runId.toLowerCase()}`)]
        : await redis.keys(`${namespace}:*`);
      if (owned.length > 0) await redis.del(...owned);
      for (const connection of extraConnections) connection.disconnect();
      await redis.quit();
      await pool.end();
    });

    it.each([
      ["bad timeframe", `/api/v1/charts/${SYMBOL}?timeframe=2m`, 400, /timeframe "2m" is unknown: expected one of 1m, 5m, 15m, 1h, 4h, 1d/],
      ["limit 0", `/api/v1/charts/${SYMBOL}?limit=0`, 400, /limit must be an integer from 1 to 5000 \(got 0\)/],
      ["limit 5001", `/api/v1/charts/${SYMBOL}?limit=5001`, 400, /limit must be an integer from 1 to 5000 \(got 5001\)/],
      ["limit abc", `/api/v1/charts/${SYMBOL}?limit=abc`, 400, /limit must be an integer from 1 to 5000 \(got "abc"\)/],
      ["limit 1.5", `/api/v1/charts/${SYMBOL}?limit=1.5`, 400, /limit must be an integer/],
      ["malformed symbol", "/api/v1/charts/BTCUSDT", 400, /symbol "BTCUSDT" is invalid: expected EXCHANGE:TICKER/],
      ["bad URL encoding", "/api/v1/charts/TEST%E0%A4%A", 400, /malformed URL encoding/],
      ["unknown symbol", `/api/v1/charts/TEST:NOPE${runId}`, 404, /unknown symbol TEST:NOPE/],
    ])("%s: GET %s → %i with a clear message", async (_name, path, status, message) => {
      const { status: actual, body } = await getJson(path);
      expect(actual).toBe(status);
      const error = body.error as { code: string; message: string };
      expect(error.code).toBe(status === 404 ? "NOT_FOUND" : "BAD_REQUEST");
      expect(error.message).toMatch(message);
    });

    it("reads the newest bars from Redis with the live bar last", async () => {
      const { status, body } = await getJson(`/api/v1/charts/${SYMBOL}?timeframe=1m&limit=500`);
      expect(status).toBe(200);
      const bars = body.bars as Bar[];
      expect(body.source).toBe("redis");
      expect(bars).toHaveLength(500);
      expect(bars.at(-1)).toEqual(bar(CLOSED, "trades")); // the still-open bar
      expect(body.liveOpenTime).toBe(bar(CLOSED).openTime);
      expect(bars.at(-2)?.openTime).toBe(bar(CLOSED - 1).openTime);
      expect(bars.every((b, i) => i === 0 || b.openTime - (bars[i - 1] as Bar).openTime === 60_000)).toBe(true);
    });

    it("accepts a URL-encoded colon and the default timeframe and limit", async () => {
      const { status, body } = await getJson(`/api/v1/charts/${encodeURIComponent(SYMBOL)}`);
      expect(status).toBe(200);
      expect(body).toMatchObject({ symbol: SYMBOL, timeframe: "1m" });
      expect(body.bars as Bar[]).toHaveLength(500);
    });

    it("goes to PostgreSQL when Redis holds fewer bars than asked", async () => {
      const { status, body } = await getJson(`/api/v1/charts/${SYMBOL}?limit=5000`);
      expect(status).toBe(200);
      expect(body.source).toBe("postgres");
      const bars = body.bars as Bar[];
      expect(bars).toHaveLength(CLOSED + 1); // 1,200 closed from PostgreSQL + the live bar from Redis
      expect(bars[0]?.openTime).toBe(T0);
      expect(bars.at(-2)?.source).toBe("kline"); // Redis copy wins over the PostgreSQL row on the overlap
    });

    it("falls back to PostgreSQL when Redis is down, and health says 503", async () => {
      const down = new Redis("redis://127.0.0.1:1", { ...failFast, lazyConnect: true, retryStrategy: () => null });
      down.on("error", () => undefined);
      extraConnections.push(down);
      const { url, server } = await serveApi(createApiServices(deps(pool, down)));
      servers.push(server);
      const chart = await fetch(`${url}/api/v1/charts/${SYMBOL}?limit=300`);
      expect(chart.status).toBe(200);
      const body = (await chart.json()) as { source: string; bars: Bar[] };
      expect(body.source).toBe("postgres");
      expect(body.bars).toHaveLength(300);
      expect(body.bars.at(-1)?.openTime).toBe(bar(CLOSED - 1).openTime);
      const health = await fetch(`${url}/api/v1/health`);
      expect(health.status).toBe(503);
      expect(await health.json()).toMatchObject({ healthy: false, redis: { up: false }, postgres: { up: true } });
    });

    it("reports health: 200 with every collector healthy, 503 otherwise", async () => {
      const collector = { name: "binance", mode: "replay", status: "healthy", lastMessageAt: Date.now() - 1_000, updatedAt: Date.now(), reconnects: 0, symbols: { [SYMBOL]: { status: "healthy" } } };
      if (remote) {
        const response = await getJson("/api/v1/health");
        expect([200, 503]).toContain(response.status);
        expect(response.body).toMatchObject({ healthy: response.status === 200, postgres: { up: true }, redis: { up: true } });
        return;
      }
      await writeCollectorHeartbeat(redis, keys, collector);
      await redis.set(keys.feed(), "replay");
      const healthy = await getJson("/api/v1/health");
      expect(healthy.status).toBe(200);
      expect(healthy.body).toMatchObject({ healthy: true, feed: "replay", problems: [], postgres: { up: true }, redis: { up: true } });
      const report = (healthy.body.collectors as Array<{ name: string; lastMessageAgeMs: number; healthy: boolean }>).find((collector) => collector.name === "binance");
      expect(report?.healthy).toBe(true);
      expect(report?.lastMessageAgeMs).toBeGreaterThanOrEqual(1_000);

      await writeCollectorHeartbeat(redis, keys, { ...collector, status: "reconnecting" });
      const unhealthy = await getJson("/api/v1/health");
      expect(unhealthy.status).toBe(503);
      expect(unhealthy.body.problems).toEqual(["collector binance is reconnecting"]);

      // a disabled collector (no keys) and a market-closed one are listed, never a problem
      const listed = { ...collector, symbols: {} };
      await writeCollectorHeartbeat(redis, keys, collector);
      await writeCollectorHeartbeat(redis, keys, { ...listed, name: "alpaca", status: "closed", reason: "market closed; opens 2026-11-23T14:30:00Z" });
      await writeCollectorHeartbeat(redis, keys, { ...listed, name: "yahoo", status: "disabled", reason: "switched off" });
      const mixed = await getJson("/api/v1/health");
      expect(mixed.status).toBe(200);
      const byName = (name: string) => (mixed.body.collectors as Array<{ name: string; status: string }>).find((entry) => entry.name === name);
      expect([byName("binance")?.status, byName("alpaca")?.status, byName("yahoo")?.status]).toEqual(["healthy", "closed", "disabled"]);
      expect((mixed.body.markets as Record<string, { open: boolean; continuous: boolean }>)[SYMBOL]).toMatchObject({ open: true, continuous: true });
    });

    it("serves a symbol's market: calendar, status computed at checkedAt, delay", async () => {
      const { status, body } = await getJson(`/api/v1/market/${encodeURIComponent(SYMBOL)}`);
      expect(status).toBe(200);
      expect(body).toMatchObject({ symbol: SYMBOL, exchange: "TEST", calendar: "CRYPTO", delayMinutes: 0, holidays: null });
      const checkedAt = body.checkedAt as number;
      expect(body.status).toEqual(marketStatus(createExchangeCalendar("CRYPTO"), checkedAt));
      const unknown = await getJson(`/api/v1/market/TEST:NOPE${runId}`);
      expect(unknown.status).toBe(404);
      expect((await getJson("/api/v1/market/NOCOLON")).status).toBe(400);
    });

    it("serves Prometheus text including metrics exported by other processes", async () => {
      const processName = `test-${runId.toLowerCase()}`;
      const exported = [{ name: "marketlens_test_widgets", help: "test metric", type: "gauge", aggregator: "sum", values: [{ value: 7, labels: {} }] }];
      await redis.set(keys.metrics(processName), JSON.stringify(exported), "EX", 30);
      await get(`/api/v1/charts/${SYMBOL}?limit=10`);
      const response = await get("/metrics");
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/text\/plain/);
      const text = await response.text();
      expect(text).toMatch(/# TYPE marketlens_http_requests_total counter/);
      expect(text).toMatch(/marketlens_chart_reads_total\{process="web",source="(redis|postgres)"\} \d+/);
      expect(text).toContain(`marketlens_test_widgets{process="${processName}"} 7`);
    });

    it("publishes a valid OpenAPI 3.1 document for these routes", async () => {
      const { status, body } = await getJson("/api/v1/openapi.json");
      expect(status).toBe(200);
      expect(body.openapi).toBe("3.1.0");
      const paths = body.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>;
      expect(Object.keys(paths).sort()).toEqual([
        "/api/v1/alerts",
        "/api/v1/alerts/test",
        "/api/v1/alerts/{id}",
        "/api/v1/alerts/{id}/history",
        "/api/v1/channels",
        "/api/v1/channels/deliveries",
        "/api/v1/channels/deliveries/{id}/retry",
        "/api/v1/channels/{id}",
        "/api/v1/channels/{id}/rotate-secret",
        "/api/v1/channels/{id}/test",
        "/api/v1/charts/{symbol}",
        "/api/v1/features/{symbol}",
        "/api/v1/features/{symbol}/latest",
        "/api/v1/health",
        "/api/v1/indicators/{symbol}",
        "/api/v1/keys",
        "/api/v1/keys/{id}",
        "/api/v1/market/{symbol}",
        "/api/v1/notifications",
        "/api/v1/openapi.json",
        "/api/v1/quality/{symbol}",
        "/metrics",
      ]);
      const schemas = (body.components as { schemas: Record<string, unknown> }).schemas;
      const refs = [...JSON.stringify(body).matchAll(/"\$ref":"#\/components\/schemas\/(\w+)"/g)].map((match) => match[1] as string);
      expect(refs.length).toBeGreaterThan(0);
      for (const ref of refs) expect(schemas[ref], `unresolved $ref ${ref}`).toBeDefined();
      expect(Object.keys(paths["/api/v1/charts/{symbol}"]?.get?.responses ?? {})).toEqual(["200", "400", "401", "404", "429", "503"]);
      expect(Object.keys(paths["/api/v1/keys"] ?? {}).sort()).toEqual(["get", "post"]);
    });

    // tRPC's in-process caller exists only in-process; against a remote stack the suite doesn't define it.
    if (!remote) it("maps the same errors through tRPC", async () => {
      const caller = appRouter.createCaller(createTRPCContext(services));
      await expect(caller.charts.history({ symbol: SYMBOL, timeframe: "1m", limit: 0 })).rejects.toMatchObject({
        code: "BAD_REQUEST",
        message: expect.stringMatching(/limit must be an integer from 1 to 5000 \(got 0\)/) as unknown,
      });
      await expect(caller.charts.history({ symbol: `TEST:NOPE${runId}` })).rejects.toMatchObject({ code: "NOT_FOUND" });
      const history = await caller.charts.history({ symbol: SYMBOL.toLowerCase(), limit: 3 });
      expect(history.bars.map((b) => b.close)).toEqual([100 + CLOSED - 2, 100 + CLOSED - 1, 100 + CLOSED]);
      const groups = await caller.symbols.list();
      expect(groups.find((group) => group.exchange === "TEST")?.symbols.map((s) => s.id)).toContain(SYMBOL);
    });
  });
}
