/**
 * A local server speaking Alpaca market data v2 for stocks (WebSocket stream + REST bars), for tests.
 * WS: `[{"T":"success","msg":"connected"}]` → auth (wrong keys → 402 then close) → `authenticated` → subscribe
 * (answered with the full lists) → per closed virtual minute: the minute's `t` trades, then its `b` bar; every
 * `reviseEvery`-th minute the `b` misses a late print (volume × 0.75) and an `u` with the full minute follows
 * ~30 s after the next minute mark. Fault switch `errorCode` (402, 406 or 409) answers auth with that error;
 * `maxSymbols` answers a subscribe that would pass the limit with 405 and leaves the lists unchanged (as Alpaca);
 * `spikeEvery` adds a bad print (high × 1.2) to every Nth minute's trades (the `b` bar stays the recorded one).
 * REST: `/v2/stocks/{symbol}/bars` with `next_page_token` paging (opaque base64) and a per-minute request limit (429).
 * Prices come from minute datasets: a ReplayDataset (the Binance BTC/USDT 1m recording, renamed e.g. FAKEPACA as
 * Alpaca's own v2/test stream does; never altered) or a StockReplayDataset (that path rescaled to a stock's price
 * level on its exchange's session minutes only, server/replay/stock-replay-dataset.ts). Used by tests and by the
 * replay exchange (workers/replay-exchange.ts, REPLAY_ALPACA_PORT).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";
import { minutePath, type RecordedKline } from "./minute-path.ts";
import type { ReplayClock } from "./replay-dataset.ts";

const MINUTE = 60_000;
const BAR_DELAY_MS = 100;
const UPDATE_DELAY_MS = 30_000;

export interface FakeAlpacaFaults {
  /** Answer auth with this error (402 auth failed, 406 connection limit, 409 insufficient subscription), then close. */
  errorCode?: 402 | 406 | 409;
  /** Symbols a client may subscribe at most (Alpaca free plan: 30); a subscribe past it gets 405, lists unchanged. */
  maxSymbols?: number;
  /** Every Nth minute (by minute index) one extra trade prints at the minute's high × 1.2 (a bad print; 0 = never). */
  spikeEvery?: number;
}

/** What the server streams and serves for one ticker: the 1m bar of a minute, or null (no trades that minute). */
export interface MinuteDataset {
  readonly ticker: string;
  klineAt(minute: number): RecordedKline | null;
}

export interface FakeAlpacaOptions {
  datasets: readonly MinuteDataset[];
  clock: Pick<ReplayClock, "now" | "speed">;
  keyId: string;
  secretKey: string;
  faults?: FakeAlpacaFaults;
  /** Every Nth minute (by minute index) gets a `b` without a late print and a later `u` (0 = never). */
  reviseEvery?: number;
  /** REST requests per real minute before 429 (Alpaca free plan: 200). */
  requestsPerMinute?: number;
  /** Bars per REST page at most (default: the request's limit). */
  pageSize?: number;
  port?: number;
  /** Listen address (default 127.0.0.1). */
  host?: string;
}

const ERROR_TEXT: Record<number, string> = { 402: "auth failed", 405: "symbol limit exceeded", 406: "connection limit exceeded", 409: "insufficient subscription" };

interface Client {
  socket: WebSocket;
  authenticated: boolean;
  lists: { trades: Set<string>; bars: Set<string>; updatedBars: Set<string> };
}

const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");

export class FakeAlpacaServer {
  private readonly http: http.Server;
  private readonly wss: WebSocketServer;
  private readonly clients = new Set<Client>();
  private readonly byTicker: Map<string, MinuteDataset>;
  private emittedUntil: number;
  private ticker: NodeJS.Timeout | null = null;
  private pendingUpdates: { at: number; frame: string; ticker: string }[] = [];
  private windowStart = Date.now();
  private windowCount = 0;
  faults: FakeAlpacaFaults;
  /** WebSocket connections accepted so far. */
  connections = 0;
  /** REST requests answered (429s included). */
  restRequests = 0;
  /** page_token values received, verbatim. */
  readonly pageTokens: string[] = [];

