/**
 * In-memory routing table of one gateway process: which connections watch which stream, and the
 * last (epoch, seq) seen per stream on Redis pub/sub. Each incoming BarEvent is serialized, UTF-8
 * encoded and WebSocket-framed once (shared-frame.ts), and the same bytes go to every subscriber of its stream.
 */
import { asBar } from "../services/bar-json.ts";
import { BAR_EVENT_KINDS, type BarEventKind, type BarMessage, type StreamId } from "./protocol.ts";
import { sharedTextFrame, type SharedFrame } from "./shared-frame.ts";

/** The part of a connection the hub needs. */
export interface HubClient {
  readonly streams: Set<StreamId>;
  /** `frame` is one framed JSON text message, shared by all subscribers: never modify it. */
  send(frame: SharedFrame, stream: StreamId): void;
}

export interface StreamPosition {
  epoch: string;
  seq: number;
}

/** Parses a BarEvent (docs/architecture.md) published on `stream`; undefined when malformed. */
export function parseBarEvent(stream: StreamId, message: string): BarMessage | undefined {
  let data: unknown;
  try {
    data = JSON.parse(message);
  } catch {
    return undefined;
  }
  if (typeof data !== "object" || data === null) return undefined;
  const event = data as Record<string, unknown>;
  if (typeof event.epoch !== "string" || typeof event.seq !== "number" || !Number.isInteger(event.seq)) return undefined;
  if (!BAR_EVENT_KINDS.includes(event.kind as BarEventKind)) return undefined;
  if (event.stream !== undefined && event.stream !== stream) return undefined;
  const bar = asBar(event.bar);
  if (!bar) return undefined;
  return { type: "bar", stream, epoch: event.epoch, seq: event.seq, kind: event.kind as BarEventKind, bar };
}

export class StreamHub {
  private readonly subscribers = new Map<StreamId, Set<HubClient>>();
  private readonly positions = new Map<StreamId, StreamPosition>();
  /** Events received from pub/sub (valid ones). */
  eventsReceived = 0;
  /** Malformed pub/sub messages dropped. */
  eventsDropped = 0;
  /** Frames written to clients. */
  framesSent = 0;

  /** Handles one pub/sub message; returns how many clients it went to. */
  publish(stream: StreamId, message: string): number {
    const event = parseBarEvent(stream, message);
    if (!event) {
      this.eventsDropped += 1;
      return 0;
    }
    this.eventsReceived += 1;
    this.positions.set(stream, { epoch: event.epoch, seq: event.seq });
    const clients = this.subscribers.get(stream);
    if (!clients || clients.size === 0) return 0;
    const frame = sharedTextFrame(JSON.stringify(event));
    for (const client of clients) client.send(frame, stream);
    this.framesSent += clients.size;
    return clients.size;
  }

  /** Last (epoch, seq) seen on a stream, or undefined before its first event. */
  position(stream: StreamId): StreamPosition | undefined {
    return this.positions.get(stream);
  }

  add(client: HubClient, stream: StreamId): void {
    let clients = this.subscribers.get(stream);
    if (!clients) {
      clients = new Set();
      this.subscribers.set(stream, clients);
    }
    clients.add(client);
    client.streams.add(stream);
  }

  remove(client: HubClient, stream: StreamId): void {
    client.streams.delete(stream);
    const clients = this.subscribers.get(stream);
    if (!clients) return;
    clients.delete(client);
    if (clients.size === 0) this.subscribers.delete(stream);
  }

  removeClient(client: HubClient): void {
    for (const stream of [...client.streams]) this.remove(client, stream);
  }

  /** Number of (client, stream) pairs. */
  subscriptionCount(): number {
    let count = 0;
    for (const clients of this.subscribers.values()) count += clients.size;
    return count;
  }

  /** Number of streams with at least one subscriber. */
  activeStreamCount(): number {
    return this.subscribers.size;
  }
}
