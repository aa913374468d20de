/**
 * Alpaca (US stocks) collector: one market-data v2 WebSocket (trades + minute bars + updated bars) → quality gate →
 * BarBuilder (1m from `b`, revised by `u`; 5m…1d from trades and final minutes) → BarSink (PostgreSQL, Redis, pub/sub).
 * - Sessions: with an exchange calendar (NYSE) a SessionGate holds the stream breaker open ("market closed; opens …")
 *   outside regular sessions. At the close the socket stays up `closeGraceMs` (the last `b` and its `u`), then
 *   closes; health says "closed" with the next open; at the open it reconnects and repairs the gap. Only
 *   regular-session minutes become bars (stream and REST); nights and weekends are holes, never zero-volume bars.
 * - After every authentication it repairs the gap over REST (1m bars from the last stored bar up to now) while
 *   buffering live messages, then replays the buffer. Alpaca omits minutes without trades, so quiet minutes are not
 *   known gaps.
 * - Data quality (server/domain/quality, wired as in the Binance collector): one QualityGate per symbol checks every
 *   trade and every final bar; rejected items go to quarantine through a QualitySink that keeps the score in Redis.
 *   A closed market is not "stale": its exchange time stops at the last event.
 * - Without API keys it never connects and reports "disabled" with the reason. A fatal Alpaca error (402 keys,
 *   405 symbols, 406 connection limit, 409 plan) stops the stream with status "down" and the operator message;
 *   with a calendar it tries once more at the next session open.
 * - `updateSymbols()` follows the active ALPACA rows: subscribe/unsubscribe on the open socket; a new symbol's
 *   recent history is fetched before it counts healthy (its live messages wait meanwhile).
 * Parts: `.symbols.ts` (symbol set, health, held messages), `.history.ts` (session minutes, seed, REST repair),
 * `.messages.ts` (live trades and bars), `.quality.ts` (quality gates and sink). This file: lifecycle, sessions,
 * the stream, health.
 */
import type pg from "pg";
import type { AlpacaMessage } from "../../server/domain/alpaca/alpaca-messages.ts";
import type { SymbolId } from "../../server/domain/bars/bar.ts";
import { BarBuilder } from "../../server/domain/bars/bar-builder.ts";
import type { ExchangeCalendar } from "../../server/domain/calendars/calendar-types.ts";
import type { SymbolRow } from "../../server/db/symbols.repo.ts";
import type { CollectorMetrics } from "../../server/observability/collector-metrics.ts";
import type { BarSink } from "../../server/services/bar-sink.service.ts";
import type { AlpacaRestClient } from "../../server/sources/alpaca/alpaca-rest.ts";
import { AlpacaStream } from "../../server/sources/alpaca/alpaca-stream.ts";
import { CircuitOpenError, SourceBreaker, type BreakerOptions } from "../../server/sources/circuit-breaker.ts";
import type { CollectorHealth, CollectorStatus, MarketDataSource } from "../../server/sources/market-data-source.ts";
import { SessionGate, type SessionGateClock } from "../../server/sources/session-gate.ts";
import { AlpacaHistory, SessionMinutes } from "./alpaca.collector.history.ts";
import { AlpacaMessageRouter } from "./alpaca.collector.messages.ts";
import { AlpacaQualityStage } from "./alpaca.collector.quality.ts";
import { AlpacaSymbols } from "./alpaca.collector.symbols.ts";
import { breakerHealth, watchBreaker } from "./collector-breakers.ts";
import type { CollectorQualityOptions } from "./collector-quality-options.ts";

const MAX_BUFFERED_MESSAGES = 500_000;
/** After the close, the last minutes are fetched again over REST (late `updatedBars` the socket did not see). */
const CLOSE_OVERLAP_MS = 15 * 60_000;
export const NO_KEYS_REASON = "no Alpaca API keys (set ALPACA_KEY_ID and ALPACA_SECRET_KEY)";
export const NO_SYMBOLS_REASON = "no active ALPACA symbols";

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
  /** Recent 1m bars (regular-session minutes with a calendar) fetched for a symbol without stored history. */
  initialBackfillBars: number;
  maxRepairBars?: number;
  /** Calendar of the symbols (NYSE for US stocks); null = always open (Alpaca's 24/7 test symbol FAKEPACA). */
  calendar: ExchangeCalendar | null;
  /** The clock (default wall clock); tests pass a replay clock. `now` is a shorthand for `{ now }`. */
  clock?: SessionGateClock;
  now?: () => number;
  /** How long the socket stays up after the close for the last bar and its update (default 90 s). */
  closeGraceMs?: number;
  log?: (level: "info" | "warn" | "error", message: string, details?: object) => void;
  streamOptions?: { initialBackoffMs?: number; maxBackoffMs?: number; idleTimeoutMs?: number };
  streamBreakerOptions?: BreakerOptions;
  quality?: CollectorQualityOptions;
}

