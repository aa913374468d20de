/**
 * The Alpaca collector against the fake Alpaca server (Alpaca v2 protocol over real sockets; prices from the Binance
 * BTC/USDT 1m recording renamed FAKEPACA, Alpaca's 24/7 test symbol, so no calendar here), real PostgreSQL and Redis:
 * authenticated → REST gap repair + live bars stored equal to the dataset; an updatedBar (`u`) revises the stored
 * bar and the revision is published on pub/sub; quality snapshots in Redis; bad prints quarantined, never in bars; each fatal error code (402, 405, 406,
 * 409) → its operator message in health and no reconnect loop; a 405 on a later subscribe keeps the others;
 * updateSymbols subscribes/unsubscribes on the open socket and backfills a new symbol; one stream per process;
 * no keys → "disabled".
 */
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Trade } from "../../server/domain/bars/bar.ts";
import { readCandleRange } from "../../server/db/candles.repo.ts";
import { readRecentQuarantine } from "../../server/db/quality.repo.ts";
import { env } from "../../server/env.ts";
import { redisKeys } from "../../server/redis/keys.ts";
import { AlpacaStream } from "../../server/sources/alpaca/alpaca-stream.ts";
import { NO_KEYS_REASON } from "./alpaca.collector.ts";
import { KEYS, MINUTE, startHarness, symbolRow, waitFor, type HarnessOptions } from "./alpaca.collector.test-harness.ts";

const SYMBOL = "ALPACA:FAKEPACA";
const SECOND = "ALPACA:FAKEPACB";
const dayStart = Date.UTC(2023, 3, 2);
const MESSAGES = {
  402: "Alpaca rejected the API keys (402 auth failed): check ALPACA_KEY_ID / ALPACA_SECRET_KEY",
  405: "symbol limit exceeded (405): your Alpaca plan allows fewer symbols than the active ALPACA symbols (free plan: 30); deactivate some in config/symbols.yaml or upgrade the plan",
  406: "connection limit exceeded (406): another process or tab holds the Alpaca stream; one stream per account",
  409: "insufficient subscription (409): your plan does not include this feed (use v2/iex on the free plan)",
};

