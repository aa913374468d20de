/**
 * The Alpaca collector against the fake Alpaca server (Alpaca v2 protocol; prices from the Binance BTC/USDT 1m
 * recording renamed FAKEPACA), real PostgreSQL and Redis: authenticated → REST gap repair + live bars stored
 * equal to the dataset, an updatedBar (`u`) revises the stored bar; wrong keys → 402 operator message and no
 * reconnect loop; 406 → clear message; no keys → "disabled".
 */
import path from "node:path";
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Bar } from "../../server/domain/bars/bar.ts";
import { readCandleRange } from "../../server/db/candles.repo.ts";
import type { SymbolRow } from "../../server/db/symbols.repo.ts";
import { env } from "../../server/env.ts";
import { createCollectorMetrics } from "../../server/observability/collector-metrics.ts";
import { redisKeys } from "../../server/redis/keys.ts";
import { FakeAlpacaServer, type FakeAlpacaFaults } from "../../server/replay/fake-alpaca-server.ts";
import { ReplayClock, ReplayDataset } from "../../server/replay/replay-dataset.ts";
import { BarSink } from "../../server/services/bar-sink.service.ts";
import { AlpacaRestClient } from "../../server/sources/alpaca/alpaca-rest.ts";
import { AlpacaCollector, NO_KEYS_REASON } from "./alpaca.collector.ts";