export class AlpacaCollector implements MarketDataSource {
  readonly name = "alpaca";
  private readonly builder: BarBuilder;
  private stream: AlpacaStream | null = null;
  private streamRunning = false;
  private status: CollectorStatus = "connecting";
  private reason: string | undefined;
  private fatal: string | null = null;
  private readonly symbols: AlpacaSymbols;
  private buffer: AlpacaMessage[] | null = null;
  private lastMessageAt: number | null = null;
  private reconnects = 0;
  private repairRun = 0;
  private started = false;
  private qualityStarted = false;
  private readonly clock: SessionGateClock;
  private readonly history: AlpacaHistory | null;
  private readonly router: AlpacaMessageRouter;
  private gate: SessionGate | null = null;
  private closeTimer: NodeJS.Timeout | null = null;
  private idleTicker: NodeJS.Timeout | null = null;
  readonly quality: AlpacaQualityStage;
  readonly streamBreaker: SourceBreaker;
  private readonly restBreaker: SourceBreaker;

  constructor(private readonly options: AlpacaCollectorOptions) {
    this.clock = options.clock ?? { now: options.now ?? (() => Date.now()) };
    this.streamBreaker = new SourceBreaker(this.name, "stream", options.streamBreakerOptions);
    this.restBreaker = options.rest?.breaker ?? new SourceBreaker(this.name, "rest");
    for (const breaker of [this.restBreaker, this.streamBreaker]) watchBreaker(breaker, this.name, options.metrics, this.log.bind(this));
    this.builder = new BarBuilder({
      latenessMs: options.latenessMs,
      onEvent: (event) => {
        options.sink.push(event);
        if (event.kind !== "live" && event.bar.timeframe === "1m") this.symbols.noteBar(event.bar.symbol, event.bar.openTime);
        if (event.kind === "revision" && event.bar.timeframe === "1m") this.log("info", "Alpaca bar revised", { symbol: event.bar.symbol, openTime: event.bar.openTime });
      },
    });
    this.symbols = new AlpacaSymbols(options.symbols);
    this.quality = new AlpacaQualityStage({
      pool: options.pool,
      metrics: options.metrics,
      source: this.name,
      options: options.quality,
      marketOpen: () => this.gate?.isOpen ?? true,
      log: options.log,
    });
    for (const symbol of this.symbols.ids()) this.quality.add(symbol);
    const sessions = new SessionMinutes(options.calendar);
    const common = { builder: this.builder, quality: this.quality, symbols: this.symbols, sessions, metrics: options.metrics, source: this.name };
    this.router = new AlpacaMessageRouter({ ...common, latenessMs: options.latenessMs });
    this.history = options.rest
      ? new AlpacaHistory({
          ...common,
          pool: options.pool,
          rest: options.rest,
          now: () => this.clock.now(),
          initialBackfillBars: options.initialBackfillBars,
          maxRepairBars: options.maxRepairBars ?? 10_080,
          log: this.log.bind(this),
        })
      : null;
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
    if (this.symbols.size === 0) return this.disable(NO_SYMBOLS_REASON);
    this.started = true;
    this.status = "connecting";
    this.reason = undefined;
    await this.history!.seed(this.symbols.ids());
    if (!this.qualityStarted) this.quality.start();
    this.qualityStarted = true;
    this.stream = this.createStream();
    if (!this.options.calendar) return this.onMarketOpen();
    this.gate = new SessionGate({
      calendar: this.options.calendar,
      breaker: this.streamBreaker,
      clock: this.clock,
      onOpen: () => this.onMarketOpen(),
      onClose: ({ reason }) => this.onMarketClose(reason),
    });
    this.gate.start();
  }

  async stop(): Promise<void> {
    this.gate?.stop();
    this.clearTimers();
    this.repairRun += 1;
    this.streamRunning = false;
    await this.stream?.stop();
    await this.quality.close();
    if (this.status !== "disabled") this.status = "down";
  }

