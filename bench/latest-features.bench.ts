/**
 * Latest-features benchmark (DESIGN.md budget: latest features p95 < 5 ms): GET /api/v1/features/{symbol}/latest
 * over real HTTP against the real route handler code (routeApiRequest on a node:http server, test-support/serve-api.ts on 127.0.0.1, the
 * harness of server/api/analytics.integration-test.ts) with the real PostgreSQL and Redis (DATABASE_URL /
 * REDIS_URL), services on their own Redis namespace.
 * Setup: a unique active symbol BENCH:LATEST<random>; 600 bars of the BTC/USDT 1h fixture
 * (fixtures/ohlcv/binance_BTC_USDT-1h.json) analysed and stored by the analytics worker's own code
 * (StreamAnalytics → persistAnalysed: upsertIndicators + insertFeatureVersions in one transaction), and the
 * Redis latest records written by the worker's AnalyticsOutput.publishLatest (same keys, JSON, TTL).
 * Measured, each after 200 warm-up requests: 2,000 requests from 4 concurrent clients on a keep-alive
 * http.Agent, per-request time until the body is read → p50, p95, p99 and requests/s,
 * (1) served from Redis and (2) with the Redis latest key deleted (PostgreSQL fallback, readLastFeature).
 * Clients and server share one process and event loop, so the figures include the client's own cost.
 * One response per phase is checked (200, source, bar, every v1 feature): a mismatch prints a warning line.
 * Removes its rows, symbol and namespace keys afterwards. Never asserts.
 * Run: node --import tsx bench/latest-features.bench.ts [--requests N] (npm run bench sets up the services).
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import http, { type Server } from "node:http";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { Redis } from "ioredis";
import pg from "pg";
import type { Bar } from "../server/domain/bars/bar.ts";
import { FEATURE_NAMES_V1 } from "../server/domain/features/feature-set-v1.ts";
import { createApiServices, type ApiServices } from "../server/api/api-services.ts";
import { serveApi } from "../test-support/serve-api.ts";
import { redisKeys } from "../server/redis/keys.ts";
import type { ServiceDeps } from "../server/services/service-deps.ts";
import { AnalyticsOutput } from "../workers/analytics/analytics-output.ts";
import { featureValues, persistAnalysed } from "../workers/analytics/analytics-persist.ts";
import { StreamAnalytics } from "../workers/analytics/stream-analytics.ts";
import type { BenchResult } from "./bench-result.ts";
import { env } from "../server/env.ts";

const databaseUrl = env().DATABASE_URL;
const redisUrl = env().REDIS_URL;
const FIXTURE = resolve(import.meta.dirname, "../fixtures/ohlcv/binance_BTC_USDT-1h.json");
const BARS = 600;
const WARMUP = 200;
const REQUESTS = 2_000;
const CLIENTS = 4;
const TIMEFRAME = "1h" as const;

interface Phase {
  source: "redis" | "postgres";
  samples: number[];
  seconds: number;
  failures: number;
}

function loadBars(symbol: string): Bar[] {
  const rows = JSON.parse(readFileSync(FIXTURE, "utf8")) as [number, number, number, number, number, number][];
  return rows.slice(-BARS).map(([openTime, open, high, low, close, volume]) => ({
    symbol, timeframe: TIMEFRAME, openTime, open, high, low, close, volume, trades: 0, source: "rest",
  }));
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}


/** One GET on the keep-alive agent: status, body and the time until the body was read (ms). */
function get(agent: http.Agent, port: number, path: string): Promise<{ status: number; body: string; ms: number }> {
  return new Promise((done, fail) => {
    const started = performance.now();
    const request = http.get({ host: "127.0.0.1", port, path, agent }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => done({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8"), ms: performance.now() - started }));
      response.on("error", fail);
    });
    request.on("error", fail);
  });
}

/** `total` requests shared by `clients` loops, each waiting for its response before the next request. */
async function load(agent: http.Agent, port: number, path: string, total: number, clients: number): Promise<{ samples: number[]; seconds: number; failures: number }> {
  const samples: number[] = [];
  let issued = 0;
  let failures = 0;
  const started = performance.now();
  const client = async () => {
    while (issued < total) {
      issued += 1;
      const { status, ms } = await get(agent, port, path);
      if (status === 200) samples.push(ms);
      else failures += 1;
    }
  };
  await Promise.all(Array.from({ length: clients }, client));
  return { samples: samples.sort((a, b) => a - b), seconds: (performance.now() - started) / 1000, failures };
}

/** Checks one response against what was stored; prints a warning line (never throws) when it differs. */
async function check(agent: http.Agent, port: number, path: string, source: Phase["source"], expected: { openTime: number; features: Record<string, number | null>; vectorLength: number }): Promise<void> {
  const { status, body } = await get(agent, port, path);
  const problems: string[] = [];
  if (status !== 200) problems.push(`status ${status}: ${body.slice(0, 200)}`);
  else {
    const parsed = JSON.parse(body) as { source?: string; openTime?: number; featureSet?: string; features?: Record<string, number | null>; vector?: unknown[] };
    if (parsed.source !== source) problems.push(`source ${parsed.source} (expected ${source})`);
    if (parsed.openTime !== expected.openTime) problems.push(`openTime ${parsed.openTime} (expected ${expected.openTime})`);
    if (parsed.featureSet !== "v1") problems.push(`featureSet ${parsed.featureSet}`);
    const differing = FEATURE_NAMES_V1.filter((name) => parsed.features?.[name] !== expected.features[name]);
    if (differing.length > 0) problems.push(`${differing.length} of ${FEATURE_NAMES_V1.length} features differ (${differing.slice(0, 5).join(", ")})`);
    if (parsed.vector?.length !== expected.vectorLength) problems.push(`vector length ${parsed.vector?.length} (expected ${expected.vectorLength})`);
  }
  if (problems.length > 0) console.warn(`! latest-features bench (${source}): unexpected response: ${problems.join("; ")}`);
}

export async function runLatestFeaturesBench(options: { requests?: number } = {}): Promise<BenchResult[]> {
  const requests = options.requests ?? REQUESTS;
  const runId = randomBytes(4).toString("hex").toUpperCase();
  const symbol = `BENCH:LATEST${runId}`;
  const stream = { symbol, timeframe: TIMEFRAME };
  const namespace = `bench-latest-${runId.toLowerCase()}`;
  const keys = redisKeys(namespace);
  // Same pool and command-connection settings as the app (server/db/pool.ts, server/redis/client.ts).
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10, connectionTimeoutMillis: 5_000 });
  pool.on("error", () => undefined);
  const redis = new Redis(redisUrl, { retryStrategy: (attempt: number) => Math.min(attempt * 200, 2_000), maxRetriesPerRequest: 1, enableOfflineQueue: false, commandTimeout: 2_000, connectTimeout: 2_000 });
  redis.on("error", () => undefined);
  const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
  let server: Server | undefined;
  let seeded = false;
  try {
    await new Promise<void>((ready, fail) => {
      const timer = setTimeout(() => fail(new Error(`Redis at ${redisUrl} is not ready after 5 s`)), 5_000);
      redis.once("ready", () => {
        clearTimeout(timer);
        ready();
      });
    });
    await pool.query("INSERT INTO symbols (id, exchange, ticker, display_name, active) VALUES ($1, 'BENCH', $2, 'latest-features bench', true)", [symbol, symbol.split(":")[1]]);
    seeded = true;

    // What the analytics worker does for these bars: analyse, persist, cache the latest records.
    const bars = loadBars(symbol);
    const state = new StreamAnalytics();
    const analysed = bars.map((bar) => state.push(bar));
    state.markComputed(bars[0]!.openTime);
    await persistAnalysed(pool, stream, analysed, Date.now());
    await new AnalyticsOutput({ pool, redis, keys, now: () => Date.now() }).publishLatest(stream, state, bars[0]!.openTime);
    const latest = state.latest!;
    const expected = { openTime: latest.bar.openTime, features: featureValues(latest), vectorLength: latest.vector.length };

    const deps: ServiceDeps = { pool, redis, keys, now: () => Date.now() };
    const served = await serveApi(createApiServices(deps));
    server = served.server;
    const port = Number(new URL(served.url).port);
    const path = `/api/v1/features/${encodeURIComponent(symbol)}/latest?timeframe=${TIMEFRAME}`;

    const phases: Phase[] = [];
    for (const source of ["redis", "postgres"] as const) {
      if (source === "postgres") await redis.del(keys.latestFeatures(symbol, TIMEFRAME));
      await check(agent, port, path, source, expected);
      await load(agent, port, path, WARMUP, CLIENTS);
      phases.push({ source, ...(await load(agent, port, path, requests, CLIENTS)) });
    }

    const results: BenchResult[] = [];
    for (const phase of phases) {
      const label = phase.source === "redis" ? "from Redis" : "Redis key deleted → PostgreSQL fallback";
      const failed = phase.failures > 0 ? `; ${phase.failures} non-200 responses left out` : "";
      const note = `${phase.samples.length.toLocaleString("en-US")} requests over HTTP/1.1 keep-alive, ${CLIENTS} concurrent clients, after ${WARMUP} warm-up; v1 feature row of the newest of ${BARS} BTC/USDT 1h bars; clients in the server's process${failed}`;
      const name = `GET /api/v1/features/{symbol}/latest (${label})`;
      results.push(
        { name: `${name}, p50`, value: percentile(phase.samples, 50), unit: "ms", note },
        { name: `${name}, p95`, value: percentile(phase.samples, 95), unit: "ms", budget: "p95 < 5 ms", note },
        { name: `${name}, p99`, value: percentile(phase.samples, 99), unit: "ms", note },
        { name: `${name}, throughput`, value: (phase.samples.length + phase.failures) / phase.seconds, unit: "req/s", note },
      );
    }
    return results;
  } finally {
    // Each clean-up step on its own, so a failing one neither hides the error above nor skips the rest.
    const cleanUp = async (what: string, step: () => Promise<unknown>) => {
      try {
        await step();
      } catch (error) {
        console.warn(`! latest-features bench: clean-up of ${what} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    };
    agent.destroy();
    if (server) {
      const closing = server;
      closing.closeAllConnections();
      await cleanUp("the HTTP server", () => new Promise((done) => closing.close(done)));
    }
    if (seeded) {
      for (const table of ["indicators", "ml_features"]) await cleanUp(`${table} rows of ${symbol}`, () => pool.query(`DELETE FROM ${table} WHERE symbol = $1`, [symbol]));
      await cleanUp(`symbol ${symbol}`, () => pool.query("DELETE FROM symbols WHERE id = $1", [symbol]));
    }
    await cleanUp(`Redis namespace ${namespace}`, async () => {
      const owned = await redis.keys(`${namespace}:*`);
      if (owned.length > 0) await redis.del(...owned);
    });
    redis.disconnect();
    await cleanUp("the pg pool", () => pool.end());
  }
}

function printTable(results: readonly BenchResult[]): void {
  for (const result of results) {
    const value = Number.isFinite(result.value) ? result.value.toFixed(result.value < 10 ? 3 : 1) : "n/a";
    console.log(`${result.name.padEnd(90)} ${value.padStart(9)} ${result.unit.padEnd(5)} ${result.budget ?? ""}`);
  }
  const notes = new Set(results.flatMap((result) => (result.note ? [result.note] : [])));
  for (const note of notes) console.log(`- ${note}`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const index = process.argv.indexOf("--requests");
  printTable(await runLatestFeaturesBench({ requests: index >= 0 ? Number(process.argv[index + 1]) : undefined }));
}
