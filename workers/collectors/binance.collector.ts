/**
 * Binance spot collector: combined WebSocket streams (aggTrade + kline_1m per symbol) → parse →
 * BarBuilder (all timeframes) → BarSink (PostgreSQL, Redis cache, pub/sub).
 * Connections: symbols are spread over shards of at most 1,024 streams (server/sources/binance/binance-shards.ts);
 * each shard replaces its connection before Binance's 24-hour cut, and on serverShutdown, by opening the new
 * socket, switching once it streams and closing the old one (no gap, so no repair); SUBSCRIBE/UNSUBSCRIBE go
 * through a per-connection queue of at most 5 messages per second.
 * On start and after every reconnect of a shard it repairs that shard's symbols over REST (closed 1m klines from
 * the last stored bar up to server time, binance.collector.repair.ts) while buffering live frames, then replays
 * the buffer: no missing and no duplicated bars. Holes in the exchange's own history are recorded in known_gaps,
 * never invented. While one shard is down (or repairing) the others keep streaming, and bars close only on each
 * symbol's own trades and closed klines (no global clock advance), so the down shard's symbols wait for the repair.
 * Symbols at runtime: `updateSymbols(rows)` (called by collector-runtime's watcher) subscribes new symbols,
 * backfills their recent history (INITIAL_BACKFILL_BARS) through the same repair path while their live frames
 * are buffered, then marks them healthy; removed symbols are unsubscribed and leave health.
 * REST calls and WebSocket connects run through circuit breakers ("rest" on the REST client, "stream" here):
 * their state and transitions are exported as metrics and reported in health; an open stream circuit makes
 * the collector "down" with a reason, and a repair stopped by an open REST circuit reconnects only once
 * the REST circuit lets a probe through.
 * Data quality (issue 4, server/domain/quality): one QualityGate per symbol checks every trade before the bar
 * builder and every final bar (closed kline or REST repair) before applyFinalMinute; rejected items never reach
 * the builder (so never candles) and go to the quarantine table through a QualitySink (batched, off the hot
 * path), which also keeps the per-symbol score in Redis and data_quality_metrics. Freshness is judged against
 * the collector's view of exchange time (the largest event time E seen), not the wall clock, so a replay at
 * speed > 1 is not "stale"; REST bars (repair, backfill) are history and are not checked for freshness.
 * The same code runs against live Binance and the replay exchange (BINANCE_WS_URL / BINANCE_REST_URL).
 */
import type pg from "pg";
import type { Bar, SymbolId, Trade } from "../../server/domain/bars/bar.ts";
import { BarBuilder } from "../../server/domain/bars/bar-builder.ts";
import { parseBinanceFrame } from "../../server/domain/binance/binance-frames.ts";
import { QualityGate } from "../../server/domain/quality/quality-gate.ts";
import type { QualityIssue } from "../../server/domain/quality/quality-types.ts";
import { alignTime, TIMEFRAME_MS } from "../../server/domain/time/timeframes.ts";
import { readCandleRange } from "../../server/db/candles.repo.ts";
import type { SymbolRow } from "../../server/db/symbols.repo.ts";
import type { CollectorMetrics } from "../../server/observability/collector-metrics.ts";
import type { BarSink } from "../../server/services/bar-sink.service.ts";
import { QualitySink } from "../../server/services/quality-sink.service.ts";
import { BinanceShards } from "../../server/sources/binance/binance-shards.ts";
import type { StreamTimingOptions } from "../../server/sources/binance/binance-stream.ts";
import { CircuitOpenError, SourceBreaker, type BreakerOptions } from "../../server/sources/circuit-breaker.ts";
import type { BinanceRestClient } from "../../server/sources/binance/binance-rest.ts";
import type { CollectorHealth, CollectorStatus, ConnectionHealth, MarketDataSource, SymbolHealth } from "../../server/sources/market-data-source.ts";
import { GapRepair } from "./binance.collector.repair.ts";
import { breakerHealth, watchBreaker } from "./collector-breakers.ts";
import type { CollectorQualityOptions } from "./collector-quality-options.ts";

const MAX_BUFFERED_FRAMES = 500_000;

/** The two streams of a symbol (one group on one shard). */
function streamsOf(ticker: string): string[] {
  return [`${ticker.toLowerCase()}@aggTrade`, `${ticker.toLowerCase()}@kline_1m`];
}

