/**
 * Yahoo Finance collector (v8 chart, polled): every YAHOO_POLL_INTERVAL_MS a BullMQ job scheduler
 * (server/queues/yahoo-poll.ts) wakes it and it polls each active YAHOO symbol whose market is in session (plus the
 * minutes Yahoo still owes after the close: BIST data is 15 minutes late). Each symbol (yahoo.collector.symbol.ts)
 * fetches 1m bars from its cursor, passes them through its data-quality gate (refused bars → quarantine through
 * QualitySink) and applies them as final minutes to its own BarBuilder → BarSink (PostgreSQL, Redis, pub/sub,
 * bar-closed jobs for analytics); 5m…1d are built from them. One builder per symbol, because `advance()` is
 * global to a builder and each calendar closes at its own time.
 *
 * Sessions: one SessionGate per calendar (server/sources/session-gate.ts) holds that calendar's breaker (reported
 * as `breakers.stream`: Yahoo has no stream) open with "market closed; opens …" outside sessions and triggers a
 * poll at the open. A job while every market is closed and every minute is in makes no request; health says
 * "closed" with the reason. REST calls go through the client's "rest" breaker; an open REST circuit reports the
 * collector "down". An unknown symbol (Yahoo's "Not Found" error object) makes that symbol "unavailable" with
 * Yahoo's message. Freshness: `lastBarAt` trails the clock by the data delay (15 min for BIST) plus up to one poll
 * interval during a session; that is normal and not reported as stale.
 */
import { Worker, type ConnectionOptions, type Queue } from "bullmq";
import type pg from "pg";
import type { Bar, SymbolId } from "../../server/domain/bars/bar.ts";
import type { ExchangeCalendar } from "../../server/domain/calendars/calendar-types.ts";
import { dataDelayMinutes } from "../../server/domain/calendars/market-status.ts";
import type { QualityIssue } from "../../server/domain/quality/quality-types.ts";
import { YahooChartError } from "../../server/domain/yahoo/yahoo-chart.ts";
import type { SymbolRow } from "../../server/db/symbols.repo.ts";
import type { CollectorMetrics } from "../../server/observability/collector-metrics.ts";
import { createYahooPollQueue, upsertYahooPollScheduler, YAHOO_POLL_QUEUE, type TYahooPollJob } from "../../server/queues/yahoo-poll.ts";
import type { BarSink } from "../../server/services/bar-sink.service.ts";
import { QualitySink } from "../../server/services/quality-sink.service.ts";
import { CircuitOpenError, SourceBreaker } from "../../server/sources/circuit-breaker.ts";
import type { CollectorHealth, CollectorStatus, MarketDataSource, SymbolHealth } from "../../server/sources/market-data-source.ts";
import { SessionGate, type SessionGateClock } from "../../server/sources/session-gate.ts";
import type { YahooChartClient } from "../../server/sources/yahoo/yahoo-chart-client.ts";
import { restCircuitReason, watchBreaker } from "./collector-breakers.ts";
import type { CollectorQualityOptions } from "./collector-quality-options.ts";
import { YahooSymbol } from "./yahoo.collector.symbol.ts";

const MINUTE = 60_000;

export interface YahooCollectorOptions {
  mode: "live" | "replay";
  client: YahooChartClient;
  pool: pg.Pool;
  sink: BarSink;
  metrics: CollectorMetrics;
  /** Active YAHOO symbols (rows of other exchanges are ignored). */
  symbols: readonly SymbolRow[];
  /** The exchange calendar of a symbol row's `calendar` (loaded with its holidays). */
  calendar: (id: string) => Promise<ExchangeCalendar>;
  latenessMs: number;
  initialBackfillBars: number;
  pollIntervalMs: number;
  /** The clock polls and sessions use (tests and replay pass the fake's clock). */
  clock?: SessionGateClock;
  /** BullMQ job scheduler; without it the caller drives `pollAll()`. */
  schedule?: { connection: ConnectionOptions; workerConnection: ConnectionOptions; prefix: string };
  quality?: CollectorQualityOptions;
  log?: (level: "info" | "warn" | "error", message: string, details?: object) => void;
}

export class YahooCollector implements MarketDataSource {
  readonly name = "yahoo";
  private readonly symbols = new Map<SymbolId, YahooSymbol>();
  /** Symbols that could not be set up (e.g. an unknown calendar), reported unavailable with the reason. */
  private readonly broken = new Map<SymbolId, SymbolHealth>();
  private readonly gates = new Map<string, { gate: SessionGate; breaker: SourceBreaker }>();
  private readonly clock: SessionGateClock;
  private status: CollectorStatus = "connecting";
  private reason: string | undefined;
  private lastMessageAt: number | null = null;
  private chain: Promise<void> = Promise.resolve();
  private queue: Queue<TYahooPollJob> | null = null;
  private worker: Worker<TYahooPollJob> | null = null;
  private stopped = false;
  readonly quality: QualitySink;
  /** Completed polls of all symbols (tests). */
  polls = 0;

