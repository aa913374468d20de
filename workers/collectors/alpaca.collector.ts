/**
 * Alpaca (US stocks) collector: one market-data v2 WebSocket (trades + minute bars + updated bars) → BarBuilder
 * (1m from `b`, revised by `u`; 5m…1d from trades and final minutes) → BarSink (PostgreSQL, Redis, pub/sub).
 * After every authentication it repairs the gap over REST (1m bars from the last stored bar up to now) while
 * buffering live messages, then replays the buffer. Alpaca omits minutes without trades (nights, weekends,
 * quiet minutes), so missing minutes are normal and are not recorded as known gaps.
 * Without API keys the collector never connects and reports status "disabled" with the reason. A fatal Alpaca
 * error (402 keys, 405 symbols, 406 connection limit, 409 plan) stops it with status "down" and the operator message.
 */
import type pg from "pg";
import type { AlpacaMessage } from "../../server/domain/alpaca/alpaca-messages.ts";
import type { SymbolId } from "../../server/domain/bars/bar.ts";
import { BarBuilder } from "../../server/domain/bars/bar-builder.ts";
import { alignTime, TIMEFRAME_MS } from "../../server/domain/time/timeframes.ts";
import { lastCandleTime, readCandleRange } from "../../server/db/candles.repo.ts";
import type { SymbolRow } from "../../server/db/symbols.repo.ts";
import type { CollectorMetrics } from "../../server/observability/collector-metrics.ts";
import type { BarSink } from "../../server/services/bar-sink.service.ts";
import type { AlpacaRestClient } from "../../server/sources/alpaca/alpaca-rest.ts";
import { AlpacaStream } from "../../server/sources/alpaca/alpaca-stream.ts";
import { BREAKER_STATE_VALUE, CircuitOpenError, SourceBreaker, type BreakerOptions } from "../../server/sources/circuit-breaker.ts";
import type { CollectorHealth, CollectorStatus, MarketDataSource, SymbolHealth } from "../../server/sources/market-data-source.ts";

const MINUTE = TIMEFRAME_MS["1m"];
const MAX_BUFFERED_MESSAGES = 500_000;
export const NO_KEYS_REASON = "no Alpaca API keys (set ALPACA_KEY_ID and ALPACA_SECRET_KEY)";

export interface AlpacaCollectorOptions {
  mode: "live" | "replay";
  streamUrl: string;
  keyId: string | undefined;
  secretKey: string | undefined;
  /** null when there are no keys (the collector stays disabled). */
  rest: AlpacaRestClient | null;
  pool: pg.Pool;
  sink: BarSink;
  metrics: CollectorMetrics;
  symbols: readonly SymbolRow[];
  latenessMs: number;
  initialBackfillBars: number;
  maxRepairBars?: number;
  /** The clock gap repair fetches up to (tests pass the fake's virtual clock). */
  now?: () => number;
  log?: (level: "info" | "warn" | "error", message: string, details?: object) => void;
  streamOptions?: { initialBackoffMs?: number; maxBackoffMs?: number; idleTimeoutMs?: number };
  streamBreakerOptions?: BreakerOptions;
}

export class AlpacaCollector implements MarketDataSource {
  readonly name = "alpaca";
  private readonly builder: BarBuilder;
  private stream: AlpacaStream | null = null;
  private status: CollectorStatus = "connecting";
  private reason: string | undefined;
  private readonly symbolHealth = new Map<SymbolId, SymbolHealth>();
  private readonly byTicker = new Map<string, SymbolId>();
  private readonly tradeSeq = new Map<SymbolId, number>();
  private buffer: AlpacaMessage[] | null = null;
  private lastMessageAt: number | null = null;
  private reconnects = 0;
  private repairRun = 0;
  private readonly now: () => number;
  readonly streamBreaker: SourceBreaker;
  private readonly restBreaker: SourceBreaker;

