/**
 * Chart history: the newest N bars of (symbol, timeframe) plus the still-open bar.
 * Redis ZSET first (last 1,000 closed bars), PostgreSQL when Redis is down or holds too few;
 * when both answer, bars are merged by open time (Redis wins: the batch writer may lag).
 */
import type { Bar, SymbolId } from "../domain/bars/bar.ts";
import type { Timeframe } from "../domain/time/timeframes.ts";
import { readCandles } from "../db/candles-read.repo.ts";
import { AppError } from "./app-error.ts";
import { parseBarJson, parseBarList } from "./bar-json.ts";
import { defaultServiceDeps, whenRedisReady, type ServiceDeps } from "./service-deps.ts";
import { symbolsService, type SymbolsService } from "./symbols.service.ts";

export interface ChartQuery {
  symbol: SymbolId;
  timeframe: Timeframe;
  limit: number;
}

export type ChartSource = "redis" | "postgres";

export interface ChartBars {
  symbol: SymbolId;
  timeframe: Timeframe;
  source: ChartSource;
  /** Ascending by openTime; the last one may be the still-open (live) bar. */
  bars: Bar[];
  /** Open time of the live bar when it is included, else null. */
  liveOpenTime: number | null;
}

interface CachedBars {
  closed: Bar[];
  live: Bar | undefined;
}

/** Merges two ascending bar lists by openTime; on equal times the bar from `preferred` wins. */
export function mergeBars(base: readonly Bar[], preferred: readonly Bar[]): Bar[] {
  const byTime = new Map<number, Bar>();
  for (const bar of base) byTime.set(bar.openTime, bar);
  for (const bar of preferred) byTime.set(bar.openTime, bar);
  return [...byTime.values()].sort((a, b) => a.openTime - b.openTime);
}

export interface ChartService {
  getChartBars(query: ChartQuery): Promise<ChartBars>;
}

export function createChartService(deps: ServiceDeps, symbols: SymbolsService): ChartService {
  async function readRedis(query: ChartQuery): Promise<CachedBars | undefined> {
    try {
      await whenRedisReady(deps.redis);
      const results = await deps.redis
        .multi()
        .zrange(deps.keys.bars(query.symbol, query.timeframe), String(-query.limit), "-1")
        .get(deps.keys.liveBar(query.symbol, query.timeframe))
        .exec();
      if (!results) return undefined;
      const [zrange, live] = results;
      if (!zrange || zrange[0] || !live || live[0]) return undefined;
      return { closed: parseBarList(zrange[1] as string[]), live: parseBarJson(live[1] as string | null) };
    } catch {
      return undefined; // Redis down: fall back to PostgreSQL
    }
  }

  async function readClosed(query: ChartQuery, cached: CachedBars | undefined) {
    if (cached && cached.closed.length >= query.limit) {
      return { bars: cached.closed.slice(-query.limit), source: "redis" as const };
    }
    try {
      const stored = await readCandles(deps.pool, query);
      return { bars: mergeBars(stored, cached?.closed ?? []).slice(-query.limit), source: "postgres" as const };
    } catch (error) {
      if (cached && (cached.closed.length > 0 || cached.live)) return { bars: cached.closed, source: "redis" as const };
      throw new AppError(
        "UNAVAILABLE",
        `chart ${query.symbol} ${query.timeframe}: PostgreSQL is unreachable and Redis has no cached bars`,
        { cause: error },
      );
    }
  }

  return {
    async getChartBars(query) {
      const active = await symbols.isActive(query.symbol);
      if (active === false) {
        throw new AppError("NOT_FOUND", `unknown symbol ${query.symbol}: it is not in the active symbol list`);
      }
      const cached = await readRedis(query);
      const { bars, source } = await readClosed(query, cached);
      const live = cached?.live;
      const last = bars.at(-1);
      let liveOpenTime: number | null = null;
      if (live && (!last || live.openTime > last.openTime)) {
        bars.push(live);
        liveOpenTime = live.openTime;
        if (bars.length > query.limit) bars.splice(0, bars.length - query.limit);
      }
      return { symbol: query.symbol, timeframe: query.timeframe, source, bars, liveOpenTime };
    },
  };
}

let shared: ChartService | undefined;

/** The process-wide service on the default deps. */
export function chartService(): ChartService {
  shared ??= createChartService(defaultServiceDeps(), symbolsService());
  return shared;
}

/** Convenience for callers on the default deps. */
export function getChartBars(query: ChartQuery): Promise<ChartBars> {
  return chartService().getChartBars(query);
}