  constructor(private readonly options: YahooCollectorOptions) {
    this.clock = options.clock ?? { now: () => Date.now() };
    this.watchBreaker(options.client.breaker);
    this.quality = new QualitySink({
      pool: options.pool,
      redis: options.quality?.redis,
      keys: options.quality?.keys,
      metrics: options.metrics,
      source: this.name,
      snapshots: () => [...this.symbols.values()].map((entry) => entry.gate.snapshot(this.qualityClock(entry))),
      now: () => this.clock.now(),
      flushIntervalMs: options.quality?.flushIntervalMs,
      snapshotIntervalMs: options.quality?.snapshotIntervalMs,
      historyIntervalMs: options.quality?.historyIntervalMs,
      log: options.log,
    });
  }

  async start(): Promise<void> {
    this.quality.start();
    await this.updateSymbols(this.options.symbols, { poll: false });
    if (this.symbols.size === 0) {
      this.status = "disabled";
      this.reason = "no active YAHOO symbols";
    }
    if (this.options.schedule) {
      const { connection, workerConnection, prefix } = this.options.schedule;
      this.queue = createYahooPollQueue({ connection, prefix });
      await upsertYahooPollScheduler(this.queue, this.options.pollIntervalMs);
      this.worker = new Worker<TYahooPollJob>(YAHOO_POLL_QUEUE, () => this.pollAll(), { connection: workerConnection, prefix, concurrency: 1 });
      this.worker.on("error", (error) => this.log("warn", "yahoo-poll worker error", { error: error.message }));
    }
    await this.pollAll();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.worker?.close();
    await this.queue?.close();
    for (const { gate } of this.gates.values()) gate.stop();
    await this.chain.catch(() => undefined);
    await this.quality.close();
    if (this.status !== "disabled") this.status = "down";
  }

  /**
   * Replaces the polled set with `rows` (the full active YAHOO set; other exchanges are ignored): removed symbols
   * stop being polled, new ones are seeded from PostgreSQL and polled at once.
   */
  async updateSymbols(rows: readonly SymbolRow[], options: { poll?: boolean } = {}): Promise<void> {
    const wanted = new Map(rows.filter((row) => row.exchange === "YAHOO" && row.active).map((row) => [row.id, row]));
    const added: SymbolId[] = [];
    await this.serialize(async () => {
      for (const id of this.symbols.keys()) if (!wanted.has(id)) this.symbols.delete(id);
      this.broken.clear();
      for (const row of wanted.values()) {
        if (this.symbols.has(row.id)) continue;
        try {
          const entry = await this.createSymbol(row);
          await entry.seed(this.clock.now());
          this.symbols.set(row.id, entry);
          added.push(row.id);
        } catch (error) {
          const reason = `cannot collect ${row.id}: ${(error as Error).message}`;
          this.broken.set(row.id, { status: "unavailable", reason, lastBarAt: null });
          this.log("error", reason);
        }
      }
    });
    if (this.symbols.size > 0 && this.status === "disabled") this.status = "connecting";
    if (options.poll !== false) this.updateStatus();
    if (added.length > 0) this.log("info", "Yahoo symbols added", { symbols: added });
    if (options.poll !== false && added.length > 0) await this.pollAll(added);
  }

  /** Polls every symbol (or `only`), one after another; calls are serialized. */
  pollAll(only?: readonly SymbolId[]): Promise<void> {
    return this.serialize(async () => {
      for (const { gate } of this.gates.values()) gate.check(); // the clock may be virtual (replay, tests)
      for (const entry of this.symbols.values()) {
        if (this.stopped) return;
        if (only && !only.includes(entry.options.symbol)) continue;
        await this.pollSymbol(entry);
      }
      this.polls += 1;
      this.updateStatus();
    });
  }

  health(): CollectorHealth {
    const first = this.gates.values().next().value;
    const breakers = { rest: this.options.client.breaker.snapshot(), stream: (first?.breaker ?? this.idleBreaker).snapshot() };
    return {
      name: this.name,
      mode: this.options.mode,
      status: this.status,
      ...(this.reason ? { reason: this.reason } : {}),
      lastMessageAt: this.lastMessageAt,
      updatedAt: Date.now(),
      reconnects: 0,
      symbols: { ...Object.fromEntries(this.broken), ...Object.fromEntries([...this.symbols].map(([id, entry]) => [id, { ...entry.health }])) },
      breakers,
    };
  }

