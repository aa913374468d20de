/**
 * One Alpaca market-data v2 WebSocket (ALPACA_STREAM_URL, default wss://stream.data.alpaca.markets/v2/iex):
 * connect → wait for `connected` → send auth → up ONLY on `authenticated` → subscribe trades + bars +
 * updatedBars for the tickers. `subscribe()` / `unsubscribe()` change the lists on the open socket (Alpaca's
 * subscribe/unsubscribe messages) and are remembered for the next connect; the server's `subscription` reply (the
 * full current lists) is kept in `subscribed`.
 * Fatal errors (402 bad keys, 406 connection limit, 409 insufficient subscription, and 405 symbol limit when
 * nothing could be subscribed) stop the stream for good (no crash loop) and surface an operator message. A 405
 * on a later subscribe leaves the existing subscriptions working (Alpaca keeps them): `onSymbolLimit` reports it.
 * Any other close reconnects with exponential backoff and full jitter, through the "stream" circuit breaker
 * (an attempt that never authenticates is a failure).
 * Alpaca allows one connection per account and endpoint (406): one started stream per key and URL per process
 * (a second start() throws), and stop() on shutdown.
 */
import WebSocket from "ws";
import { parseAlpacaFrame, type AlpacaMessage } from "../../domain/alpaca/alpaca-messages.ts";
import { backoffDelay } from "../binance/binance-stream.ts";
import { CircuitOpenError, SourceBreaker, type BreakerOptions } from "../circuit-breaker.ts";

export interface AlpacaStreamCallbacks {
  /** Authenticated and subscribed: the connection is up. */
  onAuthenticated(): void;
  /** Data messages (trades, bars, updated bars, rejected entries) in frame order. */
  onMessages(messages: AlpacaMessage[]): void;
  onClose(info: { code: number; reason: string; reconnectInMs: number | null }): void;
  /** A fatal Alpaca error: the stream stopped and will not reconnect. */
  onFatal(info: { code: number; message: string }): void;
  onError?(info: { code: number; message: string }): void;
  onCircuitOpen?(info: { retryInMs: number; message: string }): void;
  /** 405 on a subscribe while other symbols stay subscribed: `rejected` are the tickers the server did not take. */
  onSymbolLimit?(info: { message: string; rejected: string[] }): void;
  /** The server's full current lists after a subscribe/unsubscribe. */
  onSubscription?(lists: Record<string, string[]>): void;
}

export interface AlpacaStreamOptions {
  url: string;
  keyId: string;
  secretKey: string;
  tickers: readonly string[];
  callbacks: AlpacaStreamCallbacks;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  idleTimeoutMs?: number;
  /** Exchange prefix of parsed symbols (default ALPACA). */
  exchange?: string;
  random?: () => number;
  breaker?: SourceBreaker;
  breakerOptions?: BreakerOptions;
}

class NotAuthenticatedError extends Error {
  name = "NotAuthenticatedError";
}

/** Started streams by key and URL: Alpaca allows one connection per account and endpoint. */
const running = new Map<string, AlpacaStream>();

export class AlpacaStream {
  private socket: WebSocket | null = null;
  private attempt = 0;
  private stopped = false;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private fatal: { code: number; message: string } | null = null;
  private delayOverrideMs = 0;
  private authenticated = false;
  private readonly tickers: Set<string>;
  /** Tickers the server reports as subscribed for trades (its last `subscription` message). */
  readonly subscribed = new Set<string>();
  readonly breaker: SourceBreaker;
  /** Sockets opened so far (tests count reconnects with it). */
  connections = 0;
  private readonly options: Required<Omit<AlpacaStreamOptions, "breaker" | "breakerOptions" | "callbacks" | "tickers">> & { callbacks: AlpacaStreamCallbacks };

  constructor({ breaker, breakerOptions, tickers, ...options }: AlpacaStreamOptions) {
    if (tickers.length === 0) throw new Error("AlpacaStream: no symbols to subscribe");
    this.tickers = new Set(tickers);
    this.breaker = breaker ?? new SourceBreaker("alpaca", "stream", breakerOptions);
    this.options = { initialBackoffMs: 1_000, maxBackoffMs: 60_000, idleTimeoutMs: 120_000, exchange: "ALPACA", random: Math.random, ...options };
  }

  /** The fatal error that stopped the stream, if any. */
  get fatalError(): { code: number; message: string } | null {
    return this.fatal;
  }

  /** Whether the socket is authenticated now. */
  get isAuthenticated(): boolean {
    return this.authenticated;
  }

  /** Connects (and keeps reconnecting) until stop(). Throws if this process already runs a stream for the same key and URL. */
  start(): void {
    const key = `${this.options.keyId}@${this.options.url}`;
    const other = running.get(key);
    if (other && other !== this) {
      throw new Error(`an Alpaca stream for key ${this.options.keyId.slice(0, 4)}… on ${this.options.url} already runs in this process; Alpaca allows one connection per account (406)`);
    }
    running.set(key, this);
    this.stopped = false;
    this.fatal = null;
    this.open();
  }

