/**
 * The process-wide `pg` pool for hot paths (candle writes and range reads).
 * Prisma serves the relational side; see server/db/prisma.ts.
 */
import pg from "pg";
import { env } from "../env.ts";

let pool: pg.Pool | undefined;

/** Returns the shared pool, creating it on first use. */
export function getPool(): pg.Pool {
  if (!pool) {
    pool = new pg.Pool({ connectionString: env().DATABASE_URL, max: 10, connectionTimeoutMillis: 5_000 });
    // An idle client losing its connection must not crash the process; the next query reconnects.
    pool.on("error", () => undefined);
  }
  return pool;
}

/** Closes the shared pool (on shutdown). */
export async function closePool(): Promise<void> {
  const current = pool;
  pool = undefined;
  await current?.end();
}