function tickerOf(symbol: SymbolId): string {
  return symbol.slice(symbol.indexOf(":") + 1);
}

export interface BinanceCollectorOptions {
  mode: "live" | "replay";
  wsUrl: string;
  rest: BinanceRestClient;
  pool: pg.Pool;
  sink: BarSink;
  metrics: CollectorMetrics;
  symbols: readonly SymbolRow[];
  latenessMs: number;
  initialBackfillBars: number;
  /** Gap repair reaches back at most this many 1m bars; an older hole is recorded in known_gaps instead. */
  maxRepairBars?: number;
  log?: (level: "info" | "warn" | "error", message: string, details?: object) => void;
  /** Backoff, idle timeout, connection refresh (default 23 h), rollover overlap and control-message rate per connection. */
  streamOptions?: StreamTimingOptions;
  /** Streams per connection (Binance: 1,024; lower in tests); each symbol takes 2. */
  maxStreamsPerConnection?: number;
  /** Spacing of the shards' refresh times (default 5 min). */
  refreshStaggerMs?: number;
  /** Options of the "stream" circuit breaker (defaults: 5 failures, 60 s, 2 successes). */
  streamBreakerOptions?: BreakerOptions;
  /** Data quality: where the score snapshots go, gate thresholds, the sink's intervals. */
  quality?: CollectorQualityOptions;
}

export class BinanceCollector implements MarketDataSource {
  readonly name = "binance";
  private readonly builder: BarBuilder;
  private readonly shards: BinanceShards;
  private readonly repair: GapRepair;
  private started = false;
  private stopped = false;
  private readonly symbolHealth = new Map<SymbolId, SymbolHealth>();
  private readonly byTicker = new Map<string, SymbolId>();
  /** Symbols whose open bars were seeded from the database (once per process: the builder keeps their state). */
  private readonly seeded = new Set<SymbolId>();
  /** Repairs still to succeed ("shard:N" after a (re)connect, "symbol:ID" for a symbol added at runtime): frames are buffered while any is pending. */
  private readonly repairsPending = new Set<string>();
  private repairChain: Promise<void> = Promise.resolve();
  private symbolsUpdate: Promise<void> = Promise.resolve();
  private retryTimer: NodeJS.Timeout | null = null;
  private buffer: string[] | null = null;
  private lastMessageAt: number | null = null;
  private lastAdvance = 0;
  private reconnects = 0;
  private duplicatesCounted = 0;
  /** The collector's view of exchange time: the largest event time E received (0 before the first frame). */
  private exchangeTime = 0;
  /** Wall clock when exchangeTime last moved (to age a silent feed in snapshots). */
  private exchangeTimeAt = 0;
  private readonly gates = new Map<SymbolId, QualityGate>();
  readonly quality: QualitySink;
  readonly streamBreaker: SourceBreaker;

