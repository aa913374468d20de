/**
 * The secret that signs Better Auth session cookies and our access tokens (JWT). Web and gateway
 * must share it: `npm start` writes one to .data/auth-secret and passes AUTH_SECRET to every process.
 * Outside production an unset AUTH_SECRET falls back to a random per-process secret (tests, dev),
 * which means tokens do not survive a restart and are not accepted by another process.
 */
import { randomBytes } from "node:crypto";
import { env } from "../env.ts";

let fallback: string | undefined;

export function authSecret(): string {
  const config = env();
  if (config.AUTH_SECRET) return config.AUTH_SECRET;
  if (config.NODE_ENV === "production") {
    throw new Error("AUTH_SECRET is not set: production needs a secret of at least 32 characters shared by web and gateway (e.g. `openssl rand -base64 32`)");
  }
  fallback ??= randomBytes(32).toString("base64url");
  return fallback;
}