describe("Alpaca collector over the fake Alpaca server", () => {
  let pool: pg.Pool;
  let redis: Redis;
  const namespace = `itest-${randomBytes(3).toString("hex")}`;
  const harness = (options: Partial<HarnessOptions>) => startHarness({ pool, redis, namespace, start: dayStart + 60 * MINUTE + 30_000, ...options });
  const clean = async () => {
    await pool.query("DELETE FROM candles WHERE symbol = ANY($1)", [[SYMBOL, SECOND]]);
    await pool.query("DELETE FROM known_gaps WHERE symbol = ANY($1)", [[SYMBOL, SECOND]]);
  };

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: env().DATABASE_URL });
    redis = new Redis(env().REDIS_URL, { maxRetriesPerRequest: 1 });
    await clean();
  });

  afterAll(async () => {
    await clean();
    await pool.query("DELETE FROM quarantine WHERE symbol = ANY($1)", [[SYMBOL, SECOND]]).catch(() => undefined);
    const stale = await redis.keys(`${namespace}:*`);
    if (stale.length) await redis.del(...stale);
    await redis.quit();
    await pool.end();
  });

  it("repairs over REST, stores live bars equal to the dataset; an updatedBar revises the stored bar and is published", async () => {
    const subscriber = new Redis(env().REDIS_URL, { maxRetriesPerRequest: 1 });
    const published: { kind: string; bar: { openTime: number; volume: number } }[] = [];
    await subscriber.subscribe(redisKeys(namespace).barChannel(SYMBOL, "1m"));
    subscriber.on("message", (_channel, text: string) => published.push(JSON.parse(text) as (typeof published)[number]));
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
      const revisionEvents = published.filter((event) => event.kind === "revision");
      expect(revisionEvents.map((event) => event.bar.openTime)).toEqual(expect.arrayContaining(h.revisions.map((bar) => bar.openTime)));
      const end = last() - 3 * MINUTE; // exclusive; leaves room for a pending `u`
      const stored = await readCandleRange(pool, { symbol: SYMBOL, timeframe: "1m", from: dayStart, to: end });
      expect(stored.map((bar) => bar.openTime)).toEqual(Array.from({ length: (end - dayStart) / MINUTE }, (_, i) => dayStart + i * MINUTE));
      for (const bar of stored) {
        const expected = h.server.barAt("FAKEPACA", bar.openTime)!;
        expect([bar.open, bar.high, bar.low, bar.close]).toEqual([expected.open, expected.high, expected.low, expected.close]);
        expect(bar.volume).toBeCloseTo(expected.volume, 8);
      }
      expect(stored.some((bar) => h.server.isRevised(bar.openTime) && bar.openTime >= dayStart + 60 * MINUTE)).toBe(true);
      // the quality stage saw the items and keeps the score in Redis
      expect(h.collector.qualitySnapshot(SYMBOL)?.totalItems).toBeGreaterThan(60);
      await waitFor(async () => (await redis.get(redisKeys(namespace).quality(SYMBOL))) !== null, 5_000, "quality snapshot in Redis");
      expect(JSON.parse((await redis.get(redisKeys(namespace).quality(SYMBOL)))!)).toMatchObject({ symbol: SYMBOL, source: "alpaca" });
    } finally {
      await h.stop();
      await subscriber.quit();
    }
  });

  it("quality stage: bad prints go to quarantine (never into bars), the score in Redis counts them", async () => {
    await clean();
    await pool.query("DELETE FROM quarantine WHERE symbol = $1", [SYMBOL]);
    const h = await harness({ faults: { spikeEvery: 2 } });
    try {
      await waitFor(() => h.collector.health().status === "healthy", 20_000, "healthy");
      const last = () => h.collector.health().symbols[SYMBOL]?.lastBarAt ?? 0;
      await waitFor(() => last() >= dayStart + 66 * MINUTE, 20_000, "live bars with spikes");
      await h.sink.flush();
      await waitFor(() => h.sink.backlog === 0, 10_000, "sink drained");
      await waitFor(async () => ((await pool.query("SELECT 1 FROM quarantine WHERE symbol = $1", [SYMBOL])).rowCount ?? 0) >= 2, 10_000, "quarantine rows");
      const rows = await readRecentQuarantine(pool, SYMBOL, 50);
      for (const row of rows) {
        expect(row.kind).toBe("trade");
        expect(row.checks.map((issue) => issue.check)).toContain("price_anomaly");
        const trade = row.payload as Trade;
        const minute = Math.floor(trade.time / MINUTE) * MINUTE;
        expect(minute % (2 * MINUTE)).toBe(0); // only the spiked minutes
        expect(trade.price).toBeGreaterThan(h.server.barAt("FAKEPACA", minute)!.high * 1.1);
      }
      // the live 1m bars of spiked minutes still equal the recording (their `b` is final; the bad print never got in)
      const stored = await readCandleRange(pool, { symbol: SYMBOL, timeframe: "1m", from: dayStart + 60 * MINUTE, to: last() - 3 * MINUTE });
      expect(stored.length).toBeGreaterThan(2);
      for (const bar of stored) expect(bar.high).toBe(h.server.barAt("FAKEPACA", bar.openTime)!.high);
      // the 5m bars are aggregated from trades and final minutes: no spike in their highs either
      const fives = await readCandleRange(pool, { symbol: SYMBOL, timeframe: "5m", from: dayStart + 60 * MINUTE, to: last() - 5 * MINUTE });
      for (const bar of fives) {
        const highs = [0, 1, 2, 3, 4].map((i) => h.server.barAt("FAKEPACA", bar.openTime + i * MINUTE)!.high);
        expect(bar.high).toBe(Math.max(...highs));
      }
      const snapshot = h.collector.qualitySnapshot(SYMBOL)!;
      expect(snapshot.totalRejected).toBeGreaterThanOrEqual(rows.length);
      expect(snapshot.score).toBeLessThan(100);
      await waitFor(async () => (JSON.parse((await redis.get(redisKeys(namespace).quality(SYMBOL))) ?? "{}") as { totalRejected?: number }).totalRejected! > 0, 5_000, "score in Redis");
    } finally {
      await h.stop();
    }
  });

  it("wrong keys: 402 operator message in health, no reconnect loop", async () => {
    const h = await harness({ keys: { keyId: "PKTEST", secretKey: "wrong" }, speed: 1 });
    try {
      await waitFor(() => h.collector.health().status === "down", 5_000, "down after 402");
      expect(h.collector.health().reason).toBe(MESSAGES[402]);
      expect(h.collector.health().symbols[SYMBOL]).toMatchObject({ status: "unavailable", reason: MESSAGES[402] });
      expect(h.logs.some((line) => line.startsWith(`error: Alpaca stream stopped: ${MESSAGES[402]}`))).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 1_000)); // backoff is 50–200 ms: a loop would reconnect several times
      expect(h.server.connections).toBe(1);
      expect(h.collector.connections).toBe(1);
    } finally {
      await h.stop();
    }
  });

  for (const code of [406, 409] as const) {
    it(`${code} at auth: clear operator message in health and logs, no reconnect`, async () => {
      const h = await harness({ faults: { errorCode: code }, speed: 1 });
      try {
        await waitFor(() => h.collector.health().status === "down", 5_000, `down after ${code}`);
        expect(h.collector.health().reason).toBe(MESSAGES[code]);
        expect(h.logs.some((line) => line.includes(MESSAGES[code]))).toBe(true);
        await new Promise((resolve) => setTimeout(resolve, 500));
        expect(h.server.connections).toBe(1);
      } finally {
        await h.stop();
      }
    });
  }

  it("405 when nothing can be subscribed: down with the operator message, no reconnect", async () => {
    const h = await harness({ faults: { maxSymbols: 0 }, speed: 1 });
    try {
      await waitFor(() => h.collector.health().status === "down", 5_000, "down after 405");
      expect(h.collector.health().reason).toBe(MESSAGES[405]);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(h.server.connections).toBe(1);
    } finally {
      await h.stop();
    }
  });

  it("405 on a later subscribe: the refused symbol is unavailable, the others keep streaming", async () => {
    const h = await harness({ faults: { maxSymbols: 1 } });
    try {
      await waitFor(() => h.collector.health().status === "healthy", 20_000, "healthy");
      await h.collector.updateSymbols([symbolRow("FAKEPACA"), symbolRow("FAKEPACB")]);
      await waitFor(() => h.collector.health().symbols[SECOND]?.status === "unavailable", 5_000, "FAKEPACB refused");
      expect(h.collector.health().symbols[SECOND]?.reason).toBe(MESSAGES[405]);
      const before = h.collector.health().symbols[SYMBOL]?.lastBarAt ?? 0;
      await waitFor(() => (h.collector.health().symbols[SYMBOL]?.lastBarAt ?? 0) > before, 10_000, "FAKEPACA still streaming");
      expect(h.collector.health()).toMatchObject({ status: "healthy" });
      expect(h.server.subscriptions()).toEqual([["FAKEPACA"]]);
      expect(h.server.connections).toBe(1);
    } finally {
      await h.stop();
    }
  });

  it("updateSymbols: subscribes a new symbol on the open socket after fetching its history; unsubscribes a removed one", async () => {
    await clean();
    const h = await harness({});
    try {
      await waitFor(() => h.collector.health().status === "healthy", 20_000, "healthy");
      const inactive = symbolRow("FAKEPACC", false);
      const other = { ...symbolRow("BTCUSDT"), id: "BINANCE:BTCUSDT", exchange: "BINANCE" } as typeof inactive;
      await h.collector.updateSymbols([symbolRow("FAKEPACA"), symbolRow("FAKEPACB"), inactive, other]);
      // history first: by the time updateSymbols resolves, FAKEPACB is healthy with its recent bars
      expect(h.collector.health().symbols[SECOND]).toMatchObject({ status: "healthy" });
      expect(Object.keys(h.collector.health().symbols).sort()).toEqual([SYMBOL, SECOND]);
      await waitFor(() => h.server.subscriptions()[0]?.length === 2, 5_000, "FAKEPACB subscribed");
      expect(h.server.subscriptions()).toEqual([["FAKEPACA", "FAKEPACB"]]);
      const last = () => h.collector.health().symbols[SECOND]?.lastBarAt ?? 0;
      const joinedAt = last();
      await waitFor(() => last() >= joinedAt + 3 * MINUTE, 15_000, "FAKEPACB live bars");
      await h.sink.flush();
      await waitFor(() => h.sink.backlog === 0, 10_000, "sink drained");
      const stored = await readCandleRange(pool, { symbol: SECOND, timeframe: "1m", from: dayStart, to: last() + MINUTE });
      expect(stored.map((bar) => bar.openTime)).toEqual(Array.from({ length: (last() + MINUTE - dayStart) / MINUTE }, (_, i) => dayStart + i * MINUTE));
      await h.collector.updateSymbols([symbolRow("FAKEPACB")]);
      await waitFor(() => h.server.subscriptions()[0]?.length === 1, 5_000, "FAKEPACA unsubscribed");
      expect(h.server.subscriptions()).toEqual([["FAKEPACB"]]);
      expect(Object.keys(h.collector.health().symbols)).toEqual([SECOND]);
      expect(h.server.connections).toBe(1);
    } finally {
      await h.stop();
    }
  });

  it("one stream per process: a second stream on the same key and URL is refused; stop() closes the socket", async () => {
    const h = await harness({ speed: 1 });
    try {
      await waitFor(() => h.collector.health().status === "healthy", 20_000, "healthy");
      const callbacks = { onAuthenticated: () => undefined, onMessages: () => undefined, onClose: () => undefined, onFatal: () => undefined };
      const second = new AlpacaStream({ url: h.server.wsUrl, ...KEYS, tickers: ["FAKEPACA"], callbacks });
      expect(() => second.start()).toThrow(`an Alpaca stream for key PKTE… on ${h.server.wsUrl} already runs in this process; Alpaca allows one connection per account (406)`);
      expect(h.server.connections).toBe(1);
      await h.collector.stop();
      await waitFor(() => h.server.subscriptions().length === 0, 5_000, "socket closed on stop");
      second.start(); // the first one is stopped: allowed now
      await waitFor(() => h.server.subscriptions().length === 1, 5_000, "second stream subscribed");
      await second.stop();
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
