/**
 * Test harness for the Alpaca collector integration tests: a FakeAlpacaServer (real WebSocket + HTTP on port 0)
 * fed by the Binance BTC/USDT 1m recording (renamed FAKEPACA / FAKEPACB), a BarSink on real PostgreSQL and Redis
 * in its own namespace, and the collector wired to them. Not a test file itself.
 */
import path from "node:path";
import type { Redis } from "ioredis";
import type pg from "pg";
import type { Bar } from "../../server/domain/bars/bar.ts";
import type { ExchangeCalendar } from "../../server/domain/calendars/calendar-types.ts";
import type { SymbolRow } from "../../server/db/symbols.repo.ts";
import { createCollectorMetrics } from "../../server/observability/collector-metrics.ts";
import { redisKeys } from "../../server/redis/keys.ts";
import { FakeAlpacaServer, type FakeAlpacaFaults } from "../../server/replay/fake-alpaca-server.ts";
import { ReplayClock, ReplayDataset } from "../../server/replay/replay-dataset.ts";
import { BarSink } from "../../server/services/bar-sink.service.ts";
import { AlpacaRestClient } from "../../server/sources/alpaca/alpaca-rest.ts";
import { AlpacaCollector } from "./alpaca.collector.ts";

export const MINUTE = 60_000;
export const KEYS = { keyId: "PKTEST", secretKey: "secret" };
export const RECORDING = path.resolve(import.meta.dirname, "../../fixtures/binance/ohlcv/BTCUSDT-1m-20230401-20230403.json");
/** The recording starts 2023-04-01 00:00Z and is served at its own times (no loop). */
export const RECORDING_START = Date.UTC(2023, 3, 1);

export function symbolRow(ticker: string, active = true): SymbolRow {
  return { id: `ALPACA:${ticker}`, exchange: "ALPACA", ticker, assetClass: "stock", displayName: ticker, active, calendar: "NYSE" } as SymbolRow;
}

export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface HarnessOptions {
  pool: pg.Pool;
  redis: Redis;
  namespace: string;
  start: number;
  speed?: number;
  keys?: { keyId: string; secretKey: string } | null;
  faults?: FakeAlpacaFaults;
  symbols?: SymbolRow[];
  /** Tickers the fake server knows (default FAKEPACA and FAKEPACB). */
  tickers?: string[];
  calendar?: ExchangeCalendar | null;
  closeGraceMs?: number;
  /** Bars per REST page of the fake server (default 25, to exercise paging). */
  pageSize?: number;
}

export async function startHarness(options: HarnessOptions) {
  const clock = new ReplayClock(options.start, options.speed ?? 60);
  const datasets = (options.tickers ?? ["FAKEPACA", "FAKEPACB"]).map((ticker) => ReplayDataset.fromFile(ticker, RECORDING, RECORDING_START, false));
  const server = new FakeAlpacaServer({ datasets, clock, ...KEYS, faults: options.faults, reviseEvery: 3, pageSize: options.pageSize ?? 25 });
  await server.listen();
  const metrics = createCollectorMetrics();
  const sink = new BarSink({ pool: options.pool, redis: options.redis, keys: redisKeys(options.namespace), metrics, liveThrottleMs: 50 });
  const revisions: Bar[] = [];
  const push = sink.push.bind(sink);
  sink.push = (event) => {
    if (event.kind === "revision" && event.bar.timeframe === "1m") revisions.push({ ...event.bar });
    push(event);
  };
  sink.start();
  const keys = options.keys === undefined ? KEYS : options.keys;
  const logs: string[] = [];
  const collector = new AlpacaCollector({
    mode: "replay",
    streamUrl: server.wsUrl,
    keyId: keys?.keyId,
    secretKey: keys?.secretKey,
    rest: keys ? new AlpacaRestClient({ baseUrl: server.url, ...keys }) : null,
    pool: options.pool,
    sink,
    metrics,
    symbols: options.symbols ?? [symbolRow("FAKEPACA")],
    latenessMs: 2_000,
    initialBackfillBars: 60,
    calendar: options.calendar ?? null,
    clock,
    closeGraceMs: options.closeGraceMs,
    streamOptions: { initialBackoffMs: 50, maxBackoffMs: 200 },
    quality: { redis: options.redis, keys: redisKeys(options.namespace), snapshotIntervalMs: 200 },
    log: (level, message, details) => logs.push(`${level}: ${message} ${details ? JSON.stringify(details) : ""}`),
  });
  await collector.start();
  return {
    server,
    collector,
    sink,
    clock,
    revisions,
    logs,
    async stop() {
      await collector.stop();
      await sink.close();
      await server.close();
    },
  };
}
