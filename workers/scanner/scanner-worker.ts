/**
 * The scanner worker: keeps a ScannerState of every active symbol up to date from bar and analytics pub/sub,
 * runs `scanCycle` every `intervalMs` (toplists + user screens) and writes/publishes the results
 * (scanner-publisher.ts). Start order: symbols from PostgreSQL → subscribe → fill from Redis/PostgreSQL
 * (scanner-bootstrap.ts) → cycles, so no event is missed between the snapshot and the stream (older data is
 * ignored by the state). The active symbols are re-read on `{ns}:symbols:changed` and every `symbolsRefreshMs`; screens reload on
 * `{ns}:scanner:screens-changed` or when their version moves (screen-registry.ts).
 * Redis or PostgreSQL failures never stop the loop: a failed write is retried in full on the next cycle.
 */
import type { Redis } from "ioredis";
import type pg from "pg";
import type { SymbolId } from "../../server/domain/bars/bar.ts";
import { createScanOutput, scanCycle, type ScanOutput } from "../../server/domain/scanner/scan-cycle.ts";
import { ScannerState } from "../../server/domain/scanner/scanner-state.ts";
import { TIMEFRAMES } from "../../server/domain/time/timeframes.ts";
import { listSymbols } from "../../server/db/symbols.repo.ts";
import type { RedisKeys } from "../../server/redis/keys.ts";
import { parseStoredQuality } from "../../server/services/quality.service.ts";
import { bootstrapSymbols } from "./scanner-bootstrap.ts";
import type { ScannerUpdate } from "./scanner-messages.ts";
import { parseAnalyticsEvent, parseBarEvent } from "./scanner-messages.ts";
import type { ScannerMetrics } from "./scanner-metrics.ts";
import { ScannerPublisher } from "./scanner-publisher.ts";
import { ScreenRegistry } from "./screen-registry.ts";

/** The collectors write a quality snapshot every 5 s. */
const QUALITY_REFRESH_MS = 5_000;
const QUALITY_CHUNK = 1_000;

export type ScannerLog = (level: "debug" | "info" | "warn" | "error", message: string, details?: Record<string, unknown>) => void;

export interface ScannerWorkerOptions {
  pool: pg.Pool;
  /** Command connection (writes, bootstrap reads). */
  redis: Redis;
  /** A connection used only for (p)subscribe. */
  subscriber: Redis;
  keys: RedisKeys;
  intervalMs: number;
  topK: number;
  metrics?: ScannerMetrics;
  log?: ScannerLog;
  now?: () => number;
  symbolsRefreshMs?: number;
  screensPollMs?: number;
  /** The active universe; default: active rows of the `symbols` table. */
  loadSymbols?: () => Promise<SymbolId[]>;
  /** Called after each cycle's publication (tests, benchmarks). */
  onPublished?: (update: ScannerUpdate) => void;
}

export class ScannerWorker {
  readonly state = new ScannerState({ capacity: 1_024, screenTimeframes: TIMEFRAMES, indicatorTimeframe: "1m" });
  private readonly output: ScanOutput;
  private readonly registry: ScreenRegistry;
  private readonly publisher: ScannerPublisher;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  private nextSymbolsAt = 0;
  private nextQualityAt = 0;
  private universe: SymbolId[] = [];
  private pendingRemovals: string[] = [];

  constructor(private readonly options: ScannerWorkerOptions) {
    this.output = createScanOutput(options.topK);
    this.now = options.now ?? Date.now;
    this.registry = new ScreenRegistry({
      pool: options.pool,
      timeframes: this.state.screenTimeframes,
      pollMs: options.screensPollMs,
      log: (level, message, details) => options.log?.(level, message, details),
    });
    this.publisher = new ScannerPublisher(options.redis, options.keys);
    options.subscriber.on("pmessage", (pattern: string, _channel: string, message: string) => this.onEvent(pattern, message));
    options.subscriber.on("message", (channel: string) => {
      if (channel === options.keys.scannerScreensChanged()) this.registry.markChanged();
      if (channel === options.keys.symbolsChanged()) this.nextSymbolsAt = 0; // re-read the universe before the next cycle
    });
  }

  /**
   * Loads the universe, subscribes, fills the state, then starts the cycles. Throws when PostgreSQL or Redis
   * is unreachable (nothing started); calling it again retries.
   */
  async start(): Promise<void> {
    const { subscriber, keys } = this.options;
    const symbols = await this.loadSymbols();
    this.state.setSymbols(symbols);
    this.universe = symbols;
    await subscriber.psubscribe(keys.barChannelPattern(), keys.analyticsChannelPattern());
    await subscriber.subscribe(keys.scannerScreensChanged(), keys.symbolsChanged());
    const report = await bootstrapSymbols({ redis: this.options.redis, pool: this.options.pool, keys, state: this.state }, symbols);
    this.options.log?.("info", "scanner state loaded", { ...report });
    this.nextSymbolsAt = this.now() + (this.options.symbolsRefreshMs ?? 30_000);
    this.schedule(0);
  }

