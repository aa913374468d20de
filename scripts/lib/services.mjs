/**
 * PostgreSQL and Redis for a run: DATABASE_URL / REDIS_URL when they are set and answer,
 * otherwise the project-local ones (installing the packages when we may). Then the run's database.
 */
import { SetupError, note, step } from "./log.mjs";
import { onCleanup } from "./lifecycle.mjs";
import { redisPing, tcpProbe } from "./net.mjs";
import { ensureDatabase, pgQuery, redact, withDatabase } from "./pg-query.mjs";
import { DEFAULT_PG_PORT, startLocalPostgres } from "./postgres.mjs";
import { DEFAULT_REDIS_PORT, startLocalRedis } from "./redis.mjs";
import { ensureSystemPackages } from "./system.mjs";

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

function parseUrl(name, value, protocols, example) {
  let parsed;
  try {
    parsed = new URL(value);
  } catch {
    parsed = null;
  }
  if (!parsed || !protocols.includes(parsed.protocol) || !parsed.hostname) {
    throw new SetupError(`${name} is not a valid ${protocols.join(" or ")} URL: ${JSON.stringify(redact(value))}`, [
      `use the form ${example}`,
      `or unset ${name} to use the project-local server the scripts start`,
    ]);
  }
  return parsed;
}

/** The given URL points at the project-local default server (which may simply not be running yet). */
const isLocalDefault = (parsed, port) => LOOPBACK.has(parsed.hostname) && Number(parsed.port) === port;

/**
 * Decides, for each service, whether to use the given URL ("given", after `verify` passed) or the
 * local server ("local"). Runs before anything is started, so a bad URL fails fast.
 */
async function plan(name, value, { protocols, example, localPort, defaultPort, what, verify }) {
  if (!value) return "local";
  const parsed = parseUrl(name, value, protocols, example);
  const port = Number(parsed.port || defaultPort);
  const probe = await tcpProbe(parsed.hostname, port);
  if (probe.ok) {
    await verify(value);
    return "given";
  }
  if (isLocalDefault(parsed, localPort)) {
    note(`${name} points at the project-local ${what}, which is not running: starting it`);
    return "local";
  }
  throw new SetupError(`${name}=${redact(value)} is not reachable (${probe.error})`, [
    `start that ${what} or correct ${name}`,
    `or unset ${name}: the scripts then run a project-local ${what} (see docs/operations.md)`,
  ]);
}

/** The database a run uses: the stage's own name for test/bench, otherwise the one in the URL (default marketlens). */
function databaseName(givenUrl, stageDatabase) {
  if (stageDatabase) return stageDatabase;
  const fromUrl = givenUrl ? decodeURIComponent(new URL(givenUrl).pathname.slice(1)) : "";
  return fromUrl || "marketlens";
}

async function checkGivenRedis(url) {
  const ping = await redisPing(url);
  if (ping.ok) return;
  throw new SetupError(`REDIS_URL=${redact(url)} answers but PING fails: ${ping.error}`, [
    "check the host, port and password in REDIS_URL (redis://:PASSWORD@HOST:6379)",
    "or unset REDIS_URL: the scripts then run a project-local Redis",
  ]);
}

async function checkGivenPostgres(url) {
  const result = await pgQuery(url, "select 1");
  if (result.ok || /database ".*" does not exist/.test(result.error)) return; // created below
  throw new SetupError(`DATABASE_URL=${redact(url)} answers but refuses the connection: ${result.error}`, [
    "check the user, password and database in DATABASE_URL",
    "or unset DATABASE_URL: the scripts then run a project-local PostgreSQL",
  ]);
}

/**
 * @param {{ database?: string, durable: boolean, chromium?: boolean }} options
 *   database: the stage's database (marketlens_test, marketlens_bench); durable: fsync on when we start PostgreSQL
 * @returns {Promise<{ DATABASE_URL: string, REDIS_URL: string }>}
 */
export async function setUpServices({ database, durable, chromium = false }) {
  const givenPg = process.env.DATABASE_URL || "";
  const givenRedis = process.env.REDIS_URL || "";
  const pgPlan = await plan("DATABASE_URL", givenPg, {
    protocols: ["postgresql:", "postgres:"], example: "postgresql://USER:PASSWORD@HOST:5432/marketlens",
    localPort: DEFAULT_PG_PORT, defaultPort: 5432, what: "PostgreSQL", verify: checkGivenPostgres,
  });
  const redisPlan = await plan("REDIS_URL", givenRedis, {
    protocols: ["redis:", "rediss:"], example: "redis://HOST:6379", localPort: DEFAULT_REDIS_PORT, defaultPort: 6379, what: "Redis",
    verify: checkGivenRedis,
  });
  await ensureSystemPackages({ postgres: pgPlan === "local", redis: redisPlan === "local", chromium });

  const name = databaseName(givenPg, database);
  let serverUrl;
  if (pgPlan === "given") {
    serverUrl = givenPg;
    step(`PostgreSQL: using DATABASE_URL ${redact(withDatabase(givenPg, name))}`);
    if (database && new URL(givenPg).pathname.slice(1) !== database) note(`this run uses its own database ${database} on that server, never the one named in DATABASE_URL`);
  } else {
    const local = await startLocalPostgres({ durable });
    onCleanup(local.stop);
    serverUrl = local.url;
  }
  const ready = await ensureDatabase(serverUrl, name);
  if (!ready.ok) {
    throw new SetupError(`could not check or create the database ${name}: ${ready.error}`, [
      `create it yourself (createdb ${name}) or give the DATABASE_URL user the CREATEDB right`,
    ]);
  }
  if (ready.created) note(`created database ${name}`);

  let redisUrl;
  if (redisPlan === "given") {
    step(`Redis: using REDIS_URL ${redact(givenRedis)}`);
    redisUrl = givenRedis;
  } else {
    const local = await startLocalRedis();
    onCleanup(local.stop);
    redisUrl = local.url;
  }
  return { DATABASE_URL: withDatabase(serverUrl, name), REDIS_URL: redisUrl };
}