const MINUTE = 60_000;
const SYMBOL = "ALPACA:FAKEPACA";
const file = path.resolve(import.meta.dirname, "../../fixtures/binance/ohlcv/BTCUSDT-1m-20230401-20230403.json");
const dayStart = Date.UTC(2023, 3, 2);
const KEYS = { keyId: "PKTEST", secretKey: "secret" };
const symbols: SymbolRow[] = [{ id: SYMBOL, exchange: "ALPACA", ticker: "FAKEPACA", assetClass: "stock", displayName: "FAKEPACA", active: true, calendar: "NYSE" } as SymbolRow];

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("Alpaca collector over the fake Alpaca server", () => {
  let pool: pg.Pool;
  let redis: Redis;
  const namespace = `itest-${randomBytes(3).toString("hex")}`;

  async function harness(options: { keys?: { keyId: string; secretKey: string } | null; faults?: FakeAlpacaFaults; speed?: number }) {
    const clock = new ReplayClock(dayStart + 60 * MINUTE + 30_000, options.speed ?? 60);
    const server = new FakeAlpacaServer({ datasets: [ReplayDataset.fromFile("FAKEPACA", file, Date.UTC(2023, 3, 1), false)], clock, ...KEYS, faults: options.faults, reviseEvery: 3, pageSize: 25 });
    await server.listen();
    const metrics = createCollectorMetrics();
    const sink = new BarSink({ pool, redis, keys: redisKeys(namespace), metrics, liveThrottleMs: 50 });
    const revisions: Bar[] = [];
    const push = sink.push.bind(sink);
    sink.push = (event) => {
      if (event.kind === "revision" && event.bar.timeframe === "1m") revisions.push({ ...event.bar });
      push(event);
    };
    sink.start();
    const keys = options.keys === undefined ? KEYS : options.keys;
    const collector = new AlpacaCollector({
      mode: "replay",
      streamUrl: server.wsUrl,
      keyId: keys?.keyId,
      secretKey: keys?.secretKey,
      rest: keys ? new AlpacaRestClient({ baseUrl: server.url, ...keys }) : null,
      pool, sink, metrics, symbols,
      latenessMs: 2_000,
      initialBackfillBars: 60,
      now: () => clock.now(),
      streamOptions: { initialBackoffMs: 50, maxBackoffMs: 200 },
    });
    await collector.start();
    return { server, collector, sink, revisions, async stop() { await collector.stop(); await sink.close(); await server.close(); } };
  }

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: env().DATABASE_URL });
    redis = new Redis(env().REDIS_URL, { maxRetriesPerRequest: 1 });
    await pool.query("DELETE FROM candles WHERE symbol = $1", [SYMBOL]);
  });

  afterAll(async () => {
    await pool.query("DELETE FROM candles WHERE symbol = $1", [SYMBOL]);
    await pool.query("DELETE FROM known_gaps WHERE symbol = $1", [SYMBOL]);
    const stale = await redis.keys(`${namespace}:*`);
    if (stale.length) await redis.del(...stale);
    await redis.quit();
    await pool.end();
  });

  it("repairs over REST, stores live bars equal to the dataset, and an updatedBar revises the stored bar", async () => {
    const h = await harness({});
    try {
      await waitFor(() => h.collector.health().status === "healthy", 20_000, "healthy after repair");
      const last = () => h.collector.health().symbols[SYMBOL]?.lastBarAt ?? 0;
      await waitFor(() => last() >= dayStart + 68 * MINUTE && h.revisions.length >= 2, 30_000, "live bars and revisions");
      await h.sink.flush();
      await waitFor(() => h.sink.backlog === 0, 10_000, "sink drained");
      // every revision restores the full minute the `b` lacked (b had volume × 0.75)
      for (const revision of h.revisions) {
        expect(h.server.isRevised(revision.openTime)).toBe(true);
        expect(revision.volume).toBeCloseTo(h.server.barAt("FAKEPACA", revision.openTime)!.volume, 8);
      }
      const end = last() - 3 * MINUTE; // exclusive; leaves room for a pending `u`
      const stored = await readCandleRange(pool, { symbol: SYMBOL, timeframe: "1m", from: dayStart, to: end });
      expect(stored.map((bar) => bar.openTime)).toEqual(Array.from({ length: (end - dayStart) / MINUTE }, (_, i) => dayStart + i * MINUTE));
      for (const bar of stored) {
        const expected = h.server.barAt("FAKEPACA", bar.openTime)!;
        expect([bar.open, bar.high, bar.low, bar.close]).toEqual([expected.open, expected.high, expected.low, expected.close]);
        expect(bar.volume).toBeCloseTo(expected.volume, 8);
      }
      expect(stored.some((bar) => h.server.isRevised(bar.openTime) && bar.openTime >= dayStart + 60 * MINUTE)).toBe(true);
    } finally {
      await h.stop();
    }
  });

  it("wrong keys: 402 operator message in health, no reconnect loop", async () => {
    const h = await harness({ keys: { keyId: "PKTEST", secretKey: "wrong" }, speed: 1 });
    try {
      await waitFor(() => h.collector.health().status === "down", 5_000, "down after 402");
      expect(h.collector.health().reason).toBe("Alpaca rejected the API keys (402 auth failed): check ALPACA_KEY_ID / ALPACA_SECRET_KEY");
      await new Promise((resolve) => setTimeout(resolve, 1_000)); // backoff is 50–200 ms: a loop would reconnect several times
      expect(h.server.connections).toBe(1);
      expect(h.collector.connections).toBe(1);
    } finally {
      await h.stop();
    }
  });

  it("406 connection limit: clear message, no reconnect", async () => {
    const h = await harness({ faults: { errorCode: 406 }, speed: 1 });
    try {
      await waitFor(() => h.collector.health().status === "down", 5_000, "down after 406");
      expect(h.collector.health().reason).toBe("connection limit exceeded (406): another process or tab holds the Alpaca stream; one stream per account");
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(h.server.connections).toBe(1);
    } finally {
      await h.stop();
    }
  });

  it("no keys: disabled with the reason, never connects", async () => {
    const h = await harness({ keys: null, speed: 1 });
    try {
      expect(h.collector.health()).toMatchObject({ name: "alpaca", status: "disabled", reason: NO_KEYS_REASON });
      expect(NO_KEYS_REASON).toBe("no Alpaca API keys (set ALPACA_KEY_ID and ALPACA_SECRET_KEY)");
      expect(h.server.connections).toBe(0);
      expect(h.server.restRequests).toBe(0);
    } finally {
      await h.stop();
    }
  });
});