  /** Stops the cycles (a running one finishes) and unsubscribes. The caller closes the connections. */
  async close(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    const { subscriber, keys } = this.options;
    // explicit names: ioredis' argument-less (p)unsubscribe can wait forever for its reply
    await subscriber.punsubscribe(keys.barChannelPattern(), keys.analyticsChannelPattern()).catch(() => undefined);
    await subscriber.unsubscribe(keys.scannerScreensChanged(), keys.symbolsChanged()).catch(() => undefined);
  }

  /** Runs one cycle now (also used by the timer). */
  async runCycle(): Promise<void> {
    const { metrics, log } = this.options;
    const at = this.now();
    await this.refreshSymbols(at);
    await this.refreshQuality(at);
    try {
      this.pendingRemovals.push(...(await this.registry.refresh(at)));
    } catch (error) {
      log?.("warn", "screens reload failed; using the cached screens", { error: String(error) });
    }
    const screens = this.registry.screens;
    const started = performance.now();
    scanCycle(this.state, screens, this.output, at);
    const durationMs = performance.now() - started;
    metrics?.cycleSeconds.observe(durationMs / 1_000);
    metrics?.symbolsScanned.set(this.output.scanned);
    metrics?.screensEvaluated.set(screens.length);
    const stopWrite = metrics?.writeSeconds.startTimer();
    try {
      const removedScreens = this.pendingRemovals;
      const update = await this.publisher.publish({ output: this.output, state: this.state, screens, removedScreens, at, durationMs });
      this.pendingRemovals = [];
      stopWrite?.();
      metrics?.cycles.inc({ result: "ok" });
      this.options.onPublished?.(update);
    } catch (error) {
      metrics?.cycles.inc({ result: "write_failed" });
      log?.("warn", "scanner write failed; the next cycle rewrites every list", { error: String(error) });
    }
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      const started = this.now();
      this.running = this.runCycle()
        .catch((error: unknown) => this.options.log?.("error", "scanner cycle failed", { error: String(error) }))
        .finally(() => {
          this.running = null;
          this.schedule(Math.max(0, this.options.intervalMs - (this.now() - started)));
        });
    }, delayMs);
  }

  private onEvent(pattern: string, message: string): void {
    const { keys, metrics } = this.options;
    if (pattern === keys.barChannelPattern()) {
      const event = parseBarEvent(message);
      if (!event) return void metrics?.events.inc({ kind: "bar", result: "malformed" });
      const applied = this.state.applyBar(event.bar, event.kind);
      metrics?.events.inc({ kind: "bar", result: applied ? "applied" : "ignored" });
    } else if (pattern === keys.analyticsChannelPattern()) {
      const event = parseAnalyticsEvent(message);
      if (!event) return void metrics?.events.inc({ kind: "analytics", result: "malformed" });
      const applied = this.state.applyAnalytics(event);
      metrics?.events.inc({ kind: "analytics", result: applied ? "applied" : "ignored" });
    }
  }

  private async loadSymbols(): Promise<SymbolId[]> {
    if (this.options.loadSymbols) return this.options.loadSymbols();
    return (await listSymbols(this.options.pool, { activeOnly: true })).map((row) => row.id);
  }

  /**
   * Every QUALITY_REFRESH_MS: each active symbol's data-quality score (the `qualityScore` metric of screens) from
   * the collectors' snapshots in Redis, MGET in chunks. A failure keeps the previous scores.
   */
  private async refreshQuality(now: number): Promise<void> {
    if (now < this.nextQualityAt || this.universe.length === 0) return;
    this.nextQualityAt = now + QUALITY_REFRESH_MS;
    try {
      for (let start = 0; start < this.universe.length; start += QUALITY_CHUNK) {
        const symbols = this.universe.slice(start, start + QUALITY_CHUNK);
        const values = await this.options.redis.mget(...symbols.map((symbol) => this.options.keys.quality(symbol)));
        symbols.forEach((symbol, index) => this.state.applyQuality(symbol, parseStoredQuality(values[index] ?? null)?.score ?? null));
      }
    } catch (error) {
      this.options.log?.("warn", "quality scores refresh failed; keeping the previous ones", { error: String(error) });
    }
  }

  /** Re-reads the active universe when due; new symbols are filled from Redis/PostgreSQL. */
  private async refreshSymbols(now: number): Promise<void> {
    if (now < this.nextSymbolsAt) return;
    this.nextSymbolsAt = now + (this.options.symbolsRefreshMs ?? 30_000);
    try {
      const symbols = await this.loadSymbols();
      const added = symbols.filter((symbol) => this.state.slotOf(symbol) < 0);
      this.universe = symbols;
      this.state.setSymbols(symbols);
      if (added.length > 0) {
        const report = await bootstrapSymbols({ redis: this.options.redis, pool: this.options.pool, keys: this.options.keys, state: this.state }, added);
        this.options.log?.("info", "symbols added to the scanner", { ...report });
      }
    } catch (error) {
      this.options.log?.("warn", "symbol refresh failed; keeping the current universe", { error: String(error) });
    }
  }
}
