/**
 * audit_log queries (append-only): who did what, from where. Written by services/audit.service.ts.
 */
import type pg from "pg";

export interface AuditRow {
  id: string;
  at: Date;
  userId: string | null;
  actorIp: string | null;
  action: string;
  target: string | null;
  details: Record<string, unknown>;
}

export interface NewAuditRow {
  userId: string | null;
  actorIp: string | null;
  action: string;
  target: string | null;
  details: Record<string, unknown>;
}

export async function insertAuditRow(pool: pg.Pool, row: NewAuditRow): Promise<void> {
  await pool.query(
    `INSERT INTO "audit_log" ("user_id", "actor_ip", "action", "target", "details") VALUES ($1, $2, $3, $4, $5)`,
    [row.userId, row.actorIp, row.action, row.target, JSON.stringify(row.details)],
  );
}

/** Newest first; `action` filters to one action; `beforeId` keeps entries older than that id (paging). */
export async function selectAuditRows(pool: pg.Pool, options: { limit: number; action?: string; userId?: string; beforeId?: string }): Promise<AuditRow[]> {
  const result = await pool.query<{ id: string; at: Date; user_id: string | null; actor_ip: string | null; action: string; target: string | null; details: Record<string, unknown> }>(
    `SELECT "id"::text AS "id", "at", "user_id", "actor_ip", "action", "target", "details" FROM "audit_log"
      WHERE ($2::text IS NULL OR "action" = $2) AND ($3::text IS NULL OR "user_id" = $3) AND ($4::bigint IS NULL OR "id" < $4)
      ORDER BY "id" DESC LIMIT $1`,
    [options.limit, options.action ?? null, options.userId ?? null, options.beforeId ?? null],
  );
  return result.rows.map((row) => ({
    id: row.id,
    at: row.at,
    userId: row.user_id,
    actorIp: row.actor_ip,
    action: row.action,
    target: row.target,
    details: row.details,
  }));
}
