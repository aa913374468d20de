/**
 * The lifecycle of one browser WebSocket to the realtime gateway (no React, no protocol knowledge):
 * every connect first fetches a fresh access token (/api/auth/token: the user's, or a guest token) and
 * passes it as `?token=` (the gateway closes with 4001 without one or when it expires, and the reconnect
 * brings a new one); reconnects with exponential backoff and jitter; client pings every 20 s and a silent
 * link (45 s) is dropped and reconnected. Users: the chart's LiveConnection (components/chart/live-connection.ts)
 * and the notifications/scanner client (realtime-client.ts). Protocol: docs/websocket.md.
 */
import { reconnectDelayMs } from "../chart/live-protocol.ts";

export type ConnectionState = "connecting" | "connected" | "reconnecting" | "disconnected";

export interface ConnectionStatus {
  state: ConnectionState;
  /** Epoch ms of the next reconnect attempt while reconnecting. */
  retryAt: number | null;
  attempt: number;
}

export interface GatewaySocketHandlers {
  /** The socket is open: (re)send subscriptions. */
  onOpen(): void;
  /** One text frame. */
  onMessage(text: string): void;
  onStatus(status: ConnectionStatus): void;
}

/** What the socket needs from a WebSocket (the browser's, or `ws` in tests). */
export interface SocketLike {
  readonly readyState: number;
  onopen: ((event: never) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: never) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export interface GatewaySocketOptions {
  /** Attempts before giving up ("disconnected"; reconnectNow() starts again). Default 10. */
  maxAttempts?: number;
  fetchToken?: () => Promise<string>;
  /** Default: the browser's WebSocket. */
  createSocket?: (url: string) => SocketLike;
}

const OPEN = 1;
const PING_EVERY_MS = 20_000;
const SILENCE_LIMIT_MS = 45_000;

/** A fresh access token for the gateway from the web app (session cookie, or a guest token). */
export async function fetchAccessToken(): Promise<string> {
  const response = await fetch("/api/auth/token", { method: "POST", credentials: "same-origin", cache: "no-store" });
  if (!response.ok) throw new Error(`access token: HTTP ${response.status}`);
  const body = (await response.json()) as { token?: unknown };
  if (typeof body.token !== "string") throw new Error("access token: the answer has no token");
  return body.token;
}

export class GatewaySocket {
  private socket: SocketLike | null = null;
  private attempt = 0;
  private stopped = true;
  private lastMessageAt = 0;
  private timers = new Set<ReturnType<typeof setTimeout>>();
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  /** Bumped by every open/stop, so a token that arrives late for an abandoned attempt is dropped. */
  private generation = 0;
  private readonly maxAttempts: number;
  private readonly fetchToken: () => Promise<string>;
  private readonly createSocket: (url: string) => SocketLike;

  constructor(
    private readonly url: string,
    private readonly handlers: GatewaySocketHandlers,
    options: GatewaySocketOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? 10;
    this.fetchToken = options.fetchToken ?? fetchAccessToken;
    this.createSocket = options.createSocket ?? ((target) => new WebSocket(target) as unknown as SocketLike);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.open("connecting");
  }

  stop(): void {
    this.stopped = true;
    this.generation += 1;
    this.clearTimers();
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.onclose = null;
      socket.close(1000, "bye");
    }
  }

  /** Connects again at once (the "Reconnect" button, or the browser coming back online). */
  reconnectNow(): void {
    this.stop();
    this.attempt = 0;
    this.start();
  }

  /** Sends one JSON message when the socket is open (else drops it: onOpen re-sends subscriptions). */
  send(message: Record<string, string>): void {
    if (this.socket?.readyState === OPEN) this.socket.send(JSON.stringify(message));
  }

  /** Runs `run` after `delayMs` unless the connection closes or stops first. */
  later(run: () => void, delayMs: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, delayMs);
    this.timers.add(timer);
  }

  private open(state: ConnectionState): void {
    this.handlers.onStatus({ state, retryAt: null, attempt: this.attempt });
    const generation = ++this.generation;
    this.fetchToken().then(
      (token) => {
        if (!this.stopped && generation === this.generation) this.connect(token);
      },
      () => {
        if (!this.stopped && generation === this.generation) this.onClosed(); // no token: back off and retry
      },
    );
  }

  private connect(token: string): void {
    const url = new URL(this.url);
    url.searchParams.set("token", token);
    const socket = this.createSocket(url.toString());
    this.socket = socket;
    socket.onopen = () => {
      this.attempt = 0;
      this.lastMessageAt = Date.now();
      this.handlers.onStatus({ state: "connected", retryAt: null, attempt: 0 });
      this.startPings();
      this.handlers.onOpen();
    };
    socket.onmessage = (event) => {
      this.lastMessageAt = Date.now();
      if (typeof event.data === "string") this.handlers.onMessage(event.data);
    };
    socket.onclose = () => this.onClosed();
  }

  private onClosed(): void {
    this.socket = null;
    this.clearTimers();
    if (this.stopped) return;
    this.attempt += 1;
    if (this.attempt > this.maxAttempts) {
      this.handlers.onStatus({ state: "disconnected", retryAt: null, attempt: this.attempt });
      return;
    }
    const delay = reconnectDelayMs(this.attempt - 1, Math.random());
    this.handlers.onStatus({ state: "reconnecting", retryAt: Date.now() + delay, attempt: this.attempt });
    this.later(() => this.open("reconnecting"), delay);
  }

  private startPings(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => {
      const socket = this.socket;
      if (!socket) return;
      if (Date.now() - this.lastMessageAt > SILENCE_LIMIT_MS) {
        // A dead link may take minutes to report close: drop it and reconnect now.
        socket.onclose = null;
        socket.close();
        this.onClosed();
        return;
      }
      this.send({ op: "ping" });
    }, PING_EVERY_MS);
  }

  private clearTimers(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = null;
  }
}
