/**
 * Symbols without restarts, end to end with real processes: the fake Binance exchange (two recorded datasets,
 * real WS + REST over sockets) in the test, `workers/collector.ts` as a child process on its own database and Redis
 * namespace, and `marketlens symbols add|deactivate` as CLI processes. A symbol added at runtime streams within 5 s
 * (its bars on Redis pub/sub and in PostgreSQL, health lists it healthy) without restarting the collector;
 * deactivated, it leaves health. The first symbol keeps streaming throughout. Disabling BINANCE in the exchanges
 * table (what config/exchanges.yaml does) empties the collector's set and health says "disabled"; enabling it resumes.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { Redis } from "ioredis";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { env } from "../server/env.ts";
import { redisKeys } from "../server/redis/keys.ts";
import { createSymbolsWriter } from "../server/services/symbols.service.ts";
import { FakeBinanceServer } from "../server/replay/fake-binance-server.ts";
import { ReplayClock, ReplayDataset } from "../server/replay/replay-dataset.ts";
import type { CollectorHealth } from "../server/sources/market-data-source.ts";

const root = path.resolve(import.meta.dirname, "..");
const RECORDING = path.join(root, "fixtures/binance/ohlcv/BTCUSDT-1m-20230401-20230403.json");
const suffix = randomBytes(3).toString("hex");
const namespace = `mltsyme2e${suffix}`;
const keys = redisKeys(namespace);
// a database of its own: the collector streams every active BINANCE symbol it finds
const databaseUrl = (() => {
  const url = new URL(env().DATABASE_URL);
  url.pathname = `${url.pathname.slice(1)}_live_${suffix}`;
  return url.toString();
})();
const FIRST = "BINANCE:BTCUSDT";
const SECOND_TICKER = `E2E${suffix.toUpperCase()}USDT`;
const SECOND = `BINANCE:${SECOND_TICKER}`;
/** The promise: a symbol added (or deactivated) at runtime is streaming (or gone) within 5 s. */
const WITHIN_MS = 5_000;

let admin: pg.Client;
let pool: pg.Pool;
let redis: Redis;
let subscriber: Redis;
let server: FakeBinanceServer;
let collector: ChildProcess | null = null;
let collectorOutput = "";

function childEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DATABASE_URL: databaseUrl,
    MARKETLENS_NAMESPACE: namespace,
    MARKETLENS_FEED: "replay",
    BINANCE_WS_URL: server.wsUrl,
    BINANCE_REST_URL: server.url,
    INITIAL_BACKFILL_BARS: "60",
    LIVE_THROTTLE_MS: "50",
    LOG_LEVEL: "info",
  };
}

