/**
 * One Binance combined-stream WebSocket connection with reconnect.
 * - URL: `${BINANCE_WS_URL}/stream?streams=a/b/c` (at most 1,024 streams per connection).
 * - Pings: the server pings every 20 s; `ws` answers with a pong echoing the payload. A socket silent
 *   for `idleTimeoutMs` is treated as dead and replaced.
 * - serverShutdown: reconnect at once. Any close/error: reconnect with exponential backoff and full jitter.
 * Frames are handed over raw; parsing happens in the caller (domain/binance/binance-frames.ts).
 */
import WebSocket from "ws";

export interface StreamCallbacks {
  onOpen(): void;
  onFrame(text: string): void;
  onClose(info: { code: number; reason: string; reconnectInMs: number | null }): void;
}

export interface BinanceStreamOptions {
  baseUrl: string;
  streams: readonly string[];
  callbacks: StreamCallbacks;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  idleTimeoutMs?: number;
  random?: () => number;
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
  private readonly options: Required<BinanceStreamOptions>;

  constructor(options: BinanceStreamOptions) {
    if (options.streams.length === 0) throw new Error("BinanceStream: no streams to subscribe");
    if (options.streams.length > MAX_STREAMS_PER_CONNECTION) {
      throw new Error(`BinanceStream: ${options.streams.length} streams exceed ${MAX_STREAMS_PER_CONNECTION} per connection`);
    }
    this.options = { initialBackoffMs: 500, maxBackoffMs: 30_000, idleTimeoutMs: 60_000, random: Math.random, ...options };
  }

  get url(): string {
    return `${this.options.baseUrl.replace(/\/+$/, "")}/stream?streams=${this.options.streams.join("/")}`;
  }

  start(): void {
    this.stopped = false;
    this.open();
  }

  /** Drops the current socket and reconnects at once (serverShutdown, or a forced refresh). */
  reconnectNow(reason: string): void {
    this.attempt = 0;
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
    const socket = new WebSocket(this.url, { handshakeTimeout: 10_000 });
    this.socket = socket;
    socket.on("open", () => {
      this.attempt = 0;
      this.touch(socket);
      this.options.callbacks.onOpen();
    });
    socket.on("message", (data, isBinary) => {
      this.touch(socket);
      if (!isBinary) this.options.callbacks.onFrame(data.toString());
    });
    socket.on("ping", () => this.touch(socket));
    socket.on("error", () => undefined); // followed by "close"
    socket.on("close", (code, reason) => this.handleClose(socket, code, reason.toString()));
  }

  private touch(socket: WebSocket): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => socket.terminate(), this.options.idleTimeoutMs);
  }

  private handleClose(socket: WebSocket, code: number, reason: string): void {
    if (this.socket !== socket) return;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    if (this.stopped) {
      this.options.callbacks.onClose({ code, reason, reconnectInMs: null });
      return;
    }
    const delay = backoffDelay(this.attempt, this.options.initialBackoffMs, this.options.maxBackoffMs, this.options.random);
    this.attempt += 1;
    this.options.callbacks.onClose({ code, reason, reconnectInMs: delay });
    this.reconnectTimer = setTimeout(() => this.open(), delay);
  }
}
