/**
 * The alert engine on the metrics beyond OHLCV and indicators, in a real analytics worker (PostgreSQL, Redis,
 * BullMQ): a candlestick-pattern rule fires on exactly the bars where the pattern engine sees the pattern appear;
 * a `qualityScore` rule reads the collector's snapshot in Redis; and a tick alert on the bar's own fields fires
 * on the live bar while the analytics worker has not analysed the stream yet (catching up), while a tick rule
 * that reads patterns waits for the analysis (counted) instead of judging against unknown previous values. Bars that
 * closed before an alert existed (a backlog the worker is still analysing) never fire it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { detectPatterns } from "../../server/domain/patterns/pattern-engine.ts";
import { enqueueBarClosed } from "../../server/queues/bar-closed.ts";
import { insertSymbol } from "../../server/services/alerts-test-helpers.ts";
import { HOUR, hourlyBars, startAlertEngineHarness, type AlertEngineHarness } from "./alert-engine-test-helpers.ts";
import { storeBars, waitDrained, waitFor } from "./analytics-test-helpers.ts";

/** Two days ahead, 00:00 UTC: bars that close after the alerts are created (older bars are history: never evaluated). */
const BASE = Math.ceil(Date.now() / 86_400_000) * 86_400_000 + 2 * 86_400_000;
const barsWithCloses = (symbol: string, closes: readonly number[], start = 0) => hourlyBars(BASE, symbol, closes, start);

