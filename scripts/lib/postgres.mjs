/**
 * The project-local PostgreSQL cluster: .data/postgres, 127.0.0.1:55432 (next free port if taken),
 * unix socket and log in .data/run. Initialised and run as the `postgres` user when we are root
 * (initdb refuses root). A cluster already running from this data directory is reused.
 * Never touches a system-wide cluster.
 */
import { createHash } from "node:crypto";
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SetupError, note, step } from "./log.mjs";
import { leases } from "./lease.mjs";
import { findFreePort, portOwner } from "./net.mjs";
import { DATA, PG_DATA, ROOT, RUN, rel } from "./paths.mjs";
import { alive, capture, isRoot, sleep, tail, tailFile } from "./proc.mjs";
import { findPgBin } from "./system.mjs";

export const DEFAULT_PG_PORT = 55432;

/** Runs a PostgreSQL binary, as `postgres` when we are root. */
function pgRun(pgBin, tool, args, options = {}) {
  const command = join(pgBin, tool);
  return isRoot ? capture("runuser", ["-u", "postgres", "--", command, ...args], options) : capture(command, args, options);
}

async function postgresUser() {
  const found = await capture("id", ["-u", "postgres"]);
  if (found.code === 0) return { uid: Number(found.stdout.trim()), gid: Number((await capture("id", ["-g", "postgres"])).stdout.trim()) };
  note("creating the system user `postgres` (initdb refuses to run as root)");
  const created = await capture("useradd", ["--system", "--user-group", "--no-create-home", "--home-dir", "/var/lib/postgresql", "--shell", "/usr/sbin/nologin", "postgres"]);
  if (created.code !== 0) throw new SetupError("could not create the `postgres` user", ["create it: useradd --system --user-group postgres"], created.stderr);
  return postgresUser();
}

/**
 * Where the cluster lives: .data/postgres, unless the `postgres` user cannot traverse the path
 * to .data (a checkout under /root, say); then /var/lib/marketlens/<hash of the checkout path>.
 */
async function layout() {
  mkdirSync(DATA, { recursive: true });
  chmodSync(DATA, 0o755);
  if (!isRoot) return { dataDir: PG_DATA, runDir: RUN, relocated: false, owner: null };
  const owner = await postgresUser();
  const reachable = (await capture("runuser", ["-u", "postgres", "--", "test", "-x", DATA])).code === 0;
  if (reachable) return { dataDir: PG_DATA, runDir: RUN, relocated: false, owner };
  const base = join("/var/lib/marketlens", createHash("sha256").update(ROOT).digest("hex").slice(0, 12));
  writeFileSync(join(DATA, "postgres.location"), `${base}\n`);
  return { dataDir: join(base, "postgres"), runDir: join(base, "run"), relocated: true, owner };
}

function ownDir(dir, owner, mode) {
  mkdirSync(dir, { recursive: true });
  if (owner) {
    const stat = statSync(dir);
    if (stat.uid !== owner.uid) chownSync(dir, owner.uid, owner.gid);
  }
  chmodSync(dir, mode);
}

/** pid and port of the postmaster running from dataDir, or null. */
function running(dataDir) {
  const pidFile = join(dataDir, "postmaster.pid");
  if (!existsSync(pidFile)) return null;
  const lines = readFileSync(pidFile, "utf8").split("\n");
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  return alive(pid) && port > 0 ? { pid, port } : null;
}

async function waitReady(pgBin, port, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ready = await capture(join(pgBin, "pg_isready"), ["-q", "-h", "127.0.0.1", "-p", String(port), "-U", "postgres"]);
    if (ready.code === 0) return true;
    await sleep(250);
  }
  return false;
}

async function initCluster(pgBin, { dataDir, owner }, shown) {
  step(`PostgreSQL: creating a project-local cluster in ${shown} (initdb${isRoot ? " as user postgres" : ""})`);
  rmSync(dataDir, { recursive: true, force: true });
  ownDir(dataDir, owner, 0o700);
  const init = await pgRun(pgBin, "initdb", ["-D", dataDir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]);
  if (init.code !== 0) {
    rmSync(dataDir, { recursive: true, force: true });
    throw new SetupError(`initdb failed for ${shown}`, ["check free disk space and that the directory is writable, then run the command again"], tail(init.stdout + init.stderr));
  }
}