  constructor(private readonly options: FakeAlpacaOptions) {
    this.faults = options.faults ?? {};
    this.byTicker = new Map(options.datasets.map((dataset) => [dataset.ticker, dataset]));
    this.emittedUntil = options.clock.now();
    this.http = http.createServer((request, response) => this.handleRest(request, response));
    this.wss = new WebSocketServer({ server: this.http });
    this.wss.on("connection", (socket) => this.accept(socket));
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.http.once("error", reject);
      this.http.listen(this.options.port ?? 0, this.options.host ?? "127.0.0.1", () => resolve());
    });
    this.ticker = setInterval(() => this.tick(), Math.max(5, Math.min(100, 250 / this.options.clock.speed)));
    return this.url;
  }

  get url(): string {
    const address = this.http.address() as AddressInfo;
    return `http://${address.address}:${address.port}`;
  }

  get wsUrl(): string {
    return `${this.url.replace(/^http/, "ws")}/v2/iex`;
  }

  /** The current trades list of every authenticated client (tests). */
  subscriptions(): string[][] {
    return [...this.clients].filter((client) => client.authenticated).map((client) => [...client.lists.trades].sort());
  }

  /** Starts a new rate-limit window (tests). */
  resetRateLimit(): void {
    this.windowStart = Date.now();
    this.windowCount = 0;
  }

  async close(): Promise<void> {
    if (this.ticker) clearInterval(this.ticker);
    for (const client of this.clients) client.socket.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  /** The bar the stream/REST show for a virtual minute; `partial` = the `b` before a late print. */
  barAt(ticker: string, minute: number, partial = false): RecordedKline | null {
    const kline = this.byTicker.get(ticker)?.klineAt(minute) ?? null;
    if (!kline || !partial) return kline;
    return { ...kline, volume: kline.volume * 0.75 };
  }

  isRevised(minute: number): boolean {
    const every = this.options.reviseEvery ?? 0;
    return every > 0 && (minute / MINUTE) % every === 0;
  }

  private accept(socket: WebSocket): void {
    this.connections += 1;
    const client: Client = { socket, authenticated: false, lists: { trades: new Set(), bars: new Set(), updatedBars: new Set() } };
    this.clients.add(client);
    socket.on("close", () => this.clients.delete(client));
    socket.on("message", (data) => this.onClientMessage(client, data.toString()));
    socket.send(JSON.stringify([{ T: "success", msg: "connected" }]));
  }

  private onClientMessage(client: Client, text: string): void {
    let message: { action?: string; key?: string; secret?: string; trades?: string[]; bars?: string[]; updatedBars?: string[] };
    try {
      message = JSON.parse(text) as typeof message;
    } catch {
      return client.socket.send(JSON.stringify([{ T: "error", code: 400, msg: "invalid syntax" }]));
    }
    if (message.action === "auth") {
      const code = this.faults.errorCode ?? (message.key === this.options.keyId && message.secret === this.options.secretKey ? null : 402);
      if (code !== null) {
        client.socket.send(JSON.stringify([{ T: "error", code, msg: ERROR_TEXT[code] }]));
        client.socket.close(1008, ERROR_TEXT[code]);
        return;
      }
      client.authenticated = true;
      return client.socket.send(JSON.stringify([{ T: "success", msg: "authenticated" }]));
    }
    if (!client.authenticated) return client.socket.send(JSON.stringify([{ T: "error", code: 401, msg: "not authenticated" }]));
    if (message.action === "subscribe" || message.action === "unsubscribe") {
      const max = this.faults.maxSymbols;
      if (message.action === "subscribe" && max !== undefined) {
        const wanted = new Set([...client.lists.trades, ...client.lists.bars, ...client.lists.updatedBars, ...(message.trades ?? []), ...(message.bars ?? []), ...(message.updatedBars ?? [])]);
        if (wanted.size > max) return client.socket.send(JSON.stringify([{ T: "error", code: 405, msg: ERROR_TEXT[405] }]));
      }
      for (const list of ["trades", "bars", "updatedBars"] as const) {
        for (const symbol of message[list] ?? []) {
          if (message.action === "subscribe") client.lists[list].add(symbol);
          else client.lists[list].delete(symbol);
        }
      }
      const lists = Object.fromEntries(Object.entries(client.lists).map(([key, set]) => [key, [...set]]));
      client.socket.send(JSON.stringify([{ T: "subscription", ...lists, quotes: [], dailyBars: [], statuses: [], lulds: [], corrections: lists.trades, cancelErrors: lists.trades }]));
    }
  }

  private tick(): void {
    const now = this.options.clock.now();
    const from = this.emittedUntil;
    if (now <= from) return;
    this.emittedUntil = now;
    // minute M is published once now >= M + 1m + BAR_DELAY_MS
    for (let minute = Math.floor((from - MINUTE - BAR_DELAY_MS) / MINUTE) * MINUTE; minute + MINUTE + BAR_DELAY_MS <= now; minute += MINUTE) {
      if (minute + MINUTE + BAR_DELAY_MS <= from) continue;
      for (const ticker of this.byTicker.keys()) this.publishMinute(ticker, minute);
    }
    const due = this.pendingUpdates.filter((update) => update.at <= now);
    this.pendingUpdates = this.pendingUpdates.filter((update) => update.at > now);
    for (const update of due) this.broadcast("updatedBars", update.ticker, update.frame);
  }

  private publishMinute(ticker: string, minute: number): void {
    const kline = this.barAt(ticker, minute);
    if (!kline) return; // Alpaca sends no bar for a minute without trades
    const revised = this.isRevised(minute);
    const prints = minutePath(kline);
    const trades = prints.map((print, index) => ({ T: "t", S: ticker, i: minute / 1000 + index, x: "V", p: print.price, s: print.quantity, c: ["@"], z: "C", t: `${new Date(minute + print.offsetMs).toISOString().slice(0, -1)}123456Z` }));
    const spikeEvery = this.faults.spikeEvery ?? 0;
    if (spikeEvery > 0 && (minute / MINUTE) % spikeEvery === 0 && trades.length > 1) {
      // a bad print in the middle of the minute: the bar (`b`) stays the recorded one
      const middle = trades[Math.floor(trades.length / 2)]!;
      trades.splice(Math.floor(trades.length / 2), 0, { ...middle, i: middle.i + 1_000_000, p: Math.round(kline.high * 1.2 * 100) / 100 });
    }
    if (trades.length > 0) this.broadcast("trades", ticker, JSON.stringify(revised ? trades.slice(0, -1) : trades));
    const bar = (partial: boolean, type: string) => {
      const shown = this.barAt(ticker, minute, partial)!;
      return JSON.stringify([{ T: type, S: ticker, o: shown.open, h: shown.high, l: shown.low, c: shown.close, v: shown.volume, n: prints.length, vw: (shown.high + shown.low) / 2, t: iso(minute) }]);
    };
    this.broadcast("bars", ticker, bar(revised, "b"));
    if (revised) this.pendingUpdates.push({ at: minute + 2 * MINUTE + UPDATE_DELAY_MS, ticker, frame: bar(false, "u") });
  }

  private broadcast(list: keyof Client["lists"], ticker: string, frame: string): void {
    for (const client of this.clients) if (client.authenticated && client.lists[list].has(ticker)) client.socket.send(frame);
  }

  private handleRest(request: http.IncomingMessage, response: http.ServerResponse): void {
    this.restRequests += 1;
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      response.writeHead(status, { "content-type": "application/json", ...headers });
      response.end(JSON.stringify(body));
    };
    if (Date.now() - this.windowStart >= MINUTE) this.resetRateLimit();
    this.windowCount += 1;
    if (this.windowCount > (this.options.requestsPerMinute ?? 200)) {
      return send(429, { message: "too many requests." }, { "retry-after": String(Math.max(1, Math.ceil((this.windowStart + MINUTE - Date.now()) / 1000))) });
    }
    if (request.headers["apca-api-key-id"] !== this.options.keyId || request.headers["apca-api-secret-key"] !== this.options.secretKey) return send(403, { message: "forbidden" });
    const url = new URL(request.url ?? "/", "http://fake");
    const match = /^\/v2\/stocks\/([^/]+)\/bars$/.exec(url.pathname);
    if (!match) return send(404, { message: "not found" });
    const ticker = decodeURIComponent(match[1]!);
    const start = Date.parse(url.searchParams.get("start") ?? "");
    const end = Date.parse(url.searchParams.get("end") ?? "");
    const limit = Math.min(10_000, Number(url.searchParams.get("limit") ?? "1000"));
    if (url.searchParams.get("timeframe") !== "1Min" || !Number.isFinite(start) || !Number.isFinite(end) || !(limit >= 1)) return send(422, { message: "invalid query" });
    let from = Math.ceil(start / MINUTE) * MINUTE;
    const token = url.searchParams.get("page_token");
    if (token) {
      this.pageTokens.push(token);
      const [symbol, , time] = Buffer.from(token, "base64").toString("utf8").split("|");
      if (symbol !== ticker || !time) return send(400, { message: "invalid page token" });
      from = Date.parse(time);
    }
    const pageSize = Math.min(limit, this.options.pageSize ?? limit);
    const closedBefore = Math.min(end, Math.floor(this.options.clock.now() / MINUTE) * MINUTE);
    const bars: object[] = [];
    let minute = from;
    for (; minute + MINUTE <= closedBefore + MINUTE && minute < closedBefore && bars.length < pageSize; minute += MINUTE) {
      const kline = this.barAt(ticker, minute);
      if (kline) bars.push({ t: iso(minute), o: kline.open, h: kline.high, l: kline.low, c: kline.close, v: kline.volume, n: 20, vw: (kline.high + kline.low) / 2 });
    }
    const more = minute < closedBefore && bars.length === pageSize;
    const next = more ? Buffer.from(`${ticker}|M|${new Date(minute).toISOString()}`).toString("base64") : null;
    send(200, { bars, symbol: ticker, next_page_token: next });
  }
}
