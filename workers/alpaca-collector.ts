/**
 * Process entry: the Alpaca (US stocks) collector. Reads the active ALPACA symbols, connects to ALPACA_STREAM_URL
 * with ALPACA_KEY_ID / ALPACA_SECRET_KEY, repairs gaps over ALPACA_DATA_URL and streams bars into PostgreSQL and
 * Redis. Without keys or ALPACA symbols it publishes a "disabled" health (with the reason) and idles until
 * SIGTERM, so a supervisor does not treat it as a crash. A fatal Alpaca error (402/405/406/409) leaves it idle
 * with health "down" and the operator message (no reconnect loop).
 * SIGINT/SIGTERM: stop the stream, drain pending bars and jobs, close PostgreSQL, then Redis.
 */
import { env } from "../server/env.ts";
import { listSymbols } from "../server/db/symbols.repo.ts";
import { componentLogger } from "../server/observability/logger.ts";
import { AlpacaRestClient } from "../server/sources/alpaca/alpaca-rest.ts";
import { AlpacaCollector } from "./collectors/alpaca.collector.ts";
import { createCollectorPipeline, runCollector } from "./collector-runtime.ts";

const log = componentLogger("alpaca-collector");
const config = env();
const pipeline = createCollectorPipeline(log);
const { pool, metrics, sink } = pipeline;
const hasKeys = Boolean(config.ALPACA_KEY_ID && config.ALPACA_SECRET_KEY);
const rest = hasKeys ? new AlpacaRestClient({ baseUrl: config.ALPACA_DATA_URL, keyId: config.ALPACA_KEY_ID!, secretKey: config.ALPACA_SECRET_KEY!, feed: config.ALPACA_FEED }) : null;
const symbols = await listSymbols(pool, { exchange: "ALPACA", activeOnly: true });
const collector = new AlpacaCollector({
  mode: "live",
  streamUrl: config.ALPACA_STREAM_URL,
  keyId: config.ALPACA_KEY_ID,
  secretKey: config.ALPACA_SECRET_KEY,
  rest,
  pool,
  sink,
  metrics,
  symbols,
  latenessMs: config.BAR_LATENESS_MS,
  initialBackfillBars: config.INITIAL_BACKFILL_BARS,
  maxRepairBars: config.MAX_REPAIR_BARS,
  log: (level, message, details) => log[level](details ?? {}, message),
});

log.info({ stream: config.ALPACA_STREAM_URL, rest: config.ALPACA_DATA_URL, feed: config.ALPACA_FEED, keys: hasKeys, symbols: symbols.map((s) => s.id) }, "alpaca collector starting");
await runCollector({ processName: "alpaca-collector", exchange: "ALPACA", initialSymbols: symbols, collector, pipeline, log, startHint: "check ALPACA_DATA_URL / ALPACA_STREAM_URL" });
