/**
 * Schema and seed data through the Marketlens CLI: `marketlens migrate up` (prisma/migrations,
 * applied offline with @prisma/schema-engine-wasm) and `marketlens symbols sync` (config/symbols.yaml);
 * and a clean slate for a test stage.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { SetupError, step } from "./log.mjs";
import { ROOT } from "./paths.mjs";
import { ensureDatabase, pgQuery, quoteIdent, withDatabase } from "./pg-query.mjs";
import { capture, tail } from "./proc.mjs";

const CLI = join(ROOT, "bin", "marketlens.mjs");

async function cli(args, env, what, hints) {
  const result = await capture(process.execPath, [CLI, ...args], { env });
  const output = (result.stdout + result.stderr).trim();
  if (result.code !== 0) {
    const envProblem = /invalid environment/.test(output);
    throw new SetupError(`marketlens ${args.join(" ")} failed`, envProblem ? ["fix the environment variable named above (README.md, Configuration)"] : hints, tail(output, 25));
  }
  const summary = tail(output, 1);
  if (summary) console.log(`  ${what}: ${summary}`);
}

/** Applies migrations and syncs the symbols table. @param {NodeJS.ProcessEnv} env with DATABASE_URL */
export async function migrateAndSeed(env) {
  if (!existsSync(CLI)) {
    throw new SetupError("bin/marketlens.mjs is missing: it applies the database migrations", [
      "restore it from git (git checkout -- bin/marketlens.mjs), or pull the latest main",
    ]);
  }
  step("Database: node bin/marketlens.mjs migrate up");
  await cli(["migrate", "up"], env, "migrations", [
    "the error above names the migration and statement at fault; fix that migration.sql",
    "if the database is a scratch one you can drop: dropdb it (or rm -rf .data/postgres for the local cluster), then run again",
  ]);
  step("Symbols: node bin/marketlens.mjs symbols sync (config/symbols.yaml)");
  await cli(["symbols", "sync"], env, "symbols", ["fix config/symbols.yaml at the line named above, then run the command again"]);
}

const CLEAR_NAMESPACE = `
const { Redis } = require("ioredis");
const redis = new Redis(process.argv[1], { maxRetriesPerRequest: 1, connectTimeout: 5000 });
(async () => {
  let cursor = "0";
  let removed = 0;
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", process.argv[2] + ":*", "COUNT", 1000);
    cursor = next;
    if (keys.length > 0) removed += await redis.unlink(...keys);
  } while (cursor !== "0");
  console.log(removed);
  await redis.quit();
})().catch((error) => { console.error(error.message); process.exit(1); });
`;

/**
 * Gives a stage a clean slate: drops and recreates the run's database (migrated and seeded) and
 * removes the run's Redis namespace. `npm test` does this before the full-stack stage, so the
 * stack starts like a fresh clone whatever the integration tests left behind.
 * @param {NodeJS.ProcessEnv} env with DATABASE_URL, REDIS_URL, MARKETLENS_NAMESPACE
 */
export async function resetData(env) {
  const database = decodeURIComponent(new URL(env.DATABASE_URL).pathname.slice(1));
  step(`Database: recreating ${database} and clearing Redis namespace ${env.MARKETLENS_NAMESPACE} (a clean start for the stack)`);
  const dropped = await pgQuery(withDatabase(env.DATABASE_URL, "postgres"), `drop database if exists ${quoteIdent(database)} with (force)`);
  if (!dropped.ok) throw new SetupError(`could not drop the database ${database}: ${dropped.error}`, ["drop it yourself, then run the command again"]);
  const created = await ensureDatabase(env.DATABASE_URL, database);
  if (!created.ok) throw new SetupError(`could not create the database ${database}: ${created.error}`, [`create it yourself (createdb ${database})`]);
  const cleared = await capture(process.execPath, ["-e", CLEAR_NAMESPACE, env.REDIS_URL, env.MARKETLENS_NAMESPACE], { timeoutMs: 60_000 });
  if (cleared.code !== 0) throw new SetupError(`could not clear the Redis namespace ${env.MARKETLENS_NAMESPACE}: ${cleared.stderr.trim()}`, ["check REDIS_URL"]);
  await migrateAndSeed(env);
}
