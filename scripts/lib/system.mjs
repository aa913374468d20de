/**
 * System packages (PostgreSQL, Redis, Chromium): found on the machine, installed with apt-get when
 * we are root on Debian/Ubuntu, otherwise the user is told exactly what to install.
 */
import { existsSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SetupError, note, step } from "./log.mjs";
import { capture, isRoot, tail, which } from "./proc.mjs";

/** The newest PostgreSQL server bin directory (Debian layout first, then PATH), or null. */
export function findPgBin() {
  const base = "/usr/lib/postgresql";
  if (existsSync(base)) {
    const versions = readdirSync(base)
      .filter((version) => existsSync(join(base, version, "bin", "initdb")))
      .sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a));
    if (versions[0]) return join(base, versions[0], "bin");
  }
  const initdb = which("initdb");
  return initdb && existsSync(join(initdb, "..", "pg_ctl")) ? join(initdb, "..") : null;
}

/** Path of a Chromium/Chrome binary, or null. */
export function findChromium() {
  if (existsSync("/usr/bin/chromium")) return "/usr/bin/chromium";
  for (const name of ["chromium", "chromium-browser", "google-chrome-stable", "google-chrome"]) {
    const found = which(name);
    if (found) return found;
  }
  return null;
}

const hasFonts = () => existsSync("/usr/share/fonts/truetype/liberation");

/** Debian package names still missing for what this run needs. */
function missingPackages({ postgres = false, redis = false, chromium = false }) {
  const missing = [];
  if (postgres && !findPgBin()) missing.push("postgresql");
  if (redis && !which("redis-server")) missing.push("redis-server");
  if (chromium && !findChromium()) missing.push("chromium");
  if (chromium && !hasFonts()) missing.push("fonts-liberation");
  return missing;
}

const aptLine = (packages) =>
  `sudo apt-get update && sudo apt-get install -y --no-install-recommends ${packages.join(" ")}`;

function cannotInstall(missing, reason) {
  const services = missing.filter((name) => name === "postgresql" || name === "redis-server");
  const hints = [`install them: ${aptLine(missing)}`];
  if (services.length > 0) {
    hints.push(
      "or run PostgreSQL and Redis in Docker: docker compose up -d postgres redis, then " +
        "DATABASE_URL=postgresql://postgres:marketlens@127.0.0.1:5432/marketlens REDIS_URL=redis://127.0.0.1:6379 npm start",
      "or run the whole stack in Docker: docker compose up -d  (then open http://localhost:3000)",
      "or point DATABASE_URL / REDIS_URL at servers you already have (see docs/operations.md)",
    );
  }
  return new SetupError(`missing system packages: ${missing.join(", ")} (${reason})`, hints);
}

let aptUpdated = false;

/**
 * Installs what is missing (root + apt-get), or fails with what to install.
 * Services of the installed packages are not started system-wide (policy-rc.d guard).
 */
export async function ensureSystemPackages(needs) {
  const missing = missingPackages(needs);
  if (missing.length === 0) return;
  if (!isRoot) throw cannotInstall(missing, "not root, so the scripts cannot install them");
  if (!which("apt-get")) throw cannotInstall(missing, "no apt-get on this machine: install the equivalents with your package manager");

  step(`System packages: installing ${missing.join(" ")} with apt-get (a few minutes the first time)`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  // Without a policy, the packages' init scripts would start a system-wide PostgreSQL/Redis.
  const policy = "/usr/sbin/policy-rc.d";
  const addedPolicy = !existsSync(policy);
  if (addedPolicy) writeFileSync(policy, "#!/bin/sh\n# temporary, written by marketlens scripts/lib/system.mjs\nexit 101\n", { mode: 0o755 });
  try {
    if (!aptUpdated) {
      note("apt-get update");
      const update = await capture("apt-get", ["update", "-qq"], { env });
      if (update.code !== 0) {
        throw new SetupError("apt-get update failed", ["check the network access to the Debian mirrors, then run the command again"], tail(update.stdout + update.stderr));
      }
      aptUpdated = true;
    }
    note(`apt-get install -y --no-install-recommends ${missing.join(" ")}`);
    const install = await capture("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...missing], { env });
    if (install.code !== 0) {
      throw new SetupError(`apt-get install ${missing.join(" ")} failed`, [`run it yourself to see why: ${aptLine(missing)}`], tail(install.stdout + install.stderr));
    }
  } finally {
    if (addedPolicy) rmSync(policy, { force: true });
  }
  const still = missingPackages(needs);
  if (still.length > 0) throw cannotInstall(still, "apt-get finished but they are still not found");
}
