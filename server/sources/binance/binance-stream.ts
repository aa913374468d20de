/**
 * One logical Binance combined-stream connection (at most 1,024 streams) that stays up:
 * - Reconnect on any close/error with exponential backoff and full jitter; a socket silent for `idleTimeoutMs`
 *   is treated as dead. Every reconnect calls `onOpen` again, so the caller repairs the gap over REST.
 * - Every connect attempt runs through the source's "stream" circuit breaker (server/sources/circuit-breaker.ts):
 *   a socket that fails to open, or closes before its first frame, is a failure; one that opens and delivers a
 *   frame is a success, and one that then stays up `stableAfterMs` counts as a second success. While the circuit
 *   is open no socket is attempted (no reconnect storm).
 * - Rollover before Binance's 24-hour cut (and on serverShutdown): `refreshAfterMs` after a socket opened, a second
 *   socket is opened with the same streams; once it delivers its first data frame it becomes the connection, and
 *   the old one is closed `overlapMs` later. Both deliver frames during the overlap (aggTrade ids and closed klines
 *   are idempotent downstream), so nothing is missed, nothing is doubled, and no gap repair is needed. `onOpen` is
 *   not called for a rollover. If the old socket dies first, the normal reconnect (and repair) takes over.
 * - Live subscriptions: `subscribe` / `unsubscribe` send SUBSCRIBE / UNSUBSCRIBE on the open socket(s) through a
 *   per-socket control queue (at most `controlPerSecond` messages per second, pongs included; requests merge);
 *   a later reconnect puts the current set in its URL.
 * Frames are handed over raw; parsing happens in the caller (domain/binance/binance-frames.ts).
 */
import { CircuitOpenError, SourceBreaker, type BreakerOptions } from "../circuit-breaker.ts";
import type { ControlMethod } from "./control-queue.ts";
import { BinanceSocket, SocketClosedError } from "./binance-socket.ts";

export interface StreamCallbacks {
  /** A new connection is streaming after a (re)connect (not after a rollover): repair the gap. */
  onOpen(): void;
  onFrame(text: string): void;
  onClose(info: { code: number; reason: string; reconnectInMs: number | null }): void;
  /** The circuit is open: no connect attempt until `retryInMs` has passed. */
  onCircuitOpen?(info: { retryInMs: number; message: string }): void;
  /** A replacement connection took over (`reason`: "max age" or "serverShutdown"…). */
  onRollover?(info: { reason: string; ageMs: number }): void;
  /** A replacement attempt failed; the current connection stays and the rollover is retried. */
  onRolloverFailed?(info: { reason: string; error: string; retryInMs: number }): void;
  onControlSent?(method: ControlMethod): void;
}

export interface StreamTimingOptions {
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  idleTimeoutMs?: number;
  /** A connection up this long after its first frame records a second breaker success (default 10 s). */
  stableAfterMs?: number;
  /** Replace a connection this long after it opened (Binance cuts at 24 h; default 23 h). */
  refreshAfterMs?: number;
  /** How long the old socket keeps delivering after the new one streams (default 2 s). */
  overlapMs?: number;
  /** Messages per second per connection, pongs included (Binance allows 5). */
  controlPerSecond?: number;
}

export interface BinanceStreamOptions extends StreamTimingOptions {
  baseUrl: string;
  streams: readonly string[];
  callbacks: StreamCallbacks;
  random?: () => number;
  /** Streams per connection (Binance: 1,024; lower in tests). */
  maxStreams?: number;
  /** The "stream" breaker (default: a new binance/stream breaker with `breakerOptions`). */
  breaker?: SourceBreaker;
  breakerOptions?: BreakerOptions;
}

export type StreamState = "idle" | "connecting" | "open" | "reconnecting" | "stopped";

export interface StreamHealth {
  state: StreamState;
  streams: number;
  /** When the current socket opened (its age decides the next rollover). */
  openedAt: number | null;
  rollingOver: boolean;
  rollovers: number;
  reconnects: number;
  controlQueued: number;
}

export const MAX_STREAMS_PER_CONNECTION = 1024;
const HOUR = 3_600_000;

/** Delay before reconnect attempt `attempt` (0-based): full jitter over an exponential cap. */
export function backoffDelay(attempt: number, initialMs: number, maxMs: number, random: () => number): number {
  const cap = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 20));
  return Math.round(cap / 2 + (random() * cap) / 2);
}

type Resolved = Required<Omit<BinanceStreamOptions, "breaker" | "breakerOptions" | "streams">>;