  constructor(private readonly options: BinanceCollectorOptions) {
    this.streamBreaker = new SourceBreaker(this.name, "stream", options.streamBreakerOptions);
    for (const breaker of [options.rest.breaker, this.streamBreaker]) watchBreaker(breaker, this.name, options.metrics, this.log.bind(this));
    this.quality = new QualitySink({
      pool: options.pool,
      redis: options.quality?.redis,
      keys: options.quality?.keys,
      metrics: options.metrics,
      source: this.name,
      snapshots: () => [...this.gates.values()].map((gate) => gate.snapshot(this.exchangeNow())),
      now: () => this.exchangeNow(),
      flushIntervalMs: options.quality?.flushIntervalMs,
      snapshotIntervalMs: options.quality?.snapshotIntervalMs,
      historyIntervalMs: options.quality?.historyIntervalMs,
      log: options.log,
    });
    this.builder = new BarBuilder({
      latenessMs: options.latenessMs,
      onEvent: (event) => {
        // A removed symbol's state lives on in the builder: nothing of it is stored any more.
        const health = this.symbolHealth.get(event.bar.symbol);
        if (!health || health.status === "unavailable") return;
        options.sink.push(event);
        if (event.kind !== "live" && event.bar.timeframe === "1m" && (health.lastBarAt ?? 0) < event.bar.openTime) health.lastBarAt = event.bar.openTime;
      },
    });
    this.repair = new GapRepair({
      source: this.name,
      pool: options.pool,
      rest: options.rest,
      builder: this.builder,
      metrics: options.metrics,
      initialBackfillBars: options.initialBackfillBars,
      maxRepairBars: options.maxRepairBars ?? 10_080,
      passesBar: (bar, now) => this.passesBar(bar, now),
      advance: (serverTime) => {
        if (!this.anyShardDown()) this.builder.advance(serverTime);
      },
      log: this.log.bind(this),
    });
    this.shards = new BinanceShards({
      baseUrl: options.wsUrl,
      breaker: this.streamBreaker,
      maxStreamsPerConnection: options.maxStreamsPerConnection,
      stream: options.streamOptions,
      refreshStaggerMs: options.refreshStaggerMs,
      callbacks: {
        onOpen: (shard) => this.onOpen(shard),
        onFrame: (shard, text) => this.onFrame(shard, text),
        onClose: (shard, { code, reason, reconnectInMs }) => {
          if (reconnectInMs === null) return;
          this.reconnects += 1;
          options.metrics.reconnects.inc({ source: this.name });
          this.log("warn", "stream closed, reconnecting", { shard, code, reason, reconnectInMs });
        },
        onCircuitOpen: (shard, { retryInMs, message }) => this.log("warn", "stream circuit open; waiting before the next connect", { shard, retryInMs, message }),
        onRollover: (shard, info) => {
          options.metrics.streamRollovers.inc({ source: this.name });
          this.log("info", "connection replaced without a gap", { shard, ...info });
        },
        onRolloverFailed: (shard, info) => this.log("warn", "connection replacement failed; the current one stays", { shard, ...info }),
        onControlSent: (_shard, method) => options.metrics.controlMessages.inc({ source: this.name, method }),
      },
    });
  }

  async start(): Promise<void> {
    const listed = await this.options.rest.exchangeSymbols();
    const admitted = this.options.symbols.filter((row) => this.admit(row, listed));
    if (admitted.length === 0) this.log("warn", "no Binance symbol can be collected", { symbols: Object.fromEntries(this.symbolHealth) });
    await this.seedFromDatabase(admitted.map((row) => row.id));
    for (const row of admitted) await this.shards.add(row.id, streamsOf(row.ticker));
    this.quality.start();
    this.started = true;
    this.shards.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.shards.stop();
    await this.quality.close();
  }

  /**
   * Applies the full set of active Binance symbols: subscribes and backfills new ones (their live frames wait in
   * the buffer until their history is in), unsubscribes removed ones. Calls run one after another.
   */
  updateSymbols(rows: readonly SymbolRow[]): Promise<void> {
    if (!this.started) return Promise.reject(new Error("BinanceCollector.updateSymbols: call start() first"));
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const next = this.symbolsUpdate.then(() => this.applySymbols(rows));
    this.symbolsUpdate = next.catch((error: unknown) => {
      // e.g. exchangeInfo unreachable: try the same set again, unless a newer one comes first
      if (this.stopped) return;
      this.log("warn", "symbol update failed; retrying in 5 s", { error: (error as Error).message });
      this.retryTimer = setTimeout(() => void this.updateSymbols(rows).catch(() => undefined), 5_000);
      this.retryTimer.unref();
    });
    return next;
  }

  health(): CollectorHealth {
    const breakers = { rest: this.options.rest.breaker.snapshot(), stream: this.streamBreaker.snapshot() };
    const connections = this.shards.health();
    this.exportConnectionMetrics(connections);
    let status = this.status(connections.map((connection) => connection.state));
    let reason: string | undefined;
    const tripped = breakerHealth(breakers, { nextAttemptInMs: () => this.streamBreaker.msUntilHalfOpen() });
    if (tripped) [status, reason] = [tripped.down ? "down" : status, tripped.reason];
    return {
      name: this.name,
      mode: this.options.mode,
      status,
      ...(reason ? { reason } : {}),
      lastMessageAt: this.lastMessageAt,
      updatedAt: Date.now(),
      reconnects: this.reconnects,
      symbols: Object.fromEntries(this.symbolHealth),
      breakers,
      connections,
    };
  }

