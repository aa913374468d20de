/**
 * A symbol's market over real HTTP (GET /api/v1/market/{symbol}, route handlers on a node:http server), through
 * tRPC (`markets.symbol`) and in /api/v1/health (`markets`), with real PostgreSQL and Redis, the shipped
 * config/holidays files and a pinned clock: an NYSE stock on a weekend, in a session and after an early close,
 * a Yahoo BIST stock delayed 15 min, a crypto pair, a holiday file that cannot be read, 404 and 400.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import type { Server } from "node:http";
import { Redis } from "ioredis";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { env } from "../env.ts";
import { redisKeys } from "../redis/keys.ts";
import { writeCollectorHeartbeat } from "../services/collector-heartbeat.ts";
import { createHealthService } from "../services/health.service.ts";
import { createMarketStatusService, type SymbolMarketInfo } from "../services/market-status.service.ts";
import { createApiServices } from "./api-services.ts";
import { appRouter } from "./root.ts";
import { createTRPCContext } from "./trpc.ts";
import { serveApi } from "../../test-support/serve-api.ts";

const HOLIDAYS = path.resolve(import.meta.dirname, "..", "..", "config", "holidays");
const utc = (iso: string): number => Date.parse(iso);

describe("market status of symbols (REST, tRPC, health)", () => {
  const config = env();
  const runId = randomBytes(3).toString("hex").toUpperCase();
  const keys = redisKeys(`test-market-${runId.toLowerCase()}`);
  const STOCK = `TEST:NY${runId}`;
  const DELAYED = `YAHOO:ZZ${runId}.IS`;
  const COIN = `TEST:CC${runId}`;
  const INACTIVE = `TEST:OFF${runId}`;
  const pool = new pg.Pool({ connectionString: config.DATABASE_URL, max: 2 });
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1 });
  redis.on("error", () => undefined);
  let clock = utc("2025-11-22T15:00:00Z"); // Saturday
  const deps = { pool, redis, keys, now: () => clock };
  const services = createApiServices(deps);
  let base = "";
  let server: Server | undefined;

  beforeAll(async () => {
    await pool.query(
      `INSERT INTO symbols (id, exchange, ticker, display_name, asset_class, calendar, active) VALUES
       ($1, 'TEST', $2, 'Test stock', 'stock', 'NYSE', true), ($3, 'YAHOO', $4, 'Test BIST stock', 'stock', 'BIST', true),
       ($5, 'TEST', $6, 'Test coin', 'crypto', 'CRYPTO', true), ($7, 'TEST', $8, 'Inactive', 'stock', 'NYSE', false)`,
      [STOCK, STOCK.split(":")[1], DELAYED, DELAYED.split(":")[1], COIN, COIN.split(":")[1], INACTIVE, INACTIVE.split(":")[1]],
    );
    const started = await serveApi(services);
    server = started.server;
    base = started.url;
  });

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await pool.query("DELETE FROM symbols WHERE id = ANY($1)", [[STOCK, DELAYED, COIN, INACTIVE]]);
    const owned = await redis.keys(`test-market-${runId.toLowerCase()}:*`);
    if (owned.length > 0) await redis.del(...owned);
    await redis.quit();
    await pool.end();
  });

  async function market(symbol: string): Promise<{ status: number; body: SymbolMarketInfo & { error?: { code: string; message: string } } }> {
    const response = await fetch(`${base}/api/v1/market/${encodeURIComponent(symbol)}`);
    return { status: response.status, body: (await response.json()) as SymbolMarketInfo & { error?: { code: string; message: string } } };
  }

  it("an NYSE stock on a Saturday: closed (weekend), opens Monday 09:30 New York = 14:30Z, no delay", async () => {
    clock = utc("2025-11-22T15:00:00Z");
    const { status, body } = await market(STOCK);
    expect(status).toBe(200);
    expect(body).toMatchObject({ symbol: STOCK, exchange: "TEST", displayName: "Test stock", assetClass: "stock", calendar: "NYSE", delayMinutes: 0, checkedAt: clock });
    expect(body.status).toMatchObject({ open: false, continuous: false, session: null, reason: "weekend", nextOpen: utc("2025-11-24T14:30:00Z") });
    expect(body.holidays?.holidays).toContainEqual({ date: "2025-11-28", name: "Day after Thanksgiving", closed: false, earlyClose: "13:00" });
  });

  it("in a session: open with the close; after the 13:00 early close on 2025-11-28: closed until Monday", async () => {
    clock = utc("2025-11-28T15:00:00Z"); // 10:00 EST on the day after Thanksgiving
    const open = await market(STOCK);
    expect(open.body.status).toMatchObject({ open: true, reason: "session", session: { open: utc("2025-11-28T14:30:00Z"), close: utc("2025-11-28T18:00:00Z") } });
    clock = utc("2025-11-28T18:00:00Z");
    const closed = await market(STOCK);
    expect(closed.body.status).toMatchObject({ open: false, reason: "after-close", nextOpen: utc("2025-12-01T14:30:00Z"), holiday: { name: "Day after Thanksgiving" } });
  });

  it("a Yahoo BIST stock is delayed 15 min and follows Istanbul hours; a crypto pair is continuous", async () => {
    clock = utc("2025-11-24T08:00:00Z"); // Monday 11:00 Istanbul, 03:00 New York
    const delayed = await market(DELAYED);
    expect(delayed.body).toMatchObject({ calendar: "BIST", delayMinutes: 15, status: { open: true, session: { close: utc("2025-11-24T15:00:00Z") } } });
    expect((await market(STOCK)).body.status).toMatchObject({ open: false, reason: "before-open" });
    const coin = await market(COIN);
    expect(coin.body).toMatchObject({ calendar: "CRYPTO", delayMinutes: 0, holidays: null, status: { open: true, continuous: true } });
  });

  it("404 for an unknown or inactive symbol, 400 for a malformed one; tRPC maps the same", async () => {
    for (const symbol of [`TEST:NOPE${runId}`, INACTIVE]) {
      const { status, body } = await market(symbol);
      expect(status).toBe(404);
      expect(body.error).toEqual({ code: "NOT_FOUND", message: `unknown symbol ${symbol}` });
    }
    const malformed = await market("NOCOLON");
    expect(malformed.status).toBe(400);
    expect(malformed.body.error?.message).toMatch(/symbol "NOCOLON" is invalid: expected EXCHANGE:TICKER/);
    const caller = appRouter.createCaller(createTRPCContext(services));
    clock = utc("2025-11-22T15:00:00Z");
    expect((await caller.markets.symbol({ symbol: DELAYED.toLowerCase() })).delayMinutes).toBe(15);
    await expect(caller.markets.symbol({ symbol: `TEST:NOPE${runId}` })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("health lists every active symbol's market and stays 200 with a closed stock collector", async () => {
    clock = utc("2025-11-22T15:00:00Z");
    const heartbeat = { mode: "replay", lastMessageAt: clock - 1_000, updatedAt: clock, reconnects: 0, symbols: {} };
    await writeCollectorHeartbeat(redis, keys, { ...heartbeat, name: "binance", status: "healthy" });
    await writeCollectorHeartbeat(redis, keys, { ...heartbeat, name: "alpaca", status: "closed", reason: "market closed; opens 2025-11-24T14:30:00Z" });
    await writeCollectorHeartbeat(redis, keys, { ...heartbeat, name: "yahoo", status: "disabled", reason: "switched off in config/exchanges.yaml" });
    const response = await fetch(`${base}/api/v1/health`);
    const body = (await response.json()) as { healthy: boolean; problems: string[]; markets: Record<string, unknown>; collectors: Array<{ name: string; status: string }> };
    expect(response.status).toBe(200);
    expect(body.problems).toEqual([]);
    expect(body.collectors.find((collector) => collector.name === "alpaca")?.status).toBe("closed");
    expect(body.markets[STOCK]).toEqual({ exchange: "TEST", calendar: "NYSE", delayMinutes: 0, open: false, continuous: false, reason: "weekend", closesAt: null, nextOpen: utc("2025-11-24T14:30:00Z"), holiday: null, problem: null });
    expect(body.markets[DELAYED]).toMatchObject({ calendar: "BIST", delayMinutes: 15, open: false, reason: "weekend", nextOpen: utc("2025-11-24T07:00:00Z") });
    expect(body.markets[COIN]).toMatchObject({ open: true, continuous: true });
    expect(body.markets[INACTIVE]).toBeUndefined();
  });

  it("a holiday file that cannot be read: 503 for the symbol, `problem` in health, the rest unaffected", async () => {
    const directory = mkdtempSync(path.join(tmpdir(), "holidays-"));
    writeFileSync(path.join(directory, "nyse.yaml"), 'exchange: NYSE\ncovers: { from: "2025-01-01", to: "2025-12-31" }\nholidays:\n  - { date: "2025-13-01", name: x, closed: true }\n');
    const broken = createMarketStatusService(deps, { holidaysDirectory: directory });
    await expect(broken.symbolInfo(STOCK)).rejects.toMatchObject({ code: "UNAVAILABLE", message: expect.stringContaining("nyse.yaml:4: holidays.0.date") as unknown });
    const report = await createHealthService(deps, broken).getHealth();
    expect(report.markets[STOCK]).toMatchObject({ open: false, reason: "no-calendar-data", nextOpen: null, problem: expect.stringContaining("nyse.yaml:4") as unknown });
    expect(report.markets[COIN]).toMatchObject({ open: true });
    // the shipped files, for comparison, load fine from the same service type
    expect((await createMarketStatusService(deps, { holidaysDirectory: HOLIDAYS }).symbolInfo(STOCK)).calendar).toBe("NYSE");
  });
});