  private readonly idleBreaker = new SourceBreaker("yahoo", "stream");

  private serialize(work: () => Promise<void>): Promise<void> {
    const run = this.chain.then(work);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async createSymbol(row: SymbolRow): Promise<YahooSymbol> {
    const calendar = await this.options.calendar(row.calendar);
    if (!this.gates.has(calendar.id)) {
      const breaker = new SourceBreaker(this.name, "stream");
      this.watchBreaker(breaker);
      const gate = new SessionGate({ calendar, breaker, clock: this.clock, onOpen: () => void this.pollAll().catch(() => undefined) });
      this.gates.set(calendar.id, { gate, breaker });
      gate.start();
    }
    return new YahooSymbol({
      symbol: row.id,
      ticker: row.ticker,
      calendar,
      delayMs: dataDelayMinutes(row.exchange, row.calendar) * MINUTE,
      latenessMs: this.options.latenessMs,
      initialBackfillBars: this.options.initialBackfillBars,
      pool: this.options.pool,
      client: this.options.client,
      onEvent: (event) => this.options.sink.push(event),
      onRejected: (bar, result) => this.reject(bar, result.checks),
      gate: { maxAgeMs: this.options.pollIntervalMs + 20 * MINUTE, ...this.options.quality?.gate },
    });
  }

  private async pollSymbol(entry: YahooSymbol): Promise<void> {
    const { symbol, calendar } = entry.options;
    const gate = this.gates.get(calendar.id)?.gate;
    try {
      const outcome = await entry.poll(this.clock.now());
      if (!outcome.idle) {
        this.lastMessageAt = Date.now();
        this.options.metrics.gapBarsBackfilled.inc({ source: this.name }, outcome.fetched);
      }
      const closed = outcome.idle && gate && !gate.isOpen;
      Object.assign(entry.health, { status: closed ? "closed" : "healthy", reason: closed ? (gate.reason ?? undefined) : undefined });
      if (outcome.skippedNullRows > 0) this.options.metrics.framesRejected.inc({ source: this.name, reason: "null_row" }, outcome.skippedNullRows);
    } catch (error) {
      if (error instanceof YahooChartError) {
        Object.assign(entry.health, { status: "unavailable", reason: `Yahoo: ${error.description}` });
        this.log("warn", "Yahoo refused the symbol", { symbol, code: error.code, description: error.description });
        return;
      }
      const message = error instanceof CircuitOpenError ? error.message : `poll failed: ${(error as Error).message}`;
      Object.assign(entry.health, { status: "repairing", reason: message });
      this.log("error", "Yahoo poll failed; the next poll retries", { symbol, error: (error as Error).message });
    }
  }

  private updateStatus(): void {
    if (this.symbols.size === 0) return;
    const rest = this.options.client.breaker.snapshot();
    const entries = [...this.symbols.values()];
    if (rest.state === "open" && !rest.heldReason) {
      this.status = "down";
      this.reason = restCircuitReason(rest);
    } else if (entries.every((entry) => entry.health.status === "closed")) {
      this.status = "closed";
      this.reason = entries[0]!.health.reason;
    } else if (entries.every((entry) => entry.health.status === "unavailable")) {
      this.status = "down";
      this.reason = "no Yahoo symbol can be collected";
    } else {
      this.status = "healthy";
      this.reason = undefined;
    }
  }

  /** Quality is judged on Yahoo's clock: the market clock in session (delay included), the last bar when closed. */
  private qualityClock(entry: YahooSymbol): number {
    const gate = this.gates.get(entry.options.calendar.id)?.gate;
    if (gate && !gate.isOpen) return (entry.health.lastBarAt ?? this.clock.now()) + MINUTE;
    return this.clock.now() - entry.options.delayMs;
  }

  private reject(bar: Bar, checks: QualityIssue[]): void {
    for (const check of new Set(checks.map((issue) => issue.check))) this.options.metrics.qualityRejected.inc({ source: this.name, check });
    this.quality.push({ symbol: bar.symbol, kind: "bar", payload: bar, checks, eventTime: bar.openTime, receivedAt: Date.now() });
  }

  private watchBreaker(breaker: SourceBreaker): void {
    watchBreaker(breaker, this.name, this.options.metrics, this.log.bind(this));
  }

  /** The last stored 1m bar of a symbol the collector knows (tests, health). */
  lastBar(symbol: SymbolId): number | null {
    return this.symbols.get(symbol)?.health.lastBarAt ?? null;
  }

  private log(level: "info" | "warn" | "error", message: string, details?: object): void {
    this.options.log?.(level, message, details);
  }
}