  /**
   * A shard is not streaming, or its gap is not repaired yet. The exchange's clock then does not close bars of every
   * symbol (global advance): the down shard's symbols would close from partial trades. Bars of the streaming
   * symbols still close on their own trades and closed klines.
   */
  private anyShardDown(): boolean {
    for (const key of this.repairsPending) if (key.startsWith("shard:")) return true;
    return this.shards.health().some((connection) => connection.state !== "open");
  }

  /** Connection gauges, refreshed with each health snapshot (the runtime takes one every 2 s). */
  private exportConnectionMetrics(connections: readonly ConnectionHealth[]): void {
    const { streamConnections, controlQueued } = this.options.metrics;
    for (const state of ["connecting", "open", "reconnecting"] as const) {
      streamConnections.set({ source: this.name, state }, connections.filter((connection) => connection.state === state || (state === "connecting" && connection.state === "idle")).length);
    }
    controlQueued.set({ source: this.name }, connections.reduce((sum, connection) => sum + connection.controlQueued, 0));
  }

  private status(states: readonly string[]): CollectorStatus {
    if (this.stopped || (this.started && this.byTicker.size === 0)) return "down";
    if (!this.started || states.includes("connecting") || states.includes("idle")) return "connecting";
    if (states.includes("reconnecting")) return "reconnecting";
    return this.repairsPending.size > 0 ? "repairing" : "healthy";
  }

  /** Collects a symbol the exchange lists as TRADING; any other is reported unavailable (with why). */
  private admit(row: SymbolRow, listed: ReadonlyMap<string, string>): boolean {
    const status = listed.get(row.ticker);
    if (status === "TRADING") {
      this.byTicker.set(row.ticker, row.id);
      this.gates.set(row.id, new QualityGate(row.id, this.options.quality?.gate));
      this.symbolHealth.set(row.id, { status: "repairing", lastBarAt: this.symbolHealth.get(row.id)?.lastBarAt ?? null });
      return true;
    }
    const reason = status
      ? `Binance reports ${row.ticker} as ${status}`
      : this.options.mode === "replay"
        ? `No recorded data for ${row.id} in replay mode`
        : `Binance does not list ${row.ticker}`;
    this.symbolHealth.set(row.id, { status: "unavailable", reason, lastBarAt: null });
    return false;
  }

  private async applySymbols(rows: readonly SymbolRow[]): Promise<void> {
    const wanted = new Map(rows.filter((row) => row.exchange === "BINANCE" && row.active).map((row) => [row.id, row]));
    for (const symbol of [...this.symbolHealth.keys()]) if (!wanted.has(symbol)) await this.removeSymbol(symbol);
    const added = [...wanted.values()].filter((row) => !this.byTicker.has(row.ticker));
    if (added.length === 0) return;
    const listed = await this.options.rest.exchangeSymbols();
    const admitted = added.filter((row) => this.admit(row, listed));
    if (admitted.length === 0) return;
    // Hold live frames from here: the new symbols' frames wait until their history is in.
    for (const row of admitted) this.repairsPending.add(`symbol:${row.id}`);
    this.buffer ??= [];
    await this.seedFromDatabase(admitted.map((row) => row.id));
    const shards = new Set<number>();
    for (const row of admitted) shards.add(await this.shards.add(row.id, streamsOf(row.ticker)));
    this.log("info", "symbols added; backfilling", { symbols: admitted.map((row) => row.id), shards: [...shards] });
    await this.enqueueRepair(
      admitted.map((row) => row.id),
      admitted.map((row) => `symbol:${row.id}`),
      (error) => shards.forEach((shard) => this.reconnectAfterFailedRepair(shard, error)),
    );
  }

  private async removeSymbol(symbol: SymbolId): Promise<void> {
    this.symbolHealth.delete(symbol);
    this.gates.delete(symbol);
    this.byTicker.delete(tickerOf(symbol));
    this.repairsPending.delete(`symbol:${symbol}`);
    const shard = this.shards.shardOf(symbol);
    await this.shards.remove(symbol);
    // a shard closed with it no longer waits for a repair (else frames would stay buffered)
    if (shard !== null && !this.shards.exists(shard)) this.repairsPending.delete(`shard:${shard}`);
    this.log("info", "symbol removed; unsubscribed", { symbol });
    this.releaseIfRepaired();
  }

