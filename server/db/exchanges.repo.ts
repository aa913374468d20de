/**
 * Queries on the `exchanges` table (config/exchanges.yaml as applied). Writes go through
 * server/services/symbols.service.ts, which tells running collectors; an exchange without a row counts as enabled.
 */
import type { ExchangeConfig } from "../config/exchanges-config.ts";
import type { Queryable } from "./symbols.repo.ts";

export interface ExchangeRow {
  id: string;
  displayName: string;
  enabled: boolean;
}

export async function listExchanges(db: Queryable): Promise<ExchangeRow[]> {
  const result = await db.query<ExchangeRow>(`SELECT id, display_name AS "displayName", enabled FROM exchanges ORDER BY id`);
  return result.rows;
}

/** Inserts or updates exchanges for `managedBy`; returns the ids whose row changed. */
export async function upsertExchanges(db: Queryable, exchanges: readonly ExchangeConfig[], managedBy: string): Promise<string[]> {
  if (exchanges.length === 0) return [];
  const result = await db.query<{ id: string }>(
    `INSERT INTO exchanges (id, display_name, enabled, managed_by)
     SELECT *, $4::text FROM unnest($1::text[], $2::text[], $3::boolean[])
     ON CONFLICT (id) DO UPDATE SET display_name = EXCLUDED.display_name, enabled = EXCLUDED.enabled,
       managed_by = EXCLUDED.managed_by, updated_at = now()
     WHERE (exchanges.display_name, exchanges.enabled, exchanges.managed_by)
       IS DISTINCT FROM (EXCLUDED.display_name, EXCLUDED.enabled, EXCLUDED.managed_by)
     RETURNING id`,
    [exchanges.map((e) => e.id), exchanges.map((e) => e.displayName), exchanges.map((e) => e.enabled), managedBy],
  );
  return result.rows.map((row) => row.id);
}

/** Deletes the rows `managedBy` wrote that are not in `keepIds` (those exchanges count as enabled again). */
export async function deleteUnlistedExchanges(db: Queryable, managedBy: string, keepIds: readonly string[]): Promise<string[]> {
  const result = await db.query<{ id: string }>("DELETE FROM exchanges WHERE managed_by = $1 AND NOT (id = ANY($2::text[])) RETURNING id", [managedBy, keepIds]);
  return result.rows.map((row) => row.id);
}
