/**
 * Who is calling: resolves a request's credentials into a Principal. Order:
 *   1. `Authorization: Bearer ml_…`  → a personal API key (read-only scope)
 *   2. `Authorization: Bearer <jwt>` → an access token (user, admin or guest)
 *   3. the Better Auth session cookie → the signed-in user
 *   4. nothing → anonymous
 * Credentials that are present but wrong (unknown or revoked key, forged or expired token) are an
 * error (401), never a silent fall-back to anonymous, so a script with a bad key learns it at once.
 * When PostgreSQL does not answer, an API key cannot be checked (503), while a session cookie is
 * treated as anonymous, so public charts keep working from Redis during a database outage.
 */
import type pg from "pg";
import { componentLogger } from "../observability/logger.ts";
import { AppError } from "../services/app-error.ts";
import { authenticateApiKey, isApiKeyShaped } from "../services/api-keys.service.ts";
import { looksLikeJwt, verifyAccessToken } from "./access-token.ts";
import type { Auth } from "./auth.ts";
import { clientIp } from "./client-ip.ts";

export type Principal =
  | { kind: "anonymous"; ip: string }
  | { kind: "guest"; ip: string }
  | { kind: "user"; userId: string; role: "user" | "admin"; via: "session" | "token"; ip: string }
  | { kind: "api_key"; userId: string; keyId: string; role: "user" | "admin"; ip: string };

export interface PrincipalDeps {
  pool: pg.Pool;
  auth: Auth;
  secret: string;
  now: () => number;
  trustedProxyHops: number;
}

const log = componentLogger("auth");

function roleOf(value: unknown): "user" | "admin" {
  return value === "admin" ? "admin" : "user";
}

/** The bearer credential of the request, or null. */
export function bearerOf(headers: Headers): string | null {
  const header = headers.get("authorization");
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match?.[1]) throw new AppError("UNAUTHORIZED", "Authorization header must be `Bearer <token or API key>`");
  return match[1];
}

export async function resolvePrincipal(request: Request, deps: PrincipalDeps): Promise<Principal> {
  const ip = clientIp(request.headers, deps.trustedProxyHops);
  const bearer = bearerOf(request.headers);
  if (bearer !== null) {
    if (isApiKeyShaped(bearer)) {
      const key = await authenticateApiKey(deps.pool, bearer).catch((error: unknown) => {
        throw new AppError("UNAVAILABLE", "API key check failed: the database did not answer; retry", { cause: error });
      });
      if (!key) throw new AppError("UNAUTHORIZED", "invalid or revoked API key");
      return { kind: "api_key", userId: key.userId, keyId: key.keyId, role: roleOf(key.role), ip };
    }
    if (!looksLikeJwt(bearer)) throw new AppError("UNAUTHORIZED", "bearer credential is neither an access token nor an API key (ml_…)");
    const verified = await verifyAccessToken(bearer, { secret: deps.secret, nowMs: deps.now() });
    if (!verified.ok) throw new AppError("UNAUTHORIZED", verified.reason === "expired" ? "access token expired: get a new one from /api/auth/token" : "invalid access token");
    const { claims } = verified;
    if (claims.role === "guest") return { kind: "guest", ip };
    return { kind: "user", userId: claims.sub, role: claims.role, via: "token", ip };
  }
  if (!(request.headers.get("cookie") ?? "").includes("better-auth")) return { kind: "anonymous", ip };
  const session = await deps.auth.api.getSession({ headers: request.headers }).catch((error: unknown) => {
    log.warn({ err: String(error) }, "session lookup failed: treating the request as anonymous");
    return null;
  });
  if (!session) return { kind: "anonymous", ip };
  return { kind: "user", userId: session.user.id, role: roleOf((session.user as { role?: unknown }).role), via: "session", ip };
}

/** The rate-limit subject: the user for signed-in callers, the IP for everyone else. */
export function rateLimitSubject(principal: Principal): string {
  return principal.kind === "user" || principal.kind === "api_key" ? `user:${principal.userId}` : `ip:${principal.ip}`;
}
