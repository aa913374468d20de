/**
 * Test harness for Binance collector integration tests: the replay exchange (real Binance protocol over real
 * sockets) serving the recorded BTC/USDT minutes under one or more tickers, a BarSink on real PostgreSQL and
 * Redis, and the collector wired as in production. Used by binance.collector.*.integration-test.ts.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import type { Redis } from "ioredis";
import type pg from "pg";
import type { SymbolRow } from "../../server/db/symbols.repo.ts";
import { createCollectorMetrics } from "../../server/observability/collector-metrics.ts";
import { redisKeys } from "../../server/redis/keys.ts";
import { FakeBinanceServer, type FakeBinanceOptions } from "../../server/replay/fake-binance-server.ts";
import { ReplayClock, ReplayDataset } from "../../server/replay/replay-dataset.ts";
import { BarSink } from "../../server/services/bar-sink.service.ts";
import { BinanceRestClient } from "../../server/sources/binance/binance-rest.ts";
import { BinanceCollector, type BinanceCollectorOptions } from "./binance.collector.ts";

export const MINUTE = 60_000;
export const ROOT = path.resolve(import.meta.dirname, "..", "..");
export const RECORDING = "fixtures/binance/ohlcv/BTCUSDT-1m-20230401-20230403.json";

export function symbolRow(ticker: string): SymbolRow {
  return { id: `BINANCE:${ticker}`, exchange: "BINANCE", ticker, assetClass: "crypto", displayName: ticker, active: true, calendar: "CRYPTO" };
}

/** The recorded rows by open time: [openTime, open, high, low, close, volume]. */
export function recordedRows(file = RECORDING): Map<number, number[]> {
  const rows = JSON.parse(readFileSync(path.join(ROOT, file), "utf8")) as number[][];
  return new Map(rows.map((row) => [row[0]!, row]));
}

export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export async function counterValue(counter: { get(): Promise<{ values: { value: number }[] }> }): Promise<number> {
  return (await counter.get()).values.reduce((sum, item) => sum + item.value, 0);
}

export interface HarnessOptions {
  /** Tickers the exchange serves, all from the same recording (virtual time = recorded time). */
  served: readonly string[];
  /** Symbols the collector starts with. */
  symbols: readonly SymbolRow[];
  startAt: number;
  speed: number;
  initialBackfillBars: number;
  pool: pg.Pool;
  redis: Redis;
  namespace: string;
  server?: Partial<Omit<FakeBinanceOptions, "datasets" | "clock">>;
  collector?: Partial<BinanceCollectorOptions>;
}

export interface Harness {
  server: FakeBinanceServer;
  collector: BinanceCollector;
  sink: BarSink;
  metrics: ReturnType<typeof createCollectorMetrics>;
  stop(): Promise<void>;
}

export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const file = path.join(ROOT, RECORDING);
  const first = ReplayDataset.fromFile("BTCUSDT", file).firstRecorded;
  const datasets = options.served.map((ticker) => ReplayDataset.fromFile(ticker, file, first, false));
  const server = new FakeBinanceServer({ datasets, clock: new ReplayClock(options.startAt, options.speed), ...options.server });
  await server.listen();
  const metrics = createCollectorMetrics();
  const sink = new BarSink({ pool: options.pool, redis: options.redis, keys: redisKeys(options.namespace), metrics, liveThrottleMs: 50 });
  sink.start();
  const collector = new BinanceCollector({
    mode: "replay",
    wsUrl: server.wsUrl,
    rest: new BinanceRestClient({ baseUrl: server.url }),
    pool: options.pool,
    sink,
    metrics,
    symbols: options.symbols,
    latenessMs: 2_000,
    initialBackfillBars: options.initialBackfillBars,
    streamOptions: { initialBackoffMs: 100, maxBackoffMs: 500 },
    ...options.collector,
  });
  await collector.start();
  return {
    server,
    collector,
    sink,
    metrics,
    async stop() {
      await collector.stop();
      await sink.close();
      await server.close();
    },
  };
}
