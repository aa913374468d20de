/**
 * users queries outside Better Auth (admin views and role changes). Better Auth writes the rows.
 */
import type pg from "pg";

export interface UserRow {
  id: string;
  name: string;
  email: string;
  role: "user" | "admin";
  createdAt: Date;
}

export async function selectUsers(pool: pg.Pool, limit: number): Promise<UserRow[]> {
  const result = await pool.query<{ id: string; name: string; email: string; role: "user" | "admin"; created_at: Date }>(
    `SELECT "id", "name", "email", "role", "created_at" FROM "users" ORDER BY "created_at", "id" LIMIT $1`,
    [limit],
  );
  return result.rows.map((row) => ({ id: row.id, name: row.name, email: row.email, role: row.role, createdAt: row.created_at }));
}

/**
 * Sets a user's role in one statement that refuses to remove the last admin (the row is then not
 * updated). Returns "updated", "missing" or "last-admin".
 */
export async function updateUserRole(pool: pg.Pool, userId: string, role: "user" | "admin"): Promise<"updated" | "missing" | "last-admin"> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    // Serialize role changes so two admins demoting each other cannot leave none.
    await client.query(`LOCK TABLE "users" IN SHARE ROW EXCLUSIVE MODE`);
    const found = await client.query<{ role: string }>(`SELECT "role" FROM "users" WHERE "id" = $1`, [userId]);
    if (!found.rows[0]) {
      await client.query("ROLLBACK");
      return "missing";
    }
    if (found.rows[0].role === "admin" && role !== "admin") {
      const admins = await client.query<{ count: string }>(`SELECT count(*)::text AS "count" FROM "users" WHERE "role" = 'admin'`);
      if (Number(admins.rows[0]?.count ?? 0) <= 1) {
        await client.query("ROLLBACK");
        return "last-admin";
      }
    }
    await client.query(`UPDATE "users" SET "role" = $2, "updated_at" = now() WHERE "id" = $1`, [userId, role]);
    await client.query("COMMIT");
    return "updated";
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
