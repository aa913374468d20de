/**
 * A local HTTP server speaking Yahoo Finance's v8 chart endpoint, for tests and the replay feed:
 * `GET /v8/finance/chart/{SYMBOL}?period1=&period2=|range=&interval=&includePrePost=&events=&useYfid=&lang=`.
 * Answers in the recorded layout (PROTOCOLS §3, fixtures/yahoo/chart): `{"chart":{"result":[{meta, timestamp,
 * indicators:{quote:[{open,high,low,close,volume}]}}],"error":null}}`, with null rows as the series has them;
 * a range without rows (weekend, holiday, night) → the recorded empty shape (no `timestamp`, `quote:[{}]`);
 * an unknown symbol → 404 with `result:null` and `error:{code:"Not Found",description:"No data found, symbol
 * may be delisted"}` (the message yahoo-finance2 surfaces); a malformed query → 400 with Yahoo's error shape.
 * Fault injection: `failNext(n, status, retryAfterSeconds?)` answers the next n chart requests with that status
 * (429 body "Too Many Requests", as Yahoo sends it). Data: server/replay/fake-yahoo-series.ts.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { FakeChartSeries } from "./fake-yahoo-series.ts";

export interface FakeYahooOptions {
  series: readonly FakeChartSeries[];
  /** The server's clock (a ReplayClock in replay mode, a fixed/virtual clock in tests). */
  clock: { now(): number };
  port?: number;
  host?: string;
}

export interface FakeYahooRequest {
  symbol: string;
  query: Record<string, string>;
  status: number;
}

const RANGE_DAYS: Record<string, number> = { "1d": 1, "5d": 5, "1mo": 30, "3mo": 91, "6mo": 182, "1y": 365, "2y": 730, "5y": 1826, "10y": 3652, max: 36_500 };
const NOT_FOUND = { chart: { result: null, error: { code: "Not Found", description: "No data found, symbol may be delisted" } } };

export class FakeYahooServer {
  private readonly server: http.Server;
  private readonly bySymbol: Map<string, FakeChartSeries>;
  private faults: { remaining: number; status: number; retryAfterSeconds: number | null } = { remaining: 0, status: 429, retryAfterSeconds: null };
  /** Every chart request answered, in order (tests count them). */
  readonly requests: FakeYahooRequest[] = [];

  constructor(private readonly options: FakeYahooOptions) {
    this.bySymbol = new Map(options.series.map((series) => [series.ticker.toUpperCase(), series]));
    this.server = http.createServer((request, response) => this.handle(request, response));
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(this.options.port ?? 0, this.options.host ?? "127.0.0.1", resolve));
    return this.url;
  }

  get url(): string {
    const address = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${address.port}`;
  }

  /** The next `count` chart requests get `status` (429: "Too Many Requests", with Retry-After when given). */
  failNext(count: number, status = 429, retryAfterSeconds: number | null = null): void {
    this.faults = { remaining: count, status, retryAfterSeconds };
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(request: http.IncomingMessage, response: http.ServerResponse): void {
    const url = new URL(request.url ?? "/", "http://localhost");
    const match = /^\/v8\/finance\/chart\/([^/]+)$/.exec(url.pathname);
    if (request.method !== "GET" || !match) {
      this.json(response, 404, { finance: { result: null, error: { code: "Not Found", description: "HTTP 404 Not Found" } } });
      return;
    }
    const symbol = decodeURIComponent(match[1]!).toUpperCase();
    const query = Object.fromEntries(url.searchParams);
    const log = (status: number) => this.requests.push({ symbol, query, status });
    if (this.faults.remaining > 0) {
      this.faults.remaining -= 1;
      log(this.faults.status);
      const headers: http.OutgoingHttpHeaders = { "content-type": "text/plain;charset=utf-8" };
      if (this.faults.retryAfterSeconds !== null) headers["retry-after"] = String(this.faults.retryAfterSeconds);
      response.writeHead(this.faults.status, headers).end(this.faults.status === 429 ? "Too Many Requests" : "Internal Server Error");
      return;
    }
    const series = this.bySymbol.get(symbol);
    if (!series) {
      log(404);
      this.json(response, 404, NOT_FOUND);
      return;
    }
    const now = this.options.clock.now();
    const interval = query.interval ?? "1d";
    const range = this.range(query, now);
    if (typeof range === "string") {
      log(400);
      this.json(response, 400, { chart: { result: null, error: { code: "Bad Request", description: range } } });
      return;
    }
    const rows = series.rows(range.period1, range.period2, interval, now);
    const result: Record<string, unknown> = { meta: series.meta(now, interval) };
    if (rows && rows.timestamp.length > 0) {
      const { timestamp, ...quote } = rows;
      result.timestamp = timestamp;
      result.indicators = { quote: [quote] };
    } else {
      result.indicators = { quote: [{}] };
    }
    log(200);
    this.json(response, 200, { chart: { result: [result], error: null } });
  }

  private range(query: Record<string, string>, now: number): { period1: number; period2: number } | string {
    const nowSeconds = Math.floor(now / 1000);
    if (query.range) {
      const days = RANGE_DAYS[query.range];
      if (!days) return `Invalid input - range=${query.range} is not supported`;
      return { period1: nowSeconds - days * 86_400, period2: nowSeconds };
    }
    const period1 = Number(query.period1);
    const period2 = query.period2 === undefined ? nowSeconds : Number(query.period2);
    if (!Number.isInteger(period1) || !Number.isInteger(period2)) return "Invalid input - period1/period2 must be unix seconds";
    if (period2 <= period1) return "Invalid input - start date cannot be after the end date";
    return { period1, period2 };
  }

  private json(response: http.ServerResponse, status: number, body: unknown): void {
    response.writeHead(status, { "content-type": "application/json;charset=utf-8", "cache-control": "public, max-age=10, stale-while-revalidate=20" }).end(JSON.stringify(body));
  }
}