  /** Rebuilds open higher-timeframe bars from stored 1m bars (today and yesterday, UTC). */
  private async seedFromDatabase(symbols: readonly SymbolId[]): Promise<void> {
    const fresh = symbols.filter((symbol) => !this.seeded.has(symbol));
    if (fresh.length === 0) return;
    const serverTime = await this.options.rest.serverTime();
    const from = alignTime(serverTime, "1d") - TIMEFRAME_MS["1d"];
    for (const symbol of fresh) {
      const bars = await readCandleRange(this.options.pool, { symbol, timeframe: "1m", from, to: serverTime });
      this.builder.seed(bars);
      this.seeded.add(symbol);
      const health = this.symbolHealth.get(symbol);
      if (health && bars.length > 0) health.lastBarAt = bars[bars.length - 1]!.openTime;
    }
  }

  /** A shard (re)connected: buffer frames and repair its symbols' gap. Called before the socket's first frame. */
  private onOpen(shard: number): void {
    const key = `shard:${shard}`;
    this.repairsPending.add(key);
    this.buffer ??= [];
    void this.enqueueRepair(this.shards.groupsOf(shard), [key], (error) => this.reconnectAfterFailedRepair(shard, error));
  }

  /**
   * Queues a repair of `symbols` (one at a time: the builder is fed in order). On success the `done` keys (and each
   * symbol's own key) are cleared and, once nothing is pending, the buffer is replayed; on failure they stay, so
   * frames stay buffered until the retry (after a reconnect) succeeds.
   */
  private enqueueRepair(symbols: readonly SymbolId[], done: readonly string[], onFailure: (error: unknown) => void): Promise<void> {
    const job = this.repairChain.then(async () => {
      if (this.stopped) return;
      try {
        for (const symbol of symbols) {
          const health = this.symbolHealth.get(symbol);
          if (!health || !this.byTicker.has(tickerOf(symbol))) continue; // removed meanwhile
          health.status = "repairing";
          await this.repair.repair(symbol, health.lastBarAt);
          health.status = "healthy";
          this.repairsPending.delete(`symbol:${symbol}`);
        }
        done.forEach((key) => this.repairsPending.delete(key));
      } catch (error) {
        onFailure(error);
      }
      this.releaseIfRepaired();
    });
    this.repairChain = job;
    return job;
  }

  private reconnectAfterFailedRepair(shard: number, error: unknown): void {
    // With the REST circuit open, reconnect (and repair) only once it lets a probe through.
    const delayMs = error instanceof CircuitOpenError ? error.retryInMs : undefined;
    this.log("error", "gap repair failed; reconnecting to retry", { shard, error: (error as Error).message, delayMs });
    this.shards.reconnect(shard, "gap repair failed", delayMs);
  }

  /** Nothing left to repair: replay the buffered frames in arrival order and go live. */
  private releaseIfRepaired(): void {
    if (this.repairsPending.size > 0 || this.buffer === null || this.stopped) return;
    const buffered = this.buffer;
    this.buffer = null;
    for (const text of buffered) this.handleFrame(text);
    this.log("info", "stream healthy", { replayedFrames: buffered.length });
  }

  private onFrame(shard: number, text: string): void {
    this.lastMessageAt = Date.now();
    this.options.metrics.framesReceived.inc({ source: this.name });
    if (text.includes('"serverShutdown"') && parseBinanceFrame(text).kind === "shutdown") {
      // This connection's server is going away: replace it now, without a gap (if it is gone first, reconnect + repair).
      this.log("info", "serverShutdown received; replacing the connection", { shard });
      this.shards.rollover(shard, "serverShutdown");
      return;
    }
    if (this.buffer) {
      if (this.buffer.length < MAX_BUFFERED_FRAMES) this.buffer.push(text);
      return;
    }
    this.handleFrame(text);
  }

