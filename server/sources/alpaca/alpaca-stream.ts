/**
 * One Alpaca market-data v2 WebSocket (ALPACA_STREAM_URL, default wss://stream.data.alpaca.markets/v2/iex):
 * connect → wait for `connected` → send auth → up ONLY on `authenticated` → subscribe trades + bars +
 * updatedBars for the tickers. Fatal errors (402 bad keys, 405 symbol limit, 406 connection limit,
 * 409 insufficient subscription) stop the stream for good (no crash loop) and surface an operator message;
 * any other close reconnects with exponential backoff and full jitter, through the "stream" circuit breaker
 * (an attempt that never authenticates is a failure). Alpaca allows one connection per account: use one
 * stream per process and stop() it on shutdown.
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

export class AlpacaStream {
  private socket: WebSocket | null = null;
  private attempt = 0;
  private stopped = false;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private fatal: { code: number; message: string } | null = null;
  private delayOverrideMs = 0;
  readonly breaker: SourceBreaker;
  /** Sockets opened so far (tests count reconnects with it). */
  connections = 0;
  private readonly options: Required<Omit<AlpacaStreamOptions, "breaker" | "breakerOptions" | "callbacks">> & { callbacks: AlpacaStreamCallbacks };

  constructor({ breaker, breakerOptions, ...options }: AlpacaStreamOptions) {
    if (options.tickers.length === 0) throw new Error("AlpacaStream: no symbols to subscribe");
    this.breaker = breaker ?? new SourceBreaker("alpaca", "stream", breakerOptions);
    this.options = { initialBackoffMs: 1_000, maxBackoffMs: 60_000, idleTimeoutMs: 120_000, exchange: "ALPACA", random: Math.random, ...options };
  }

  /** The fatal error that stopped the stream, if any. */
  get fatalError(): { code: number; message: string } | null {
    return this.fatal;
  }

  start(): void {
    this.stopped = false;
    this.open();
  }

  /** Drops the socket and reconnects after `delayMs` (e.g. gap repair failed). */
  reconnectNow(reason: string, delayMs = 0): void {
    this.attempt = 0;
    this.delayOverrideMs = delayMs;
    this.socket?.close(1000, reason);
  }

  async stop(): Promise<void> {
    this.stopped = true;
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
            this.attempt = 0;
            const tickers = [...this.options.tickers];
            socket.send(JSON.stringify({ action: "subscribe", trades: tickers, bars: tickers, updatedBars: tickers }));
            settle();
            this.options.callbacks.onAuthenticated();
          } else if (message.kind === "error") {
            lastError = message.operatorMessage;
            if (message.fatal) {
              this.fatal = { code: message.code, message: message.operatorMessage };
              settle(new NotAuthenticatedError(message.operatorMessage));
              this.options.callbacks.onFatal(this.fatal);
              socket.close(1000, "fatal error");
            } else this.options.callbacks.onError?.({ code: message.code, message: message.operatorMessage });
          } else if (message.kind !== "subscription" && message.kind !== "ignored") dataMessages.push(message);
        }
        if (dataMessages.length > 0 && authenticated) this.options.callbacks.onMessages(dataMessages);
      });
      socket.on("error", (error) => void (lastError = error.message));
      socket.on("close", (code, reason) => {
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
