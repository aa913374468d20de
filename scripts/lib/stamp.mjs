/**
 * Content-hash stamps under .data/stamps: a step (npm install, prisma generate, next build) is
 * skipped when the hash of its inputs equals the one saved after its last success.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, STAMPS } from "./paths.mjs";

const SKIP_DIRS = new Set(["node_modules", ".next", ".data", ".git", "generated"]);

function addPath(hash, relPath) {
  const full = join(ROOT, relPath);
  if (!existsSync(full)) return;
  const stat = statSync(full);
  if (stat.isDirectory()) {
    for (const entry of readdirSync(full).sort()) {
      if (SKIP_DIRS.has(entry)) continue;
      addPath(hash, join(relPath, entry));
    }
    return;
  }
  if (!stat.isFile()) return;
  hash.update(`${relPath}\0`);
  hash.update(readFileSync(full));
  hash.update("\0");
}

/**
 * sha256 over the contents of files and directories (relative to the repo root) plus extra strings.
 * @param {string[]} paths
 * @param {string[]} [extra]
 */
export function hashInputs(paths, extra = []) {
  const hash = createHash("sha256");
  for (const path of paths) addPath(hash, path);
  for (const value of extra) hash.update(`${value}\0`);
  return hash.digest("hex");
}

export function readStamp(name) {
  const file = join(STAMPS, name);
  return existsSync(file) ? readFileSync(file, "utf8").trim() : null;
}

export function writeStamp(name, value) {
  mkdirSync(STAMPS, { recursive: true });
  writeFileSync(join(STAMPS, name), `${value}\n`);
}