export class BinanceStream {
  private current: BinanceSocket | null = null;
  private successor: BinanceSocket | null = null;
  /** Replaced sockets still delivering during their overlap. */
  private readonly draining = new Set<BinanceSocket>();
  private readonly desired: Set<string>;
  private attempt = 0;
  private rolloverAttempt = 0;
  private stopped = false;
  private state: StreamState = "idle";
  private reconnectTimer: NodeJS.Timeout | null = null;
  private stableTimer: NodeJS.Timeout | null = null;
  private refreshTimer: NodeJS.Timeout | null = null;
  private delayOverrideMs: number | null = null;
  private rollovers = 0;
  private reconnects = 0;
  readonly breaker: SourceBreaker;
  private readonly options: Resolved;

  constructor(options: BinanceStreamOptions) {
    const maxStreams = options.maxStreams ?? MAX_STREAMS_PER_CONNECTION;
    if (options.streams.length === 0) throw new Error("BinanceStream: no streams to subscribe");
    if (options.streams.length > maxStreams) throw new Error(`BinanceStream: ${options.streams.length} streams exceed ${maxStreams} per connection`);
    const { breaker, breakerOptions, streams, ...rest } = options;
    this.desired = new Set(streams);
    this.breaker = breaker ?? new SourceBreaker("binance", "stream", breakerOptions);
    this.options = {
      initialBackoffMs: 500,
      maxBackoffMs: 30_000,
      idleTimeoutMs: 60_000,
      stableAfterMs: 10_000,
      refreshAfterMs: 23 * HOUR,
      overlapMs: 2_000,
      controlPerSecond: 5,
      random: Math.random,
      maxStreams,
      ...rest,
    };
  }

  /** Streams this connection carries (or will, once connected). */
  get streams(): string[] {
    return [...this.desired];
  }

  get streamCount(): number {
    return this.desired.size;
  }

  health(): StreamHealth {
    return {
      state: this.state,
      streams: this.desired.size,
      openedAt: this.current?.openedAt ?? null,
      rollingOver: this.successor !== null,
      rollovers: this.rollovers,
      reconnects: this.reconnects,
      controlQueued: (this.current?.control.queued ?? 0) + (this.successor?.control.queued ?? 0),
    };
  }

  start(): void {
    this.stopped = false;
    this.state = "connecting";
    this.open();
  }

  /** Adds streams on the open socket(s) (one merged SUBSCRIBE); resolves when Binance confirmed or a reconnect carries them. */
  async subscribe(streams: readonly string[]): Promise<void> {
    const added = streams.filter((stream) => !this.desired.has(stream));
    if (added.length === 0) return;
    if (this.desired.size + added.length > this.options.maxStreams) {
      throw new Error(`BinanceStream: ${this.desired.size + added.length} streams would exceed ${this.options.maxStreams} per connection`);
    }
    added.forEach((stream) => this.desired.add(stream));
    await this.control("SUBSCRIBE", added);
  }

  async unsubscribe(streams: readonly string[]): Promise<void> {
    const removed = streams.filter((stream) => this.desired.delete(stream));
    if (removed.length > 0) await this.control("UNSUBSCRIBE", removed);
  }

  /** The streams Binance says this connection carries (LIST_SUBSCRIPTIONS on the current socket). */
  async listSubscriptions(): Promise<string[]> {
    if (!this.current?.isOpen) throw new Error("BinanceStream: not connected");
    const result = await this.current.request("LIST_SUBSCRIPTIONS");
    return Array.isArray(result) ? result.map(String) : [];
  }

  /** Drops the current socket and reconnects at once, or after `delayMs` (a failed repair, REST circuit open). */
  reconnectNow(reason: string, delayMs?: number): void {
    this.attempt = 0;
    this.delayOverrideMs = delayMs ?? null;
    this.current?.close(1000, reason);
  }