describe("alert engine: pattern and quality metrics, tick alerts while analytics catches up (PostgreSQL, Redis, BullMQ)", () => {
  let h: AlertEngineHarness;
  beforeAll(async () => {
    h = await startAlertEngineHarness("metrics");
  });
  afterAll(async () => h?.close());

  /** The quality snapshot a collector writes (server/services/quality-sink.service.ts). */
  async function setQuality(symbol: string, score: number) {
    const snapshot = { symbol, score, windowItems: 100, windowRejected: 0, issuesByCheck: { price_anomaly: 0, stale: 0, invalid_value: 0, volume_spike: 0 }, totalItems: 100, totalRejected: 0, rebaselines: 0, lastEventTime: Date.now(), ageMs: 0, source: "test", updatedAt: Date.now() };
    await h.redis.set(h.keys.quality(symbol), JSON.stringify(snapshot), "EX", 60);
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // the engine keeps a score for 1 s
  }

  it("bars that closed before the alert was created (a backlog being analysed) do not fire it; the next bar does", async () => {
    const symbol = await insertSymbol(h.pool);
    const hourAgo = Math.floor(Date.now() / HOUR) * HOUR - 5 * HOUR; // five closed hours of backlog, then the open one
    const backlog = barsWithCloses(symbol, [90, 110, 90, 110, 90], 0).map((bar, index) => ({ ...bar, openTime: hourAgo + index * HOUR }));
    await storeBars(h.pool, backlog); // stored by the collector before the alert exists, analysed after
    const alert = await h.createAlertHeard(h.user, { rule: { name: "backlog", timeframe: "1h", when: { all: [{ metric: "close", op: "crosses_above", value: 100 }] } }, symbol });
    const skippedBefore = (await h.started.worker.alerts!.metrics.beforeArmed.get()).values[0]?.value ?? 0;
    for (const bar of backlog) await enqueueBarClosed(h.queues, bar);
    await waitDrained(h.queues);
    expect(await h.firingsOf(alert.id)).toEqual([]); // two crossings in the backlog: history, not news
    expect((await h.started.worker.alerts!.metrics.beforeArmed.get()).values[0]?.value ?? 0).toBe(skippedBefore + backlog.length);
    const next = { ...backlog[4]!, openTime: hourAgo + 5 * HOUR, open: 90, high: 121, low: 89, close: 120 }; // closes in the future
    await h.process([next]);
    expect((await h.firingsOf(alert.id)).map((row) => row.t)).toEqual([next.openTime]);
  });

  it("a pattern rule fires on exactly the bars where the pattern engine sees a bullish engulfing appear", async () => {
    const symbol = await insertSymbol(h.pool);
    // black then white bodies; a white body closing above the previous open engulfs it
    const bars = barsWithCloses(symbol, [100, 104, 100, 105, 103, 99, 104, 106, 102, 98, 103, 101]);
    const engulfing = detectPatterns(bars).engulfing;
    const expected = bars.filter((bar, index) => (engulfing[index] ?? 0) > 0 && !((engulfing[index - 1] ?? 0) > 0)).map((bar) => bar.openTime);
    expect(expected.length).toBeGreaterThan(1); // the fixture has something to find
    const alert = await h.createAlertHeard(h.user, { rule: { name: "bullish engulfing", timeframe: "1h", when: { all: [{ metric: "engulfing", op: ">", value: 0 }] } }, symbol });
    await h.process(bars);
    const firings = await h.firingsOf(alert.id);
    expect(firings.map((row) => row.t)).toEqual(expected);
    const first = bars.findIndex((bar) => bar.openTime === expected[0]);
    expect(firings[0]?.values).toEqual({ close: bars[first]!.close, engulfing: engulfing[first] }); // TA-Lib: 100, or 80 when the bodies only touch
  });

  it("a qualityScore rule reads the collector's snapshot: fires when the score drops below the threshold, again only after it recovered", async () => {
    const symbol = await insertSymbol(h.pool);
    const alert = await h.createAlertHeard(h.user, { rule: { name: "bad data", timeframe: "1h", when: { all: [{ metric: "qualityScore", op: "<", value: 50 }] } }, symbol });
    await setQuality(symbol, 40);
    await h.process(barsWithCloses(symbol, [100, 101, 102]));
    expect((await h.firingsOf(alert.id)).map((row) => [row.t, row.values.qualityScore])).toEqual([[BASE, 40]]);
    await setQuality(symbol, 90);
    await h.process(barsWithCloses(symbol, [103], 3));
    await setQuality(symbol, 30);
    await h.process(barsWithCloses(symbol, [104], 4));
    expect((await h.firingsOf(alert.id)).map((row) => [row.t, row.values.qualityScore])).toEqual([[BASE, 40], [BASE + 4 * HOUR, 30]]);
  });

  it("while the stream is not analysed yet, a tick alert on the bar's fields fires on the live bar; one reading patterns waits for the analysis", async () => {
    const symbol = await insertSymbol(h.pool);
    await storeBars(h.pool, barsWithCloses(symbol, [90, 92, 95])); // stored by the collector, not analysed yet (no job)
    const price = await h.createAlertHeard(h.user, { rule: { name: "tick price", timeframe: "1h", when: { all: [{ metric: "close", op: "crosses_above", value: 100 }] } }, symbol, evaluateOn: "tick" });
    const pattern = await h.createAlertHeard(h.user, { rule: { name: "tick pattern", timeframe: "1h", when: { all: [{ metric: "patternCount", op: ">=", value: 0 }] } }, symbol, evaluateOn: "tick" });
    const engine = h.started.worker.alerts!;
    const waitsBefore = (await engine.metrics.tickWaits.get()).values[0]?.value ?? 0;
    const openTime = BASE + 3 * HOUR;
    const live = (close: number, seq: number) =>
      JSON.stringify({ stream: `${symbol}:1h`, epoch: "test", seq, kind: "live", bar: { symbol, timeframe: "1h", openTime, open: 95, high: Math.max(95, close), low: 94, close, volume: seq, trades: seq, source: "trades" } });
    await h.redis.publish(h.keys.barChannel(symbol, "1h"), live(99, 1));
    await h.redis.publish(h.keys.barChannel(symbol, "1h"), live(101, 2));
    await waitFor(async () => (await h.firingsOf(price.id)).length === 1, 10_000, "the tick price alert to fire");
    await engine.whenIdle();
    expect(await h.firingsOf(price.id)).toEqual([{ symbol, t: openTime, evaluate_on: "tick", values: { close: 101 } }]);
    expect(await h.firingsOf(pattern.id)).toEqual([]);
    expect((await engine.metrics.tickWaits.get()).values[0]?.value ?? 0).toBeGreaterThan(waitsBefore);
  });
});
