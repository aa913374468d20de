/**
 * AUTH_SECRET for the stack: signs sessions and access tokens, and web and gateway must share it.
 * Taken from the environment when set; otherwise created once in .data/auth-secret (mode 600) and
 * reused, so sessions survive restarts. Deleting the file signs everybody out.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DATA } from "./paths.mjs";

export function ensureAuthSecret(env) {
  if (env.AUTH_SECRET) return env.AUTH_SECRET;
  const file = join(DATA, "auth-secret");
  if (existsSync(file)) {
    const stored = readFileSync(file, "utf8").trim();
    if (stored.length >= 32) return stored;
  }
  mkdirSync(DATA, { recursive: true });
  const secret = randomBytes(32).toString("base64url");
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}
