/**
 * Realtime gateway: a `ws` WebSocketServer on `/ws` that relays Redis pub/sub bar events to the
 * browsers subscribed to each stream (protocol in docs/websocket.md). Stateless: any number of
 * replicas can run; one psubscribe per process, snapshots from the Redis ZSET. Entry: workers/gateway.ts.
 * With `auth` set (always, in the product), a connection needs a valid access token or is closed
 * with 4001 (gateway-auth.ts).
 * Besides bars it relays, with one more psubscribe and one subscribe per process: each signed-in user's
 * in-app notifications (`{ns}:notify:user:*`, fanned out by the token's user id; guests get none), and
 * the scanner's per-cycle update (`{ns}:scanner:updates`) to subscribers of `scanner` and of their own
 * screens `screen:{id}` (ownership checked in the `screens` table), each with a snapshot on subscribe.
 * Fan-out: every relayed message is serialized and framed once and the same bytes are written to each
 * subscriber's socket (shared-frame.ts); a subscriber more than `maxBufferedBytes` behind is cut off.
 */
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { Redis } from "ioredis";
import type pg from "pg";
import type { Logger } from "pino";
import { Registry } from "prom-client";
import { WebSocketServer, WebSocket } from "ws";
import { redisKeys } from "../redis/keys.ts";
import { CLOSE_UNAUTHORIZED, authenticateUpgrade, registerAuthMetrics, type GatewayAuth } from "./gateway-auth.ts";
import { registerGatewayMetrics } from "./gateway-metrics.ts";
import {
  SCANNER_STREAM,
  isTopicRequest,
  parseClientRequest,
  type BarRequest,
  type ServerMessage,
  type StreamId,
  type TopicRequest,
} from "./protocol.ts";
import { readScreenMatches, readToplists, screenOwner } from "./scanner-snapshot.ts";
import { readSnapshot } from "./snapshot.ts";
import { sharedTextFrame, writeSharedFrame, type SharedFrame, type WriteOutcome } from "./shared-frame.ts";
import { StreamHub, type HubClient } from "./stream-hub.ts";
import { TopicFanout } from "./topic-fanout.ts";
import { parseNotification, parseScannerUpdate } from "./topic-messages.ts";

export interface GatewayOptions {
  /** 0 picks a free port (tests). */
  port: number;
  host?: string;
  path?: string;
  namespace: string;
  redisUrl: string;
  registry?: Registry;
  logger?: Logger;
  heartbeatMs?: number;
  maxSubscriptionsPerClient?: number;
  /** A client whose unsent data exceeds this is dropped (it cannot keep up). */
  maxBufferedBytes?: number;
  /** Token check for every connection (workers/gateway.ts always sets it); unset: open, for protocol tests and benchmarks. */
  auth?: GatewayAuth;
  /** For the ownership check of `screen:{id}` subscriptions (the `screens` table); unset: screens are refused. */
  pool?: pg.Pool;
}

export interface Gateway {
  readonly port: number;
  readonly registry: Registry;
  clientCount(): number;
  /** Resolves once the pattern subscription is active (events published after this are relayed). */
  ready: Promise<void>;
  close(): Promise<void>;
}

interface Connection extends HubClient {
  socket: WebSocket;
  /** The TCP (or TLS) socket `socket` runs on (the upgrade request's socket): shared frames are written to it. */
  wire: Duplex;
  alive: boolean;
  /** Streams the client asked for; a snapshot that lands after an unsubscribe is dropped. */
  wanted: Set<StreamId>;
  /** Events that arrived while the stream's snapshot was being read; sent right after it. */
  pending: Map<StreamId, SharedFrame[]>;
  /** The token's user id (role user/admin); null for guests and unauthenticated gateways: no notifications. */
  userId: string | null;
  /** Scanner/screen streams this connection is registered for in `topics`. */
  topicStreams: Set<StreamId>;
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const path = options.path ?? "/ws";
  const keys = redisKeys(options.namespace);
  const registry = options.registry ?? new Registry();
  const log = options.logger;
  const maxSubscriptions = options.maxSubscriptionsPerClient ?? 50;
  const maxBuffered = options.maxBufferedBytes ?? 4 * 1024 * 1024;
  const channelPrefix = keys.barChannelPattern().slice(0, -1); // "{ns}:bars:" (pattern minus "*")
  const notifyPrefix = keys.notifyUser(""); // "{ns}:notify:user:"
  const scannerChannel = keys.scannerUpdates();

