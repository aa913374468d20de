/**
 * Gateway authentication: a WebSocket must carry a valid access token (server/auth/access-token.ts)
 * in the `token` query parameter: `ws://host:3001/ws?token=<jwt>` (user or guest token from
 * /api/auth/token). Without one, or with a forged or expired one, the gateway accepts the upgrade
 * and closes at once with code 4001, which browsers can read (a refused upgrade only shows as a
 * generic error). A connection is also closed with 4001 when its token expires, so clients fetch a
 * fresh token and reconnect (docs/websocket.md "Authentication").
 */
import type { IncomingMessage } from "node:http";
import { Counter, type Registry } from "prom-client";
import { verifyAccessToken, type AccessClaims } from "../auth/access-token.ts";

/** Close code for a missing, invalid or expired token. */
export const CLOSE_UNAUTHORIZED = 4001;

export interface GatewayAuth {
  secret: string;
  /** Clock in epoch ms (tests pin it). */
  now?: () => number;
}

export type UpgradeAuth = { ok: true; claims: AccessClaims } | { ok: false; reason: string };

export function tokenFromRequest(request: IncomingMessage): string | null {
  try {
    return new URL(request.url ?? "/", "http://gateway").searchParams.get("token");
  } catch {
    return null;
  }
}

export async function authenticateUpgrade(request: IncomingMessage, auth: GatewayAuth): Promise<UpgradeAuth> {
  const token = tokenFromRequest(request);
  if (!token) return { ok: false, reason: "missing token: connect to /ws?token=<access token from /api/auth/token>" };
  const result = await verifyAccessToken(token, { secret: auth.secret, nowMs: (auth.now ?? Date.now)() });
  if (!result.ok) return { ok: false, reason: result.reason === "expired" ? "token expired" : "invalid token" };
  return { ok: true, claims: result.claims };
}

/** Counter of connections closed with 4001, by reason (missing, invalid, expired at connect, expired later). */
export function registerAuthMetrics(registry: Registry): Counter<"reason"> {
  return new Counter({
    name: "marketlens_gateway_auth_rejected_total",
    help: "WebSocket connections closed with 4001 (missing, invalid or expired access token)",
    labelNames: ["reason"],
    registers: [registry],
  });
}
