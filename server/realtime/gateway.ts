/**
 * Realtime gateway: a `ws` WebSocketServer on `/ws` that relays Redis pub/sub bar events to the
 * browsers subscribed to each stream (protocol in docs/websocket.md). Stateless: any number of
 * replicas can run; one psubscribe per process, snapshots from the Redis ZSET. Entry: workers/gateway.ts.
 * With `auth` set (always, in the product), a connection needs a valid access token or is closed
 * with 4001 (gateway-auth.ts).
 */
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { Redis } from "ioredis";
import type { Logger } from "pino";
import { Registry } from "prom-client";
import { WebSocketServer, WebSocket } from "ws";
import { redisKeys } from "../redis/keys.ts";
import { CLOSE_UNAUTHORIZED, authenticateUpgrade, registerAuthMetrics, type GatewayAuth } from "./gateway-auth.ts";
import { registerGatewayMetrics } from "./gateway-metrics.ts";
import { parseClientRequest, type ClientRequest, type ServerMessage, type StreamId } from "./protocol.ts";
import { readSnapshot } from "./snapshot.ts";
import { StreamHub, type HubClient } from "./stream-hub.ts";

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
  alive: boolean;
  /** Streams the client asked for; a snapshot that lands after an unsubscribe is dropped. */
  wanted: Set<StreamId>;
  /** Events that arrived while the stream's snapshot was being read; sent right after it. */
  pending: Map<StreamId, string[]>;
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const path = options.path ?? "/ws";
  const keys = redisKeys(options.namespace);
  const registry = options.registry ?? new Registry();
  const log = options.logger;
  const maxSubscriptions = options.maxSubscriptionsPerClient ?? 50;
  const maxBuffered = options.maxBufferedBytes ?? 4 * 1024 * 1024;
  const channelPrefix = keys.barChannelPattern().slice(0, -1); // "{ns}:bars:" (pattern minus "*")

  const hub = new StreamHub();
  const connections = new Set<Connection>();
  const metrics = registerGatewayMetrics(registry, hub, () => connections.size);
  const authRejected = registerAuthMetrics(registry);

  /** Resolves true once the connection may talk; false after closing it with 4001. */
  async function admit(socket: WebSocket, request: IncomingMessage): Promise<boolean> {
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
    if (!channel.startsWith(channelPrefix)) return;
    hub.publish(channel.slice(channelPrefix.length), message);
  });
  const ready = subscriber.psubscribe(keys.barChannelPattern()).then(() => undefined);
  ready.catch((error: unknown) => log?.error({ err: String(error) }, "psubscribe failed"));

  const http = createServer((_request, response) => {
    response.writeHead(426, { "content-type": "text/plain" }).end("WebSocket endpoint: connect to " + path);
  });
  const server = new WebSocketServer({ server: http, path, maxPayload: 4_096 });

  function send(connection: Connection, message: ServerMessage | string): void {
    const socket = connection.socket;
    if (socket.readyState !== WebSocket.OPEN) return;
    if (socket.bufferedAmount > maxBuffered) {
      metrics.slowClientsTerminated.inc();
      socket.terminate();
      return;
    }
    socket.send(typeof message === "string" ? message : JSON.stringify(message));
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

  async function subscribe(connection: Connection, request: Extract<ClientRequest, { op: "subscribe" }>) {
    const { stream, symbol, timeframe } = request;
    if (!connection.wanted.has(stream) && connection.wanted.size >= maxSubscriptions) {
      metrics.badRequests.inc();
      send(connection, { type: "error", stream, message: `too many subscriptions (max ${maxSubscriptions} per connection)` });
      return;
    }
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
      for (const text of buffered) send(connection, text);
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
      alive: true,
      wanted: new Set(),
      pending: new Map(),
      streams: new Set(),
      send: (text, stream) => {
        const buffer = connection.pending.get(stream);
        if (buffer) buffer.push(text);
        else send(connection, text);
      },
    };
    connections.add(connection);
    log?.debug({ remote: request.socket.remoteAddress }, "client connected");
    // Frames that arrive while the token is checked wait for it (promise callbacks keep their order).
    const admitted = admit(socket, request);
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
