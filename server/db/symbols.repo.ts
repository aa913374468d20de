/**
 * Queries on the `symbols` table (pg, parameterized). Used by the CLI, the collector and services.
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

const SELECT = `SELECT id, exchange, ticker, asset_class AS "assetClass", display_name AS "displayName", active, calendar FROM symbols`;

export async function listSymbols(db: pg.Pool | pg.Client, options: { exchange?: string; activeOnly?: boolean } = {}): Promise<SymbolRow[]> {
  const result = await db.query<SymbolRow>(
    `${SELECT} WHERE ($1::text IS NULL OR exchange = $1) AND ($2::boolean IS FALSE OR active) ORDER BY exchange, ticker`,
    [options.exchange ?? null, options.activeOnly ?? false],
  );
  return result.rows;
}

/** Inserts or updates symbols; returns how many rows were written. */
export async function upsertSymbols(db: pg.Pool | pg.Client, symbols: readonly SymbolConfig[]): Promise<number> {
  if (symbols.length === 0) return 0;
  const result = await db.query(
    `INSERT INTO symbols (id, exchange, ticker, asset_class, display_name, active, calendar)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::boolean[], $7::text[])
     ON CONFLICT (id) DO UPDATE SET asset_class = EXCLUDED.asset_class, display_name = EXCLUDED.display_name,
       active = EXCLUDED.active, calendar = EXCLUDED.calendar, updated_at = now()
     WHERE (symbols.asset_class, symbols.display_name, symbols.active, symbols.calendar)
       IS DISTINCT FROM (EXCLUDED.asset_class, EXCLUDED.display_name, EXCLUDED.active, EXCLUDED.calendar)`,
    [
      symbols.map((s) => s.id),
      symbols.map((s) => s.exchange),
      symbols.map((s) => s.ticker),
      symbols.map((s) => s.assetClass),
      symbols.map((s) => s.displayName),
      symbols.map((s) => s.active),
      symbols.map((s) => s.calendar),
    ],
  );
  return result.rowCount ?? 0;
}

/** Deletes a symbol row (its candles stay, as history). Returns false when it did not exist. */
export async function removeSymbol(db: pg.Pool | pg.Client, id: string): Promise<boolean> {
  const result = await db.query("DELETE FROM symbols WHERE id = $1", [id]);
  return (result.rowCount ?? 0) > 0;
}
