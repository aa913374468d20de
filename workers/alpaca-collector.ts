/**
 * Process entry: the Alpaca (US stocks) collector. Reads the active ALPACA symbols, connects to ALPACA_STREAM_URL
 * with ALPACA_KEY_ID / ALPACA_SECRET_KEY, repairs gaps over ALPACA_DATA_URL and streams bars into PostgreSQL and
 * Redis. Without keys or ALPACA symbols it publishes a "disabled" health (with the reason) and idles until
 * SIGTERM, so a supervisor does not treat it as a crash. A fatal Alpaca error (402/405/406/409) leaves it idle
 * with health "down" and the operator message (no reconnect loop).
 * US stocks follow the NYSE calendar (config/holidays/nyse.yaml): outside sessions health says "closed" with the
 * next open, and the stream is closed. REST requests come from a budget shared through Redis with the backfill CLI.
 * SIGINT/SIGTERM: stop the stream, drain pending bars and jobs, close PostgreSQL, then Redis.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { env } from "../server/env.ts";
import { loadCalendarHolidays } from "../server/config/holidays-config.ts";
import { listSymbols } from "../server/db/symbols.repo.ts";
import { createExchangeCalendar } from "../server/domain/calendars/exchange-calendar.ts";
import { componentLogger } from "../server/observability/logger.ts";
import { keys } from "../server/redis/client.ts";
import { alpacaRequestBudget, AlpacaRestClient } from "../server/sources/alpaca/alpaca-rest.ts";
import { AlpacaCollector } from "./collectors/alpaca.collector.ts";
import { createCollectorPipeline, runCollector } from "./collector-runtime.ts";

const log = componentLogger("alpaca-collector");
const config = env();
const pipeline = createCollectorPipeline(log);
const { pool, redis, metrics, sink } = pipeline;
const mode = config.MARKETLENS_FEED === "replay" ? "replay" : "live";
const hasKeys = Boolean(config.ALPACA_KEY_ID && config.ALPACA_SECRET_KEY);
const budget = alpacaRequestBudget({ redis, key: keys().rateBudget("alpaca:rest"), log: (level, message, details) => log[level](details ?? {}, message) });
const rest = hasKeys ? new AlpacaRestClient({ baseUrl: config.ALPACA_DATA_URL, keyId: config.ALPACA_KEY_ID!, secretKey: config.ALPACA_SECRET_KEY!, feed: config.ALPACA_FEED, budget }) : null;
const holidaysDirectory = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "config", "holidays");
const calendar = createExchangeCalendar("NYSE", await loadCalendarHolidays("NYSE", holidaysDirectory));
const symbols = await listSymbols(pool, { exchange: "ALPACA", activeOnly: true });
const collector = new AlpacaCollector({
  mode,
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
  calendar,
  quality: { redis, keys: keys() },
  log: (level, message, details) => log[level](details ?? {}, message),
});

log.info({ stream: config.ALPACA_STREAM_URL, rest: config.ALPACA_DATA_URL, feed: config.ALPACA_FEED, keys: hasKeys, symbols: symbols.map((s) => s.id) }, "alpaca collector starting");
await runCollector({ processName: "alpaca-collector", exchange: "ALPACA", initialSymbols: symbols, collector, pipeline, log, startHint: "check ALPACA_DATA_URL / ALPACA_STREAM_URL" });
