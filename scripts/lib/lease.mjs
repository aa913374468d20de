/**
 * Who uses the local PostgreSQL/Redis. Each run holds a lease file while it uses a service; a
 * marker says the service was started by one of our runs (not by hand). At the end of a run the
 * service is stopped only when our scripts started it and no other live run still holds a lease,
 * so `npm test` never pulls the database from under a running `npm start`.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { alive } from "./proc.mjs";

/** @param {string} dir the service's run directory */
export function leases(dir, service) {
  const prefix = `${service}.lease.`;
  const lease = join(dir, `${prefix}${process.pid}`);
  const marker = join(dir, `${service}.started-by-run`);
  return {
    take() {
      mkdirSync(dir, { recursive: true });
      writeFileSync(lease, `${process.pid}\n`);
    },
    release() {
      rmSync(lease, { force: true });
    },
    /** pids of other live runs using the service (stale lease files are removed). */
    others() {
      if (!existsSync(dir)) return [];
      const pids = [];
      for (const name of readdirSync(dir)) {
        if (!name.startsWith(prefix)) continue;
        const pid = Number(name.slice(prefix.length));
        if (pid === process.pid) continue;
        if (alive(pid)) pids.push(pid);
        else rmSync(join(dir, name), { force: true });
      }
      return pids;
    },
    markStarted() {
      writeFileSync(marker, `${process.pid}\n`);
    },
    startedByScripts: () => existsSync(marker),
    clearStarted() {
      rmSync(marker, { force: true });
    },
  };
}
