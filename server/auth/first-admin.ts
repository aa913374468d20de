/**
 * "The first user becomes admin": runs after Better Auth inserted a user. Under a transaction-level
 * advisory lock, the user is promoted only when no admin exists yet, so two sign-ups racing on an
 * empty database cannot both become admin (the second waits for the lock, then sees the first).
 */
import type pg from "pg";

/** Arbitrary constant naming this lock (pg_advisory_xact_lock takes a bigint). */
const FIRST_ADMIN_LOCK = 5_022_611_220_500;

/** Promotes the user to admin when there is no admin yet; true when it did. */
export async function promoteIfFirstUser(pool: pg.Pool, userId: string): Promise<boolean> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    await client.query("SELECT pg_advisory_xact_lock($1)", [FIRST_ADMIN_LOCK]);
    const result = await client.query(
      `UPDATE "users" SET "role" = 'admin', "updated_at" = now()
        WHERE "id" = $1 AND NOT EXISTS (SELECT 1 FROM "users" WHERE "role" = 'admin')`,
      [userId],
    );
    await client.query("COMMIT");
    return result.rowCount === 1;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
