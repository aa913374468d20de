/**
 * Binance spot collector: combined WebSocket stream (aggTrade + kline_1m per symbol) → parse →
 * BarBuilder (all timeframes) → BarSink (PostgreSQL, Redis cache, pub/sub).
 * On start and after every reconnect it repairs the gap over REST (closed 1m klines from the last stored
 * bar up to server time) while buffering live frames, then replays the buffer: no missing and no
 * duplicated bars. Holes in the exchange's own history are recorded in known_gaps, never invented.
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
import type { Redis } from "ioredis";
import type pg from "pg";
import type { Bar, SymbolId, Trade } from "../../server/domain/bars/bar.ts";
import { BarBuilder } from "../../server/domain/bars/bar-builder.ts";
import { parseBinanceFrame } from "../../server/domain/binance/binance-frames.ts";
import { QualityGate } from "../../server/domain/quality/quality-gate.ts";
import type { QualityIssue, QualityOptions } from "../../server/domain/quality/quality-types.ts";
import { alignTime, TIMEFRAME_MS } from "../../server/domain/time/timeframes.ts";
import { lastCandleTime, readCandleRange, recordKnownGap } from "../../server/db/candles.repo.ts";
import type { SymbolRow } from "../../server/db/symbols.repo.ts";
import type { CollectorMetrics } from "../../server/observability/collector-metrics.ts";
import type { RedisKeys } from "../../server/redis/keys.ts";
import type { BarSink } from "../../server/services/bar-sink.service.ts";
import { QualitySink } from "../../server/services/quality-sink.service.ts";
import { BinanceStream } from "../../server/sources/binance/binance-stream.ts";
import { BREAKER_STATE_VALUE, CircuitOpenError, SourceBreaker, type BreakerOptions } from "../../server/sources/circuit-breaker.ts";
import type { BinanceRestClient } from "../../server/sources/binance/binance-rest.ts";
import type { CollectorHealth, CollectorStatus, MarketDataSource, SymbolHealth } from "../../server/sources/market-data-source.ts";

const MINUTE = TIMEFRAME_MS["1m"];
const MAX_BUFFERED_FRAMES = 500_000;

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
  streamOptions?: { initialBackoffMs?: number; maxBackoffMs?: number; idleTimeoutMs?: number; stableAfterMs?: number };
  /** Options of the "stream" circuit breaker (defaults: 5 failures, 60 s, 2 successes). */
  streamBreakerOptions?: BreakerOptions;
  /**
   * Data quality: Redis for the `{ns}:quality:{SYMBOL}` snapshots (without it only the gauge and the history table
   * are written), gate thresholds (QualityOptions) and the sink's intervals (defaults: quarantine flush 1 s,
   * snapshot 5 s, history row 60 s).
   */
  quality?: {
    redis?: Redis;
    keys?: RedisKeys;
    gate?: Partial<QualityOptions>;
    flushIntervalMs?: number;
    snapshotIntervalMs?: number;
    historyIntervalMs?: number;
  };
}

export class BinanceCollector implements MarketDataSource {
  readonly name = "binance";
  private readonly builder: BarBuilder;
  private stream: BinanceStream | null = null;
  private status: CollectorStatus = "connecting";
  private readonly symbolHealth = new Map<SymbolId, SymbolHealth>();
  private readonly byTicker = new Map<string, SymbolId>();
  private buffer: string[] | null = null;
  private lastMessageAt: number | null = null;
  private lastAdvance = 0;
  private reconnects = 0;
  private repairRun = 0;
  /** The collector's view of exchange time: the largest event time E received (0 before the first frame). */
  private exchangeTime = 0;
  /** Wall clock when exchangeTime last moved (to age a silent feed in snapshots). */
  private exchangeTimeAt = 0;
  private readonly gates = new Map<SymbolId, QualityGate>();
  readonly quality: QualitySink;
  readonly streamBreaker: SourceBreaker;