  constructor(private readonly options: AlpacaCollectorOptions) {
    this.now = options.now ?? Date.now;
    this.streamBreaker = new SourceBreaker(this.name, "stream", options.streamBreakerOptions);
    this.restBreaker = options.rest?.breaker ?? new SourceBreaker(this.name, "rest");
    for (const breaker of [this.restBreaker, this.streamBreaker]) {
      const labels = { source: this.name, kind: breaker.kind };
      options.metrics.circuitState.set(labels, BREAKER_STATE_VALUE[breaker.state]);
      breaker.onTransition(({ from, to, snapshot }) => {
        options.metrics.circuitState.set(labels, BREAKER_STATE_VALUE[to]);
        options.metrics.circuitTransitions.inc({ ...labels, to });
        this.log(to === "open" ? "error" : "warn", `${breaker.kind} circuit ${from} → ${to}`, snapshot);
      });
    }
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
    for (const symbol of options.symbols) {
      this.byTicker.set(symbol.ticker, symbol.id);
      this.symbolHealth.set(symbol.id, { status: "repairing", lastBarAt: null });
    }
  }

  get enabled(): boolean {
    return Boolean(this.options.keyId && this.options.secretKey && this.options.rest);
  }

  /** Sockets opened so far (tests assert there is no reconnect loop). */
  get connections(): number {
    return this.stream?.connections ?? 0;
  }

  async start(): Promise<void> {
    if (!this.enabled) return this.disable(NO_KEYS_REASON);
    if (this.byTicker.size === 0) return this.disable("no active ALPACA symbols");
    await this.seedFromDatabase();
    this.stream = new AlpacaStream({
      url: this.options.streamUrl,
      keyId: this.options.keyId!,
      secretKey: this.options.secretKey!,
      tickers: [...this.byTicker.keys()],
      ...this.options.streamOptions,
      breaker: this.streamBreaker,
      callbacks: {
        onAuthenticated: () => void this.onAuthenticated(),
        onMessages: (messages) => this.onMessages(messages),
        onClose: ({ code, reason, reconnectInMs }) => {
          if (reconnectInMs === null) return;
          this.reconnects += 1;
          this.options.metrics.reconnects.inc({ source: this.name });
          this.status = "reconnecting";
          this.log("warn", "Alpaca stream closed, reconnecting", { code, reason, reconnectInMs });
        },
        onFatal: ({ code, message }) => {
          this.status = "down";
          this.reason = message;
          for (const health of this.symbolHealth.values()) Object.assign(health, { status: "unavailable", reason: message });
          this.log("error", `Alpaca stream stopped: ${message}`, { code });
        },
        onError: ({ code, message }) => this.log("warn", "Alpaca error message", { code, message }),
        onCircuitOpen: ({ retryInMs, message }) => {
          this.status = "reconnecting";
          this.log("warn", "Alpaca stream circuit open; waiting before the next connect", { retryInMs, message });
        },
      },
    });
    this.buffer = [];
    this.stream.start();
  }

  async stop(): Promise<void> {
    await this.stream?.stop();
    if (this.status !== "disabled") this.status = "down";
  }

