/**
 * GET|POST /api/auth/token: a short-lived access token (JWT, 15 min) for the REST API and the
 * realtime gateway. A signed-in session gets a user/admin token; anyone else gets a guest token
 * (read-only market data) while MARKETLENS_PUBLIC_CHARTS is on, else 401. An API key gets a guest
 * (read-only) token too, whatever that setting, so scripts can use the gateway. An access token
 * cannot mint another (it must not renew itself forever: sign in again).
 */
import { signAccessToken } from "../../auth/access-token.ts";
import type { Principal } from "../../auth/principal.ts";
import { AppError } from "../../services/app-error.ts";
import { errorResponse } from "../errors.ts";

export interface TokenDeps {
  secret: string;
  now: () => number;
  publicCharts: boolean;
}

export async function handleTokenRequest(principal: Principal, deps: TokenDeps): Promise<Response> {
  try {
    if (principal.kind === "user" && principal.via === "token") throw new AppError("FORBIDDEN", "an access token cannot mint another: use the session (sign in)");
    if (principal.kind === "user") {
      const minted = await signAccessToken({ secret: deps.secret, sub: principal.userId, role: principal.role, nowMs: deps.now() });
      return Response.json({ ...minted, role: principal.role, userId: principal.userId }, { headers: { "cache-control": "no-store" } });
    }
    if (principal.kind === "api_key") {
      const minted = await signAccessToken({ secret: deps.secret, sub: `api_key:${principal.keyId}`, role: "guest", nowMs: deps.now() });
      return Response.json({ ...minted, role: "guest", userId: principal.userId }, { headers: { "cache-control": "no-store" } });
    }
    if (!deps.publicCharts) throw new AppError("UNAUTHORIZED", "sign in to get an access token");
    const minted = await signAccessToken({ secret: deps.secret, sub: `guest:${principal.ip}`, role: "guest", nowMs: deps.now() });
    return Response.json({ ...minted, role: "guest", userId: null }, { headers: { "cache-control": "no-store" } });
  } catch (error) {
    return errorResponse(error);
  }
}
