/**
 * One SQL statement against a PostgreSQL URL: with psql when installed, otherwise with the `pg`
 * package from node_modules in a child `node -e` (the run scripts themselves have no dependencies).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./paths.mjs";
import { capture, which } from "./proc.mjs";
import { findPgBin } from "./system.mjs";

function psqlPath() {
  const pgBin = findPgBin();
  if (pgBin && existsSync(join(pgBin, "psql"))) return join(pgBin, "psql");
  return which("psql");
}

const NODE_QUERY = `
const pg = require("pg");
const client = new pg.Client({ connectionString: process.argv[1], connectionTimeoutMillis: 5000 });
client.connect()
  .then(() => client.query(process.argv[2]))
  .then((result) => { for (const row of result.rows ?? []) console.log(Object.values(row).join("|")); return client.end(); })
  .catch((error) => { console.error(error.message); process.exit(1); });
`;

/**
 * @returns {Promise<{ ok: boolean, output: string, error: string }>} output: rows, one per line, columns joined by "|".
 */
export async function pgQuery(url, sql) {
  const psql = psqlPath();
  if (psql) {
    const result = await capture(psql, [url, "-v", "ON_ERROR_STOP=1", "-tAXq", "-c", sql], {
      env: { ...process.env, PGCONNECT_TIMEOUT: "5" },
      timeoutMs: 30_000,
    });
    return { ok: result.code === 0, output: result.stdout.trim(), error: result.stderr.trim().replace(/^psql: (error: )?/, "") };
  }
  if (existsSync(join(ROOT, "node_modules", "pg"))) {
    const result = await capture(process.execPath, ["-e", NODE_QUERY, url, sql], { timeoutMs: 30_000 });
    return { ok: result.code === 0, output: result.stdout.trim(), error: result.stderr.trim() };
  }
  return { ok: false, output: "", error: "neither psql nor node_modules/pg is available to run SQL" };
}

/** The URL with another database name. */
export function withDatabase(url, database) {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** The URL with its password replaced by *** (for messages). */
export function redact(url) {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(not a URL)";
  }
}

/** A quoted SQL identifier. */
export const quoteIdent = (name) => `"${name.replaceAll('"', '""')}"`;

/** Creates the database when it does not exist (then through the server's `postgres` database). */
export async function ensureDatabase(url, database) {
  const target = withDatabase(url, database);
  const direct = await pgQuery(target, "select 1");
  if (direct.ok) return { ok: true, created: false };
  if (!/database ".*" does not exist/.test(direct.error)) return { ok: false, error: direct.error };
  const created = await pgQuery(withDatabase(url, "postgres"), `create database ${quoteIdent(database)}`);
  return created.ok ? { ok: true, created: true } : { ok: false, error: created.error };
}
