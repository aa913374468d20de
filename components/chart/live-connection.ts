/**
 * Browser client of the realtime gateway for the chart (no React): one subscribed bar stream at a
 * time, gap detection on (epoch, seq) with re-subscribe. The socket itself (access token per connect,
 * 4001 → new token, client pings, reconnects with exponential backoff and jitter) is the shared
 * GatewaySocket (components/realtime/gateway-socket.ts). React glue: use-live-bars.ts.
 */
import type { Bar } from "../../server/domain/bars/bar.ts";
import { GatewaySocket, type ConnectionStatus, type GatewaySocketOptions } from "../realtime/gateway-socket.ts";
import { FRESH_CURSOR, checkEvent, cursorFromSnapshot, parseServerMessage, type BarMessage, type StreamCursor } from "./live-protocol.ts";

export { fetchAccessToken, type ConnectionState, type ConnectionStatus } from "../realtime/gateway-socket.ts";

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

const SUBSCRIBE_RETRY_MS = 3_000;

export class LiveConnection {
  private readonly socket: GatewaySocket;
  private stream: (LiveStream & { id: string }) | null = null;
  private cursor: StreamCursor = FRESH_CURSOR;

  constructor(
    url: string,
    private readonly handlers: LiveHandlers,
    maxAttempts = 10,
    fetchToken?: () => Promise<string>,
    createSocket?: GatewaySocketOptions["createSocket"],
  ) {
    this.socket = new GatewaySocket(
      url,
      {
        onOpen: () => {
          this.cursor = FRESH_CURSOR;
          this.subscribe();
        },
        onMessage: (text) => this.onMessage(text),
        onStatus: (status) => this.handlers.onStatus(status),
      },
      { maxAttempts, ...(fetchToken ? { fetchToken } : {}), ...(createSocket ? { createSocket } : {}) },
    );
  }

  start(): void {
    this.socket.start();
  }

  stop(): void {
    this.socket.stop();
  }

  /** Connects again at once (the "Reconnect" button, or the browser coming back online). */
  reconnectNow(): void {
    this.socket.reconnectNow();
  }

  /** Switches the subscription (null: none). */
  setStream(stream: LiveStream | null): void {
    const id = stream ? `${stream.symbol}:${stream.timeframe}` : null;
    if (id === (this.stream?.id ?? null)) return;
    if (this.stream) this.socket.send({ op: "unsubscribe", symbol: this.stream.symbol, timeframe: this.stream.timeframe });
    this.stream = stream && id ? { ...stream, id } : null;
    this.cursor = FRESH_CURSOR;
    this.subscribe();
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
      this.socket.later(() => this.subscribe(), SUBSCRIBE_RETRY_MS); // snapshot unavailable: ask again shortly
    }
  }

  private subscribe(): void {
    if (!this.stream) return;
    this.cursor = { ...this.cursor, awaitingSnapshot: true };
    this.socket.send({ op: "subscribe", symbol: this.stream.symbol, timeframe: this.stream.timeframe });
  }
}
