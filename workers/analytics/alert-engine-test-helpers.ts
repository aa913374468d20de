/**
 * Set-up shared by the alert-engine integration tests: a real analytics worker with its alert engine on one
 * partition (own Redis namespace, the test database), a user, and the steps every test takes — create an alert
 * and wait until the worker heard it, store + enqueue closed bars and wait for the queue to drain, read firings.
 * Bars are 1h and open from `base` (pick it after now: bars that closed before an alert existed are never evaluated).
 */
import { Redis } from "ioredis";
import pg from "pg";
import type { Bar } from "../../server/domain/bars/bar.ts";
import { enqueueBarClosed, type BarClosedQueueSet } from "../../server/queues/bar-closed.ts";
import { redisKeys, type RedisKeys } from "../../server/redis/keys.ts";
import { closeNotificationDeps, notificationDeps } from "../../server/services/alerts-notify.ts";
import { createAlert } from "../../server/services/alerts.service.ts";
import { insertUser, suffix } from "../../server/services/alerts-test-helpers.ts";
import type { ServiceDeps } from "../../server/services/service-deps.ts";
import type { AlertEngineOptions } from "./alert-engine.ts";
import { DATABASE_URL, REDIS_URL, clearNamespace, commandRedis, startTestWorker, storeBars, testQueues, waitDrained, waitFor, type TestWorker } from "./analytics-test-helpers.ts";

export const HOUR = 3_600_000;

/** 1h bars from `base` with these closes (open = previous close, wicks of 1). */
export function hourlyBars(base: number, symbol: string, closes: readonly number[], start = 0): Bar[] {
  return closes.map((close, index) => {
    const open = index === 0 ? close : closes[index - 1]!;
    return { symbol, timeframe: "1h", openTime: base + (start + index) * HOUR, open, high: Math.max(open, close) + 1, low: Math.min(open, close) - 1, close, volume: 10 + index, trades: 1, source: "trades" };
  });
}

export interface FiringRowView {
  symbol: string;
  t: number;
  values: Record<string, number | null>;
  evaluate_on: string;
}

export interface AlertEngineHarness {
  pool: pg.Pool;
  redis: Redis;
  keys: RedisKeys;
  namespace: string;
  deps: ServiceDeps;
  queues: BarClosedQueueSet;
  started: TestWorker;
  /** A user inserted for the tests. */
  user: string;
  /** createAlert, then waits until the worker heard `{ns}:alerts:changed` (its cache dropped). */
  createAlertHeard: (...args: Parameters<typeof createAlert> extends [unknown, ...infer Rest] ? Rest : never) => ReturnType<typeof createAlert>;
  /** Stores the bars (as the collector does, before enqueueing), enqueues them on bar-closed, waits for the drain. */
  process: (bars: readonly Bar[]) => Promise<void>;
  firingsOf: (alertId: string) => Promise<FiringRowView[]>;
  close: () => Promise<void>;
}

export async function startAlertEngineHarness(name: string, onFired?: AlertEngineOptions["onFired"]): Promise<AlertEngineHarness> {
  const namespace = `mltalerts-${name}-${suffix().toLowerCase()}`;
  const keys = redisKeys(namespace);
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 8 });
  const redis = commandRedis();
  const deps: ServiceDeps = { pool, redis, keys, now: () => Date.now() };
  const queues = testQueues(keys, 1);
  const user = await insertUser(pool, name);
  const started = await startTestWorker({
    pool,
    keys,
    partitions: 1,
    alerts: {
      createSubscriber: () => new Redis(REDIS_URL).on("error", () => undefined),
      notify: notificationDeps({ pool, keys }),
      appUrl: "http://localhost:3000",
      ...(onFired ? { onFired } : {}),
    },
  });
  return {
    pool, redis, keys, namespace, deps, queues, started, user,
    async createAlertHeard(...args) {
      const cache = started.worker.alerts!.cache;
      const before = cache.version;
      const alert = await createAlert(deps, ...args);
      await waitFor(() => cache.version > before, 5_000, "the worker to hear alerts:changed");
      return alert;
    },
    async process(bars) {
      await storeBars(pool, bars);
      for (const bar of bars) await enqueueBarClosed(queues, bar);
      await waitDrained(queues);
    },
    async firingsOf(alertId) {
      const result = await pool.query<FiringRowView>(
        `SELECT symbol, (extract(epoch FROM bar_open_time) * 1000)::float8 AS t, "values", evaluate_on FROM alert_firings WHERE alert_id = $1 ORDER BY bar_open_time`,
        [alertId],
      );
      return result.rows;
    },
    async close() {
      await started.close();
      await queues.close();
      await closeNotificationDeps(keys);
      await clearNamespace(redis, namespace);
      await redis.quit();
      await pool.end();
    },
  };
}
