/**
 * One Binance combined-stream WebSocket connection with reconnect.
 * - URL: `${BINANCE_WS_URL}/stream?streams=a/b/c` (at most 1,024 streams per connection).
 * - Pings: the server pings every 20 s; `ws` answers with a pong echoing the payload. A socket silent
 *   for `idleTimeoutMs` is treated as dead and replaced.
 * - serverShutdown: reconnect at once. Any close/error: reconnect with exponential backoff and full jitter.
 * - Every connect attempt runs through the source's "stream" circuit breaker (server/sources/circuit-breaker.ts):
 *   a socket that fails to open, or closes before its first frame, is a failure; one that opens and delivers a
 *   frame is a success, and one that then stays up `stableAfterMs` counts as a second success (so a recovered
 *   connection closes a half-open breaker). While the circuit is open no socket is attempted: the stream waits
 *   until the breaker lets a probe through (no reconnect storm).
 * Frames are handed over raw; parsing happens in the caller (domain/binance/binance-frames.ts).
 */
import WebSocket from "ws";
import { CircuitOpenError, SourceBreaker, type BreakerOptions } from "../circuit-breaker.ts";

export interface StreamCallbacks {
  onOpen(): void;
  onFrame(text: string): void;
  onClose(info: { code: number; reason: string; reconnectInMs: number | null }): void;
  /** The circuit is open: no connect attempt until `retryInMs` has passed. */
  onCircuitOpen?(info: { retryInMs: number; message: string }): void;
}

export interface BinanceStreamOptions {
  baseUrl: string;
  streams: readonly string[];
  callbacks: StreamCallbacks;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  idleTimeoutMs?: number;
  random?: () => number;
  /** A connection up this long after its first frame records a second breaker success (default 10 s). */
  stableAfterMs?: number;
  /** The "stream" breaker (default: a new binance/stream breaker with `breakerOptions`). */
  breaker?: SourceBreaker;
  breakerOptions?: BreakerOptions;
}

/** A socket that closed or errored before delivering its first frame. */
class ConnectFailedError extends Error {
  name = "ConnectFailedError";
}

export const MAX_STREAMS_PER_CONNECTION = 1024;

/** Delay before reconnect attempt `attempt` (0-based): full jitter over an exponential cap. */
export function backoffDelay(attempt: number, initialMs: number, maxMs: number, random: () => number): number {
  const cap = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 20));
  return Math.round(cap / 2 + (random() * cap) / 2);
}

export class BinanceStream {
  private socket: WebSocket | null = null;
  private attempt = 0;
  private stopped = false;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private stableTimer: NodeJS.Timeout | null = null;
  private delayOverrideMs: number | null = null;
  readonly breaker: SourceBreaker;
  private readonly options: Required<Omit<BinanceStreamOptions, "breaker" | "breakerOptions">>;

  constructor(options: BinanceStreamOptions) {
    if (options.streams.length === 0) throw new Error("BinanceStream: no streams to subscribe");
    if (options.streams.length > MAX_STREAMS_PER_CONNECTION) {
      throw new Error(`BinanceStream: ${options.streams.length} streams exceed ${MAX_STREAMS_PER_CONNECTION} per connection`);
    }
    const { breaker, breakerOptions, ...rest } = options;
    this.breaker = breaker ?? new SourceBreaker("binance", "stream", breakerOptions);
    this.options = { initialBackoffMs: 500, maxBackoffMs: 30_000, idleTimeoutMs: 60_000, stableAfterMs: 10_000, random: Math.random, ...rest };
  }

  get url(): string {
    return `${this.options.baseUrl.replace(/\/+$/, "")}/stream?streams=${this.options.streams.join("/")}`;
  }

  start(): void {
    this.stopped = false;
    this.open();
  }

  /** Drops the current socket and reconnects at once, or after `delayMs` (serverShutdown, a forced refresh, REST circuit open). */
  reconnectNow(reason: string, delayMs?: number): void {
    this.attempt = 0;
    this.delayOverrideMs = delayMs ?? null;
    this.socket?.close(1000, reason);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.idleTimer) clearTimeout(this.idleTimer);
    if (this.stableTimer) clearTimeout(this.stableTimer);
    const socket = this.socket;
    this.socket = null;
    if (!socket || socket.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      socket.once("close", () => resolve());
      socket.close(1000, "shutdown");
      setTimeout(() => {
        socket.terminate();
        resolve();
      }, 2_000).unref();
    });
  }

  /** One connect attempt through the breaker; while the circuit is open, waits for the probe window instead. */
  private open(): void {
    this.reconnectTimer = null;
    if (this.stopped) return;
    this.breaker
      .execute(() => this.connect())
      .then(() => {
        if (this.stableTimer) clearTimeout(this.stableTimer);
        const socket = this.socket;
        this.stableTimer = setTimeout(() => {
          if (!this.stopped && socket && this.socket === socket && socket.readyState === WebSocket.OPEN) void this.breaker.recordSuccess();
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
  private connect(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const settle = (error?: Error) => {
        if (settled) return;
        settled = true;
        if (error) reject(error);
        else resolve();
      };
      const socket = new WebSocket(this.url, { handshakeTimeout: 10_000 });
      this.socket = socket;
      let lastError = "";
      socket.on("open", () => {
        this.attempt = 0;
        this.touch(socket);
        this.options.callbacks.onOpen();
      });
      socket.on("message", (data, isBinary) => {
        this.touch(socket);
        settle();
        if (!isBinary) this.options.callbacks.onFrame(data.toString());
      });
      socket.on("ping", () => {
        this.touch(socket);
        settle();
      });
      socket.on("error", (error) => void (lastError = error.message)); // followed by "close"
      socket.on("close", (code, reason) => {
        settle(new ConnectFailedError(`stream closed before streaming: ${lastError || `code ${code}`}`));
        this.handleClose(socket, code, reason.toString());
      });
    });
  }

  private touch(socket: WebSocket): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => socket.terminate(), this.options.idleTimeoutMs);
  }

  private handleClose(socket: WebSocket, code: number, reason: string): void {
    if (this.socket !== socket) return;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    if (this.stableTimer) clearTimeout(this.stableTimer);
    if (this.stopped) {
      this.options.callbacks.onClose({ code, reason, reconnectInMs: null });
      return;
    }
    const backoff = backoffDelay(this.attempt, this.options.initialBackoffMs, this.options.maxBackoffMs, this.options.random);
    const delay = Math.max(backoff, this.delayOverrideMs ?? 0, this.breaker.msUntilHalfOpen());
    this.delayOverrideMs = null;
    this.attempt += 1;
    this.options.callbacks.onClose({ code, reason, reconnectInMs: delay });
    this.reconnectTimer = setTimeout(() => this.open(), delay);
  }
}
