/**
 * Where things live. Everything the run scripts create goes under .data/ (git-ignored).
 */
import { join, resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "../..");
export const DATA = join(ROOT, ".data");
/** Sockets, pid files, logs and leases of the local services. */
export const RUN = join(DATA, "run");
export const STAMPS = join(DATA, "stamps");
export const LOGS = join(DATA, "logs");
export const PG_DATA = join(DATA, "postgres");
export const REDIS_DIR = join(DATA, "redis");

/** A project-relative path for messages. */
export function rel(path) {
  return path.startsWith(ROOT + "/") ? path.slice(ROOT.length + 1) : path;
}

/** node_modules/.bin/<name> */
export function bin(name) {
  return join(ROOT, "node_modules", ".bin", name);
}
