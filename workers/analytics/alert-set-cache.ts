/**
 * The active alerts of every (symbol, timeframe) stream, held in memory by the analytics worker so a closed bar or a
 * live update costs no query: one query loads every active alert with each symbol it watches (its own, or each
 * member of its watchlist), indexed by stream. The snapshot is dropped when the API publishes `{ns}:alerts:changed`
 * (the service does after every write) and every `reloadMs` anyway (a lost pub/sub message heals itself); the next
 * lookup reloads it. An alert whose stored rule no longer parses is skipped with a warning.
 */
import type { Redis } from "ioredis";
import type pg from "pg";
import { parseRuleDocument } from "../../server/domain/rules/rule-schema.ts";
import type { RuleDocument } from "../../server/domain/rules/rule-types.ts";
import { selectActiveAlertTargets, type AlertRow } from "../../server/db/alerts.repo.ts";
import type { RedisKeys } from "../../server/redis/keys.ts";

export interface ActiveAlert {
  row: AlertRow;
  rule: RuleDocument;
}

interface Snapshot {
  /** `symbol|timeframe` → its active alerts (close and tick). */
  byStream: Map<string, ActiveAlert[]>;
  /** `symbol|timeframe` of the streams with at least one tick alert. */
  tickStreams: Set<string>;
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

const streamKey = (symbol: string, timeframe: string) => `${symbol}|${timeframe}`;

export class AlertSetCache {
  private snapshot: Promise<Snapshot> | null = null;
  private loaded: Snapshot | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** Bumped on every invalidation: a load that started before it is not kept. */
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

  /** How many times the snapshot was dropped (tests watch it to see `{ns}:alerts:changed` arrive). */
  get version(): number {
    return this.generation;
  }

  invalidate(): void {
    this.generation++;
    this.snapshot = null;
    this.loaded = null;
  }

  /** Active alerts of a stream (close and tick). */
  async alertsOf(symbol: string, timeframe: string): Promise<ActiveAlert[]> {
    return (await this.current()).byStream.get(streamKey(symbol, timeframe)) ?? [];
  }

  /** True when the stream has an active tick alert. */
  async hasTickAlerts(symbol: string, timeframe: string): Promise<boolean> {
    return (await this.current()).tickStreams.has(streamKey(symbol, timeframe));
  }

  /** The `symbol|timeframe` streams with tick alerts when a snapshot is loaded (null: not loaded, ask hasTickAlerts). */
  knownTickStreams(): ReadonlySet<string> | null {
    return this.loaded?.tickStreams ?? null;
  }

  /** Drops one alert from the snapshot at once (a one-time alert that fired). */
  forget(alertId: string): void {
    const snapshot = this.loaded;
    if (!snapshot) return;
    for (const [key, alerts] of snapshot.byStream) snapshot.byStream.set(key, alerts.filter((alert) => alert.row.id !== alertId));
  }

  private current(): Promise<Snapshot> {
    if (this.snapshot) return this.snapshot;
    const generation = this.generation;
    const loading = this.load();
    this.snapshot = loading;
    loading.then(
      (snapshot) => {
        if (this.generation === generation) this.loaded = snapshot;
        else if (this.snapshot === loading) this.snapshot = null;
      },
      () => {
        if (this.snapshot === loading) this.snapshot = null; // retried on the next lookup
      },
    );
    return loading;
  }

  private async load(): Promise<Snapshot> {
    const rows = await selectActiveAlertTargets(this.options.pool);
    const compiled = new Map<string, ActiveAlert | null>();
    const byStream = new Map<string, ActiveAlert[]>();
    const tickStreams = new Set<string>();
    for (const row of rows) {
      if (!compiled.has(row.id)) compiled.set(row.id, this.compile(row));
      const alert = compiled.get(row.id);
      if (!alert) continue;
      const key = streamKey(row.target, row.timeframe);
      const list = byStream.get(key) ?? [];
      list.push(alert);
      byStream.set(key, list);
      if (row.evaluateOn === "tick") tickStreams.add(key);
    }
    return { byStream, tickStreams };
  }

  private compile(row: AlertRow): ActiveAlert | null {
    try {
      return { row, rule: parseRuleDocument(row.rule) };
    } catch (error) {
      this.options.log("warn", "alert skipped: stored rule is invalid", { alert: row.id, error: (error as Error).message });
      return null;
    }
  }
}
