/**
 * The project-local Redis: 127.0.0.1:56379 (next free port if taken), append-only file in
 * .data/redis, pid file and log in .data/run. A Redis already running from that pid file is reused.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { SetupError, note, step } from "./log.mjs";
import { leases } from "./lease.mjs";
import { interrupted } from "./lifecycle.mjs";
import { findFreePort, portOwner, redisPing, waitFor } from "./net.mjs";
import { REDIS_DIR, RUN, rel } from "./paths.mjs";
import { alive, capture, commandLine, readPid, sleep, tail, tailFile } from "./proc.mjs";

export const DEFAULT_REDIS_PORT = 56379;
const pidFile = join(RUN, "redis.pid");
const logFile = join(RUN, "redis.log");

/** pid and port of our Redis, from its pid file and process title ("redis-server 127.0.0.1:56379"). */
function running() {
  const pid = readPid(pidFile);
  if (!pid || !alive(pid)) return null;
  const title = commandLine(pid);
  if (!title.includes("redis-server")) return null;
  const port = Number(/:(\d+)/.exec(title)?.[1] ?? DEFAULT_REDIS_PORT);
  return { pid, port };
}

/** @returns {Promise<{ url: string, stop: () => Promise<void> }>} */
export async function startLocalRedis() {
  mkdirSync(REDIS_DIR, { recursive: true });
  mkdirSync(RUN, { recursive: true });
  const use = leases(RUN, "redis");
  use.take();
  let current = running();
  if (current) {
    step(`Redis: reusing the project-local Redis already running on 127.0.0.1:${current.port} (pid ${current.pid})`);
  } else {
    const port = await findFreePort(DEFAULT_REDIS_PORT);
    if (port === null) throw new SetupError(`no free port in ${DEFAULT_REDIS_PORT}-${DEFAULT_REDIS_PORT + 19} for Redis`, ["free one of them, or set REDIS_URL to a Redis you run yourself"]);
    if (port !== DEFAULT_REDIS_PORT) note(`port ${DEFAULT_REDIS_PORT} is taken by ${(await portOwner(DEFAULT_REDIS_PORT)) || "another process"}; using ${port}`);
    step(`Redis: starting project-local Redis on 127.0.0.1:${port} (${rel(REDIS_DIR)}, append-only file)`);
    use.markStarted(); // before it runs: a run killed right after the start must not leave it "started by hand"
    const result = await capture("redis-server", [
      "--port", String(port), "--bind", "127.0.0.1",
      "--appendonly", "yes", "--appendfsync", "everysec", "--maxmemory-policy", "noeviction",
      "--dir", REDIS_DIR, "--daemonize", "yes", "--pidfile", pidFile, "--logfile", logFile,
    ]);
    const up = result.code === 0 && (await waitFor(async () => (await redisPing(`redis://127.0.0.1:${port}`, 1_000)).ok, { timeoutMs: 10_000, intervalMs: 200 }));
    current = running();
    if (!current || (!up && !interrupted())) {
      if (current) process.kill(current.pid, "SIGTERM"); // runs but does not answer: do not leave it behind
      use.clearStarted();
      throw new SetupError(`Redis did not start on 127.0.0.1:${port}`, [`read the log: ${logFile}`, "then run the command again"], tailFile(logFile, 15) || tail(result.stdout + result.stderr));
    }
  }
  const { pid, port } = current;

  const stop = async () => {
    use.release();
    const others = use.others();
    if (!use.startedByScripts()) return; // started by hand: not ours to stop
    if (others.length > 0) {
      step(`Redis: left running, still used by another run (pid ${others.join(", ")})`);
      return;
    }
    step("Redis: stopping the project-local Redis");
    if (alive(pid)) process.kill(pid, "SIGTERM"); // Redis flushes the append-only file on SIGTERM
    for (let waited = 0; alive(pid) && waited < 10_000; waited += 100) await sleep(100);
    if (alive(pid)) process.kill(pid, "SIGKILL");
    use.clearStarted();
  };
  return { url: `redis://127.0.0.1:${port}`, stop };
}
