/**
 * `screens` queries for the API (pg, parameterized): a user's saved screens. The scanner worker reads the
 * active ones itself (workers/scanner/screens.repo.ts). Ownership and validation: services/screens.service.ts.
 */
import type pg from "pg";

export type Queryable = pg.Pool | pg.ClientBase;

export interface ScreenRow {
  id: string;
  userId: string;
  name: string;
  /** The rule document as stored (validated on write). */
  rule: unknown;
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
}

const COLUMNS = `"id", "user_id" AS "userId", "name", "rule", "active", "created_at" AS "createdAt", "updated_at" AS "updatedAt"`;

export async function insertScreen(db: Queryable, screen: { id: string; userId: string; name: string; rule: unknown }): Promise<ScreenRow> {
  const result = await db.query<ScreenRow>(
    `INSERT INTO "screens" ("id", "user_id", "name", "rule") VALUES ($1, $2, $3, $4::jsonb) RETURNING ${COLUMNS}`,
    [screen.id, screen.userId, screen.name, JSON.stringify(screen.rule)],
  );
  return result.rows[0]!;
}

export async function selectScreensOfUser(db: Queryable, userId: string): Promise<ScreenRow[]> {
  const result = await db.query<ScreenRow>(`SELECT ${COLUMNS} FROM "screens" WHERE "user_id" = $1 ORDER BY "created_at", "id"`, [userId]);
  return result.rows;
}

export async function selectScreenById(db: Queryable, id: string): Promise<ScreenRow | null> {
  const result = await db.query<ScreenRow>(`SELECT ${COLUMNS} FROM "screens" WHERE "id" = $1`, [id]);
  return result.rows[0] ?? null;
}

export async function countScreensOfUser(db: Queryable, userId: string): Promise<number> {
  const result = await db.query<{ count: number }>(`SELECT count(*)::int AS "count" FROM "screens" WHERE "user_id" = $1`, [userId]);
  return result.rows[0]?.count ?? 0;
}

/** Sets `active` (updated_at moves, which the scanner's periodic check also notices). */
export async function setScreenActive(db: Queryable, id: string, active: boolean): Promise<ScreenRow | null> {
  const result = await db.query<ScreenRow>(`UPDATE "screens" SET "active" = $2, "updated_at" = now() WHERE "id" = $1 RETURNING ${COLUMNS}`, [id, active]);
  return result.rows[0] ?? null;
}

export async function deleteScreen(db: Queryable, id: string): Promise<boolean> {
  const result = await db.query(`DELETE FROM "screens" WHERE "id" = $1`, [id]);
  return (result.rowCount ?? 0) > 0;
}
