/**
 * api_keys queries. Keys are looked up by their SHA-256 hash; the key itself is never stored.
 */
import type pg from "pg";

export interface ApiKeyRow {
  id: string;
  userId: string;
  name: string;
  prefix: string;
  scope: "read";
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

interface DbRow {
  id: string;
  user_id: string;
  name: string;
  prefix: string;
  scope: "read";
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const COLUMNS = `"id"::text AS "id", "user_id", "name", "prefix", "scope", "created_at", "last_used_at", "revoked_at"`;

function toRow(row: DbRow): ApiKeyRow {
  return {
    id: row.id,
    userId: row.user_id,
    name: row.name,
    prefix: row.prefix,
    scope: row.scope,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

export async function insertApiKey(pool: pg.Pool, key: { userId: string; name: string; prefix: string; hash: string }): Promise<ApiKeyRow> {
  const result = await pool.query<DbRow>(
    `INSERT INTO "api_keys" ("user_id", "name", "prefix", "hash") VALUES ($1, $2, $3, $4) RETURNING ${COLUMNS}`,
    [key.userId, key.name, key.prefix, key.hash],
  );
  return toRow(result.rows[0] as DbRow);
}

export async function selectApiKeysOfUser(pool: pg.Pool, userId: string): Promise<ApiKeyRow[]> {
  const result = await pool.query<DbRow>(`SELECT ${COLUMNS} FROM "api_keys" WHERE "user_id" = $1 ORDER BY "created_at" DESC, "id"`, [userId]);
  return result.rows.map(toRow);
}

export async function countActiveApiKeys(pool: pg.Pool, userId: string): Promise<number> {
  const result = await pool.query<{ count: string }>(`SELECT count(*)::text AS "count" FROM "api_keys" WHERE "user_id" = $1 AND "revoked_at" IS NULL`, [userId]);
  return Number(result.rows[0]?.count ?? 0);
}

/** The key with this id (any owner; the service checks ownership). `id` must be a UUID. */
export async function selectApiKeyById(pool: pg.Pool, id: string): Promise<ApiKeyRow | null> {
  const result = await pool.query<DbRow>(`SELECT ${COLUMNS} FROM "api_keys" WHERE "id" = $1::uuid`, [id]);
  return result.rows[0] ? toRow(result.rows[0]) : null;
}

/** Marks it revoked (idempotent: keeps the first revocation time). */
export async function markApiKeyRevoked(pool: pg.Pool, id: string): Promise<ApiKeyRow | null> {
  const result = await pool.query<DbRow>(
    `UPDATE "api_keys" SET "revoked_at" = COALESCE("revoked_at", now()) WHERE "id" = $1::uuid RETURNING ${COLUMNS}`,
    [id],
  );
  return result.rows[0] ? toRow(result.rows[0]) : null;
}

/** The active key with this hash, with its owner's role; touches last_used_at at most once a minute. */
export async function findActiveApiKeyByHash(pool: pg.Pool, hash: string): Promise<(ApiKeyRow & { role: string }) | null> {
  const result = await pool.query<DbRow & { role: string }>(
    `SELECT "k"."id"::text AS "id", "k"."user_id", "k"."name", "k"."prefix", "k"."scope", "k"."created_at",
            "k"."last_used_at", "k"."revoked_at", "u"."role"
       FROM "api_keys" "k" JOIN "users" "u" ON "u"."id" = "k"."user_id"
      WHERE "k"."hash" = $1 AND "k"."revoked_at" IS NULL`,
    [hash],
  );
  const row = result.rows[0];
  if (!row) return null;
  await pool.query(
    `UPDATE "api_keys" SET "last_used_at" = now() WHERE "id" = $1::uuid AND ("last_used_at" IS NULL OR "last_used_at" < now() - interval '1 minute')`,
    [row.id],
  );
  return { ...toRow(row), role: row.role };
}
