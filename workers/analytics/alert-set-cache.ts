/**
 * The active alerts of each (symbol, timeframe) stream, cached in the analytics worker so a closed bar with no
 * alert costs no query. The cache is dropped when the API publishes `{ns}:alerts:changed` (the service does after
 * every write) and every `reloadMs` anyway (a lost pub/sub message heals itself). An alert whose stored rule no
 * longer parses is skipped with a warning (it cannot be written that way through the API).
 */
import type { Redis } from "ioredis";
import type pg from "pg";
import { parseRuleDocument } from "../../server/domain/rules/rule-schema.ts";
import type { RuleDocument } from "../../server/domain/rules/rule-types.ts";
import { selectActiveAlertsForStream, selectTickStreams, type AlertRow } from "../../server/db/alerts.repo.ts";
import type { RedisKeys } from "../../server/redis/keys.ts";

export interface ActiveAlert {
  row: AlertRow;
  rule: RuleDocument;
}

type Log = (level: "info" | "warn" | "error", message: string, details?: object) => void;

export interface AlertSetCacheOptions {
  pool: pg.Pool;
  /** A dedicated subscriber connection (the cache owns it: `close()` quits it). */
  subscriber: Redis;
  keys: RedisKeys;
  reloadMs: number;
  log: Log;
}

export class AlertSetCache {
  private readonly byStream = new Map<string, Promise<ActiveAlert[]>>();
  private tickStreams: Promise<Set<string>> | null = null;
  private loadedTickStreams: Set<string> | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** Bumped on every invalidation: a load that started before it is not cached. */
  private generation = 0;

  constructor(private readonly options: AlertSetCacheOptions) {}

  async start(): Promise<void> {
    const { subscriber, keys } = this.options;
    subscriber.on("message", (channel: string) => {
      if (channel === keys.alertsChanged()) this.invalidate();
    });
    await subscriber.subscribe(keys.alertsChanged());
    this.timer = setInterval(() => this.invalidate(), this.options.reloadMs);
    this.timer.unref();
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.options.subscriber.quit().catch(() => undefined);
  }

  invalidate(): void {
    this.generation++;
    this.byStream.clear();
    this.tickStreams = null;
    this.loadedTickStreams = null;
  }

  /** Active alerts of a stream (close and tick). */
  alertsOf(symbol: string, timeframe: string): Promise<ActiveAlert[]> {
    const key = `${symbol}|${timeframe}`;
    const cached = this.byStream.get(key);
    if (cached) return cached;
    const generation = this.generation;
    const loading = selectActiveAlertsForStream(this.options.pool, { symbol, timeframe }).then((rows) => rows.flatMap((row) => this.compile(row)));
    this.byStream.set(key, loading);
    loading.then(
      () => {
        if (this.generation !== generation && this.byStream.get(key) === loading) this.byStream.delete(key);
      },
      () => {
        if (this.byStream.get(key) === loading) this.byStream.delete(key); // retry on the next bar
      },
    );
    return loading;
  }

  /** The `symbol|timeframe` streams with tick alerts when loaded (null: unknown yet, ask hasTickAlerts). */
  knownTickStreams(): ReadonlySet<string> | null {
    return this.loadedTickStreams;
  }

  /** True when the stream has an active tick alert (cheap: one set lookup once loaded). */
  async hasTickAlerts(symbol: string, timeframe: string): Promise<boolean> {
    if (!this.tickStreams) {
      const generation = this.generation;
      const loading = selectTickStreams(this.options.pool).then((rows) => {
        const streams = new Set(rows.map((row) => `${row.symbol}|${row.timeframe}`));
        if (this.generation === generation) this.loadedTickStreams = streams;
        return streams;
      });
      this.tickStreams = loading;
      loading.catch(() => {
        if (this.tickStreams === loading) this.tickStreams = null;
      });
    }
    return (await this.tickStreams).has(`${symbol}|${timeframe}`);
  }

  /** Drops one alert from the cached sets at once (a one-time alert that fired). */
  forget(alertId: string): void {
    for (const [key, alerts] of this.byStream) {
      this.byStream.set(key, alerts.then((list) => list.filter((alert) => alert.row.id !== alertId)));
    }
  }

  private compile(row: AlertRow): ActiveAlert[] {
    try {
      return [{ row, rule: parseRuleDocument(row.rule) }];
    } catch (error) {
      this.options.log("warn", "alert skipped: stored rule is invalid", { alert: row.id, error: (error as Error).message });
      return [];
    }
  }
}