  /** Adds tickers: sent at once when authenticated, and subscribed on every later connect. */
  subscribe(tickers: readonly string[]): void {
    const added = tickers.filter((ticker) => !this.tickers.has(ticker));
    for (const ticker of added) this.tickers.add(ticker);
    if (added.length > 0) this.send({ action: "subscribe", trades: added, bars: added, updatedBars: added });
  }

  /** Removes tickers (messages for them may still arrive for a moment). */
  unsubscribe(tickers: readonly string[]): void {
    const removed = tickers.filter((ticker) => this.tickers.delete(ticker));
    if (removed.length > 0) this.send({ action: "unsubscribe", trades: removed, bars: removed, updatedBars: removed });
  }

  private send(message: object): void {
    if (this.authenticated && this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  /** Drops the socket and reconnects after `delayMs` (e.g. gap repair failed). */
  reconnectNow(reason: string, delayMs = 0): void {
    this.attempt = 0;
    this.delayOverrideMs = delayMs;
    this.socket?.close(1000, reason);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.authenticated = false;
    const key = `${this.options.keyId}@${this.options.url}`;
    if (running.get(key) === this) running.delete(key);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.idleTimer) clearTimeout(this.idleTimer);
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

  private open(): void {
    this.reconnectTimer = null;
    if (this.stopped || this.fatal) return;
    this.breaker.execute(() => this.connect()).catch((error: unknown) => {
      if (!(error instanceof CircuitOpenError) || this.stopped) return; // a failed socket reconnects via handleClose
      const retryInMs = Math.max(error.retryInMs, 50) + Math.round(this.options.random() * 250);
      this.options.callbacks.onCircuitOpen?.({ retryInMs, message: error.message });
      this.reconnectTimer = setTimeout(() => this.open(), retryInMs);
    });
  }

  /** Resolves on `authenticated`; rejects if the socket closes before. */
  private connect(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let authenticated = false;
      let settled = false;
      const settle = (error?: Error) => {
        if (settled) return;
        settled = true;
        if (error) reject(error);
        else resolve();
      };
      const socket = new WebSocket(this.options.url, { handshakeTimeout: 10_000 });
      this.socket = socket;
      this.connections += 1;
      let lastError = "";
      socket.on("open", () => this.touch(socket));
      socket.on("message", (data, isBinary) => {
        this.touch(socket);
        if (isBinary) return;
        const dataMessages: AlpacaMessage[] = [];
        for (const message of parseAlpacaFrame(data.toString(), this.options.exchange)) {
          if (message.kind === "connected") {
            socket.send(JSON.stringify({ action: "auth", key: this.options.keyId, secret: this.options.secretKey }));
          } else if (message.kind === "authenticated") {
            authenticated = true;
            this.authenticated = true;
            this.attempt = 0;
            this.subscribed.clear();
            const tickers = [...this.tickers];
            socket.send(JSON.stringify({ action: "subscribe", trades: tickers, bars: tickers, updatedBars: tickers }));
            settle();
            this.options.callbacks.onAuthenticated();
          } else if (message.kind === "subscription") {
            this.subscribed.clear();
            for (const ticker of message.lists.trades ?? []) this.subscribed.add(ticker);
            this.options.callbacks.onSubscription?.(message.lists);
          } else if (message.kind === "error") {
            lastError = message.operatorMessage;
            if (message.code === 405 && this.subscribed.size > 0) {
              // Alpaca leaves the existing subscriptions unchanged: keep streaming them
              const rejected = [...this.tickers].filter((ticker) => !this.subscribed.has(ticker));
              for (const ticker of rejected) this.tickers.delete(ticker); // not asked again on reconnect (that would be refused whole)
              this.options.callbacks.onSymbolLimit?.({ message: message.operatorMessage, rejected });
            } else if (message.fatal) {
              this.authenticated = false;
              this.fatal = { code: message.code, message: message.operatorMessage };
              settle(new NotAuthenticatedError(message.operatorMessage));
              this.options.callbacks.onFatal(this.fatal);
              socket.close(1000, "fatal error");
            } else this.options.callbacks.onError?.({ code: message.code, message: message.operatorMessage });
          } else if (message.kind !== "ignored") dataMessages.push(message);
        }
        if (dataMessages.length > 0 && authenticated) this.options.callbacks.onMessages(dataMessages);
      });
      socket.on("error", (error) => void (lastError = error.message));
      socket.on("close", (code, reason) => {
        if (this.socket === socket) this.authenticated = false;
        settle(new NotAuthenticatedError(`stream closed before authenticating: ${lastError || `code ${code}`}`));
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
    if (this.stopped || this.fatal) {
      this.options.callbacks.onClose({ code, reason, reconnectInMs: null });
      return;
    }
    const backoff = backoffDelay(this.attempt, this.options.initialBackoffMs, this.options.maxBackoffMs, this.options.random);
    const delay = Math.max(backoff, this.delayOverrideMs, this.breaker.msUntilHalfOpen());
    this.delayOverrideMs = 0;
    this.attempt += 1;
    this.options.callbacks.onClose({ code, reason, reconnectInMs: delay });
    this.reconnectTimer = setTimeout(() => this.open(), delay);
  }
}
