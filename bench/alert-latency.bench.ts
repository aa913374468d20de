/**
 * Trade → in-app alert latency (DESIGN.md budget: p99 < 250 ms), the whole path with the real parts in one
 * process: the fake Binance exchange (server/replay/fake-binance-server.ts, the recorded BTC/USDT minutes at real
 * speed under a fresh ticker) → the Binance collector and BarSink (production LIVE_THROTTLE_MS) → live bar on
 * Redis pub/sub → the analytics worker's alert engine (tick-mode evaluation) → notify queue (BullMQ) → the notifier
 * (in-app channel: bell + publish) → Redis pub/sub → the realtime gateway → a `ws` client with a real user token.
 * Each round arms two tick alerts just outside the current price (`close > above`, `close < below`, ±0.01 %);
 * whichever the market crosses first fires (a round with no crossing within 20 s is abandoned and counted). The latency of a sample is from the moment an observer socket on the
 * exchange (subscribed like the collector) received the trade whose price the firing recorded, to the moment the
 * browser-side socket received the notification. Real PostgreSQL and Redis (DATABASE_URL, REDIS_URL; own
 * namespace). Reports p50 / p99 / max, and the stages of each sample (watchers on the live-bar and notify
 * channels, the engine's onFired hook): trade → live bar published (collector + live throttle), → alert fired
 * (engine: firing stored + notify job enqueued), → in-app message published (queue + notifier), → ws receipt
 * (gateway). Never asserts.
 * Run: node --import tsx bench/alert-latency.bench.ts [--samples N]
 */
import { randomBytes } from "node:crypto";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Redis } from "ioredis";
import pg from "pg";
import { Registry } from "prom-client";
import { WebSocket } from "ws";
import { signAccessToken } from "../server/auth/access-token.ts";
import { env } from "../server/env.ts";
import { createCollectorMetrics } from "../server/observability/collector-metrics.ts";
import { createNotifyMetrics } from "../server/observability/notify-metrics.ts";
import { BarClosedProducer } from "../server/queues/bar-closed-producer.ts";
import { createBarClosedQueues } from "../server/queues/bar-closed.ts";
import { startGateway } from "../server/realtime/gateway.ts";
import { queueConnection } from "../server/redis/client.ts";
import { redisKeys } from "../server/redis/keys.ts";
import { FakeBinanceServer } from "../server/replay/fake-binance-server.ts";
import { ReplayClock, ReplayDataset } from "../server/replay/replay-dataset.ts";
import { closeNotificationDeps, notificationDeps } from "../server/services/alerts-notify.ts";
import { createAlert, setAlertStatusOf } from "../server/services/alerts.service.ts";
import { BarSink } from "../server/services/bar-sink.service.ts";
import { parseAllowedHosts } from "../server/services/notifications/ssrf-guard.ts";
import { BinanceRestClient } from "../server/sources/binance/binance-rest.ts";
import { startTestWorker } from "../workers/analytics/analytics-test-helpers.ts";
import { BinanceCollector } from "../workers/collectors/binance.collector.ts";
import { NotifierWorker } from "../workers/notifier/notifier-worker.ts";
import type { BenchResult } from "./bench-result.ts";

const ROOT = path.resolve(import.meta.dirname, "..");
const RECORDING = path.join(ROOT, "fixtures/binance/ohlcv/BTCUSDT-1m-20230401-20230403.json");
const MINUTE = 60_000;
const WARMUP_SAMPLES = 2;
const BAND = 0.0001;
/** A round whose price stays inside the band this long is abandoned (both alerts paused) and another armed. */
const ROUND_TIMEOUT_MS = 20_000;
/** The bench stops collecting after this long, with however many samples it has. */
const MAX_COLLECT_MS = 6 * MINUTE;

interface Trade {
  price: number;
  at: number;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor<T>(read: () => T | undefined | Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

export async function runAlertLatencyBench(options: { samples?: number } = {}): Promise<BenchResult[]> {
  const samples = options.samples ?? 30;
  const config = env();
  const tag = randomBytes(4).toString("hex");
  const namespace = `bench-alert-${tag}`;
  const keys = redisKeys(namespace);
  const ticker = `LAT${tag.toUpperCase()}USDT`;
  const symbol = `BINANCE:${ticker}`;
  const userId = `u_bench_${tag}`;
  const secret = randomBytes(32).toString("hex");
  const pool = new pg.Pool({ connectionString: config.DATABASE_URL, max: 10 });
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1 });
  const cleanups: Array<() => Promise<unknown>> = [];
  const cleanup = async () => {
    for (const step of cleanups.reverse()) await step().catch(() => undefined);
  };