  private handleFrame(text: string): void {
    const frame = parseBinanceFrame(text);
    switch (frame.kind) {
      case "trade":
        if (!this.accept(frame.trade.symbol)) return;
        this.noteExchangeTime(frame.eventTime);
        if (this.passesTrade(frame.trade)) {
          this.builder.addTrade(frame.trade);
          this.options.metrics.trades.inc({ source: this.name });
        }
        this.advanceTo(frame.eventTime);
        return;
      case "kline":
        if (!this.accept(frame.bar.symbol)) return;
        this.noteExchangeTime(frame.eventTime);
        if (frame.closed && frame.bar.timeframe === "1m" && this.passesBar(frame.bar, this.exchangeTime)) this.builder.applyFinalMinute(frame.bar);
        this.advanceTo(frame.eventTime);
        return;
      case "rejected":
        this.options.metrics.framesRejected.inc({ source: this.name, reason: frame.reason.split(":")[0] ?? "malformed" });
        return;
      case "error":
        this.log("warn", "exchange error message", { code: frame.code, msg: frame.msg });
        return;
      default:
        return;
    }
  }

  private noteExchangeTime(eventTime: number): void {
    if (eventTime > this.exchangeTime) {
      this.exchangeTime = eventTime;
      this.exchangeTimeAt = this.lastMessageAt ?? Date.now();
    }
  }

  /** Exchange time now: the largest E seen, aged by the wall time since (a silent feed grows stale). */
  private exchangeNow(): number {
    if (this.exchangeTime === 0) return Date.now();
    return this.exchangeTime + Math.max(0, Date.now() - this.exchangeTimeAt);
  }

  /** The quality gate on a live trade, at the collector's exchange time; a rejected one goes to quarantine. */
  private passesTrade(trade: Trade): boolean {
    const gate = this.gates.get(trade.symbol);
    if (!gate) return true;
    const result = gate.checkTrade(trade, this.exchangeTime);
    if (result.ok) return true;
    this.reject("trade", trade, trade.time, result.checks);
    return false;
  }

  /** The quality gate on a final 1m bar at `now`; a rejected one goes to quarantine. */
  private passesBar(bar: Bar, now: number): boolean {
    const gate = this.gates.get(bar.symbol);
    if (!gate) return true;
    const result = gate.checkBar(bar, now);
    if (result.ok) {
      if (result.rebaseline) this.log("info", "data quality: new price level accepted", { symbol: bar.symbol, ...result.rebaseline });
      return true;
    }
    this.reject("bar", bar, bar.openTime, result.checks);
    return false;
  }

  private reject(kind: "trade" | "bar", item: Trade | Bar, eventTime: number, checks: QualityIssue[]): void {
    // once per failed check (a price can break both the jump and the z-score rule: one price_anomaly)
    for (let i = 0; i < checks.length; i++) {
      const check = checks[i]!.check;
      if (checks.findIndex((issue) => issue.check === check) === i) this.options.metrics.qualityRejected.inc({ source: this.name, check });
    }
    this.quality.push({ symbol: item.symbol, kind, payload: item, checks, eventTime, receivedAt: this.lastMessageAt ?? Date.now() });
  }

  /** The current data-quality snapshot of a symbol (for tests and health); null for a symbol not collected. */
  qualitySnapshot(symbol: SymbolId) {
    return this.gates.get(symbol)?.snapshot(this.exchangeNow()) ?? null;
  }

  private accept(symbol: SymbolId): boolean {
    const ticker = symbol.slice(symbol.indexOf(":") + 1);
    if (this.byTicker.has(ticker)) return true;
    this.options.metrics.framesRejected.inc({ source: this.name, reason: "unknown_symbol" });
    return false;
  }

  /** The exchange's clock drives bar closing; advancing costs a pass over symbols, so do it at most every 100 ms. */
  private advanceTo(eventTime: number): void {
    if (eventTime - this.lastAdvance < 100) return;
    this.lastAdvance = eventTime;
    if (!this.anyShardDown()) this.builder.advance(eventTime);
    // duplicate trade ids the builder dropped (reconnect replays, the overlap of a connection rollover)
    const duplicates = this.builder.stats().duplicates;
    if (duplicates > this.duplicatesCounted) {
      this.options.metrics.duplicateTrades.inc({ source: this.name }, duplicates - this.duplicatesCounted);
      this.duplicatesCounted = duplicates;
    }
  }

  /** The last closed 1m bar of a symbol the collector knows (for tests and health). */
  lastBar(symbol: SymbolId): number | null {
    return this.symbolHealth.get(symbol)?.lastBarAt ?? null;
  }

  private log(level: "info" | "warn" | "error", message: string, details?: object): void {
    this.options.log?.(level, message, details);
  }
}

