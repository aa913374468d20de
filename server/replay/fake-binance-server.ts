/**
 * A local exchange speaking the Binance spot protocol (WebSocket combined/raw streams + REST market data)
 * from recorded klines shifted to the present. `npm start` uses it when Binance is unreachable
 * (MARKETLENS_FEED=replay); integration tests use it with faults injected (disconnects, serverShutdown,
 * duplicate, out-of-order and malformed frames, refused connections, failing REST). The real collector connects to it unchanged.
 * Binance's WebSocket limits are enforced as Binance does: more than `maxMessagesPerSecond` incoming messages
 * (control messages and pongs) in one second drops the connection, a connection is cut at `maxConnectionAgeMs`
 * (24 h), and at most `maxStreamsPerConnection` (1,024) streams per connection. Several datasets can be served
 * at once (e.g. the same recording under a second ticker).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";
import { aggTradeEvents, klineEvent, type ReplayEvent } from "./fake-binance-frames.ts";
import { handleRestRequest, type RestState } from "./fake-binance-rest.ts";
import type { ReplayClock, ReplayDataset } from "./replay-dataset.ts";

const MINUTE = 60_000;
const KLINE_UPDATE_MS = 2_000;
const CLOSE_DELAY_MS = 250;

export interface Faults {
  /** Send every Nth trade frame twice. */
  duplicateEvery?: number;
  /** Swap every Nth trade frame with the next one. */
  outOfOrderEvery?: number;
  /** Send a malformed frame before every Nth trade frame. */
  malformedEvery?: number;
  /** Bad print: every Nth trade frame carries its price × `spikeFactor` (default 1.2); the kline stays as recorded. */
  spikeEvery?: number;
  spikeFactor?: number;
  /** Refuse WebSocket upgrades with HTTP 503 (the exchange unreachable for streams). */
  refuseConnections?: boolean;
  /** Answer every REST request with this HTTP status (e.g. 500) and Binance's error body. */
  restStatus?: number;
}

interface Client {
  socket: WebSocket;
  streams: Set<string>;
  combined: boolean;
  alive: boolean;
  held: string | null;
  /** Arrival times of incoming messages in the last second (rate limit). */
  received: number[];
  ageTimer: NodeJS.Timeout | null;
}

/** What a test can check about the WebSocket side. */
export interface FakeWsStats {
  /** Connections accepted since start. */
  connectionsOpened: number;
  /** Connections dropped for sending more than maxMessagesPerSecond. */
  rateLimitDisconnects: number;
  /** Connections cut at maxConnectionAgeMs. */
  ageDisconnects: number;
  /** Control messages received by method. */
  controlMessages: Record<string, number>;
}

export interface FakeBinanceOptions {
  datasets: readonly ReplayDataset[];
  clock: ReplayClock;
  port?: number;
  host?: string;
  faults?: Faults;
  /** REQUEST_WEIGHT per minute (default 6,000); past it 429, and a 418 ban after `banAfter429s` more 429s (default 3). */
  weightLimit?: number;
  banAfter429s?: number;
  /** Wall clock of the REST weight minute (default Date.now). */
  restNow?: () => number;
  /** Incoming WebSocket messages allowed per connection per second (Binance: 5). */
  maxMessagesPerSecond?: number;
  /** Connections are cut after this long (Binance: 24 h). */
  maxConnectionAgeMs?: number;
  /** Streams per connection (Binance: 1,024). */
  maxStreamsPerConnection?: number;
}

export class FakeBinanceServer {
  private readonly http: http.Server;
  private readonly wss: WebSocketServer;
  private readonly clients = new Set<Client>();
  private readonly rest: RestState;
  private emittedUntil: number;
  private ticker: NodeJS.Timeout | null = null;
  private pinger: NodeJS.Timeout | null = null;
  private tradeFrames = 0;
  readonly wsStats: FakeWsStats = { connectionsOpened: 0, rateLimitDisconnects: 0, ageDisconnects: 0, controlMessages: {} };
  faults: Faults;