/** pg_ctl start on the first free port from 55432; returns the running postmaster. */
async function startCluster(pgBin, { dataDir, runDir }, { shown, durable, use }) {
  const port = await findFreePort(DEFAULT_PG_PORT);
  if (port === null) throw new SetupError(`no free port in ${DEFAULT_PG_PORT}-${DEFAULT_PG_PORT + 19} for PostgreSQL`, ["free one of them, or set DATABASE_URL to a server you run yourself"]);
  if (port !== DEFAULT_PG_PORT) note(`port ${DEFAULT_PG_PORT} is taken by ${(await portOwner(DEFAULT_PG_PORT)) || "another process"}; using ${port}`);
  step(`PostgreSQL: starting project-local cluster on 127.0.0.1:${port} (${shown})`);
  const logFile = join(runDir, "pg.log");
  const settings = [`-p ${port}`, `-k ${runDir}`, "-c listen_addresses=127.0.0.1"];
  if (!durable) settings.push("-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off");
  use.markStarted(); // before it runs: a run killed right after the start must not leave it "started by hand"
  const start = await pgRun(pgBin, "pg_ctl", ["-D", dataDir, "-l", logFile, "-w", "-t", "60", "-o", settings.join(" "), "start"]);
  const current = running(dataDir);
  if (!current) { // (a pg_ctl cut short by Ctrl-C may still have started it: then it is ours to stop)
    use.clearStarted();
    throw new SetupError(`PostgreSQL did not start from ${shown}`, [
      `read the log: ${logFile}`,
      "if the data directory is damaged and holds nothing you need: rm -rf .data/postgres, then run the command again",
    ], tailFile(logFile, 15) || tail(start.stdout + start.stderr));
  }
  return current;
}

/**
 * Starts (or reuses) the local cluster.
 * @param {{ durable: boolean }} options durable=false (tests) turns fsync off when this run starts it
 * @returns {Promise<{ url: string, stop: () => Promise<void> }>} url without a database name
 */
export async function startLocalPostgres({ durable }) {
  const pgBin = findPgBin();
  const place = await layout();
  const { dataDir, runDir, owner } = place;
  const shown = place.relocated ? dataDir : rel(dataDir);
  if (place.relocated) {
    step(`PostgreSQL: the postgres user cannot reach ${DATA} (a parent directory is closed to other users), so the cluster lives in ${dataDir}`);
  }
  ownDir(runDir, owner, 0o755);
  const use = leases(runDir, "postgres");
  use.take();

  if (!existsSync(join(dataDir, "PG_VERSION"))) {
    await initCluster(pgBin, place, shown);
    use.clearStarted();
  } else if (owner && statSync(dataDir).uid !== owner.uid) {
    note(`fixing the owner of ${shown} (it must belong to postgres)`);
    await capture("chown", ["-R", "postgres:postgres", dataDir]);
  }

  let current = running(dataDir);
  if (current) {
    step(`PostgreSQL: reusing the project-local cluster already running on 127.0.0.1:${current.port} (${shown})`);
    if (!(await waitReady(pgBin, current.port, 30_000))) {
      throw new SetupError(`PostgreSQL (pid ${current.pid}) runs from ${shown} but does not accept connections`, [
        `look at ${join(runDir, "pg.log")}`,
        `stop it with: ${isRoot ? "runuser -u postgres -- " : ""}${join(pgBin, "pg_ctl")} -D ${dataDir} -m fast stop, then run the command again`,
      ]);
    }
  } else {
    current = await startCluster(pgBin, place, { shown, durable, use });
  }

  const stop = async () => {
    use.release();
    const others = use.others();
    if (!use.startedByScripts()) return; // started by hand: not ours to stop
    if (others.length > 0) {
      step(`PostgreSQL: left running, still used by another run (pid ${others.join(", ")})`);
      return;
    }
    step(`PostgreSQL: stopping the project-local cluster (${shown})`);
    const result = await pgRun(pgBin, "pg_ctl", ["-D", dataDir, "-m", "fast", "-w", "-t", "30", "stop"]);
    if (result.code !== 0 && running(dataDir)) {
      note(`pg_ctl stop failed: ${tail(result.stderr, 3)}`);
      return;
    }
    use.clearStarted();
  };
  return { url: `postgresql://postgres@127.0.0.1:${current.port}`, stop };
}
