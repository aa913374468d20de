/**
 * Active symbol universe from PostgreSQL (`symbols` table), cached in memory for a few seconds so
 * chart reads do not query it on every request. When PostgreSQL is down a stale list is served.
 */
import type { SymbolId } from "../domain/bars/bar.ts";
import { AppError } from "./app-error.ts";
import { defaultServiceDeps, type ServiceDeps } from "./service-deps.ts";

export interface SymbolInfo {
  id: SymbolId;
  exchange: string;
  ticker: string;
  displayName: string;
  assetClass: string;
}

export interface ExchangeGroup {
  exchange: string;
  symbols: SymbolInfo[];
}

interface SymbolRow {
  id: string;
  exchange: string;
  ticker: string;
  display_name: string;
  asset_class: string;
}

const ACTIVE_SYMBOLS_SQL = `SELECT id, exchange, ticker, display_name, asset_class
  FROM symbols WHERE active = $1 ORDER BY exchange, ticker`;

/** How long a fetched list is reused. */
const CACHE_MS = 10_000;
/** A miss on a list older than this triggers one refetch (a symbol added moments ago). */
const MISS_REFRESH_MS = 1_000;

export interface SymbolsService {
  /** Active symbols ordered by exchange then ticker; throws when PostgreSQL is down and nothing is cached. */
  listActive(): Promise<SymbolInfo[]>;
  /** Active symbols grouped by exchange (for the symbol selector). */
  groupedByExchange(): Promise<ExchangeGroup[]>;
  /** true/false when known; undefined when PostgreSQL cannot be asked and nothing is cached. */
  isActive(id: SymbolId): Promise<boolean | undefined>;
}

/** Groups an ordered symbol list by exchange, keeping the order. */
export function groupByExchange(symbols: readonly SymbolInfo[]): ExchangeGroup[] {
  const groups = new Map<string, SymbolInfo[]>();
  for (const symbol of symbols) {
    const list = groups.get(symbol.exchange) ?? [];
    list.push(symbol);
    groups.set(symbol.exchange, list);
  }
  return [...groups].map(([exchange, list]) => ({ exchange, symbols: list }));
}

export function createSymbolsService(deps: Pick<ServiceDeps, "pool" | "now">): SymbolsService {
  let cache: { at: number; symbols: SymbolInfo[] } | undefined;

  async function fetchList(): Promise<SymbolInfo[]> {
    const result = await deps.pool.query<SymbolRow>(ACTIVE_SYMBOLS_SQL, [true]);
    const symbols = result.rows.map((row) => ({
      id: row.id,
      exchange: row.exchange,
      ticker: row.ticker,
      displayName: row.display_name,
      assetClass: row.asset_class,
    }));
    cache = { at: deps.now(), symbols };
    return symbols;
  }

  async function listActive(maxAgeMs = CACHE_MS): Promise<SymbolInfo[]> {
    if (cache && deps.now() - cache.at < maxAgeMs) return cache.symbols;
    try {
      return await fetchList();
    } catch (error) {
      if (cache) return cache.symbols; // stale beats nothing while PostgreSQL is down
      throw new AppError("UNAVAILABLE", "symbol list unavailable: PostgreSQL is unreachable", { cause: error });
    }
  }

  return {
    listActive: () => listActive(),
    groupedByExchange: async () => groupByExchange(await listActive()),
    async isActive(id) {
      try {
        const symbols = await listActive();
        if (symbols.some((symbol) => symbol.id === id)) return true;
        if (cache && deps.now() - cache.at < MISS_REFRESH_MS) return false;
        return (await listActive(0)).some((symbol) => symbol.id === id);
      } catch {
        return undefined;
      }
    },
  };
}

let shared: SymbolsService | undefined;

/** The process-wide service on the default deps. */
export function symbolsService(): SymbolsService {
  shared ??= createSymbolsService(defaultServiceDeps());
  return shared;
}