  constructor(private readonly options: FakeBinanceOptions) {
    this.faults = options.faults ?? {};
    this.emittedUntil = options.clock.now();
    this.rest = {
      datasets: options.datasets,
      clock: options.clock,
      weightLimit: options.weightLimit ?? 6_000,
      weightMinute: 0,
      usedWeight: 0,
      requests: 0,
      now: options.restNow ?? Date.now,
      rateLimited: 0,
      banAfter429s: options.banAfter429s ?? 3,
      bannedUntil: 0,
      statuses: new Map(),
    };
    this.http = http.createServer((request, response) => {
      const status = this.faults.restStatus;
      if (!status) return handleRestRequest(this.rest, request, response);
      this.rest.requests += 1;
      response.writeHead(status, { "content-type": "application/json;charset=UTF-8" });
      response.end(JSON.stringify({ code: -1000, msg: "An unknown error occurred while processing the request." }));
    });
    this.wss = new WebSocketServer({
      server: this.http,
      verifyClient: (_info, done) => (this.faults.refuseConnections ? done(false, 503, "Service Unavailable") : done(true)),
    });
    this.wss.on("connection", (socket, request) => this.accept(socket, request.url ?? "/"));
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.http.listen(this.options.port ?? 0, this.options.host ?? "127.0.0.1", resolve));
    const tickMs = Math.max(5, Math.min(100, 250 / this.options.clock.speed));
    this.ticker = setInterval(() => this.tick(), tickMs);
    this.pinger = setInterval(() => this.ping(), 20_000);
    return this.url;
  }

  get url(): string {
    const address = this.http.address() as AddressInfo;
    return `http://${address.address}:${address.port}`;
  }

  get wsUrl(): string {
    return this.url.replace(/^http/, "ws");
  }

  get connections(): number {
    return this.clients.size;
  }

  /** The streams of every open connection (one set per connection). */
  connectionStreams(): Set<string>[] {
    return [...this.clients].map((client) => new Set(client.streams));
  }

  get restRequests(): number {
    return this.rest.requests;
  }

  /** REST responses by HTTP status so far (e.g. to check that no 429 or 418 was ever answered). */
  get restStatuses(): ReadonlyMap<number, number> {
    return this.rest.statuses;
  }

  /** Abruptly drops every connection (TCP reset, no close frame), like a network failure. */
  dropConnections(): void {
    for (const client of this.clients) client.socket.terminate();
  }

  /** Abruptly drops only the connections carrying `stream` (one shard of a collector). */
  dropConnectionsCarrying(stream: string): void {
    for (const client of this.clients) if (client.streams.has(stream)) client.socket.terminate();
  }

  /** Sends serverShutdown to every connection, then closes them. */
  shutdownConnections(): void {
    const time = this.options.clock.now();
    for (const client of this.clients) {
      const payload = { e: "serverShutdown", E: time };
      client.socket.send(JSON.stringify(client.combined ? { stream: "!serverShutdown", data: payload } : payload));
      setTimeout(() => client.socket.close(1001, "server shutdown"), 200).unref();
    }
  }

  async close(): Promise<void> {
    if (this.ticker) clearInterval(this.ticker);
    if (this.pinger) clearInterval(this.pinger);
    for (const client of this.clients) client.socket.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  private accept(socket: WebSocket, url: string): void {
    const parsed = new URL(url, "http://replay");
    const combined = parsed.pathname === "/stream";
    const streams = combined ? (parsed.searchParams.get("streams") ?? "").split("/") : parsed.pathname.replace(/^\/ws\/?/, "").split("/");
    const client: Client = { socket, streams: new Set(streams.filter(Boolean)), combined, alive: true, held: null, received: [], ageTimer: null };
    if (client.streams.size > this.maxStreams) {
      socket.close(1008, `too many streams: ${client.streams.size} > ${this.maxStreams}`);
      return;
    }
    this.clients.add(client);
    this.wsStats.connectionsOpened += 1;
    const maxAge = this.options.maxConnectionAgeMs ?? 24 * 3_600_000;
    client.ageTimer = setTimeout(() => {
      this.wsStats.ageDisconnects += 1;
      socket.close(1001, "connection age limit");
    }, maxAge);
    client.ageTimer.unref();
    const forget = () => {
      if (client.ageTimer) clearTimeout(client.ageTimer);
      this.clients.delete(client);
    };
    socket.on("pong", () => {
      client.alive = true;
      this.countIncoming(client);
    });
    socket.on("message", (data) => {
      if (this.countIncoming(client)) this.control(client, data.toString());
    });
    socket.on("close", forget);
    socket.on("error", forget);
  }

  private get maxStreams(): number {
    return this.options.maxStreamsPerConnection ?? 1024;
  }

  /** Counts an incoming message; past the per-second limit the connection is dropped (false). */
  private countIncoming(client: Client): boolean {
    const now = Date.now();
    client.received.push(now);
    while (client.received.length > 0 && client.received[0]! <= now - 1_000) client.received.shift();
    if (client.received.length <= (this.options.maxMessagesPerSecond ?? 5)) return true;
    if (this.clients.delete(client)) this.wsStats.rateLimitDisconnects += 1;
    client.socket.terminate();
    return false;
  }

  /** SUBSCRIBE / UNSUBSCRIBE / LIST_SUBSCRIPTIONS as documented; anything else gets Binance's error shape. */
  private control(client: Client, text: string): void {
    let message: { method?: unknown; params?: unknown; id?: unknown };
    try {
      message = JSON.parse(text) as typeof message;
    } catch {
      client.socket.send(JSON.stringify({ code: 2, msg: "Invalid request: malformed JSON" }));
      return;
    }
    const params = Array.isArray(message.params) ? message.params.map(String) : [];
    const method = typeof message.method === "string" ? message.method : "?";
    this.wsStats.controlMessages[method] = (this.wsStats.controlMessages[method] ?? 0) + 1;
    if (message.method === "SUBSCRIBE" && new Set([...client.streams, ...params]).size > this.maxStreams) {
      client.socket.send(JSON.stringify({ code: 2, msg: `Invalid request: more than ${this.maxStreams} streams`, id: message.id }));
      return;
    }
    if (message.method === "SUBSCRIBE") params.forEach((stream) => client.streams.add(stream));
    else if (message.method === "UNSUBSCRIBE") params.forEach((stream) => client.streams.delete(stream));
    else if (message.method === "LIST_SUBSCRIPTIONS") {
      client.socket.send(JSON.stringify({ result: [...client.streams], id: message.id }));
      return;
    } else {
      client.socket.send(JSON.stringify({ code: 2, msg: "Invalid request: unknown method", id: message.id }));
      return;
    }
    client.socket.send(JSON.stringify({ result: null, id: message.id }));
  }

  private ping(): void {
    for (const client of this.clients) {
      if (!client.alive) {
        client.socket.terminate();
        continue;
      }
      client.alive = false;
      client.socket.ping(String(this.options.clock.now()));
    }
  }

  private tick(): void {
    const now = this.options.clock.now();
    const from = this.emittedUntil;
    if (now <= from) return;
    this.emittedUntil = now;
    const events = this.options.datasets.flatMap((dataset) => this.eventsFor(dataset, from, now));
    events.sort((a, b) => a.time - b.time);
    for (const event of events) this.broadcast(event);
  }

  private eventsFor(dataset: ReplayDataset, from: number, to: number): ReplayEvent[] {
    const events: ReplayEvent[] = [];
    for (let minute = Math.floor(from / MINUTE) * MINUTE - MINUTE; minute <= to; minute += MINUTE) {
      const kline = dataset.klineAt(minute);
      if (!kline) continue; // a hole in the recording: the exchange sent nothing
      const previousClose = dataset.klineAt(minute - MINUTE)?.close ?? kline.open;
      events.push(...aggTradeEvents(dataset.ticker, kline, from, to));
      for (let time = minute + KLINE_UPDATE_MS; time < minute + MINUTE; time += KLINE_UPDATE_MS) {
        if (time > from && time <= to) events.push(klineEvent({ ticker: dataset.ticker, kline, time, closed: false, previousClose }));
      }
      const closeTime = minute + MINUTE + CLOSE_DELAY_MS;
      if (closeTime > from && closeTime <= to) events.push(klineEvent({ ticker: dataset.ticker, kline, time: closeTime, closed: true, previousClose }));
    }
    return events;
  }

  private broadcast(event: ReplayEvent): void {
    const isTrade = event.stream.endsWith("@aggTrade");
    if (isTrade) this.tradeFrames += 1;
    for (const client of this.clients) {
      if (!client.streams.has(event.stream) || client.socket.readyState !== client.socket.OPEN) continue;
      const payload = isTrade ? this.withSpike(event.payload) : event.payload;
      const text = JSON.stringify(client.combined ? { stream: event.stream, data: payload } : payload);
      if (isTrade) this.sendWithFaults(client, text);
      else client.socket.send(text);
    }
  }

  /** The trade payload with its price multiplied when this trade frame is a `spikeEvery` one. */
  private withSpike(payload: ReplayEvent["payload"]): ReplayEvent["payload"] {
    const { spikeEvery, spikeFactor = 1.2 } = this.faults;
    if (!spikeEvery || this.tradeFrames % spikeEvery !== 0) return payload;
    const trade = payload as { p?: unknown };
    if (typeof trade.p !== "string") return payload;
    return { ...payload, p: String(Number(trade.p) * spikeFactor) };
  }

  private sendWithFaults(client: Client, text: string): void {
    const n = this.tradeFrames;
    const { duplicateEvery, outOfOrderEvery, malformedEvery } = this.faults;
    if (malformedEvery && n % malformedEvery === 0) client.socket.send('{"stream":"btcusdt@aggTrade","data":{"e":"aggTrade","p":"NaN"');
    if (client.held) {
      client.socket.send(text);
      client.socket.send(client.held);
      client.held = null;
    } else if (outOfOrderEvery && n % outOfOrderEvery === 0) {
      client.held = text;
      return;
    } else {
      client.socket.send(text);
    }
    if (duplicateEvery && n % duplicateEvery === 0) client.socket.send(text);
  }
}
