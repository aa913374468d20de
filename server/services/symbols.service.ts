/**
 * The symbol universe. Reads: active symbols from PostgreSQL (`symbols` table), cached in memory for a few seconds
 * so chart reads do not query it on every request; when PostgreSQL is down a stale list is served.
 * Writes (`createSymbolsWriter`): EVERY change to symbols or exchanges (CLI, config watcher, admin panel) goes
 * through here: it commits, then publishes on `{ns}:symbols:changed` so running collectors re-read their set at
 * once (server/services/active-symbols-watcher.ts; they also poll, so a lost message or Redis down loses nothing).
 */
import type pg from "pg";
import type { Redis } from "ioredis";
import type { ExchangeConfig } from "../config/exchanges-config.ts";
import type { SymbolConfig } from "../config/symbols-config.ts";
import { deleteUnlistedExchanges, upsertExchanges } from "../db/exchanges.repo.ts";
import { deactivateUnlisted, removeSymbol, setSymbolActive, upsertSymbols } from "../db/symbols.repo.ts";
import type { SymbolId } from "../domain/bars/bar.ts";
import type { RedisKeys } from "../redis/keys.ts";
import { AppError } from "./app-error.ts";
import { defaultServiceDeps, whenRedisReady, type ServiceDeps } from "./service-deps.ts";

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

/** What `{ns}:symbols:changed` carries (informative: subscribers re-read the database, whatever it says). */
export interface SymbolsChangedMessage {
  reason: "add" | "activate" | "deactivate" | "remove" | "symbols-file" | "exchanges-file";
  /** Exchanges whose collector set may have changed. */
  exchanges: string[];
  ids: string[];
  at: number;
}

/** Every write reports whether running collectors were told at once (false: Redis down; they see it on their next poll). */
export interface WriteResult {
  notified: boolean;
}

export interface SymbolsWriter {
  /** Adds a symbol or updates and reactivates an existing one (then managed by `managedBy`). */
  add(symbol: SymbolConfig, managedBy?: "cli" | "admin"): Promise<WriteResult>;
  /** Activates or deactivates a symbol; AppError NOT_FOUND when it does not exist. */
  setActive(id: string, active: boolean): Promise<WriteResult & { changed: boolean }>;
  /** Deletes a symbol row (its candles stay); AppError NOT_FOUND when it does not exist. */
  remove(id: string): Promise<WriteResult>;
  /**
   * Applies a symbols file (one transaction): upserts its entries (only those that differ from `previous`, the
   * entries of the file as last applied, when given) and deactivates the symbols `managedBy` manages that the file
   * no longer lists. Rows and candles are never deleted.
   */
  applySymbolsFile(entries: readonly SymbolConfig[], options: { managedBy: `config:${string}`; previous?: readonly SymbolConfig[] }): Promise<WriteResult & { written: number; deactivated: string[] }>;
  /** Applies an exchanges file (one transaction): upserts its exchanges and deletes the rows it wrote before and no longer lists. */
  applyExchangesFile(entries: readonly ExchangeConfig[], managedBy: `config:${string}`): Promise<WriteResult & { changed: string[]; removed: string[] }>;
}

export interface SymbolsWriterDeps {
  pool: pg.Pool;
  /** Command connection used to publish; null: do not publish (collectors still poll). */
  redis: Redis | null;
  keys: RedisKeys;
  now: () => number;
}

export function createSymbolsWriter(deps: SymbolsWriterDeps): SymbolsWriter {
  async function notify(message: Omit<SymbolsChangedMessage, "at">): Promise<boolean> {
    if (!deps.redis) return false;
    try {
      await whenRedisReady(deps.redis);
      await deps.redis.publish(deps.keys.symbolsChanged(), JSON.stringify({ ...message, at: deps.now() } satisfies SymbolsChangedMessage));
      return true;
    } catch {
      return false; // collectors poll the database too
    }
  }

  async function inTransaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await deps.pool.connect();
    try {
      await client.query("BEGIN");
      const result = await work(client);
      await client.query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  const unknown = (id: string) => new AppError("NOT_FOUND", `symbol ${id} does not exist (see marketlens symbols list)`);

  return {
    async add(symbol, managedBy = "cli") {
      await upsertSymbols(deps.pool, [symbol], managedBy);
      return { notified: await notify({ reason: "add", exchanges: [symbol.exchange], ids: [symbol.id] }) };
    },

    async setActive(id, active) {
      const row = await setSymbolActive(deps.pool, id, active);
      if (!row) throw unknown(id);
      const notified = row.changed ? await notify({ reason: active ? "activate" : "deactivate", exchanges: [row.exchange], ids: [id] }) : false;
      return { notified, changed: row.changed };
    },

    async remove(id) {
      const exchange = id.split(":")[0] ?? id;
      if (!(await removeSymbol(deps.pool, id))) throw unknown(id);
      return { notified: await notify({ reason: "remove", exchanges: [exchange], ids: [id] }) };
    },

    async applySymbolsFile(entries, options) {
      const before = new Map((options.previous ?? []).map((entry) => [entry.id, JSON.stringify(entry)]));
      const changed = options.previous ? entries.filter((entry) => before.get(entry.id) !== JSON.stringify(entry)) : entries;
      const { written, deactivated } = await inTransaction(async (client) => ({
        written: await upsertSymbols(client, changed, options.managedBy),
        deactivated: await deactivateUnlisted(client, options.managedBy, entries.map((entry) => entry.id)),
      }));
      const touched = [...changed.map((entry) => ({ id: entry.id, exchange: entry.exchange })), ...deactivated];
      const notified = written + deactivated.length > 0 ? await notify({ reason: "symbols-file", exchanges: [...new Set(touched.map((row) => row.exchange))], ids: touched.map((row) => row.id) }) : false;
      return { notified, written, deactivated: deactivated.map((row) => row.id) };
    },

    async applyExchangesFile(entries, managedBy) {
      const { changed, removed } = await inTransaction(async (client) => ({
        changed: await upsertExchanges(client, entries, managedBy),
        removed: await deleteUnlistedExchanges(client, managedBy, entries.map((entry) => entry.id)),
      }));
      const exchanges = [...changed, ...removed];
      const notified = exchanges.length > 0 ? await notify({ reason: "exchanges-file", exchanges, ids: [] }) : false;
      return { notified, changed, removed };
    },
  };
}