  constructor(private readonly options: BinanceCollectorOptions) {
    this.streamBreaker = new SourceBreaker(this.name, "stream", options.streamBreakerOptions);
    for (const breaker of [options.rest.breaker, this.streamBreaker]) {
      const labels = { source: this.name, kind: breaker.kind };
      options.metrics.circuitState.set(labels, BREAKER_STATE_VALUE[breaker.state]);
      breaker.onTransition(({ from, to, snapshot }) => {
        options.metrics.circuitState.set(labels, BREAKER_STATE_VALUE[to]);
        options.metrics.circuitTransitions.inc({ ...labels, to });
        this.log(to === "open" ? "error" : "warn", `${breaker.kind} circuit ${from} → ${to}`, snapshot);
      });
    }
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
        options.sink.push(event);
        if (event.kind !== "live" && event.bar.timeframe === "1m") {
          const health = this.symbolHealth.get(event.bar.symbol);
          if (health && (health.lastBarAt ?? 0) < event.bar.openTime) health.lastBarAt = event.bar.openTime;
        }
      },
    });
  }

  async start(): Promise<void> {
    await this.resolveSymbols();
    const tickers = [...this.byTicker.keys()];
    if (tickers.length === 0) {
      this.status = "down";
      this.log("warn", "no Binance symbol can be collected", { symbols: Object.fromEntries(this.symbolHealth) });
      return;
    }
    await this.seedFromDatabase();
    const streams = tickers.flatMap((ticker) => [`${ticker.toLowerCase()}@aggTrade`, `${ticker.toLowerCase()}@kline_1m`]);
    this.stream = new BinanceStream({
      baseUrl: this.options.wsUrl,
      streams,
      ...this.options.streamOptions,
      breaker: this.streamBreaker,
      callbacks: {
        onOpen: () => void this.onOpen(),
        onFrame: (text) => this.onFrame(text),
        onClose: ({ code, reason, reconnectInMs }) => {
          if (reconnectInMs === null) return;
          this.reconnects += 1;
          this.options.metrics.reconnects.inc({ source: this.name });
          this.status = "reconnecting";
          this.log("warn", "stream closed, reconnecting", { code, reason, reconnectInMs });
        },
        onCircuitOpen: ({ retryInMs, message }) => {
          this.status = "reconnecting";
          this.log("warn", "stream circuit open; waiting before the next connect", { retryInMs, message });
        },
      },
    });
    this.buffer = [];
    this.quality.start();
    this.stream.start();
  }

  async stop(): Promise<void> {
    await this.stream?.stop();
    await this.quality.close();
    this.status = "down";
  }

  health(): CollectorHealth {
    const breakers = { rest: this.options.rest.breaker.snapshot(), stream: this.streamBreaker.snapshot() };
    let status = this.status;
    let reason: string | undefined;
    if (breakers.stream.state === "open") {
      status = "down";
      const retryIn = Math.ceil(this.streamBreaker.msUntilHalfOpen() / 1000);
      reason = `stream circuit open since ${new Date(breakers.stream.since).toISOString()} after ${breakers.stream.failures} consecutive failed connects${breakers.stream.lastError ? ` (${breakers.stream.lastError})` : ""}; next attempt in ${retryIn}s`;
    } else if (breakers.rest.state === "open") {
      reason = `REST circuit open after ${breakers.rest.failures} consecutive failures${breakers.rest.lastError ? ` (${breakers.rest.lastError})` : ""}; gap repair waits for it`;
    }
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
    };
  }

  /** Active Binance symbols the exchange lists as TRADING; the others are reported unavailable. */
  private async resolveSymbols(): Promise<void> {
    const listed = await this.options.rest.exchangeSymbols();
    for (const symbol of this.options.symbols) {
      const status = listed.get(symbol.ticker);
      if (status === "TRADING") {
        this.byTicker.set(symbol.ticker, symbol.id);
        this.gates.set(symbol.id, new QualityGate(symbol.id, this.options.quality?.gate));
        this.symbolHealth.set(symbol.id, { status: "repairing", lastBarAt: null });
        continue;
      }
      const reason = status
        ? `Binance reports ${symbol.ticker} as ${status}`
        : this.options.mode === "replay"
          ? `No recorded data for ${symbol.id} in replay mode`
          : `Binance does not list ${symbol.ticker}`;
      this.symbolHealth.set(symbol.id, { status: "unavailable", reason, lastBarAt: null });
    }
  }

  /** Rebuilds open higher-timeframe bars from stored 1m bars (today and yesterday, UTC). */
  private async seedFromDatabase(): Promise<void> {
    const serverTime = await this.options.rest.serverTime();
    const from = alignTime(serverTime, "1d") - TIMEFRAME_MS["1d"];
    for (const symbol of this.byTicker.values()) {
      const bars = await readCandleRange(this.options.pool, { symbol, timeframe: "1m", from, to: serverTime });
      this.builder.seed(bars);
      const health = this.symbolHealth.get(symbol);
      if (health && bars.length > 0) health.lastBarAt = bars[bars.length - 1]!.openTime;
    }
  }

  private async onOpen(): Promise<void> {
    const run = ++this.repairRun;
    this.status = "repairing";
    this.buffer ??= [];
    try {
      for (const symbol of this.byTicker.values()) {
        if (run !== this.repairRun) return; // a newer connection started its own repair
        await this.repairSymbol(symbol);
      }
    } catch (error) {
      // With the REST circuit open, reconnect (and repair) only once it lets a probe through.
      const delayMs = error instanceof CircuitOpenError ? error.retryInMs : undefined;
      this.log("error", "gap repair failed; reconnecting to retry", { error: (error as Error).message, delayMs });
      this.stream?.reconnectNow("gap repair failed", delayMs);
      return;
    }
    if (run !== this.repairRun) return;
    const buffered = this.buffer ?? [];
    this.buffer = null;
    for (const text of buffered) this.handleFrame(text);
    this.status = "healthy";
    this.log("info", "stream healthy", { replayedFrames: buffered.length });
  }

  /** Fetches every closed 1m kline after the last known bar and applies it as final. */
  private async repairSymbol(symbol: SymbolId): Promise<void> {
    const health = this.symbolHealth.get(symbol)!;
    health.status = "repairing";
    const ticker = symbol.slice(symbol.indexOf(":") + 1);
    const stored = await lastCandleTime(this.options.pool, symbol, "1m");
    const known = Math.max(stored ?? -Infinity, health.lastBarAt ?? -Infinity);
    const serverTime = await this.options.rest.serverTime();
    // With no stored bar, backfill from a UTC day boundary so every higher-timeframe bar is complete.
    // After a long outage, repair only the last maxRepairBars minutes (from a day boundary) and record the rest.
    const earliest = alignTime(serverTime - (this.options.maxRepairBars ?? 10_080) * MINUTE, "1d");
    let from = Number.isFinite(known) ? known + MINUTE : alignTime(serverTime - this.options.initialBackfillBars * MINUTE, "1d");
    if (from < earliest) {
      await this.recordUnrepaired(symbol, from, earliest);
      from = earliest;
    }
    let expected: number | null = Number.isFinite(known) ? from : null;
    for await (const page of this.options.rest.closedKlines({ symbol, ticker, timeframe: "1m", from })) {
      for (const bar of page) {
        if (expected !== null && bar.openTime > expected) await this.recordHole(symbol, expected, bar.openTime);
        expected = bar.openTime + MINUTE;
        // history: judged at its own end, i.e. freshness off (a REST bar is never "stale")
        if (!this.passesBar(bar, bar.openTime + MINUTE)) continue;
        this.builder.applyFinalMinute(bar);
      }
      this.options.metrics.gapBarsBackfilled.inc({ source: this.name }, page.length);
    }
    this.builder.advance(await this.options.rest.serverTime());
    health.status = "healthy";
  }

  private async recordUnrepaired(symbol: SymbolId, start: number, end: number): Promise<void> {
    const reason = "not repaired: older than the collector's repair window (MAX_REPAIR_BARS); backfill it";
    await recordKnownGap(this.options.pool, { symbol, timeframe: "1m", start, end, reason });
    this.log("warn", "gap older than the repair window recorded, not fetched", { symbol, start: new Date(start).toISOString(), end: new Date(end).toISOString() });
  }

  private async recordHole(symbol: SymbolId, start: number, end: number): Promise<void> {
    this.builder.markGap(symbol, start, end);
    await recordKnownGap(this.options.pool, { symbol, timeframe: "1m", start, end, reason: "no klines in the exchange's history" });
    this.options.metrics.knownGaps.inc({ source: this.name });
    this.log("warn", "exchange history has a hole; recorded as a known gap", { symbol, start: new Date(start).toISOString(), end: new Date(end).toISOString() });
  }

  private onFrame(text: string): void {
    this.lastMessageAt = Date.now();
    this.options.metrics.framesReceived.inc({ source: this.name });
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
      case "shutdown":
        this.log("info", "serverShutdown received; reconnecting now");
        this.stream?.reconnectNow("serverShutdown");
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
    this.builder.advance(eventTime);
  }

  /** The last closed 1m bar of a symbol the collector knows (for tests and health). */
  lastBar(symbol: SymbolId): number | null {
    return this.symbolHealth.get(symbol)?.lastBarAt ?? null;
  }

  private log(level: "info" | "warn" | "error", message: string, details?: object): void {
    this.options.log?.(level, message, details);
  }
}

