/**
 * Browser client of the realtime gateway (no React): one WebSocket, one subscribed stream at a
 * time, gap detection on (epoch, seq) with re-subscribe, client pings to detect dead links, and
 * reconnects with exponential backoff and jitter. React glue: use-live-bars.ts.
 * Every connect first fetches a fresh access token (/api/auth/token: the user's, or a guest token)
 * and passes it as `?token=`; the gateway closes with 4001 without one or when it expires, and the
 * reconnect then brings a new token (docs/websocket.md "Authentication").
 */
import type { Bar } from "../../server/domain/bars/bar.ts";
import {
  FRESH_CURSOR,
  checkEvent,
  cursorFromSnapshot,
  parseServerMessage,
  reconnectDelayMs,
  type BarMessage,
  type StreamCursor,
} from "./live-protocol.ts";

export type ConnectionState = "connecting" | "connected" | "reconnecting" | "disconnected";

export interface ConnectionStatus {
  state: ConnectionState;
  /** Epoch ms of the next reconnect attempt while reconnecting. */
  retryAt: number | null;
  attempt: number;
}

export interface LiveHandlers {
  /** Snapshot bars (closed + live) for the current stream: merge them. */
  onSnapshot(stream: string, bars: Bar[]): void;
  /** One in-order bar event for the current stream. */
  onBar(stream: string, bar: Bar, kind: BarMessage["kind"]): void;
  onStatus(status: ConnectionStatus): void;
}

export interface LiveStream {
  symbol: string;
  timeframe: string;
}

const PING_EVERY_MS = 20_000;
const SILENCE_LIMIT_MS = 45_000;
const SUBSCRIBE_RETRY_MS = 3_000;

/** A fresh access token for the gateway from the web app (session cookie, or a guest token). */
export async function fetchAccessToken(): Promise<string> {
  const response = await fetch("/api/auth/token", { method: "POST", credentials: "same-origin", cache: "no-store" });
  if (!response.ok) throw new Error(`access token: HTTP ${response.status}`);
  const body = (await response.json()) as { token?: unknown };
  if (typeof body.token !== "string") throw new Error("access token: the answer has no token");
  return body.token;
}

export class LiveConnection {
  private socket: WebSocket | null = null;
  private stream: (LiveStream & { id: string }) | null = null;
  private cursor: StreamCursor = FRESH_CURSOR;
  private attempt = 0;
  private stopped = true;
  private lastMessageAt = 0;
  private timers = new Set<ReturnType<typeof setTimeout>>();
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  /** Bumped by every open/stop, so a token that arrives late for an abandoned attempt is dropped. */
  private generation = 0;

  constructor(
    private readonly url: string,
    private readonly handlers: LiveHandlers,
    private readonly maxAttempts = 10,
    private readonly fetchToken: () => Promise<string> = fetchAccessToken,
  ) {}

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

  /** Switches the subscription (null: none). */
  setStream(stream: LiveStream | null): void {
    const id = stream ? `${stream.symbol}:${stream.timeframe}` : null;
    if (id === (this.stream?.id ?? null)) return;
    if (this.stream) this.send({ op: "unsubscribe", symbol: this.stream.symbol, timeframe: this.stream.timeframe });
    this.stream = stream && id ? { ...stream, id } : null;
    this.cursor = FRESH_CURSOR;
    this.subscribe();
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
    const socket = new WebSocket(url.toString());
    this.socket = socket;
    socket.onopen = () => {
      this.attempt = 0;
      this.lastMessageAt = Date.now();
      this.handlers.onStatus({ state: "connected", retryAt: null, attempt: 0 });
      this.startPings();
      this.cursor = FRESH_CURSOR;
      this.subscribe();
    };
    socket.onmessage = (event: MessageEvent) => {
      this.lastMessageAt = Date.now();
      if (typeof event.data === "string") this.onMessage(event.data);
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

  private onMessage(text: string): void {
    const message = parseServerMessage(text);
    const stream = this.stream;
    if (!message || !stream) return;
    if (message.type === "snapshot" && message.stream === stream.id) {
      this.cursor = cursorFromSnapshot(message);
      this.handlers.onSnapshot(stream.id, message.live ? [...message.bars, message.live] : message.bars);
    } else if (message.type === "bar" && message.stream === stream.id) {
      const { decision, cursor } = checkEvent(this.cursor, message);
      this.cursor = cursor;
      if (decision === "apply") this.handlers.onBar(stream.id, message.bar, message.kind);
      else if (decision === "resync") this.subscribe();
    } else if (message.type === "error" && message.stream === stream.id && this.cursor.awaitingSnapshot) {
      this.later(() => this.subscribe(), SUBSCRIBE_RETRY_MS); // snapshot unavailable: ask again shortly
    }
  }

  private subscribe(): void {
    if (!this.stream) return;
    this.cursor = { ...this.cursor, awaitingSnapshot: true };
    this.send({ op: "subscribe", symbol: this.stream.symbol, timeframe: this.stream.timeframe });
  }

  private send(message: Record<string, string>): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
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

  private later(run: () => void, delayMs: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, delayMs);
    this.timers.add(timer);
  }

  private clearTimers(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = null;
  }
}
