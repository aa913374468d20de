/**
 * One shared gateway connection per page for notifications and the scanner (no React): a GatewaySocket
 * plus reference-counted topic subscriptions (`scanner`, `screen:{id}`) that are re-sent on every (re)open,
 * and listeners for the topic frames (realtime-messages.ts). Notifications need no subscription: the
 * gateway pushes them to signed-in users' sockets. A snapshot the gateway could not read (error "…
 * unavailable …") is asked for again after 3 s. Hooks: use-notifications.ts, use-scanner.ts.
 */
import { GatewaySocket, type ConnectionStatus, type GatewaySocketOptions } from "./gateway-socket.ts";
import { parseTopicMessage, type TopicMessage } from "./realtime-messages.ts";

const SUBSCRIBE_RETRY_MS = 3_000;

export class RealtimeClient {
  private readonly socket: GatewaySocket;
  private readonly messageListeners = new Set<(message: TopicMessage) => void>();
  private readonly statusListeners = new Set<(status: ConnectionStatus) => void>();
  private readonly topics = new Map<string, number>();
  status: ConnectionStatus = { state: "connecting", retryAt: null, attempt: 0 };

  constructor(url: string, options: GatewaySocketOptions = {}) {
    this.socket = new GatewaySocket(
      url,
      {
        onOpen: () => {
          for (const stream of this.topics.keys()) this.socket.send({ op: "subscribe", stream });
        },
        onMessage: (text) => this.dispatch(text),
        onStatus: (status) => {
          this.status = status;
          for (const listener of this.statusListeners) listener(status);
        },
      },
      options,
    );
  }

  start(): void {
    this.socket.start();
  }

  stop(): void {
    this.socket.stop();
  }

  reconnectNow(): void {
    this.socket.reconnectNow();
  }

  onMessage(listener: (message: TopicMessage) => void): () => void {
    this.messageListeners.add(listener);
    return () => this.messageListeners.delete(listener);
  }

  onStatus(listener: (status: ConnectionStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** Subscribes to `scanner` or `screen:{id}` (counted: the last release unsubscribes). */
  subscribe(stream: string): () => void {
    const count = this.topics.get(stream) ?? 0;
    this.topics.set(stream, count + 1);
    if (count === 0) this.socket.send({ op: "subscribe", stream });
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.topics.get(stream) ?? 1) - 1;
      if (left > 0) {
        this.topics.set(stream, left);
        return;
      }
      this.topics.delete(stream);
      this.socket.send({ op: "unsubscribe", stream });
    };
  }

  /** Asks for a fresh snapshot (after a gap the reducers detected). */
  resubscribe(stream: string): void {
    if (this.topics.has(stream)) this.socket.send({ op: "subscribe", stream });
  }

  private dispatch(text: string): void {
    const message = parseTopicMessage(text);
    if (!message) return;
    if (message.type === "error" && message.stream && this.topics.has(message.stream) && /unavailable/.test(message.message)) {
      const stream = message.stream;
      this.socket.later(() => this.resubscribe(stream), SUBSCRIBE_RETRY_MS);
    }
    for (const listener of this.messageListeners) listener(message);
  }
}

const shared = new Map<string, { client: RealtimeClient; users: number }>();

/** The page's client for `url`, started on first use; call the returned release when done (the last one stops it). */
export function acquireRealtimeClient(url: string): { client: RealtimeClient; release: () => void } {
  let entry = shared.get(url);
  if (!entry) {
    entry = { client: new RealtimeClient(url), users: 0 };
    shared.set(url, entry);
    entry.client.start();
  }
  entry.users += 1;
  const current = entry;
  let released = false;
  return {
    client: current.client,
    release: () => {
      if (released) return;
      released = true;
      current.users -= 1;
      if (current.users === 0) {
        current.client.stop();
        shared.delete(url);
      }
    },
  };
}
