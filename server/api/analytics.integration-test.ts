/**
 * Analytics REST routes and the `analytics.latest` procedure over real HTTP (route handlers on a node:http
 * server that pipes the streamed bodies), real PostgreSQL and Redis, own namespace. The stored rows are the
 * batch computation over 5,200 fixture bars written through the repos the worker uses; the Redis records are
 * built like the worker builds them (the worker pipeline itself is tested in workers/analytics/).
 */
import { randomBytes } from "node:crypto";
import type { Server } from "node:http";
import { parquetReadObjects } from "hyparquet";
import { Redis } from "ioredis";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FEATURE_NAMES_V1 } from "../domain/features/feature-set-v1.ts";
import { fixtureRows, rowsToBars } from "../domain/indicators/indicator-test-helpers.ts";
import { upsertCandles } from "../db/candles.repo.ts";
import { readFeatureRange } from "../db/features.repo.ts";
import { INDICATOR_VALUE_KEYS, readIndicatorRange } from "../db/indicators.repo.ts";
import { env } from "../env.ts";
import { redisKeys } from "../redis/keys.ts";
import { computeFeaturesV1 } from "../domain/features/feature-engine-v1.ts";
import { toFeatureVectorV1 } from "../domain/features/feature-vector-v1.ts";
import { computeIndicators } from "../domain/indicators/indicator-batch.ts";
import { emptyIndicatorValues } from "../domain/indicators/indicator-types.ts";
import { CandleEnricher } from "../domain/patterns/candle-enricher.ts";
import { PATTERNS } from "../domain/patterns/pattern-registry.ts";
import type { EnrichedCandle } from "../domain/patterns/enriched-candle.ts";
import { insertFeatureVersions } from "../db/features.repo.ts";
import { upsertIndicators, type IndicatorRow } from "../db/indicators.repo.ts";
import { labelPatterns, latestTtlSeconds, type LatestFeatures, type LatestIndicators } from "../services/analytics-latest.ts";
import { createApiServices, type ApiServices } from "./api-services.ts";
import { appRouter } from "./root.ts";
import { createTRPCContext } from "./trpc.ts";
import { serveApi } from "../../test-support/serve-api.ts";

const BARS = 5_200;
const failFast = { maxRetriesPerRequest: 1, enableOfflineQueue: false, commandTimeout: 2_000, connectTimeout: 1_000 };


