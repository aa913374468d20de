/**
 * notify_allowed_hosts queries: the webhook/Slack hosts admins exempted from the SSRF address check.
 * Written by server/services/notify-allowlist.service.ts, read by every process's guard through
 * server/services/notify-allowlist-cache.ts.
 */
import type pg from "pg";

export interface AllowedHostRow {
  host: string;
  note: string;
  createdBy: string | null;
  /** The creator's email, when the account still exists. */
  createdByEmail: string | null;
  createdAt: Date;
}

/** Every allowed host with its creator, oldest first. */
export async function selectAllowedHosts(pool: pg.Pool): Promise<AllowedHostRow[]> {
  const result = await pool.query<{ host: string; note: string; created_by: string | null; email: string | null; created_at: Date }>(
    `SELECT h."host", h."note", h."created_by", u."email", h."created_at"
       FROM "notify_allowed_hosts" h LEFT JOIN "users" u ON u."id" = h."created_by"
      ORDER BY h."created_at", h."host"`,
  );
  return result.rows.map((row) => ({ host: row.host, note: row.note, createdBy: row.created_by, createdByEmail: row.email, createdAt: row.created_at }));
}

/** Just the host names (the guard's reload). */
export async function selectAllowedHostNames(pool: pg.Pool): Promise<string[]> {
  const result = await pool.query<{ host: string }>(`SELECT "host" FROM "notify_allowed_hosts"`);
  return result.rows.map((row) => row.host);
}

/** Inserts the host; false when it was already listed (the row is left as it was). */
export async function insertAllowedHost(pool: pg.Pool, row: { host: string; note: string; createdBy: string }): Promise<boolean> {
  const result = await pool.query(
    `INSERT INTO "notify_allowed_hosts" ("host", "note", "created_by") VALUES ($1, $2, $3) ON CONFLICT ("host") DO NOTHING`,
    [row.host, row.note, row.createdBy],
  );
  return (result.rowCount ?? 0) === 1;
}

/** Deletes the host; false when it was not listed. */
export async function deleteAllowedHost(pool: pg.Pool, host: string): Promise<boolean> {
  const result = await pool.query(`DELETE FROM "notify_allowed_hosts" WHERE "host" = $1`, [host]);
  return (result.rowCount ?? 0) === 1;
}