  health(): CollectorHealth {
    const breakers = { rest: this.restBreaker.snapshot(), stream: this.streamBreaker.snapshot() };
    let status = this.status;
    let reason = this.reason;
    if (status !== "disabled") {
      if (this.fatal) [status, reason] = ["down", this.fatal];
      else if (this.gate && !this.gate.isOpen) [status, reason] = ["closed", this.gate.reason ?? "market closed"];
      else {
        const tripped = breakerHealth(breakers);
        if (tripped) [status, reason] = [tripped.down ? "down" : status, tripped.reason];
      }
    }
    return {
      name: this.name,
      mode: this.options.mode,
      status,
      ...(reason ? { reason } : {}),
      lastMessageAt: this.lastMessageAt,
      updatedAt: Date.now(),
      reconnects: this.reconnects,
      symbols: status === "closed" ? this.symbols.healthRecord("closed") : this.symbols.healthRecord(),
      breakers,
    };
  }

  /** The current data-quality snapshot of a symbol (tests, health); null for a symbol not collected. */
  qualitySnapshot(symbol: SymbolId) {
    return this.quality.snapshot(symbol);
  }

  /**
   * Follows the full set of symbol rows (only active ALPACA rows count): unsubscribes removed tickers, subscribes
   * new ones on the open socket, and fetches a new symbol's recent history before it counts healthy.
   */
  async updateSymbols(rows: readonly SymbolRow[]): Promise<void> {
    const { added, removed } = this.symbols.update(rows.filter((row) => row.exchange === "ALPACA" && row.active));
    if (added.length === 0 && removed.length === 0) return;
    this.log("info", "Alpaca symbols changed", { added: added.map((row) => row.id), removed: removed.map((row) => row.id) });
    for (const row of removed) this.quality.remove(row.id);
    for (const row of added) this.quality.add(row.id);
    if (!this.enabled) return this.disable(NO_KEYS_REASON);
    if (!this.started) {
      if (this.symbols.size > 0) await this.start();
      return;
    }
    if (this.symbols.size === 0) return this.idle();
    this.stream?.unsubscribe(removed.map((row) => row.ticker));
    if (this.stream?.isAuthenticated) for (const row of added) this.symbols.hold(row.id); // live messages wait for the history
    this.stream?.subscribe(added.map((row) => row.ticker));
    await this.history!.seed(added.map((row) => row.id));
    for (const row of added) {
      try {
        await this.history!.repair(row.ticker, row.id);
      } catch (error) {
        this.symbols.setHealth(row.id, { status: "unavailable", reason: `history fetch failed: ${(error as Error).message}` });
        this.log("error", "Alpaca history fetch for a new symbol failed", { symbol: row.id, error: (error as Error).message });
      }
      this.router.handle(this.symbols.release(row.id));
    }
  }

  /** No symbols left (e.g. the exchange was disabled): close the stream and report "disabled" until some come back. */
  private async idle(): Promise<void> {
    this.started = false;
    this.gate?.stop();
    this.gate = null;
    this.streamBreaker.release();
    this.clearTimers();
    this.repairRun += 1;
    this.streamRunning = false;
    await this.stream?.stop();
    this.stream = null;
    this.disable(NO_SYMBOLS_REASON);
  }

