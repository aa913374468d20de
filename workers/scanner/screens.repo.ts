/**
 * Queries on the `screens` table (prisma/migrations/20261122040000_screens) for the scanner worker: the active
 * screens, and a cheap version (count + newest updated_at) to tell whether they changed. Writers must set
 * `updated_at = now()` on every change and publish on `{ns}:scanner:screens-changed` (keys.scannerScreensChanged).
 * Move to server/db/ when the API starts writing screens.
 */
import type pg from "pg";

export interface ScreenRow {
  id: string;
  userId: string;
  name: string;
  /** The stored JSON, not validated yet (parseRuleDocument does). */
  rule: unknown;
  /** updated_at as epoch ms. */
  updatedAt: number;
}

export async function listActiveScreens(db: pg.Pool | pg.ClientBase): Promise<ScreenRow[]> {
  const result = await db.query<{ id: string; userId: string; name: string; rule: unknown; updatedAt: number }>(
    `SELECT id, user_id AS "userId", name, rule, (extract(epoch from updated_at) * 1000)::float8 AS "updatedAt"
       FROM screens WHERE active ORDER BY id`,
  );
  return result.rows;
}

/** Changes whenever an active screen is added, removed, (de)activated or updated. */
export async function activeScreensVersion(db: pg.Pool | pg.ClientBase): Promise<string> {
  const result = await db.query<{ count: number; latest: number | null }>(
    `SELECT count(*)::int AS count, (extract(epoch from max(updated_at)) * 1000)::float8 AS latest FROM screens WHERE active`,
  );
  const row = result.rows[0];
  return `${row?.count ?? 0}:${row?.latest ?? 0}`;
}
