/**
 * The one validated environment module (CONVENTIONS.md): nothing else reads process.env.
 * Add a variable here (with its default and a description in README "Configuration").
 * Invalid values fail at boot with a message naming the variable.
 */
import { z } from "zod";

const url = (protocols: string[]) =>
  z.string().refine((value) => {
    try {
      return protocols.includes(new URL(value).protocol);
    } catch {
      return false;
    }
  }, `must be a URL starting with ${protocols.join(" or ")}`);

const port = z.coerce.number().int().min(1).max(65535);

const EnvSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: url(["postgresql:", "postgres:"]).default("postgresql://postgres@127.0.0.1:55432/marketlens"),
  REDIS_URL: url(["redis:", "rediss:"]).default("redis://127.0.0.1:56379"),
  /** Prefix of every Redis key and pub/sub channel, so several stacks can share one Redis. */
  MARKETLENS_NAMESPACE: z.string().regex(/^[a-z0-9_-]+$/i).default("ml"),
  /** auto: live Binance when reachable, replay otherwise. */
  MARKETLENS_FEED: z.enum(["auto", "live", "replay"]).default("auto"),
  BINANCE_WS_URL: url(["ws:", "wss:"]).default("wss://data-stream.binance.vision"),
  BINANCE_REST_URL: url(["http:", "https:"]).default("https://data-api.binance.vision"),
  /** Alpaca market-data v2 stock stream (v2/iex on the free plan, v2/sip with Algo Trader Plus, v2/test for FAKEPACA). */
  ALPACA_STREAM_URL: url(["ws:", "wss:"]).default("wss://stream.data.alpaca.markets/v2/iex"),
  /** Alpaca market-data REST base (historical bars). */
  ALPACA_DATA_URL: url(["http:", "https:"]).default("https://data.alpaca.markets"),
  /** Alpaca API key pair; without both, the Alpaca collector stays "disabled" and health says why. */
  ALPACA_KEY_ID: z.string().optional(),
  ALPACA_SECRET_KEY: z.string().optional(),
  /** Alpaca feed for REST bars: iex (free plan) or sip (paid). */
  ALPACA_FEED: z.enum(["iex", "sip"]).default("iex"),
  /** Yahoo Finance v8 chart host (the fake Yahoo server in tests and in the replay feed). */
  YAHOO_BASE_URL: url(["http:", "https:"]).default("https://query2.finance.yahoo.com"),
  /** How often the Yahoo collector's job scheduler polls the active Yahoo symbols (default 5 min). */
  YAHOO_POLL_INTERVAL_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(300_000),
  WEB_PORT: port.default(3000),
  GATEWAY_PORT: port.default(3001),
  /** Gateway processes sharing GATEWAY_PORT (node:cluster); default one per core, at most 4 (server/realtime/gateway-cluster.ts). */
  GATEWAY_PROCESSES: z.coerce.number().int().min(1).max(64).optional(),
  REPLAY_PORT: port.default(3002),
  /** Port of the fake Alpaca server (WS /v2/iex + REST) the replay exchange also runs (replay feed). */
  REPLAY_ALPACA_PORT: port.default(3003),
  /** Port of the fake Yahoo chart server the replay exchange also runs (replay feed). */
  REPLAY_YAHOO_PORT: port.default(3004),
  /** Public URL browsers use for the realtime gateway; default ws://<page host>:GATEWAY_PORT/ws. */
  GATEWAY_PUBLIC_URL: url(["ws:", "wss:"]).optional(),
  /** Replay speed: 1 = real time. Tests run the replay faster. */
  REPLAY_SPEED: z.coerce.number().positive().max(10_000).default(1),
  /** Trades later than this (ms) after their bar closed revise the stored bar instead of landing in the open one. */
  BAR_LATENESS_MS: z.coerce.number().int().min(0).max(60_000).default(2_000),
  /** Minimum interval between live (unclosed) bar updates per stream. */
  LIVE_THROTTLE_MS: z.coerce.number().int().min(0).max(10_000).default(250),
  /** How many 1m bars a fresh collector backfills when the database has none. */
  INITIAL_BACKFILL_BARS: z.coerce.number().int().min(0).max(100_000).default(2_880),
  /** Gap repair reaches back at most this many 1m bars (default 7 days); an older hole is recorded, not fetched. */
  MAX_REPAIR_BARS: z.coerce.number().int().min(60).max(1_000_000).default(10_080),
  /**
   * Number of bar-closed queue partitions (`bar-closed-0` … `bar-closed-{N-1}`, symbol → hash(symbol) % N).
   * Collector and analytics workers must agree on it; each partition has exactly one consumer (Redis lease).
   */
  ANALYTICS_PARTITIONS: z.coerce.number().int().min(1).max(256).default(1),
  /** Scanner worker (workers/scanner.ts): time between two cycles, and entries kept per toplist. */
  SCANNER_INTERVAL_MS: z.coerce.number().int().min(50).max(60_000).default(1_000),
  SCANNER_TOP_K: z.coerce.number().int().min(1).max(1_000).default(50),
  /**
   * Accounts (docs/auth.md). Secret that signs sessions and access tokens (JWT, HS256); web and gateway must share it.
   * `npm start` creates one in .data/auth-secret when unset; outside production a per-process random one is used.
   */
  AUTH_SECRET: z.string().min(32, "must be at least 32 characters (e.g. `openssl rand -base64 32`)").optional(),
  /** Public URL of the web app (cookies, origin checks); default: the host the request came to. */
  AUTH_URL: url(["http:", "https:"]).optional(),
  /** Charts and market data readable without signing in (a guest token, rate-limited per IP). */
  MARKETLENS_PUBLIC_CHARTS: z.enum(["true", "false"]).default("true").transform((value) => value === "true"),
  /** Token bucket per user (or per IP when anonymous) on every public API route: requests per window. */
  RATE_LIMIT_REQUESTS: z.coerce.number().int().min(1).max(1_000_000).default(100),
  RATE_LIMIT_WINDOW_S: z.coerce.number().int().min(1).max(86_400).default(60),
  /** Reverse proxies in front of the web that append to X-Forwarded-For (0: none; see docs/auth.md "Client IP"). */
  TRUSTED_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
  /** Tests only: base URL of a running `next start` the API/e2e tests run against (e.g. http://127.0.0.1:3100). */
  MARKETLENS_TEST_BASE_URL: url(["http:", "https:"]).optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** Folder of symbols.yaml and exchanges.yaml that the control process watches (default: <project>/config). */
  MARKETLENS_CONFIG_DIR: z.string().min(1).optional(),
  /** Notifications (docs/webhooks.md). SMTP server for email channels; unset = email deliveries fail with a clear error. */
  SMTP_URL: url(["smtp:", "smtps:"]).optional(),
  /** From address of notification emails. */
  NOTIFY_FROM: z.string().min(3).default("Marketlens <alerts@marketlens.localhost>"),
  /** Admin allowlist: webhook/Slack hosts exempt from the SSRF guard (comma separated host names or IPs). */
  NOTIFY_ALLOWED_HOSTS: z.string().default(""),
  /** Delivery attempts per (notification, channel) before it is dead-lettered, and the exponential backoff base. */
  NOTIFY_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(6),
  NOTIFY_BACKOFF_MS: z.coerce.number().int().min(10).max(600_000).default(2_000),
  /** Timeout of one webhook/Slack/SMTP send. */
  NOTIFY_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(5_000),
  /** Parallel deliveries per notifier process. */
  NOTIFY_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(8),
  /** BullMQ job lock: a notifier that dies mid-delivery has its job retried by another after about this long. */
  NOTIFY_LOCK_MS: z.coerce.number().int().min(1_000).max(600_000).default(30_000),
  /** In-app notifications kept per user for the bell. */
  NOTIFY_BELL_SIZE: z.coerce.number().int().min(1).max(1_000).default(50),
  /** Alerts one user may have (docs/alerts.md). */
  ALERTS_MAX_PER_USER: z.coerce.number().int().min(1).max(100_000).default(100),
});

export type Env = z.infer<typeof EnvSchema>;

/** Parses an environment (default: process.env); throws one message naming every bad variable. */
export function parseEnv(source: Record<string, string | undefined> = process.env): Env {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== ""));
  const result = EnvSchema.safeParse(cleaned);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new Error(`invalid environment:\n  ${problems.join("\n  ")}`);
  }
  return result.data;
}

let cached: Env | undefined;

/** The process environment, validated once. */
export function env(): Env {
  cached ??= parseEnv();
  return cached;
}