  health(): CollectorHealth {
    const breakers = { rest: this.restBreaker.snapshot(), stream: this.streamBreaker.snapshot() };
    let status = this.status;
    let reason = this.reason;
    if (status !== "disabled" && !this.stream?.fatalError && breakers.stream.state === "open") {
      status = "down";
      reason = `stream circuit open after ${breakers.stream.failures} consecutive failed connects${breakers.stream.lastError ? ` (${breakers.stream.lastError})` : ""}`;
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

  private disable(reason: string): void {
    this.status = "disabled";
    this.reason = reason;
    for (const health of this.symbolHealth.values()) Object.assign(health, { status: "unavailable", reason });
    this.log("warn", `Alpaca collector disabled: ${reason}`);
  }

  /** Rebuilds open higher-timeframe bars from stored 1m bars (today and yesterday, UTC). */
  private async seedFromDatabase(): Promise<void> {
    const now = this.now();
    const from = alignTime(now, "1d") - TIMEFRAME_MS["1d"];
    for (const symbol of this.byTicker.values()) {
      const bars = await readCandleRange(this.options.pool, { symbol, timeframe: "1m", from, to: now });
      this.builder.seed(bars);
      const health = this.symbolHealth.get(symbol);
      if (health && bars.length > 0) health.lastBarAt = bars[bars.length - 1]!.openTime;
    }
  }

  private async onAuthenticated(): Promise<void> {
    const run = ++this.repairRun;
    this.status = "repairing";
    this.reason = undefined;
    this.buffer ??= [];
    try {
      for (const [ticker, symbol] of this.byTicker) {
        if (run !== this.repairRun) return;
        await this.repairSymbol(ticker, symbol);
      }
    } catch (error) {
      const delayMs = error instanceof CircuitOpenError ? error.retryInMs : undefined;
      this.log("error", "Alpaca gap repair failed; reconnecting to retry", { error: (error as Error).message, delayMs });
      this.stream?.reconnectNow("gap repair failed", delayMs);
      return;
    }
    if (run !== this.repairRun) return;
    const buffered = this.buffer ?? [];
    this.buffer = null;
    this.handleMessages(buffered);
    this.status = "healthy";
    this.log("info", "Alpaca stream healthy", { replayedMessages: buffered.length });
  }

  /** Fetches every closed 1m bar after the last known one over REST and applies it as final. */
  private async repairSymbol(ticker: string, symbol: SymbolId): Promise<void> {
    const health = this.symbolHealth.get(symbol)!;
    health.status = "repairing";
    const stored = await lastCandleTime(this.options.pool, symbol, "1m");
    const known = Math.max(stored ?? -Infinity, health.lastBarAt ?? -Infinity);
    const now = this.now();
    const earliest = alignTime(now - (this.options.maxRepairBars ?? 10_080) * MINUTE, "1d");
    const from = Math.max(earliest, Number.isFinite(known) ? known + MINUTE : alignTime(now - this.options.initialBackfillBars * MINUTE, "1d"));
    for await (const page of this.options.rest!.minuteBars({ symbol, ticker, from, to: now })) {
      for (const bar of page) this.builder.applyFinalMinute(bar);
      this.options.metrics.gapBarsBackfilled.inc({ source: this.name }, page.length);
    }
    this.builder.advance(now);
    health.status = "healthy";
  }

  private onMessages(messages: AlpacaMessage[]): void {
    this.lastMessageAt = Date.now();
    this.options.metrics.framesReceived.inc({ source: this.name });
    if (this.buffer) {
      if (this.buffer.length < MAX_BUFFERED_MESSAGES) this.buffer.push(...messages);
      return;
    }
    this.handleMessages(messages);
  }

  private handleMessages(messages: readonly AlpacaMessage[]): void {
    for (const message of messages) {
      if (message.kind === "trade") {
        if (!this.accept(message.trade.symbol)) continue;
        // Alpaca trade ids are per trading venue, not increasing per symbol: number them in arrival order.
        const id = (this.tradeSeq.get(message.trade.symbol) ?? 0) + 1;
        this.tradeSeq.set(message.trade.symbol, id);
        this.builder.addTrade({ ...message.trade, id });
        this.options.metrics.trades.inc({ source: this.name });
      } else if (message.kind === "bar") {
        if (!this.accept(message.bar.symbol)) continue;
        // `u` carries the same minute with late trades included: applying it again makes the builder emit a revision.
        this.builder.applyFinalMinute(message.bar);
        this.builder.advance(message.bar.openTime + MINUTE + this.options.latenessMs);
      } else if (message.kind === "rejected") {
        this.options.metrics.framesRejected.inc({ source: this.name, reason: message.reason.split(":")[0] ?? "malformed" });
      }
    }
  }

  private accept(symbol: SymbolId): boolean {
    if (this.symbolHealth.has(symbol)) return true;
    this.options.metrics.framesRejected.inc({ source: this.name, reason: "unknown_symbol" });
    return false;
  }

  private log(level: "info" | "warn" | "error", message: string, details?: object): void {
    this.options.log?.(level, message, details);
  }
}
