/**
 * Process entry: the Yahoo Finance collector. Reads the active YAHOO symbols (e.g. YAHOO:THYAO.IS on BIST), registers
 * the BullMQ job scheduler "yahoo-poll" (every YAHOO_POLL_INTERVAL_MS) and polls Yahoo's v8 chart at YAHOO_BASE_URL
 * (live Yahoo, or the replay exchange's fake Yahoo server) while each symbol's market is in session; bars go into
 * PostgreSQL and Redis through the shared collector pipeline. Requests share one Redis budget (~1/s) with the
 * backfill CLI. Symbols activated or deactivated while running are picked up without a restart (runCollector).
 * SIGINT/SIGTERM: stop polling, drain pending bars and jobs, close PostgreSQL, then Redis.
 */
import path from "node:path";
import { loadCalendarHolidays } from "../server/config/holidays-config.ts";
import type { CalendarId, ExchangeCalendar } from "../server/domain/calendars/calendar-types.ts";
import { createExchangeCalendar, isCalendarId } from "../server/domain/calendars/exchange-calendar.ts";
import { env } from "../server/env.ts";
import { listSymbols } from "../server/db/symbols.repo.ts";
import { componentLogger } from "../server/observability/logger.ts";
import { keys, queueConnection } from "../server/redis/client.ts";
import { YahooChartClient, yahooRequestBudget } from "../server/sources/yahoo/yahoo-chart-client.ts";
import { YahooCollector } from "./collectors/yahoo.collector.ts";
import { createCollectorPipeline, runCollector } from "./collector-runtime.ts";

const log = componentLogger("yahoo-collector");
const config = env();
const mode = config.MARKETLENS_FEED === "replay" ? "replay" : "live";
const pipeline = createCollectorPipeline(log);
const { pool, redis, metrics, sink } = pipeline;
const logTo = (level: "info" | "warn" | "error", message: string, details?: object) => log[level](details ?? {}, message);
const client = new YahooChartClient({
  baseUrl: config.YAHOO_BASE_URL,
  budget: yahooRequestBudget({ redis, key: keys().rateBudget("yahoo:requests"), log: logTo }),
  onBackoff: ({ attempt, delayMs, status }) => log.warn({ attempt, delayMs, status }, "Yahoo rate limited; backing off"),
});
const holidaysDir = path.resolve(import.meta.dirname, "../config/holidays");
const calendars = new Map<CalendarId, Promise<ExchangeCalendar>>();
const calendar = (id: string): Promise<ExchangeCalendar> => {
  if (!isCalendarId(id)) return Promise.reject(new Error(`unknown calendar "${id}" (config/symbols.yaml)`));
  if (!calendars.has(id)) calendars.set(id, loadCalendarHolidays(id, holidaysDir).then((holidays) => createExchangeCalendar(id, holidays)));
  return calendars.get(id)!;
};
const symbols = await listSymbols(pool, { exchange: "YAHOO", activeOnly: true });
const collector = new YahooCollector({
  mode,
  client,
  pool,
  sink,
  metrics,
  symbols,
  calendar,
  latenessMs: config.BAR_LATENESS_MS,
  initialBackfillBars: config.INITIAL_BACKFILL_BARS,
  pollIntervalMs: config.YAHOO_POLL_INTERVAL_MS,
  schedule: { connection: queueConnection("producer"), workerConnection: queueConnection("worker"), prefix: keys().queuePrefix() },
  quality: { redis, keys: keys() },
  log: logTo,
});

log.info({ mode, baseUrl: config.YAHOO_BASE_URL, everyMs: config.YAHOO_POLL_INTERVAL_MS, symbols: symbols.map((s) => s.id) }, "yahoo collector starting");
await runCollector({
  processName: "yahoo-collector",
  exchange: "YAHOO",
  initialSymbols: symbols,
  collector,
  pipeline,
  log,
  startHint: "check YAHOO_BASE_URL and REDIS_URL",
});
