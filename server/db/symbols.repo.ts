/**
 * Queries on the `symbols` table (pg, parameterized). Writes go through server/services/symbols.service.ts
 * (it publishes the change to running collectors); collectors read their effective set here.
 */
import type pg from "pg";
import type { SymbolConfig } from "../config/symbols-config.ts";

export interface SymbolRow {
  id: string;
  exchange: string;
  ticker: string;
  assetClass: string;
  displayName: string;
  active: boolean;
  calendar: string;
}

/** Anything that runs a parameterized query: the pool, a checked-out client or a lone client. */
export type Queryable = pg.Pool | pg.ClientBase;

/** Who manages a symbol row: marketlens symbols add, the admin panel, or `config:<file>` (a symbols YAML file). */
export type SymbolManager = "cli" | "admin" | `config:${string}`;

const SELECT = `SELECT id, exchange, ticker, asset_class AS "assetClass", display_name AS "displayName", active, calendar FROM symbols`;

export async function listSymbols(db: Queryable, options: { exchange?: string; activeOnly?: boolean } = {}): Promise<SymbolRow[]> {
  const result = await db.query<SymbolRow>(
    `${SELECT} WHERE ($1::text IS NULL OR exchange = $1) AND ($2::boolean IS FALSE OR active) ORDER BY exchange, ticker`,
    [options.exchange ?? null, options.activeOnly ?? false],
  );
  return result.rows;
}

/**
 * The symbols a collector streams: the active symbols of `exchange`, none when the exchange is disabled in the
 * `exchanges` table (an exchange without a row counts as enabled).
 */
export async function listEffectiveSymbols(db: Queryable, exchange: string): Promise<{ enabled: boolean; symbols: SymbolRow[] }> {
  const [state, symbols] = await Promise.all([
    db.query<{ enabled: boolean }>("SELECT enabled FROM exchanges WHERE id = $1", [exchange]),
    listSymbols(db, { exchange, activeOnly: true }),
  ]);
  const enabled = state.rows[0]?.enabled ?? true;
  return { enabled, symbols: enabled ? symbols : [] };
}

/**
 * Inserts or updates symbols (and takes them over for `managedBy`: the last writer manages a row); returns
 * how many rows were written (unchanged rows are not rewritten).
 */
export async function upsertSymbols(db: Queryable, symbols: readonly SymbolConfig[], managedBy: SymbolManager = "cli"): Promise<number> {
  if (symbols.length === 0) return 0;
  const result = await db.query(
    `INSERT INTO symbols (id, exchange, ticker, asset_class, display_name, active, calendar, managed_by)
     SELECT *, $8::text FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::boolean[], $7::text[])
     ON CONFLICT (id) DO UPDATE SET asset_class = EXCLUDED.asset_class, display_name = EXCLUDED.display_name,
       active = EXCLUDED.active, calendar = EXCLUDED.calendar, managed_by = EXCLUDED.managed_by, updated_at = now()
     WHERE (symbols.asset_class, symbols.display_name, symbols.active, symbols.calendar, symbols.managed_by)
       IS DISTINCT FROM (EXCLUDED.asset_class, EXCLUDED.display_name, EXCLUDED.active, EXCLUDED.calendar, EXCLUDED.managed_by)`,
    [
      symbols.map((s) => s.id),
      symbols.map((s) => s.exchange),
      symbols.map((s) => s.ticker),
      symbols.map((s) => s.assetClass),
      symbols.map((s) => s.displayName),
      symbols.map((s) => s.active),
      symbols.map((s) => s.calendar),
      managedBy,
    ],
  );
  return result.rowCount ?? 0;
}

/** Sets `active`; returns the row's exchange and whether it changed, or null when the symbol does not exist. */
export async function setSymbolActive(db: Queryable, id: string, active: boolean): Promise<{ exchange: string; changed: boolean } | null> {
  const result = await db.query<{ exchange: string; changed: boolean }>(
    `WITH target AS (SELECT id, exchange, active FROM symbols WHERE id = $1),
       updated AS (UPDATE symbols SET active = $2, updated_at = now() FROM target
                   WHERE symbols.id = target.id AND target.active <> $2 RETURNING symbols.id)
     SELECT target.exchange, EXISTS (SELECT 1 FROM updated) AS changed FROM target`,
    [id, active],
  );
  return result.rows[0] ?? null;
}

/** Deactivates the active rows `managedBy` manages that are not in `keepIds`; returns their ids and exchanges. */
export async function deactivateUnlisted(db: Queryable, managedBy: SymbolManager, keepIds: readonly string[]): Promise<{ id: string; exchange: string }[]> {
  const result = await db.query<{ id: string; exchange: string }>(
    `UPDATE symbols SET active = false, updated_at = now()
     WHERE managed_by = $1 AND active AND NOT (id = ANY($2::text[])) RETURNING id, exchange`,
    [managedBy, keepIds],
  );
  return result.rows;
}

/** Deletes a symbol row (its candles stay, as history). Returns false when it did not exist. */
export async function removeSymbol(db: Queryable, id: string): Promise<boolean> {
  const result = await db.query("DELETE FROM symbols WHERE id = $1", [id]);
  return (result.rowCount ?? 0) > 0;
}
