/**
 * watchlists queries (pg, parameterized): named symbol lists an alert can target. Ownership and validation live in
 * server/services/alerts.service.ts.
 */
import type { Queryable } from "./alerts.repo.ts";

export interface WatchlistRow {
  id: string;
  userId: string;
  name: string;
  symbols: string[];
  createdAt: Date;
  updatedAt: Date;
}

const COLUMNS = `"id"::text AS "id", "user_id" AS "userId", "name", "symbols", "created_at" AS "createdAt", "updated_at" AS "updatedAt"`;

export async function insertWatchlist(db: Queryable, list: { userId: string; name: string; symbols: readonly string[] }): Promise<WatchlistRow> {
  const result = await db.query<WatchlistRow>(`INSERT INTO "watchlists" ("user_id", "name", "symbols") VALUES ($1, $2, $3::text[]) RETURNING ${COLUMNS}`, [
    list.userId,
    list.name,
    list.symbols,
  ]);
  return result.rows[0]!;
}

export async function selectWatchlistById(db: Queryable, id: string): Promise<WatchlistRow | null> {
  const result = await db.query<WatchlistRow>(`SELECT ${COLUMNS} FROM "watchlists" WHERE "id" = $1::uuid`, [id]);
  return result.rows[0] ?? null;
}

export async function selectWatchlistsOfUser(db: Queryable, userId: string): Promise<WatchlistRow[]> {
  const result = await db.query<WatchlistRow>(`SELECT ${COLUMNS} FROM "watchlists" WHERE "user_id" = $1 ORDER BY "name", "id"`, [userId]);
  return result.rows;
}

export async function updateWatchlist(db: Queryable, id: string, list: { name: string; symbols: readonly string[] }): Promise<WatchlistRow | null> {
  const result = await db.query<WatchlistRow>(
    `UPDATE "watchlists" SET "name" = $2, "symbols" = $3::text[], "updated_at" = now() WHERE "id" = $1::uuid RETURNING ${COLUMNS}`,
    [id, list.name, list.symbols],
  );
  return result.rows[0] ?? null;
}

/** Deletes a watchlist (its alerts go with it: ON DELETE CASCADE). */
export async function deleteWatchlist(db: Queryable, id: string): Promise<boolean> {
  const result = await db.query(`DELETE FROM "watchlists" WHERE "id" = $1::uuid`, [id]);
  return (result.rowCount ?? 0) > 0;
}
