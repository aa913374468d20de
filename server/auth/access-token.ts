/**
 * Short-lived signed access tokens (JWT, HS256 with AUTH_SECRET, 15 minutes) for the REST API
 * (`Authorization: Bearer <jwt>`) and the realtime gateway (`?token=<jwt>`). Minted by
 * /api/auth/token for the signed-in session, or as a *guest* token (read-only market data) when
 * MARKETLENS_PUBLIC_CHARTS is on. Stateless: the gateway verifies them without a database.
 */
import { SignJWT, jwtVerify, errors } from "jose";

export type TokenRole = "guest" | "user" | "admin";

export interface AccessClaims {
  /** User id; `guest:<ip>` for guest tokens. */
  sub: string;
  role: TokenRole;
  /** Expiry, epoch seconds. */
  exp: number;
}

export const ACCESS_TOKEN_TTL_S = 15 * 60;
const ISSUER = "marketlens";
const AUDIENCE = "marketlens-api";

function key(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

/** A signed token for `sub` with `role`, valid `ttlS` seconds from `nowMs`. */
export async function signAccessToken(options: { secret: string; sub: string; role: TokenRole; nowMs: number; ttlS?: number }): Promise<{ token: string; expiresAt: number }> {
  const issuedAt = Math.floor(options.nowMs / 1000);
  const exp = issuedAt + (options.ttlS ?? ACCESS_TOKEN_TTL_S);
  const token = await new SignJWT({ role: options.role })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(options.sub)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(issuedAt)
    .setExpirationTime(exp)
    .sign(key(options.secret));
  return { token, expiresAt: exp * 1000 };
}

export type VerifyResult = { ok: true; claims: AccessClaims } | { ok: false; reason: "expired" | "invalid" };

/** Checks signature (HS256 only), issuer, audience, expiry and claim shapes. Never throws. */
export async function verifyAccessToken(token: string, options: { secret: string; nowMs: number }): Promise<VerifyResult> {
  try {
    const { payload } = await jwtVerify(token, key(options.secret), {
      algorithms: ["HS256"],
      issuer: ISSUER,
      audience: AUDIENCE,
      currentDate: new Date(options.nowMs),
    });
    const role = payload.role;
    if (typeof payload.sub !== "string" || typeof payload.exp !== "number" || (role !== "guest" && role !== "user" && role !== "admin")) {
      return { ok: false, reason: "invalid" };
    }
    return { ok: true, claims: { sub: payload.sub, role, exp: payload.exp } };
  } catch (error) {
    return { ok: false, reason: error instanceof errors.JWTExpired ? "expired" : "invalid" };
  }
}

/** True for strings shaped like a JWT (three base64url parts), to tell them from API keys. */
export function looksLikeJwt(value: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(value);
}
