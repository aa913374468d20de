/**
 * One Binance combined-stream WebSocket (`${baseUrl}/stream?streams=a/b/c`) and its control queue.
 * BinanceStream (binance-stream.ts) owns one or two of these (two while a connection is being replaced).
 * - `connected` resolves on the first frame or ping (the connection works), `streaming` on the first data frame
 *   (a `{"stream":…}` frame: the rollover switch point); both reject if the socket closes first.
 * - Pings are answered with a pong echoing the payload, through the control queue, so pongs and control
 *   messages together stay within Binance's 5 messages per second.
 * - Replies to control requests (`{"result":…,"id":N}`) are consumed here; everything else goes to `onData`.
 * - A socket silent for `idleTimeoutMs` is terminated (a dead TCP connection never says so itself).
 */
import WebSocket from "ws";
import { ControlQueue, type ControlMethod } from "./control-queue.ts";

export interface BinanceSocketOptions {
  baseUrl: string;
  streams: readonly string[];
  idleTimeoutMs: number;
  controlPerSecond: number;
  onData(text: string): void;
  onOpen(): void;
  onClose(code: number, reason: string, lastError: string): void;
  onControlSent?(method: ControlMethod): void;
}

/** The socket closed before it delivered what was awaited. */
export class SocketClosedError extends Error {
  name = "SocketClosedError";
}

export class BinanceSocket {
  readonly control: ControlQueue;
  /** Streams this socket carries: those of its URL plus what was subscribed on it since. */
  readonly streams: Set<string>;
  readonly connected: Promise<void>;
  readonly streaming: Promise<void>;
  openedAt: number | null = null;
  private readonly socket: WebSocket;
  private idleTimer: NodeJS.Timeout | null = null;
  private lastError = "";

  constructor(private readonly options: BinanceSocketOptions) {
    this.streams = new Set(options.streams);
    const url = `${options.baseUrl.replace(/\/+$/, "")}/stream?streams=${options.streams.join("/")}`;
    this.socket = new WebSocket(url, { handshakeTimeout: 10_000, autoPong: false });
    this.control = new ControlQueue({
      perSecond: options.controlPerSecond,
      send: (text) => this.socket.send(text),
      pong: (data) => this.socket.pong(data),
      onSent: options.onControlSent,
    });
    let markConnected!: () => void;
    let markStreaming!: () => void;
    let failConnected!: (error: Error) => void;
    let failStreaming!: (error: Error) => void;
    this.connected = new Promise<void>((resolve, reject) => ((markConnected = resolve), (failConnected = reject)));
    this.streaming = new Promise<void>((resolve, reject) => ((markStreaming = resolve), (failStreaming = reject)));
    this.streaming.catch(() => undefined); // awaited only during a rollover
    this.socket.on("open", () => {
      this.openedAt = Date.now();
      this.touch();
      this.control.start();
      options.onOpen();
    });
    this.socket.on("message", (data, isBinary) => {
      this.touch();
      markConnected();
      if (isBinary) return;
      const text = data.toString();
      if (text.startsWith('{"stream"')) markStreaming();
      else if (this.isReply(text)) return;
      options.onData(text);
    });
    this.socket.on("ping", (data) => {
      this.touch();
      markConnected();
      this.control.pong(data);
    });
    this.socket.on("error", (error) => void (this.lastError = error.message)); // followed by "close"
    this.socket.on("close", (code, reason) => {
      if (this.idleTimer) clearTimeout(this.idleTimer);
      const error = new SocketClosedError(`stream closed before streaming: ${this.lastError || `code ${code}`}`);
      failConnected(error);
      failStreaming(error);
      this.control.close(new SocketClosedError(`socket closed (code ${code})`));
      options.onClose(code, reason.toString(), this.lastError);
    });
  }

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  get isClosed(): boolean {
    return this.socket.readyState === WebSocket.CLOSED;
  }

  request(method: ControlMethod, params: readonly string[] = []): Promise<unknown> {
    if (method === "SUBSCRIBE") params.forEach((stream) => this.streams.add(stream));
    if (method === "UNSUBSCRIBE") params.forEach((stream) => this.streams.delete(stream));
    return this.control.request(method, params);
  }

  close(code: number, reason: string): void {
    if (this.socket.readyState === WebSocket.CLOSED) return;
    this.socket.close(code, reason);
  }

  /** Closes and resolves once closed (terminating after 2 s without the close handshake). */
  async closeAndWait(code: number, reason: string): Promise<void> {
    if (this.isClosed) return;
    await new Promise<void>((resolve) => {
      this.socket.once("close", () => resolve());
      this.close(code, reason);
      setTimeout(() => {
        this.socket.terminate();
        resolve();
      }, 2_000).unref();
    });
  }

  private isReply(text: string): boolean {
    if (!text.includes('"id"')) return false;
    try {
      return this.control.handleReply(JSON.parse(text) as { id?: unknown });
    } catch {
      return false;
    }
  }

  private touch(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.socket.terminate(), this.options.idleTimeoutMs);
  }
}