function marketlens(...args: string[]) {
  const result = spawnSync(process.execPath, [path.join(root, "bin", "marketlens.mjs"), ...args], { cwd: root, env: childEnv(), encoding: "utf8" });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

async function until<T>(read: () => Promise<T>, accept: (value: T) => boolean, what: string, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}; last: ${JSON.stringify(value)?.slice(0, 400)}\ncollector output:\n${collectorOutput.slice(-3_000)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function health(): Promise<CollectorHealth | null> {
  const text = await redis.get(keys.collectorHealth("binance"));
  return text ? (JSON.parse(text) as CollectorHealth) : null;
}

async function candleCount(symbol: string): Promise<number> {
  const result = await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM candles WHERE symbol = $1 AND timeframe = '1m'", [symbol]);
  return result.rows[0]!.n;
}

beforeAll(async () => {
  admin = new pg.Client({ connectionString: env().DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${new URL(databaseUrl).pathname.slice(1)}"`);
  server = new FakeBinanceServer({
    datasets: [ReplayDataset.fromFile("BTCUSDT", RECORDING), ReplayDataset.fromFile(SECOND_TICKER, RECORDING, 7 * 3_600_000)],
    clock: new ReplayClock(Date.now(), 1),
  });
  await server.listen();
  const migrated = marketlens("migrate", "up");
  expect(migrated.code, migrated.stderr).toBe(0);
  pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  redis = new Redis(env().REDIS_URL);
  subscriber = new Redis(env().REDIS_URL);
  const added = marketlens("symbols", "add", FIRST, "--name", "Bitcoin");
  expect(added.code, added.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  if (collector && collector.exitCode === null) {
    collector.kill("SIGTERM");
    await new Promise((resolve) => collector!.once("exit", resolve));
  }
  await server?.close();
  await subscriber?.quit();
  const leftover = await redis?.keys(`${namespace}:*`);
  if (leftover?.length) await redis.del(...leftover);
  await redis?.quit();
  await pool?.end();
  // Wait for every connection to the temporary database to close (pooled clients finish closing after end()
  // resolves): killing one mid-close with FORCE surfaced as an unhandled 57P01 error in the test process.
  const name = new URL(databaseUrl).pathname.slice(1);
  for (let waited = 0; waited < 5_000; waited += 100) {
    const open = await admin.query<{ n: string }>("SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1", [name]);
    if (Number(open.rows[0]!.n) === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.end();
}, 60_000);

describe("symbols without restarts (real processes)", () => {
  it("a symbol added at runtime streams within 5 s; deactivated, it leaves health", async () => {
    collector = spawn(process.execPath, ["--import", "tsx", path.join(root, "workers", "collector.ts")], { cwd: root, env: childEnv(), stdio: ["ignore", "pipe", "pipe"] });
    collector.stdout!.on("data", (chunk: Buffer) => (collectorOutput += chunk.toString()));
    collector.stderr!.on("data", (chunk: Buffer) => (collectorOutput += chunk.toString()));
    const pid = collector.pid;
    await until(health, (value) => value?.symbols[FIRST]?.status === "healthy", `${FIRST} healthy after the collector starts`, 60_000);
    expect(Object.keys((await health())!.symbols)).toEqual([FIRST]);

    const events: string[] = [];
    subscriber.on("pmessage", (_pattern: string, channel: string) => void events.push(channel));
    await subscriber.psubscribe(`${namespace}:bars:${SECOND}:*`);

    const add = marketlens("symbols", "add", SECOND, "--name", "Second recording");
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toContain(`added ${SECOND}; running collectors pick it up now`);
    const addedAt = Date.now();
    await until(async () => events.length, (count) => count > 0, `a ${SECOND} bar event on Redis pub/sub`, WITHIN_MS - (Date.now() - addedAt));
    await until(() => candleCount(SECOND), (count) => count > 0, `${SECOND} bars in PostgreSQL`, WITHIN_MS - (Date.now() - addedAt));
    const listed = await until(health, (value) => value?.symbols[SECOND]?.status === "healthy", `${SECOND} healthy in collector health`, WITHIN_MS - (Date.now() - addedAt));
    expect(listed!.symbols[FIRST]?.status).toBe("healthy");
    expect(collector.exitCode).toBeNull(); // the same process: no restart
    expect(collector.pid).toBe(pid);

    const deactivate = marketlens("symbols", "deactivate", SECOND);
    expect(deactivate.code, deactivate.stderr).toBe(0);
    expect(deactivate.stdout).toContain(`deactivated ${SECOND}`);
    const deactivatedAt = Date.now();
    const after = await until(health, (value) => value !== null && !(SECOND in value.symbols) && value.updatedAt > deactivatedAt, `${SECOND} gone from collector health`, WITHIN_MS);
    expect(after!.symbols[FIRST]?.status).toBe("healthy");
    const stored = await candleCount(SECOND);
    expect(stored).toBeGreaterThan(0); // deactivating keeps the history
    expect(collector.exitCode).toBeNull();

    // the exchange switched off (as the control process applies config/exchanges.yaml), then on again
    const writer = createSymbolsWriter({ pool, redis, keys, now: () => Date.now() });
    const disabledAt = Date.now();
    await writer.applyExchangesFile([{ id: "BINANCE", displayName: "Binance", enabled: false }], "config:test-exchanges.yaml");
    const disabled = await until(health, (value) => value?.status === "disabled" && value.updatedAt > disabledAt, "health disabled by config", WITHIN_MS);
    expect(disabled!.reason).toContain("BINANCE is disabled in config/exchanges.yaml");
    expect(disabled!.symbols).toEqual({});
    const enabledAt = Date.now();
    await writer.applyExchangesFile([{ id: "BINANCE", displayName: "Binance", enabled: true }], "config:test-exchanges.yaml");
    await until(health, (value) => value?.status !== "disabled" && value?.symbols[FIRST]?.status === "healthy" && value.updatedAt > enabledAt, `${FIRST} streaming again`, WITHIN_MS);
    expect(collector.exitCode).toBeNull();
    expect(collector.pid).toBe(pid);
  }, 120_000);
});