  try {
    await pool.query(`INSERT INTO "users" ("id", "name", "email", "email_verified") VALUES ($1, 'bench', $2, true)`, [userId, `${userId}@example.test`]);
    await pool.query(`INSERT INTO "symbols" ("id", "exchange", "ticker", "display_name", "active") VALUES ($1, 'BINANCE', $2, $2, true)`, [symbol, ticker]);
    cleanups.push(async () => {
      let cursor = "0";
      do {
        const [next, batch] = await redis.scan(cursor, "MATCH", `${namespace}:*`, "COUNT", 500);
        if (batch.length > 0) await redis.del(...batch);
        cursor = next;
      } while (cursor !== "0");
      for (const statement of [
        `DELETE FROM delivery_attempts WHERE delivery_id IN (SELECT d.id FROM deliveries d JOIN notifications n ON n.id = d.notification_id WHERE n.user_id = $1)`,
        `DELETE FROM deliveries WHERE notification_id IN (SELECT id FROM notifications WHERE user_id = $1)`,
        `DELETE FROM notifications WHERE user_id = $1`,
        `DELETE FROM alert_firings WHERE alert_id IN (SELECT id FROM alerts WHERE user_id = $1)`,
        `DELETE FROM alerts WHERE user_id = $1`,
        `DELETE FROM notification_channels WHERE user_id = $1`,
        `DELETE FROM users WHERE id = $1`,
      ]) {
        await pool.query(statement, [userId]).catch(() => undefined);
      }
      await pool.query(`DELETE FROM alert_firings WHERE symbol = $1`, [symbol]).catch(() => undefined);
      await pool.query(`DELETE FROM alerts WHERE user_id = $1`, [userId]).catch(() => undefined);
      await pool.query(`DELETE FROM candles WHERE symbol = $1`, [symbol]).catch(() => undefined);
      await pool.query(`DELETE FROM indicators WHERE symbol = $1`, [symbol]).catch(() => undefined);
      await pool.query(`DELETE FROM symbols WHERE id = $1`, [symbol]);
    });

    // The exchange: the recording under the fresh ticker, real speed, starting two hours in (backfill room).
    const first = ReplayDataset.fromFile("BTCUSDT", RECORDING).firstRecorded;
    const dataset = ReplayDataset.fromFile(ticker, RECORDING, first, false);
    const exchange = new FakeBinanceServer({ datasets: [dataset], clock: new ReplayClock(first + 120 * MINUTE, 1) });
    await exchange.listen();
    cleanups.push(() => exchange.close());

    // Observer: sees each trade when the collector does.
    const trades: Trade[] = [];
    const observer = new WebSocket(`${exchange.wsUrl}/ws/${ticker.toLowerCase()}@aggTrade`);
    observer.on("message", (data) => {
      const at = performance.now();
      const frame = JSON.parse(data.toString()) as { e?: string; p?: string };
      if (frame.e === "aggTrade" && frame.p) trades.push({ price: Number(frame.p), at });
    });
    cleanups.push(async () => observer.terminate());

    // Stage watchers: live bars as published, the engine's firings, in-app messages as the notifier publishes them.
    const firings = new Map<string, number>();
    const liveBars: Trade[] = [];
    const published: Array<{ sourceRef: string; at: number }> = [];
    const watcher = new Redis(config.REDIS_URL);
    watcher.on("message", (channel: string, message: string) => {
      const at = performance.now();
      const data = JSON.parse(message) as { kind?: string; bar?: { close: number }; sourceRef?: string };
      if (channel === keys.barChannel(symbol, "1m") && data.kind === "live" && data.bar) liveBars.push({ price: data.bar.close, at });
      else if (channel === keys.notifyUser(userId) && data.sourceRef) published.push({ sourceRef: data.sourceRef, at });
    });
    await watcher.subscribe(keys.barChannel(symbol, "1m"), keys.notifyUser(userId));
    cleanups.push(async () => watcher.disconnect());

    // Collector pipeline as in workers/collector-runtime.ts.
    const queues = createBarClosedQueues({ connection: queueConnection("producer", config.REDIS_URL), prefix: keys.queuePrefix(), partitions: 1 });
    const producer = new BarClosedProducer({ queues });
    const sinkRedis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1 });
    const metrics = createCollectorMetrics();
    const sink = new BarSink({ pool, redis: sinkRedis, keys, metrics, liveThrottleMs: config.LIVE_THROTTLE_MS, onStored: (events) => producer.enqueue(events) });
    sink.start();
    const collector = new BinanceCollector({
      mode: "replay",
      wsUrl: exchange.wsUrl,
      rest: new BinanceRestClient({ baseUrl: exchange.url }),
      pool,
      sink,
      metrics,
      symbols: [{ id: symbol, exchange: "BINANCE", ticker, assetClass: "crypto", displayName: ticker, active: true, calendar: "CRYPTO" }],
      latenessMs: 2_000,
      initialBackfillBars: 100,
    });
    cleanups.push(async () => {
      await collector.stop();
      await sink.close();
      await producer.close();
      sinkRedis.disconnect();
    });

    // Analytics worker with the alert engine (tick mode), notifier, gateway.
    const analytics = await startTestWorker({
      pool,
      keys,
      partitions: 1,
      alerts: {
        createSubscriber: () => new Redis(config.REDIS_URL).on("error", () => undefined),
        notify: notificationDeps({ pool, keys }),
        appUrl: "http://localhost:3000",
        onFired: (firing) => {
          if (firing.created) firings.set(firing.alertId, performance.now());
        },
      },
    });
    cleanups.push(async () => {
      await analytics.close();
      await closeNotificationDeps(keys);
    });
    const notifierRedis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1 });
    const notifier = new NotifierWorker({
      pool,
      redis: notifierRedis,
      keys,
      workerConnection: queueConnection("worker", config.REDIS_URL),
      producerConnection: queueConnection("producer", config.REDIS_URL),
      metrics: createNotifyMetrics(new Registry(), { defaultMetrics: false }),
      guard: { allowedHosts: parseAllowedHosts("") },
      smtpUrl: undefined,
      from: "Marketlens Bench <bench@marketlens.test>",
      timeoutMs: 2_000,
      attempts: config.NOTIFY_ATTEMPTS,
      backoffMs: config.NOTIFY_BACKOFF_MS,
      concurrency: 4,
      lockMs: 30_000,
      bellSize: config.NOTIFY_BELL_SIZE,
    });
    await notifier.start();
    cleanups.push(async () => {
      await notifier.close();
      notifierRedis.disconnect();
    });
    const gateway = await startGateway({ port: 0, host: "127.0.0.1", namespace, redisUrl: config.REDIS_URL, auth: { secret } });
    cleanups.push(() => gateway.close());
    await gateway.ready;

    await collector.start();
    // Wait until the analytics worker holds the stream (closed bars processed) and trades flow.
    await waitFor(async () => {
      const { rows } = await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM indicators WHERE symbol = $1 AND timeframe = '1m'", [symbol]);
      return (rows[0]?.n ?? 0) > 0 ? true : undefined;
    }, 60_000, "analytics of the backfilled bars");
    await waitFor(() => (trades.length > 0 ? true : undefined), 30_000, "trades from the exchange");

    // The browser side.
    const { token } = await signAccessToken({ secret, sub: userId, role: "user", nowMs: Date.now() });
    const client = new WebSocket(`ws://127.0.0.1:${gateway.port}/ws?token=${encodeURIComponent(token)}`);
    const received: Array<{ sourceRef: string | null; at: number }> = [];
    client.on("message", (data) => {
      const at = performance.now();
      const message = JSON.parse(data.toString()) as { type?: string; sourceRef?: string | null };
      if (message.type === "notification") received.push({ sourceRef: message.sourceRef ?? null, at });
    });
    await new Promise<void>((resolve, reject) => {
      client.once("open", () => resolve());
      client.once("error", reject);
    });
    cleanups.push(async () => client.terminate());

    const deps = { pool, redis, keys, now: () => Date.now(), maxAlertsPerUser: 10_000 };
    const latencies: number[] = [];
    const stages = { collector: [] as number[], engine: [] as number[], notifier: [] as number[], gateway: [] as number[] };
    let unmatched = 0;
    let abandoned = 0;
    let fired = 0;
    const collectUntil = Date.now() + MAX_COLLECT_MS;
    for (let round = 0; fired < samples + WARMUP_SAMPLES && Date.now() < collectUntil; round++) {
      const price = (trades.at(-1) as Trade).price;
      const zset = await redis.zrange(keys.bars(symbol, "1m"), "-1", "-1");
      const lastClose = zset[0] ? (JSON.parse(zset[0]) as { close: number }).close : price;
      const above = Number((Math.max(price, lastClose) * (1 + BAND)).toFixed(2));
      const below = Number((Math.min(price, lastClose) * (1 - BAND)).toFixed(2));
      const rule = (name: string, op: ">" | "<", value: number) => ({ name, timeframe: "1m" as const, when: { all: [{ metric: "close", op, value }] } });
      const up = await createAlert(deps, userId, { rule: rule(`up ${round}`, ">", above), symbol, evaluateOn: "tick" });
      const down = await createAlert(deps, userId, { rule: rule(`down ${round}`, "<", below), symbol, evaluateOn: "tick" });
      const seen = received.length;
      const arrival = await waitFor(() => received.slice(seen).find((m) => m.sourceRef?.includes(up.id) || m.sourceRef?.includes(down.id)), ROUND_TIMEOUT_MS, `round ${round} to fire`).catch(() => undefined);
      for (const alert of [up, down]) await setAlertStatusOf(deps, userId, { id: alert.id, status: "paused" });
      if (!arrival) {
        abandoned += 1;
        continue;
      }
      fired += 1;
      const firedId = arrival.sourceRef?.includes(up.id) ? up.id : down.id;
      const { rows } = await pool.query<{ close: number }>(`SELECT ("values"->>'close')::float8 AS close FROM alert_firings WHERE alert_id = $1`, [firedId]);
      const firedClose = rows[0]?.close;
      // The trade that produced the evaluated price: the last one at that price before the notification arrived.
      const trade = [...trades].reverse().find((t) => t.at <= arrival.at && firedClose !== undefined && Math.abs(t.price - firedClose) < 1e-9);
      if (!trade) {
        unmatched += 1;
        continue;
      }
      if (fired > WARMUP_SAMPLES) {
        latencies.push(arrival.at - trade.at);
        const live = liveBars.find((bar) => bar.at >= trade.at && Math.abs(bar.price - trade.price) < 1e-9);
        const firedAt = firings.get(firedId);
        const publishedAt = published.find((message) => message.sourceRef.includes(firedId))?.at;
        if (live && firedAt !== undefined && publishedAt !== undefined) {
          stages.collector.push(live.at - trade.at);
          stages.engine.push(firedAt - live.at);
          stages.notifier.push(publishedAt - firedAt);
          stages.gateway.push(arrival.at - publishedAt);
        }
      }
      await sleep(200);
    }
    latencies.sort((a, b) => a - b);
    for (const list of Object.values(stages)) list.sort((a, b) => a - b);
    const stage = (name: string, list: number[], what: string): BenchResult => ({
      name: `trade → in-app alert, stage ${name}, p50`,
      value: percentile(list, 50),
      unit: "ms",
      note: `${what}; p99 ${percentile(list, 99).toFixed(1)} ms over ${list.length} samples`,
    });
    const note = `full path: fake Binance trade → collector (leading-edge LIVE_THROTTLE_MS ${config.LIVE_THROTTLE_MS}) → live bar pub/sub → analytics tick evaluation → notify queue → notifier (in-app) → Redis pub/sub → gateway → ws client; ${latencies.length} samples after ${WARMUP_SAMPLES} warm-up${unmatched ? `, ${unmatched} without a matching trade` : ""}${abandoned ? `, ${abandoned} rounds without a crossing in ${ROUND_TIMEOUT_MS / 1000} s` : ""}; one process, same machine`;
    return [
      { name: "trade → in-app alert (ws), p50", value: percentile(latencies, 50), unit: "ms", budget: "p99 < 250 ms", note },
      { name: "trade → in-app alert (ws), p99", value: percentile(latencies, 99), unit: "ms", budget: "p99 < 250 ms", note },
      { name: "trade → in-app alert (ws), max", value: latencies.at(-1) ?? Number.NaN, unit: "ms", note },
      stage("1 collector", stages.collector, `exchange trade → live bar published (leading-edge LIVE_THROTTLE_MS ${config.LIVE_THROTTLE_MS}: a quiet stream publishes at once)`),
      stage("2 alert engine", stages.engine, "live bar published → firing stored and notify job enqueued"),
      stage("3 notifier", stages.notifier, "notify job enqueued → in-app message published"),
      stage("4 gateway", stages.gateway, "in-app message published → ws client receipt"),
    ];
  } finally {
    await cleanup();
    redis.disconnect();
    await pool.end();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const index = process.argv.indexOf("--samples");
  const results = await runAlertLatencyBench({ samples: index >= 0 ? Number(process.argv[index + 1]) : undefined });
  for (const result of results) console.log(`${result.name.padEnd(44)} ${result.value.toFixed(1).padStart(8)} ${result.unit}  ${result.budget ? `budget ${result.budget}` : (result.note ?? "")}`);
  console.log(`- ${results[0]?.note ?? ""}`);
  process.exit(0);
}
