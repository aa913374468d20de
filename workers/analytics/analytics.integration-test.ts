/**
 * The analytics pipeline end to end on real PostgreSQL, Redis and BullMQ: closed bars (BTC/USDT 1h fixture,
 * a unique symbol per test) are stored like the collector stores them, enqueued through the real partitioned
 * queues and processed by an in-process AnalyticsWorker. Rows must equal the batch computation; retries and
 * re-sent jobs change nothing; a revision adds a feature version that `asOf` can see past; a new worker
 * instance rehydrates and continues the same series.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Bar } from "../../server/domain/bars/bar.ts";
import { computeIndicators } from "../../server/domain/indicators/indicator-batch.ts";
import { computeFeaturesV1 } from "../../server/domain/features/feature-engine-v1.ts";
import { FEATURE_VECTOR_V1 } from "../../server/domain/features/feature-vector-v1.ts";
import { FEATURE_NAMES_V1 } from "../../server/domain/features/feature-set-v1.ts";
import { detectPatterns } from "../../server/domain/patterns/pattern-engine.ts";
import { PATTERN_NAMES } from "../../server/domain/patterns/pattern-registry.ts";
import { upsertCandles } from "../../server/db/candles.repo.ts";
import { readFeatureRange, readFeatureVersions } from "../../server/db/features.repo.ts";
import { INDICATOR_VALUE_KEYS, readIndicatorRange, type StreamKey } from "../../server/db/indicators.repo.ts";
import { BarClosedProducer } from "../../server/queues/bar-closed-producer.ts";
import { barClosedJobId, enqueueBarClosed, partitionOf, type BarClosedQueueSet } from "../../server/queues/bar-closed.ts";
import { redisKeys } from "../../server/redis/keys.ts";
import { parseLatestFeatures, parseLatestIndicators } from "../../server/services/analytics-latest.ts";
import {
  DATABASE_URL, clearNamespace, commandRedis, deleteStream, fixtureBarsFor, indicatorCount, startTestWorker, storeBars,
  testQueues, uniqueSymbol, waitDrained, waitFor, type TestWorker,
} from "./analytics-test-helpers.ts";
import { REHYDRATE_BARS } from "./analytics-streams.ts";

const PARTITIONS = 2;
const namespace = `test-analytics-${randomBytes(3).toString("hex")}`;
const keys = redisKeys(namespace);
const FEATURES = { featureSet: "v1" } as const;

/** |actual − expected| ≤ max(absolute, relative·scale): the tolerance the database uses for "unchanged". */
function expectClose(actual: number | null | undefined, expected: number | null | undefined, what: string, tolerance = 1e-12) {
  if (expected === null || expected === undefined) {
    expect(actual ?? null, what).toBeNull();
    return;
  }
  expect(actual, what).not.toBeNull();
  const allowed = Math.max(tolerance * 0.1, tolerance * Math.max(Math.abs(expected), Math.abs(actual as number)));
  expect(Math.abs((actual as number) - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(allowed);
}

describe("analytics worker (real queue, PostgreSQL, Redis)", () => {
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 6 });
  const redis = commandRedis();
  const streams: StreamKey[] = [];
  const workers: TestWorker[] = [];
  let queues: BarClosedQueueSet;

  const newStream = (): StreamKey => {
    const stream: StreamKey = { symbol: uniqueSymbol(), timeframe: "1h" };
    streams.push(stream);
    return stream;
  };
  const startWorker = async (extra: Partial<Parameters<typeof startTestWorker>[0]> = {}) => {
    for (const running of [...workers]) await stopWorker(running); // one consumer per partition: hand the leases over
    const started = await startTestWorker({ pool, keys, partitions: PARTITIONS, ...extra });
    workers.push(started);
    return started;
  };
  const stopWorker = async (started: TestWorker) => {
    await started.close();
    workers.splice(workers.indexOf(started), 1);
  };
  const readAll = (stream: StreamKey) => readIndicatorRange(pool, { ...stream, from: 0, limit: 100_000 });
  const readFeatures = (stream: StreamKey, asOf: number | null = null) => readFeatureRange(pool, { ...stream, ...FEATURES, from: 0, limit: 100_000, asOf });

  /** Every stored row equals the batch computation over `bars` (indicators, patterns, features, vector length). */
  async function expectBatchValues(stream: StreamKey, bars: readonly Bar[], tolerance = 1e-12) {
    const rows = await readAll(stream);
    expect(rows.map((row) => row.openTime)).toEqual(bars.map((bar) => bar.openTime));
    const series = computeIndicators(bars);
    const patterns = detectPatterns(bars);
    rows.forEach((row, index) => {
      for (const key of INDICATOR_VALUE_KEYS) expectClose(row.values[key], series[key][index], `${key}[${index}]`, tolerance);
      const expected = PATTERN_NAMES.filter((name) => patterns[name][index]).map((name) => ({ name, value: patterns[name][index] }));
      expect(row.patterns, `patterns[${index}]`).toEqual(expected);
    });
    const features = await readFeatures(stream);
    const batch = computeFeaturesV1(bars);
    expect(features).toHaveLength(bars.length);
    features.forEach((row, index) => {
      for (const name of FEATURE_NAMES_V1) expectClose(row.values[name], batch[index]![name], `${name}[${index}]`, tolerance);
      expect(row.vector).toHaveLength(FEATURE_VECTOR_V1.length);
    });
  }

  beforeAll(() => {
    queues = testQueues(keys, PARTITIONS);
  });

  afterAll(async () => {
    for (const started of [...workers]) await started.close();
    await queues.close();
    for (const stream of streams) await deleteStream(pool, stream);
    await clearNamespace(redis, namespace);
    await redis.quit();
    await pool.end();
  });

  it("computes every closed bar through the queue exactly like the batch functions, and caches and publishes the latest", async () => {
    const stream = newStream();
    const bars = fixtureBarsFor(stream.symbol, 400);
    const subscriber = commandRedis();
    const events: Array<{ openTime: number }> = [];
    await subscriber.subscribe(keys.analyticsChannel(stream.symbol, stream.timeframe));
    subscriber.on("message", (_channel, message) => events.push(JSON.parse(message) as { openTime: number }));
    const started = await startWorker();
    const producer = new BarClosedProducer({ queues });
    await storeBars(pool, bars); // the collector stores before it enqueues
    const began = performance.now();
    producer.enqueue(bars.map((bar) => ({ kind: "closed", bar })));
    await waitFor(() => producer.backlog === 0, 10_000, "the producer backlog to empty");
    await waitDrained(queues);
    const perBarMs = (performance.now() - began) / bars.length;
    const histogram = await started.metrics.jobSeconds.get();
    const sum = histogram.values.find((value) => value.metricName === "marketlens_analytics_job_seconds_sum")?.value ?? 0;
    const count = histogram.values.find((value) => value.metricName === "marketlens_analytics_job_seconds_count")?.value ?? 1;
    console.log(`analytics: ${bars.length} bars through the queue: ${perBarMs.toFixed(2)} ms per bar end to end, ${((1000 * sum) / count).toFixed(2)} ms mean job processing (compute + PostgreSQL + Redis)`);
    await expectBatchValues(stream, bars);
    const latest = parseLatestIndicators(await redis.get(keys.latestIndicators(stream.symbol, stream.timeframe)));
    expect(latest?.openTime).toBe(bars.at(-1)!.openTime);
    expect(latest?.description).toMatch(new RegExp(`^${stream.symbol.split(":")[1]} 1h closed at `));
    const latestFeatures = parseLatestFeatures(await redis.get(keys.latestFeatures(stream.symbol, stream.timeframe)));
    expect(latestFeatures).toMatchObject({ openTime: bars.at(-1)!.openTime, version: 1, featureSet: "v1" });
    expect(await redis.ttl(keys.latestFeatures(stream.symbol, stream.timeframe))).toBeGreaterThan(2 * 3_600);
    await waitFor(() => events.length >= bars.length, 5_000, "an analytics event per bar");
    expect(events.at(-1)?.openTime).toBe(bars.at(-1)!.openTime);
    const jobs = await started.metrics.jobs.get();
    expect(jobs.values.find((value) => value.labels.result === "computed")?.value).toBe(bars.length);
    await subscriber.quit();
  });

  it("changes nothing when a job is re-sent, processed twice or retried by a new worker", async () => {
    const stream = newStream();
    const bars = fixtureBarsFor(stream.symbol, 300);
    await startWorker();
    await storeBars(pool, bars);
    for (const bar of bars) await enqueueBarClosed(queues, bar);
    await waitDrained(queues);
    const before = { indicators: await readAll(stream), features: await readFeatureVersions(pool, { ...stream, ...FEATURES }, bars.at(-1)!.openTime) };
    const last = bars.at(-1)!;
    const queue = queues.queueFor(stream.symbol);

    const completed = (await queue.getJobCounts("completed")).completed;
    await enqueueBarClosed(queues, last); // same id, job still retained: BullMQ ignores it
    await waitDrained(queues);
    expect((await queue.getJobCounts("completed")).completed).toBe(completed);
    await queue.add("bar-closed", (await queue.getJob(barClosedJobId(last, "closed")))!.data, { jobId: "retry-of-last" });
    await queue.add("bar-closed", (await queue.getJob(barClosedJobId(bars[150]!, "closed")))!.data, { jobId: "retry-of-150" });
    await waitDrained(queues);
    expect((await queue.getJob("retry-of-last"))?.returnvalue).toMatchObject({ status: "unchanged", computed: 0 });

    for (const started of [...workers]) await stopWorker(started); // a crash between write and ack: a new process retries
    await startWorker();
    await queue.add("bar-closed", (await queue.getJob(barClosedJobId(last, "closed")))!.data, { jobId: "retry-after-restart" });
    await waitDrained(queues);
    expect((await queue.getJob("retry-after-restart"))?.returnvalue).toMatchObject({ featureVersions: 0 });

    expect(await readAll(stream)).toEqual(before.indicators); // computed_at included: no row was rewritten
    expect(await readFeatureVersions(pool, { ...stream, ...FEATURES }, last.openTime)).toEqual(before.features);
    const versions = await pool.query("SELECT count(*)::int AS n, max(version) AS v FROM ml_features WHERE symbol = $1", [stream.symbol]);
    expect(versions.rows[0]).toEqual({ n: bars.length, v: 1 });
  });

  it("adds a feature version for a revision; asOf before it returns the old values", async () => {
    const stream = newStream();
    const bars = fixtureBarsFor(stream.symbol, 260);
    await startWorker();
    await storeBars(pool, bars);
    for (const bar of bars) await enqueueBarClosed(queues, bar);
    await waitDrained(queues);
    const target = bars[250]!;
    const [original] = await readFeatureVersions(pool, { ...stream, ...FEATURES }, target.openTime);
    const beforeRevision = Date.now();
    await waitFor(() => Date.now() > beforeRevision + 5, 1_000, "the clock to move");
    const revised: Bar = { ...target, close: target.close * 1.01, high: Math.max(target.high, target.close * 1.01), volume: target.volume + 50 };
    await upsertCandles(pool, [revised]);
    await enqueueBarClosed(queues, revised, "revision");
    await waitDrained(queues);

    const versions = await readFeatureVersions(pool, { ...stream, ...FEATURES }, target.openTime);
    expect(versions.map((row) => row.version)).toEqual([1, 2]);
    expect(versions[0]).toEqual(original);
    expect(versions[1]!.knownAt).toBeGreaterThan(beforeRevision);
    const revisedBars = bars.map((bar) => (bar.openTime === target.openTime ? revised : bar));
    await expectBatchValues(stream, revisedBars); // later bars recomputed too
    const asOfBefore = await readFeatures(stream, beforeRevision);
    expect(asOfBefore.find((row) => row.openTime === target.openTime)).toEqual(original);
    expect(asOfBefore.find((row) => row.openTime === bars[255]!.openTime)?.version).toBe(1);
    const now = await readFeatures(stream);
    expect(now.find((row) => row.openTime === target.openTime)?.version).toBe(2);
    expect(now.find((row) => row.openTime === bars[255]!.openTime)?.version).toBe(2); // return5 of bar 255 reads bar 250
    expect(now.find((row) => row.openTime === bars[259]!.openTime)?.version).toBe(2); // VPT is cumulative
  });

  it("backfills the stored history on the first job and continues after a restart (rehydration) with the same values", async () => {
    const stream = newStream();
    const total = REHYDRATE_BARS + 500;
    const firstPart = REHYDRATE_BARS + 300;
    const bars = fixtureBarsFor(stream.symbol, total);
    const first = await startWorker();
    await storeBars(pool, bars.slice(0, firstPart));
    await enqueueBarClosed(queues, bars[firstPart - 1]!); // one job: the stream has bars but no rows yet
    await waitDrained(queues);
    expect(await indicatorCount(pool, stream)).toBe(firstPart);
    const backfill = await first.metrics.rebuilds.get();
    expect(backfill.values.find((value) => value.labels.kind === "backfill")?.value).toBe(1);
    await stopWorker(first);

    const second = await startWorker();
    await storeBars(pool, bars.slice(firstPart));
    for (const bar of bars.slice(firstPart, firstPart + 100)) await enqueueBarClosed(queues, bar);
    // a job the producer lost: the next one finds the gap and reads the skipped bar from PostgreSQL
    for (const bar of bars.slice(firstPart + 101)) await enqueueBarClosed(queues, bar);
    await waitDrained(queues);
    const rebuilt = await second.metrics.rebuilds.get();
    expect(rebuilt.values.find((value) => value.labels.kind === "rehydrate")?.value).toBe(1);
    await expectBatchValues(stream, bars, 1e-8); // warmed on 1,000 bars: running sums / seeds differ in the last bits, OBV/VPT anchored
  });

  it("sweeps streams that have bars but no rows when it acquires their partition", async () => {
    const stream = newStream();
    const bars = fixtureBarsFor(stream.symbol, 700);
    await storeBars(pool, bars);
    const started = await startWorker({ sweep: async (partition) => (partitionOf(stream.symbol, PARTITIONS) === partition ? [stream] : []) });
    await started.worker.whenSwept();
    expect(await indicatorCount(pool, stream)).toBe(bars.length);
    await expectBatchValues(stream, bars);
  });
});
