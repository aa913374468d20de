/**
 * Symbol checks shared by the alert and watchlist use cases: every symbol must be in the `symbols` table
 * (and active, for an alert's own symbol). Messages name the symbol: `unknown symbol BINANCE:NOPE`.
 */
import type pg from "pg";
import { AppError } from "./app-error.ts";

export async function requireKnownSymbols(pool: pg.Pool, symbols: readonly string[], options: { active: boolean }): Promise<void> {
  if (symbols.length === 0) return;
  const result = await pool.query<{ id: string; active: boolean }>(`SELECT "id", "active" FROM "symbols" WHERE "id" = ANY ($1::text[])`, [symbols]);
  const found = new Map(result.rows.map((row) => [row.id, row.active]));
  const unknown = symbols.filter((symbol) => !found.has(symbol));
  if (unknown.length > 0) throw new AppError("BAD_REQUEST", `unknown symbol ${unknown.join(", ")}: add it first (marketlens symbols add)`);
  if (options.active) {
    const inactive = symbols.filter((symbol) => found.get(symbol) === false);
    if (inactive.length > 0) throw new AppError("BAD_REQUEST", `symbol ${inactive.join(", ")} is inactive: no bars arrive for it`);
  }
}