  const hub = new StreamHub();
  const connections = new Set<Connection>();
  /** user id → that user's connections (notifications). */
  const users = new TopicFanout<Connection>();
  /** "scanner" / "screen:{id}" → subscribed connections. */
  const topics = new TopicFanout<Connection>();
  /** The newest scanner cycle seen (the position a scanner/screen snapshot carries). */
  let scannerPosition: { epoch: string; seq: number; at: number } | null = null;
  const metrics = registerGatewayMetrics(registry, hub, () => connections.size);
  const authRejected = registerAuthMetrics(registry);

  /** Resolves true once the connection may talk; false after closing it with 4001. */
  async function admit(connection: Connection, request: IncomingMessage): Promise<boolean> {
    const socket = connection.socket;
    const auth = options.auth;
    if (!auth) return true;
    const result = await authenticateUpgrade(request, auth);
    if (!result.ok) {
      authRejected.inc({ reason: result.reason.split(":")[0] ?? "invalid" });
      socket.close(CLOSE_UNAUTHORIZED, result.reason.slice(0, 120));
      return false;
    }
    const leftMs = result.claims.exp * 1000 - (auth.now ?? Date.now)();
    const expiry = setTimeout(() => {
      authRejected.inc({ reason: "expired while connected" });
      socket.close(CLOSE_UNAUTHORIZED, "token expired");
    }, Math.max(0, leftMs));
    expiry.unref();
    socket.once("close", () => clearTimeout(expiry));
    const { role, sub } = result.claims;
    if ((role === "user" || role === "admin") && socket.readyState === WebSocket.OPEN) {
      connection.userId = sub;
      users.add(sub, connection);
    }
    return true;
  }