describe("analytics REST API and analytics.latest (in-process handlers)", () => {
  const config = env();
  const runId = randomBytes(3).toString("hex").toUpperCase();
  const namespace = `test-analytics-api-${runId.toLowerCase()}`;
  const keys = redisKeys(namespace);
  const SYMBOL = `TEST:AA${runId}`;
  const EMPTY = `TEST:AE${runId}`; // active, no analytics
  const stream = { symbol: SYMBOL, timeframe: "1h" as const };
  const bars = rowsToBars(fixtureRows().slice(0, BARS), SYMBOL);
  const pool = new pg.Pool({ connectionString: config.DATABASE_URL, max: 6 });
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1 });
  redis.on("error", () => undefined);
  const connections: Redis[] = [];
  const servers: Server[] = [];
  let base = "";
  let services: ApiServices;
  let downServices: ApiServices;
  let downBase = "";

  beforeAll(async () => {
    for (const id of [SYMBOL, EMPTY]) {
      await pool.query("INSERT INTO symbols (id, exchange, ticker, display_name) VALUES ($1, 'TEST', $2, 'analytics API test')", [id, id.split(":")[1]]);
    }
    await upsertCandles(pool, bars);
    await storeAnalytics();

    const command = new Redis(config.REDIS_URL, failFast);
    const down = new Redis("redis://127.0.0.1:1", { ...failFast, lazyConnect: true, retryStrategy: () => null });
    down.on("error", () => undefined);
    connections.push(command, down);
    services = createApiServices({ pool, redis: command, keys, now: () => Date.now() });
    downServices = createApiServices({ pool, redis: down, keys, now: () => Date.now() });
    const up = await serveApi(services);
    const downServer = await serveApi(downServices);
    servers.push(up.server, downServer.server);
    base = up.url;
    downBase = downServer.url;
  }, 120_000);

  afterAll(async () => {
    for (const server of servers) await new Promise((resolve) => server.close(resolve));
    for (const table of ["candles", "indicators", "ml_features"]) await pool.query(`DELETE FROM ${table} WHERE symbol = $1`, [SYMBOL]);
    await pool.query("DELETE FROM symbols WHERE id = ANY($1)", [[SYMBOL, EMPTY]]);
    const owned = await redis.keys(`${namespace}:*`);
    if (owned.length > 0) await redis.del(...owned);
    for (const connection of connections) connection.disconnect();
    await redis.quit();
    await pool.end();
  });

  /** What the analytics worker writes for these bars: indicator rows, feature v1 rows, the two latest records. */
  async function storeAnalytics() {
    const series = computeIndicators(bars);
    const features = computeFeaturesV1(bars);
    const enricher = new CandleEnricher();
    let enriched: EnrichedCandle | undefined;
    const rows: IndicatorRow[] = bars.map((bar, index) => {
      enriched = enricher.push(bar);
      const values = emptyIndicatorValues();
      for (const key of INDICATOR_VALUE_KEYS) values[key] = series[key][index] ?? null;
      const patterns = PATTERNS.flatMap((pattern) => (enriched!.patterns[pattern.name] ? [{ name: pattern.name, value: enriched!.patterns[pattern.name]! }] : []));
      return { openTime: bar.openTime, values, patterns };
    });
    const featureRows = features.map((row) => {
      const values: Record<string, number | null> = {};
      for (const name of FEATURE_NAMES_V1) values[name] = row[name];
      return { openTime: row.openTime, values, vector: toFeatureVectorV1(row) };
    });
    const knownAt = Date.now();
    for (let offset = 0; offset < BARS; offset += 2_000) {
      await upsertIndicators(pool, stream, rows.slice(offset, offset + 2_000));
      await insertFeatureVersions(pool, { ...stream, featureSet: "v1" }, featureRows.slice(offset, offset + 2_000), knownAt);
    }
    const last = rows.at(-1)!;
    const latestIndicators: LatestIndicators = {
      ...stream,
      openTime: last.openTime,
      bar: bars.at(-1)!,
      indicators: last.values,
      patterns: labelPatterns(last.patterns),
      signals: enriched!.signals,
      description: enriched!.description,
      context: enriched!.context,
      computedAt: knownAt,
    };
    const latestFeatures: LatestFeatures = { ...stream, featureSet: "v1", openTime: last.openTime, version: 1, knownAt, features: featureRows.at(-1)!.values, vector: featureRows.at(-1)!.vector };
    await redis.set(keys.latestIndicators(SYMBOL, "1h"), JSON.stringify(latestIndicators), "EX", latestTtlSeconds("1h"));
    await redis.set(keys.latestFeatures(SYMBOL, "1h"), JSON.stringify(latestFeatures), "EX", latestTtlSeconds("1h"));
  }

  const getJson = async (path: string, at = base) => {
    const response = await fetch(`${at}${path}`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it.each([
    ["bad timeframe", `/api/v1/indicators/${SYMBOL}?timeframe=2m`, /timeframe "2m" is unknown: expected one of 1m, 5m, 15m, 1h, 4h, 1d/],
    ["from after to", `/api/v1/features/${SYMBOL}?timeframe=1h&from=2024-02-01&to=2024-01-01`, /from \(2024-02-01T00:00:00.000Z\) is after to \(2024-01-01T00:00:00.000Z\)/],
    ["non-ISO from", `/api/v1/indicators/${SYMBOL}?timeframe=1h&from=yesterday`, /from must be an ISO 8601 time .* or epoch milliseconds .*\(got "yesterday"\)/],
    ["fractional ms", `/api/v1/features/${SYMBOL}?timeframe=1h&to=1706659200000.5`, /to must be an ISO 8601 time/],
    ["day that does not exist", `/api/v1/features/${SYMBOL}?timeframe=1h&from=2024-02-30`, /from must be an ISO 8601 time .*\(got "2024-02-30"\)/],
    ["bad asOf", `/api/v1/features/${SYMBOL}?timeframe=1h&asOf=soon`, /asOf must be an ISO 8601 time/],
    ["unknown format", `/api/v1/features/${SYMBOL}?timeframe=1h&format=xml`, /format "xml" is unknown: expected one of json, csv, parquet/],
    ["unknown feature set", `/api/v1/features/${SYMBOL}?featureSet=v9`, /featureSet "v9" is unknown: expected v1/],
    ["malformed symbol", "/api/v1/features/BTCUSDT/latest", /symbol "BTCUSDT" is invalid: expected EXCHANGE:TICKER/],
    ["latest bad timeframe", `/api/v1/features/${SYMBOL}/latest?timeframe=7h`, /timeframe "7h" is unknown/],
  ])("400 for %s with a clear message", async (_name, path, message) => {
    const { status, body } = await getJson(path);
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(message) as unknown });
  });

  it.each([
    ["indicators", `/api/v1/indicators/TEST:NOPE${runId}?timeframe=1h`, /unknown symbol TEST:NOPE/],
    ["features", `/api/v1/features/TEST:NOPE${runId}`, /unknown symbol TEST:NOPE/],
    ["latest", `/api/v1/features/TEST:NOPE${runId}/latest`, /unknown symbol TEST:NOPE/],
    ["latest before any analysis", `/api/v1/features/${EMPTY}/latest?timeframe=1h`, /no features yet for TEST:AE/],
  ])("404 for %s", async (_name, path, message) => {
    const { status, body } = await getJson(path);
    expect(status).toBe(404);
    expect(body.error).toMatchObject({ code: "NOT_FOUND", message: expect.stringMatching(message) as unknown });
  });

  it("streams 5,200 indicator rows as JSON, chunked, equal to the table", async () => {
    const response = await fetch(`${base}/api/v1/indicators/${encodeURIComponent(SYMBOL)}?timeframe=1h`);
    expect(response.status).toBe(200);
    expect(response.headers.get("transfer-encoding")).toBe("chunked");
    expect(response.headers.get("content-length")).toBeNull();
    const body = (await response.json()) as { symbol: string; rows: Array<Record<string, unknown>> };
    expect(body.symbol).toBe(SYMBOL);
    expect(body.rows).toHaveLength(BARS);
    const stored = await readIndicatorRange(pool, { ...stream, from: 0, limit: BARS });
    expect(body.rows.map((row) => row.openTime)).toEqual(bars.map((bar) => bar.openTime));
    for (const index of [0, 33, 2_000, 4_321, BARS - 1]) {
      for (const key of INDICATOR_VALUE_KEYS) expect(body.rows[index]![key]).toBe(stored[index]!.values[key]);
      expect(body.rows[index]!.patterns).toEqual(stored[index]!.patterns);
    }
  });

  it("streams features as CSV with a header, one line per bar, and honours from/to in ISO and ms", async () => {
    const response = await fetch(`${base}/api/v1/features/${SYMBOL}?timeframe=1h&format=csv`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/csv/);
    const lines = (await response.text()).trimEnd().split("\n");
    expect(lines).toHaveLength(BARS + 1);
    const header = lines[0]!.split(",");
    expect(header.slice(0, 4)).toEqual(["openTime", "time", "version", "knownAt"]);
    expect(header).toContain("rsi14");
    const last = lines.at(-1)!.split(",");
    expect(Number(last[0])).toBe(bars.at(-1)!.openTime);
    expect(last[1]).toBe(new Date(bars.at(-1)!.openTime).toISOString());
    expect(Number(last[header.indexOf("rsi14")])).toBeCloseTo((await readFeatureRange(pool, { ...stream, featureSet: "v1", from: bars.at(-1)!.openTime, limit: 1 }))[0]!.values.rsi14!, 12);

    const from = new Date(bars[100]!.openTime).toISOString();
    const ranged = await getJson(`/api/v1/features/${SYMBOL}?timeframe=1h&from=${from}&to=${bars[110]!.openTime}`);
    expect((ranged.body.rows as Array<{ openTime: number }>).map((row) => row.openTime)).toEqual(bars.slice(100, 110).map((bar) => bar.openTime));
    const before = await getJson(`/api/v1/features/${SYMBOL}?timeframe=1h&asOf=2000-01-01`);
    expect(before.body.rows).toEqual([]); // nothing was known in 2000
  });

  it("writes Parquet that the parquet reader reads back", async () => {
    for (const route of ["features", "indicators"]) {
      const response = await fetch(`${base}/api/v1/${route}/${SYMBOL}?timeframe=1h&format=parquet`);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-disposition")).toMatch(/attachment; filename=".*\.parquet"/);
      const file = await response.arrayBuffer();
      const rows = (await parquetReadObjects({ file })) as Array<Record<string, unknown>>;
      expect(rows).toHaveLength(BARS);
      expect((rows[0]!.openTime as Date).getTime()).toBe(bars[0]!.openTime);
      expect((rows.at(-1)!.openTime as Date).getTime()).toBe(bars.at(-1)!.openTime);
      if (route === "features") {
        const stored = await readFeatureRange(pool, { ...stream, featureSet: "v1", from: 0, limit: BARS });
        for (const name of FEATURE_NAMES_V1) expect(rows[4_000]![name]).toBe(stored[4_000]!.values[name]);
        expect(rows[4_000]!.version).toBe(1n);
      } else {
        const stored = await readIndicatorRange(pool, { ...stream, from: 0, limit: BARS });
        expect(rows[300]!.rsi14).toBe(stored[300]!.values.rsi14);
        expect(rows[0]!.sma200).toBeNull();
      }
    }
  });

  it("serves the latest features from Redis, and from PostgreSQL when Redis is down", async () => {
    const cached = await getJson(`/api/v1/features/${SYMBOL}/latest?timeframe=1h`);
    expect(cached.status).toBe(200);
    expect(cached.body).toMatchObject({ source: "redis", openTime: bars.at(-1)!.openTime, version: 1, featureSet: "v1" });
    const fallback = await getJson(`/api/v1/features/${SYMBOL}/latest?timeframe=1h`, downBase);
    expect(fallback.status).toBe(200);
    expect(fallback.body).toMatchObject({ source: "postgres", openTime: bars.at(-1)!.openTime, version: 1 });
    expect(fallback.body.features).toEqual(cached.body.features);
    expect(fallback.body.vector as number[]).toHaveLength((cached.body.vector as number[]).length);
  });

  it("analytics.latest returns indicators, patterns and the description (Redis, then PostgreSQL)", async () => {
    const fromRedis = await appRouter.createCaller(createTRPCContext(services)).analytics.latest({ symbol: SYMBOL.toLowerCase(), timeframe: "1h" });
    expect(fromRedis).toMatchObject({ source: "redis", openTime: bars.at(-1)!.openTime });
    expect(fromRedis?.description).toMatch(new RegExp(`^AA${runId} 1h closed at `));
    const fromDatabase = await appRouter.createCaller(createTRPCContext(downServices)).analytics.latest({ symbol: SYMBOL, timeframe: "1h" });
    expect(fromDatabase).toMatchObject({ source: "postgres", openTime: bars.at(-1)!.openTime, description: fromRedis?.description, patterns: fromRedis?.patterns });
    expect(fromDatabase?.indicators).toEqual(fromRedis?.indicators);
    expect(await appRouter.createCaller(createTRPCContext(services)).analytics.latest({ symbol: EMPTY, timeframe: "1h" })).toBeNull();
    await expect(appRouter.createCaller(createTRPCContext(services)).analytics.latest({ symbol: SYMBOL, timeframe: "3h" as "1h" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});