  private createStream(): AlpacaStream {
    return new AlpacaStream({
      url: this.options.streamUrl,
      keyId: this.options.keyId!,
      secretKey: this.options.secretKey!,
      tickers: this.symbols.tickers(),
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
          this.fatal = message;
          this.streamRunning = false;
          this.symbols.setAll({ status: "unavailable", reason: message });
          this.log("error", `Alpaca stream stopped: ${message}`, { code });
        },
        onSymbolLimit: ({ message, rejected }) => {
          for (const ticker of rejected) {
            const symbol = this.symbols.byTicker(ticker);
            if (symbol) this.symbols.refuse(symbol, message);
          }
          this.log("error", `Alpaca refused symbols: ${message}`, { rejected });
        },
        onSubscription: (lists) => this.symbols.accepted(lists.trades ?? []),
        onError: ({ code, message }) => this.log("warn", "Alpaca error message", { code, message }),
        onCircuitOpen: ({ retryInMs, message }) => {
          if (!this.streamBreaker.heldReason) this.status = "reconnecting";
          this.log("warn", "Alpaca stream circuit open; waiting before the next connect", { retryInMs, message });
        },
      },
    });
  }

  private onMarketOpen(): void {
    this.clearTimers();
    this.fatal = null;
    this.status = "connecting";
    this.reason = undefined;
    this.buffer = [];
    this.log("info", "Alpaca session open: connecting");
    try {
      this.stream?.start();
      this.streamRunning = true;
    } catch (error) {
      this.fatal = (error as Error).message;
      this.log("error", "Alpaca stream not started", { error: this.fatal });
    }
  }

  /** At the close: keep the socket for the last bar and its update, then close it and fetch what it missed. */
  private onMarketClose(reason: string): void {
    this.status = "closed";
    this.reason = reason;
    this.log("info", `Alpaca ${reason}`);
    const graceMs = this.options.closeGraceMs ?? 90_000;
    const closeAt = this.clock.now() + graceMs;
    const delay = this.streamRunning ? Math.max(0, this.clock.realDelayUntil?.(closeAt) ?? graceMs) : 0;
    this.clearTimers();
    this.closeTimer = setTimeout(() => void this.afterClose(), delay);
  }

  private async afterClose(): Promise<void> {
    this.closeTimer = null;
    if (this.streamRunning) {
      this.streamRunning = false;
      await this.stream?.stop();
    }
    if (this.marketOpen) return; // reopened meanwhile (a short break, or a clock jump)
    this.buffer = null;
    this.symbols.releaseAll();
    // fetch again the last minutes too: an `updatedBars` revision may have come after the socket closed
    await this.repairAll(++this.repairRun, CLOSE_OVERLAP_MS).catch((error: Error) => this.log("warn", "Alpaca repair after the close failed; the next open repairs it", { error: error.message }));
    if (this.marketOpen) return;
    // while closed, the clock (not the stream) closes the last 1h/1d bars; holes keep nights free of bars
    this.idleTicker = setInterval(() => this.builder.advance(this.clock.now()), 15_000);
    this.idleTicker.unref?.();
  }

  private get marketOpen(): boolean {
    return this.gate?.isOpen ?? true;
  }

  private clearTimers(): void {
    if (this.closeTimer) clearTimeout(this.closeTimer);
    if (this.idleTicker) clearInterval(this.idleTicker);
    this.closeTimer = null;
    this.idleTicker = null;
  }

  private disable(reason: string): void {
    this.status = "disabled";
    this.reason = reason;
    this.symbols.setAll({ status: "unavailable", reason });
    this.log("warn", `Alpaca collector disabled: ${reason}`);
  }

  /** Rebuilds open higher-timeframe bars from stored 1m bars (today and yesterday, UTC). */
  private async onAuthenticated(): Promise<void> {
    const run = ++this.repairRun;
    this.status = "repairing";
    this.reason = undefined;
    this.buffer ??= [];
    try {
      if (!(await this.repairAll(run))) return;
    } catch (error) {
      const delayMs = error instanceof CircuitOpenError ? error.retryInMs : undefined;
      this.log("error", "Alpaca gap repair failed; reconnecting to retry", { error: (error as Error).message, delayMs });
      this.stream?.reconnectNow("gap repair failed", delayMs);
      return;
    }
    if (run !== this.repairRun || !this.streamRunning) return;
    const buffered = this.buffer ?? [];
    this.buffer = null;
    this.router.handle(buffered);
    this.status = "healthy";
    this.log("info", "Alpaca stream healthy", { replayedMessages: buffered.length });
  }

  /** Repairs every symbol; false when a newer run superseded this one. */
  private async repairAll(run = ++this.repairRun, overlapMs = 0): Promise<boolean> {
    for (const [ticker, symbol] of this.symbols.entries()) {
      if (run !== this.repairRun) return false;
      await this.history!.repair(ticker, symbol, overlapMs);
    }
    return run === this.repairRun;
  }

  private onMessages(messages: AlpacaMessage[]): void {
    this.lastMessageAt = Date.now();
    this.options.metrics.framesReceived.inc({ source: this.name });
    if (this.buffer) {
      if (this.buffer.length < MAX_BUFFERED_MESSAGES) this.buffer.push(...messages);
      return;
    }
    this.router.handle(messages);
  }

  private log(level: "info" | "warn" | "error", message: string, details?: object): void {
    this.options.log?.(level, message, details);
  }
}
