/**
 * Market status of symbols: for the chart (`markets.symbol`, GET /api/v1/market/{symbol}) a symbol's exchange,
 * calendar, asset class, display name, whether its market is open now, the session close or next open, its
 * data delay, and the calendar's holiday data so the browser can recompute the status as time passes; for
 * /api/v1/health the status of every active symbol.
 * The calendar of a symbol is the `calendar` column of `symbols` (config/symbols.yaml); holidays come from
 * config/holidays/*.yaml through server/config/holidays-config.ts, re-read at most once a minute so an operator's
 * edit shows without a restart. Edit when the symbol info the chart needs grows.
 */
import { DEFAULT_HOLIDAYS_DIRECTORY, loadCalendarHolidays } from "../config/holidays-config.ts";
import type { SymbolId } from "../domain/bars/bar.ts";
import type { CalendarId, ExchangeCalendar, HolidayData } from "../domain/calendars/calendar-types.ts";
import { createExchangeCalendar, isCalendarId } from "../domain/calendars/exchange-calendar.ts";
import { dataDelayMinutes, marketStatus, type MarketStatus } from "../domain/calendars/market-status.ts";
import { componentLogger } from "../observability/logger.ts";
import { AppError } from "./app-error.ts";
import { defaultServiceDeps, type ServiceDeps } from "./service-deps.ts";

/** How long loaded holiday data is reused before the YAML file is read again. */
const HOLIDAYS_RELOAD_MS = 60_000;

export interface SymbolMarketInfo {
  symbol: SymbolId;
  exchange: string;
  ticker: string;
  displayName: string;
  assetClass: string;
  calendar: CalendarId;
  /** Minutes the source's data lags the market (0 = real time). */
  delayMinutes: number;
  /** The market at `checkedAt`. */
  status: MarketStatus;
  /** The calendar's holidays, to recompute `status` in the browser; null for calendars without any (CRYPTO). */
  holidays: HolidayData | null;
  checkedAt: number;
}

/** One symbol's market in the health body. */
export interface SymbolMarketState {
  exchange: string;
  calendar: string;
  delayMinutes: number;
  open: boolean;
  continuous: boolean;
  reason: MarketStatus["reason"];
  /** Close of the session in progress, null while closed. */
  closesAt: number | null;
  nextOpen: number | null;
  holiday: string | null;
  problem: string | null;
}

export interface MarketStatusService {
  /** The chart's symbol info. NOT_FOUND for an unknown or inactive symbol; UNAVAILABLE when PostgreSQL or the holiday data cannot be read. */
  symbolInfo(symbol: SymbolId): Promise<SymbolMarketInfo>;
  /** The market of every active symbol (throws when PostgreSQL cannot answer; a broken holiday file shows as `problem`). */
  activeMarkets(): Promise<Record<SymbolId, SymbolMarketState>>;
}

export interface MarketStatusOptions {
  /** Directory of the holiday files (default config/holidays under the working directory). */
  holidaysDirectory?: string;
}

interface SymbolRow {
  id: string;
  exchange: string;
  ticker: string;
  display_name: string;
  asset_class: string;
  calendar: string;
}

const SYMBOL_SQL = `SELECT id, exchange, ticker, display_name, asset_class, calendar FROM symbols WHERE id = $1 AND active = $2`;
const ACTIVE_SQL = `SELECT id, exchange, ticker, display_name, asset_class, calendar FROM symbols WHERE active = $1 ORDER BY id`;

interface LoadedCalendar {
  calendar: ExchangeCalendar;
  holidays: HolidayData | null;
}

export function createMarketStatusService(deps: Pick<ServiceDeps, "pool" | "now">, options: MarketStatusOptions = {}): MarketStatusService {
  const directory = options.holidaysDirectory ?? DEFAULT_HOLIDAYS_DIRECTORY;
  const log = componentLogger("market-status");
  const cache = new Map<CalendarId, { at: number; loaded: Promise<LoadedCalendar> }>();

  /** The calendar with its holidays; rejects with an AppError naming the file at fault. */
  function loadCalendar(id: string): Promise<LoadedCalendar> {
    if (!isCalendarId(id)) return Promise.reject(new AppError("INTERNAL", `unknown calendar "${id}" (config/symbols.yaml: CRYPTO, NYSE, NASDAQ, BIST)`));
    const cached = cache.get(id);
    if (cached && deps.now() - cached.at < HOLIDAYS_RELOAD_MS) return cached.loaded;
    const loaded = loadCalendarHolidays(id, directory).then(
      (holidays) => ({ calendar: createExchangeCalendar(id, holidays), holidays: holidays ?? null }),
      (error: unknown) => {
        cache.delete(id); // try again on the next request
        log.error({ calendar: id, err: error }, "holiday data cannot be read");
        throw new AppError("UNAVAILABLE", `${id} holiday data cannot be read: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      },
    );
    cache.set(id, { at: deps.now(), loaded });
    return loaded;
  }

  async function query(sql: string, values: unknown[]): Promise<SymbolRow[]> {
    try {
      return (await deps.pool.query<SymbolRow>(sql, values)).rows;
    } catch (error) {
      throw new AppError("UNAVAILABLE", "symbol info unavailable: PostgreSQL is unreachable", { cause: error });
    }
  }

  function state(row: SymbolRow, status: MarketStatus): SymbolMarketState {
    return {
      exchange: row.exchange,
      calendar: row.calendar,
      delayMinutes: dataDelayMinutes(row.exchange, row.calendar),
      open: status.open,
      continuous: status.continuous,
      reason: status.reason,
      closesAt: status.session?.close ?? null,
      nextOpen: status.nextOpen,
      holiday: status.holiday?.name ?? null,
      problem: status.problem,
    };
  }

  /** The market of a symbol whose calendar cannot be loaded: closed as far as anyone can tell. */
  function unknownMarket(row: SymbolRow, problem: string): SymbolMarketState {
    const delayMinutes = dataDelayMinutes(row.exchange, row.calendar);
    return { exchange: row.exchange, calendar: row.calendar, delayMinutes, open: false, continuous: false, reason: "no-calendar-data", closesAt: null, nextOpen: null, holiday: null, problem };
  }

  return {
    async symbolInfo(symbol) {
      const [row] = await query(SYMBOL_SQL, [symbol, true]);
      if (!row) throw new AppError("NOT_FOUND", `unknown symbol ${symbol}`);
      const { calendar, holidays } = await loadCalendar(row.calendar);
      const now = deps.now();
      return {
        symbol: row.id,
        exchange: row.exchange,
        ticker: row.ticker,
        displayName: row.display_name,
        assetClass: row.asset_class,
        calendar: calendar.id,
        delayMinutes: dataDelayMinutes(row.exchange, calendar.id),
        status: marketStatus(calendar, now),
        holidays,
        checkedAt: now,
      };
    },

    async activeMarkets() {
      const rows = await query(ACTIVE_SQL, [true]);
      const now = deps.now();
      const markets: Record<SymbolId, SymbolMarketState> = {};
      for (const row of rows) {
        try {
          markets[row.id] = state(row, marketStatus((await loadCalendar(row.calendar)).calendar, now));
        } catch (error) {
          markets[row.id] = unknownMarket(row, error instanceof Error ? error.message : String(error));
        }
      }
      return markets;
    },
  };
}

let shared: MarketStatusService | undefined;

/** The process-wide service on the default deps. */
export function marketStatusService(): MarketStatusService {
  shared ??= createMarketStatusService(defaultServiceDeps());
  return shared;
}
