/**
 * Process entry: the Binance collector. Reads the active BINANCE symbols, connects to BINANCE_WS_URL /
 * BINANCE_REST_URL (live Binance or the replay exchange), and streams bars into PostgreSQL and Redis.
 * Publishes its health every 2 s and its metrics every 5 s to Redis; data-quality snapshots every 5 s ({ns}:quality:{SYMBOL}). Every closed or revised bar, once stored,
 * becomes a bar-closed job for the analytics worker (server/queues/bar-closed.ts; backlog while Redis is down).
 * SIGINT/SIGTERM: stop the stream, drain pending bars and jobs, close PostgreSQL, then Redis.
 */
import { env } from "../server/env.ts";
import { listSymbols } from "../server/db/symbols.repo.ts";
import { componentLogger } from "../server/observability/logger.ts";
import { keys } from "../server/redis/client.ts";
import { BinanceRestClient, binanceWeightBudget } from "../server/sources/binance/binance-rest.ts";
import { BinanceCollector } from "./collectors/binance.collector.ts";
import { createCollectorPipeline, runCollector } from "./collector-runtime.ts";

const log = componentLogger("collector");
const config = env();
const mode = config.MARKETLENS_FEED === "replay" ? "replay" : "live";
const pipeline = createCollectorPipeline(log);
const { pool, redis, metrics, sink } = pipeline;
// one REQUEST_WEIGHT budget for every process of this deployment (collectors, backfill CLI), shared through Redis
const restBudget = binanceWeightBudget({
  redis,
  key: keys().rateBudget("binance:weight"),
  log: (level, message, details) => log[level](details ?? {}, message),
  onWait: ({ reason }) => metrics.restBudgetWaits.inc({ source: "binance", reason }),
});
const rest = new BinanceRestClient({
  baseUrl: config.BINANCE_REST_URL,
  budget: restBudget,
  onWeight: (used) => metrics.restWeight.set({ source: "binance" }, used),
  onRateLimited: ({ status, retryAfterMs, path }) => {
    metrics.restRateLimited.inc({ source: "binance", status: String(status) });
    log.warn({ status, retryAfterMs, path }, "Binance REST rate limited; every process waits for Retry-After");
  },
});
const symbols = await listSymbols(pool, { exchange: "BINANCE", activeOnly: true });
const collector = new BinanceCollector({
  mode,
  wsUrl: config.BINANCE_WS_URL,
  rest,
  pool,
  sink,
  metrics,
  symbols,
  latenessMs: config.BAR_LATENESS_MS,
  initialBackfillBars: config.INITIAL_BACKFILL_BARS,
  maxRepairBars: config.MAX_REPAIR_BARS,
  quality: { redis, keys: keys() },
  log: (level, message, details) => log[level](details ?? {}, message),
});

log.info({ mode, ws: config.BINANCE_WS_URL, rest: config.BINANCE_REST_URL, symbols: symbols.map((s) => s.id) }, "collector starting");
await runCollector({
  processName: "collector",
  exchange: "BINANCE",
  initialSymbols: symbols,
  collector,
  pipeline,
  log,
  startHint: "check BINANCE_REST_URL / BINANCE_WS_URL",
  extraHealth: { [keys().feed()]: mode },
});