  const retryStrategy = (attempt: number) => Math.min(attempt * 200, 2_000);
  const subscriber = new Redis(options.redisUrl, { maxRetriesPerRequest: null, retryStrategy });
  const command = new Redis(options.redisUrl, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    commandTimeout: 2_000,
    retryStrategy,
  });
  subscriber.on("error", (error) => log?.warn({ err: error.message }, "redis subscriber error"));
  command.on("error", (error) => log?.debug({ err: error.message }, "redis command error"));
  subscriber.on("pmessage", (_pattern: string, channel: string, message: string) => {
    if (channel.startsWith(channelPrefix)) hub.publish(channel.slice(channelPrefix.length), message);
    else if (channel.startsWith(notifyPrefix)) relayNotification(channel.slice(notifyPrefix.length), message);
  });
  subscriber.on("message", (channel: string, message: string) => {
    if (channel === scannerChannel) relayScannerUpdate(message);
  });
  const ready = Promise.all([
    subscriber.psubscribe(keys.barChannelPattern(), keys.notifyUser("*")),
    subscriber.subscribe(scannerChannel),
  ]).then(() => undefined);
  ready.catch((error: unknown) => log?.error({ err: String(error) }, "psubscribe failed"));

  const http = createServer((_request, response) => {
    response.writeHead(426, { "content-type": "text/plain" }).end("WebSocket endpoint: connect to " + path);
  });
  // perMessageDeflate stays off (also ws's server default): compressing costs CPU per client, and
  // shared-frame.ts relies on ws writing each of its own frames synchronously (no deflate queue).
  const server = new WebSocketServer({ server: http, path, maxPayload: 4_096, perMessageDeflate: false });

  /** Fan-out frames go out as shared bytes; one-off replies (snapshots, errors, pongs) through ws. */
  function send(connection: Connection, message: ServerMessage | SharedFrame): WriteOutcome {
    const socket = connection.socket;
    if (!("type" in message)) {
      const outcome = writeSharedFrame(socket, connection.wire, message, maxBuffered);
      if (outcome === "dropped_slow") metrics.slowClientsTerminated.inc();
      return outcome;
    }
    if (socket.readyState !== WebSocket.OPEN) return "closed";
    if (socket.bufferedAmount > maxBuffered) {
      metrics.slowClientsTerminated.inc();
      socket.terminate();
      return "dropped_slow";
    }
    socket.send(JSON.stringify(message));
    return "sent";
  }

  /**
   * Sends a topic frame to each client (or queues it behind the stream's snapshot being read) and counts
   * the outcomes once per fan-out (a labelled counter increment per client would cost more than the write).
   */
  function fanOut(clients: Iterable<Connection>, frame: SharedFrame, stream: StreamId | null, topic: string): void {
    let sent = 0;
    let dropped = 0;
    let closed = 0;
    for (const connection of clients) {
      const buffer = stream === null ? undefined : connection.pending.get(stream);
      const outcome = buffer ? (buffer.push(frame), "sent") : send(connection, frame);
      if (outcome === "sent") sent += 1;
      else if (outcome === "dropped_slow") dropped += 1;
      else closed += 1;
    }
    if (sent > 0) metrics.topicFrames.inc({ topic, outcome: "sent" }, sent);
    if (dropped > 0) metrics.topicFrames.inc({ topic, outcome: "dropped_slow" }, dropped);
    if (closed > 0) metrics.topicFrames.inc({ topic, outcome: "closed" }, closed);
  }

  function relayNotification(userId: string, message: string): void {
    const parsed = parseNotification(message);
    if (!parsed) {
      metrics.topicEvents.inc({ topic: "notification", outcome: "malformed" });
      return;
    }
    metrics.topicEvents.inc({ topic: "notification", outcome: "relayed" });
    const clients = users.get(userId);
    if (!clients) return;
    fanOut(clients, sharedTextFrame(JSON.stringify(parsed)), null, "notification");
  }

  function relayScannerUpdate(message: string): void {
    const cycle = parseScannerUpdate(message);
    if (!cycle) {
      metrics.topicEvents.inc({ topic: "scanner", outcome: "malformed" });
      return;
    }
    metrics.topicEvents.inc({ topic: "scanner", outcome: "relayed" });
    scannerPosition = { epoch: cycle.epoch, seq: cycle.seq, at: cycle.at };
    const listeners = topics.get(SCANNER_STREAM);
    if (listeners && listeners.size > 0) {
      fanOut(listeners, sharedTextFrame(JSON.stringify(cycle.scanner)), SCANNER_STREAM, "scanner");
    }
    for (const [, frame] of cycle.screens) {
      const watchers = topics.get(frame.stream);
      if (!watchers) continue;
      fanOut(watchers, sharedTextFrame(JSON.stringify(frame)), frame.stream, "screen");
    }
  }

  /** The fail-fast command connection rejects until connected; give a fresh one a moment. */
  async function commandReady(): Promise<void> {
    if (command.status === "ready") return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, 2_000);
      function done() {
        clearTimeout(timer);
        command.off("ready", done);
        resolve();
      }
      command.once("ready", done);
    });
  }

  /** False (and an error to the client) when the connection already holds the maximum of streams. */
  function roomFor(connection: Connection, stream: StreamId): boolean {
    if (connection.wanted.has(stream) || connection.wanted.size < maxSubscriptions) return true;
    metrics.badRequests.inc();
    send(connection, { type: "error", stream, message: `too many subscriptions (max ${maxSubscriptions} per connection)` });
    return false;
  }

  async function subscribe(connection: Connection, request: Extract<BarRequest, { op: "subscribe" }>) {
    const { stream, symbol, timeframe } = request;
    if (!roomFor(connection, stream)) return;
    if (connection.pending.has(stream)) return; // a snapshot for this stream is already on its way
    connection.wanted.add(stream);
    // Position first, then listen (buffered), then read: every event after this position reaches
    // the client after the snapshot, whether or not the snapshot already contains its bar.
    const position = hub.position(stream);
    connection.pending.set(stream, []);
    hub.add(connection, stream);
    try {
      await commandReady();
      const snapshot = await readSnapshot(command, keys, symbol, timeframe);
      const buffered = connection.pending.get(stream) ?? [];
      connection.pending.delete(stream);
      if (!connection.wanted.has(stream) || connection.socket.readyState !== WebSocket.OPEN) return;
      send(connection, {
        type: "snapshot",
        stream,
        epoch: position?.epoch ?? null,
        seq: position?.seq ?? null,
        bars: snapshot.bars,
        live: snapshot.live,
      });
      for (const frame of buffered) send(connection, frame);
      metrics.snapshotsSent.inc();
    } catch (error) {
      connection.pending.delete(stream);
      connection.wanted.delete(stream);
      hub.remove(connection, stream);
      metrics.snapshotFailures.inc();
      log?.warn({ stream, err: String(error) }, "snapshot failed");
      send(connection, { type: "error", stream, message: `snapshot of ${stream} is unavailable (Redis did not answer); retry` });
    }
  }

  /** May this connection watch `screen:{id}`? Only its user's own screens; anything else reads as "not found". */
  async function ownsScreen(connection: Connection, screenId: string): Promise<boolean> {
    if (!connection.userId || !options.pool) return false;
    return (await screenOwner(options.pool, screenId)) === connection.userId;
  }

  function dropTopic(connection: Connection, stream: StreamId): void {
    connection.wanted.delete(stream);
    connection.pending.delete(stream);
    connection.topicStreams.delete(stream);
    topics.remove(stream, connection);
  }

  async function subscribeTopic(connection: Connection, request: TopicRequest): Promise<void> {
    const { stream } = request;
    if (!roomFor(connection, stream)) return;
    if (connection.pending.has(stream)) return; // a snapshot is already on its way
    if (request.topic === "screen") {
      let allowed: boolean;
      try {
        allowed = await ownsScreen(connection, request.screenId);
      } catch (error) {
        log?.warn({ stream, err: String(error) }, "screen ownership check failed");
        send(connection, { type: "error", stream, message: `${stream} cannot be checked right now (database unavailable); retry` });
        return;
      }
      if (!allowed) {
        metrics.badRequests.inc();
        send(connection, { type: "error", stream, message: `screen ${request.screenId} not found` });
        return;
      }
      if (connection.socket.readyState !== WebSocket.OPEN) return;
    }
    // As for bars: take the position, buffer what arrives, read, send the snapshot, then the buffer.
    const position = scannerPosition;
    connection.wanted.add(stream);
    connection.pending.set(stream, []);
    connection.topicStreams.add(stream);
    topics.add(stream, connection);
    try {
      await commandReady();
      const base = { snapshot: true, epoch: position?.epoch ?? null, seq: position?.seq ?? null };
      const message: ServerMessage =
        request.topic === "scanner"
          ? { type: "scanner", stream: SCANNER_STREAM, ...base, at: position?.at ?? null, lists: await readToplists(command, keys) }
          : await readScreenMatches(command, keys, request.screenId).then((symbols) => ({
              type: "screen" as const,
              stream,
              screenId: request.screenId,
              ...base,
              symbols,
              count: symbols.length,
            }));
      const buffered = connection.pending.get(stream) ?? [];
      connection.pending.delete(stream);
      if (!connection.wanted.has(stream) || connection.socket.readyState !== WebSocket.OPEN) return;
      send(connection, message);
      for (const frame of buffered) send(connection, frame);
      metrics.snapshotsSent.inc();
    } catch (error) {
      dropTopic(connection, stream);
      metrics.snapshotFailures.inc();
      log?.warn({ stream, err: String(error) }, "scanner snapshot failed");
      send(connection, { type: "error", stream, message: `snapshot of ${stream} is unavailable (Redis did not answer); retry` });
    }
  }

  function onMessage(connection: Connection, text: string): void {
    const parsed = parseClientRequest(text);
    if (!parsed.ok) {
      metrics.badRequests.inc();
      send(connection, { type: "error", message: parsed.error, ...(parsed.stream ? { stream: parsed.stream } : {}) });
      return;
    }
    const request = parsed.value;
    if (request.op === "ping") {
      send(connection, { type: "pong" });
    } else if (isTopicRequest(request)) {
      if (request.op === "subscribe") void subscribeTopic(connection, request);
      else dropTopic(connection, request.stream);
    } else if (request.op === "subscribe") {
      void subscribe(connection, request);
    } else {
      connection.wanted.delete(request.stream);
      connection.pending.delete(request.stream);
      hub.remove(connection, request.stream);
    }
  }

  server.on("connection", (socket: WebSocket, request: IncomingMessage) => {
    const connection: Connection = {
      socket,
      wire: request.socket,
      alive: true,
      wanted: new Set(),
      pending: new Map(),
      streams: new Set(),
      userId: null,
      topicStreams: new Set(),
      send: (frame, stream) => {
        const buffer = connection.pending.get(stream);
        if (buffer) buffer.push(frame);
        else send(connection, frame);
      },
    };
    connections.add(connection);
    log?.debug({ remote: request.socket.remoteAddress }, "client connected");
    // Frames that arrive while the token is checked wait for it (promise callbacks keep their order).
    const admitted = admit(connection, request);
    socket.on("pong", () => {
      connection.alive = true;
    });
    socket.on("message", (data, isBinary) => {
      void admitted.then((ok) => {
        if (!ok) return;
        if (isBinary) {
          metrics.badRequests.inc();
          send(connection, { type: "error", message: "binary frames are not supported: send JSON text" });
          return;
        }
        onMessage(connection, data.toString());
      });
    });
    socket.on("close", () => {
      connections.delete(connection);
      hub.removeClient(connection);
      if (connection.userId) users.remove(connection.userId, connection);
      for (const stream of connection.topicStreams) topics.remove(stream, connection);
    });
    socket.on("error", () => socket.terminate());
  });

  const heartbeat = setInterval(() => {
    for (const connection of connections) {
      if (!connection.alive) {
        metrics.deadClientsTerminated.inc();
        connection.socket.terminate();
        continue;
      }
      connection.alive = false;
      connection.socket.ping();
    }
  }, options.heartbeatMs ?? 30_000);
  heartbeat.unref();

  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(options.port, options.host ?? "0.0.0.0", () => resolve());
  });
  const port = (http.address() as AddressInfo).port;
  log?.info({ port, path, namespace: options.namespace }, "gateway listening");

  return {
    port,
    registry,
    ready,
    clientCount: () => connections.size,
    async close() {
      clearInterval(heartbeat);
      for (const connection of connections) connection.socket.close(1001, "gateway shutting down");
      await new Promise<void>((resolve) => server.close(() => resolve()));
      // Sockets that did not finish the close handshake in time are cut.
      const forceTimer = setTimeout(() => {
        for (const connection of connections) connection.socket.terminate();
      }, 1_000);
      await new Promise<void>((resolve) => http.close(() => resolve()));
      clearTimeout(forceTimer);
      await Promise.allSettled([subscriber.quit(), command.quit()]);
      subscriber.disconnect();
      command.disconnect();
    },
  };
}