  /** Replaces the connection without a gap (max age reached, serverShutdown announced). No-op while one is under way. */
  rollover(reason: string): void {
    if (this.stopped || this.successor || !this.current?.isOpen) return;
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = null;
    const old = this.current;
    const ageMs = old.openedAt === null ? 0 : Date.now() - old.openedAt;
    const successor = this.socket();
    this.successor = successor;
    successor.streaming.then(
      () => {
        if (this.successor !== successor || this.stopped) return;
        this.promote(successor, old);
        this.options.callbacks.onRollover?.({ reason, ageMs });
      },
      (error: Error) => {
        if (this.successor !== successor) return;
        this.successor = null;
        const retryInMs = backoffDelay(this.rolloverAttempt++, this.options.initialBackoffMs, this.options.maxBackoffMs, this.options.random);
        this.options.callbacks.onRolloverFailed?.({ reason, error: error.message, retryInMs });
        if (!this.stopped && this.current === old) this.refreshTimer = setTimeout(() => this.rollover(reason), retryInMs);
      },
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.state = "stopped";
    for (const timer of [this.reconnectTimer, this.stableTimer, this.refreshTimer]) if (timer) clearTimeout(timer);
    const sockets = [this.current, this.successor, ...this.draining].filter((socket): socket is BinanceSocket => socket !== null);
    this.current = null;
    this.successor = null;
    this.draining.clear();
    await Promise.all(sockets.map((socket) => socket.closeAndWait(1000, "shutdown")));
  }

  private async control(method: "SUBSCRIBE" | "UNSUBSCRIBE", streams: string[]): Promise<void> {
    const sockets = [this.current, this.successor].filter((socket): socket is BinanceSocket => socket !== null && !socket.isClosed);
    await Promise.all(
      sockets.map((socket) =>
        socket.request(method, streams).catch((error: unknown) => {
          // A socket that closed meanwhile is replaced by one whose URL carries the current set.
          if (!(error instanceof SocketClosedError)) throw error;
        }),
      ),
    );
  }

  private socket(): BinanceSocket {
    const socket: BinanceSocket = new BinanceSocket({
      baseUrl: this.options.baseUrl,
      streams: [...this.desired],
      idleTimeoutMs: this.options.idleTimeoutMs,
      controlPerSecond: this.options.controlPerSecond,
      onData: (text) => this.options.callbacks.onFrame(text),
      onOpen: () => this.handleOpen(socket),
      onClose: (code, reason) => this.handleClose(socket, code, reason),
      onControlSent: this.options.callbacks.onControlSent,
    });
    return socket;
  }

  /** The successor streams: it becomes the connection, the old socket closes after the overlap. */
  private promote(successor: BinanceSocket, old: BinanceSocket): void {
    this.current = successor;
    this.successor = null;
    this.rolloverAttempt = 0;
    this.rollovers += 1;
    this.scheduleRefresh();
    this.draining.add(old);
    setTimeout(() => {
      this.draining.delete(old);
      old.close(1000, "rollover");
    }, this.options.overlapMs).unref();
    // Subscriptions changed while the successor was connecting: bring it to the current set.
    const missing = [...this.desired].filter((stream) => !successor.streams.has(stream));
    const extra = [...successor.streams].filter((stream) => !this.desired.has(stream));
    if (missing.length) successor.request("SUBSCRIBE", missing).catch(() => undefined);
    if (extra.length) successor.request("UNSUBSCRIBE", extra).catch(() => undefined);
  }

  private scheduleRefresh(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = null;
    const after = this.options.refreshAfterMs;
    if (!(after > 0 && Number.isFinite(after))) return;
    this.refreshTimer = setTimeout(() => this.rollover("max age"), after);
  }

  /** One connect attempt through the breaker; while the circuit is open, waits for the probe window instead. */
  private open(): void {
    this.reconnectTimer = null;
    if (this.stopped) return;
    this.breaker
      .execute(() => this.connect())
      .then(() => {
        if (this.stableTimer) clearTimeout(this.stableTimer);
        const socket = this.current;
        this.stableTimer = setTimeout(() => {
          if (!this.stopped && socket && this.current === socket && socket.isOpen) void this.breaker.recordSuccess();
        }, this.options.stableAfterMs);
      })
      .catch((error: unknown) => {
        if (!(error instanceof CircuitOpenError) || this.stopped) return; // a failed socket reconnects via handleClose
        const retryInMs = Math.max(error.retryInMs, 50) + Math.round(this.options.random() * 250);
        this.options.callbacks.onCircuitOpen?.({ retryInMs, message: error.message });
        this.reconnectTimer = setTimeout(() => this.open(), retryInMs);
      });
  }

  /** Resolves on the socket's first frame (or ping); rejects if it closes or errors before that. */
  private async connect(): Promise<void> {
    const socket = this.socket();
    this.current = socket;
    await socket.connected;
  }

  /** A (re)connect opened (not a rollover successor): called before its first frame, so the caller buffers from here. */
  private handleOpen(socket: BinanceSocket): void {
    if (this.current !== socket || this.stopped) return;
    this.attempt = 0;
    this.state = "open";
    this.scheduleRefresh();
    this.options.callbacks.onOpen();
  }

  private handleClose(socket: BinanceSocket, code: number, reason: string): void {
    if (this.current !== socket) return; // a replaced socket after its overlap, or a failed successor
    if (this.stableTimer) clearTimeout(this.stableTimer);
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = null;
    const successor = this.successor;
    this.successor = null;
    successor?.close(1000, "connection lost during rollover");
    if (this.stopped) {
      this.options.callbacks.onClose({ code, reason, reconnectInMs: null });
      return;
    }
    const backoff = backoffDelay(this.attempt, this.options.initialBackoffMs, this.options.maxBackoffMs, this.options.random);
    const delay = Math.max(backoff, this.delayOverrideMs ?? 0, this.breaker.msUntilHalfOpen());
    this.delayOverrideMs = null;
    this.attempt += 1;
    this.reconnects += 1;
    this.state = "reconnecting";
    this.options.callbacks.onClose({ code, reason, reconnectInMs: delay });
    this.reconnectTimer = setTimeout(() => this.open(), delay);
  }
}
