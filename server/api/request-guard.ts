/**
 * The access edge of every public API request (REST /api/v1/*, tRPC, /api/auth/*): who is calling
 * (principal.ts), the rate limit (token bucket per user, or per IP when anonymous), and what the
 * route allows. Health and metrics are exempt. Route files wrap their handler with `guarded()`;
 * tRPC's route calls `guardRequest()` and hands the principal to the context.
 *
 * Access levels:
 *   - "public-data": market data; anonymous/guest callers too while MARKETLENS_PUBLIC_CHARTS is on;
 *     API keys (read scope) only on GET
 *   - "account": a signed-in user (session cookie or access token); API keys are refused (read-only)
 *   - "open": anyone, rate-limited (sign-in/up, the token endpoint, the OpenAPI document)
 * Password attempts (POST sign-in/sign-up) also take a token from a stricter bucket per IP
 * (`credentialPolicy`, default 10 per minute) against password guessing.
 */
import { Counter } from "prom-client";
import { getAuth, type Auth } from "../auth/auth.ts";
import { authSecret } from "../auth/auth-secret.ts";
import { rateLimitSubject, resolvePrincipal, type Principal } from "../auth/principal.ts";
import { env } from "../env.ts";
import { AppError } from "../services/app-error.ts";
import { takeToken, type RateLimitPolicy } from "../services/rate-limit.service.ts";
import { defaultServiceDeps, type ServiceDeps } from "../services/service-deps.ts";
import { errorResponse } from "./errors.ts";
import { webMetrics } from "./web-metrics.ts";

export type Access = "public-data" | "account" | "open";

export interface GuardDeps {
  service: ServiceDeps;
  auth: Auth;
  secret: string;
  policy: RateLimitPolicy;
  /** Extra bucket per IP for password attempts (POST /api/auth/sign-in/*, /sign-up/*). */
  credentialPolicy: RateLimitPolicy;
  publicCharts: boolean;
  trustedProxyHops: number;
  /** Counts rejected (429) and unchecked (Redis down) requests. */
  rateLimited: Counter<"outcome">;
}

export type GuardResult = { ok: true; principal: Principal; headers: Headers } | { ok: false; response: Response };

const holder = globalThis as typeof globalThis & { __marketlensRateLimitCounter?: Counter<"outcome"> };

/** marketlens_rate_limited_total{outcome="limited"|"unchecked"} on the web registry. */
export function rateLimitCounter(): Counter<"outcome"> {
  holder.__marketlensRateLimitCounter ??= new Counter({
    name: "marketlens_rate_limited_total",
    help: "API requests answered 429 by the rate limit (limited) or let through because Redis did not answer (unchecked)",
    labelNames: ["outcome"],
    registers: [webMetrics().registry],
  });
  return holder.__marketlensRateLimitCounter;
}

let defaults: GuardDeps | undefined;

export const DEFAULT_CREDENTIAL_POLICY: RateLimitPolicy = { limit: 10, windowS: 60 };

/** True for requests that check a password (sign-in or sign-up with email). */
export function isCredentialAttempt(request: Request): boolean {
  return request.method === "POST" && /^\/api\/auth\/sign-(in|up)\//.test(new URL(request.url).pathname);
}

/** Guard deps of the web process (env, shared pool/Redis, Better Auth instance). */
export function defaultGuardDeps(): GuardDeps {
  const config = env();
  defaults ??= {
    service: defaultServiceDeps(),
    auth: getAuth(),
    secret: authSecret(),
    policy: { limit: config.RATE_LIMIT_REQUESTS, windowS: config.RATE_LIMIT_WINDOW_S },
    credentialPolicy: DEFAULT_CREDENTIAL_POLICY,
    publicCharts: config.MARKETLENS_PUBLIC_CHARTS,
    trustedProxyHops: config.TRUSTED_PROXY_HOPS,
    rateLimited: rateLimitCounter(),
  };
  return defaults;
}

function authorize(principal: Principal, access: Access, method: string, deps: GuardDeps): void {
  if (access === "open") return;
  if (access === "account") {
    if (principal.kind === "api_key") throw new AppError("FORBIDDEN", "API keys are read-only: sign in to manage your account");
    if (principal.kind !== "user") throw new AppError("UNAUTHORIZED", "sign in first (session cookie or `Authorization: Bearer <access token>`)");
    return;
  }
  if (principal.kind === "api_key" && method !== "GET" && method !== "HEAD") throw new AppError("FORBIDDEN", "API keys are read-only");
  if ((principal.kind === "anonymous" || principal.kind === "guest") && !deps.publicCharts) {
    throw new AppError("UNAUTHORIZED", "sign in or send `Authorization: Bearer <API key or access token>`");
  }
}

/** Resolves, rate-limits and authorizes one request. The headers carry RateLimit-* for the response. */
export async function guardRequest(request: Request, access: Access, deps: GuardDeps = defaultGuardDeps()): Promise<GuardResult> {
  let principal: Principal;
  try {
    principal = await resolvePrincipal(request, { pool: deps.service.pool, auth: deps.auth, secret: deps.secret, now: deps.service.now, trustedProxyHops: deps.trustedProxyHops });
  } catch (error) {
    return { ok: false, response: errorResponse(error) };
  }
  let decision = await takeToken(deps.service, rateLimitSubject(principal), deps.policy);
  let policy = deps.policy;
  if (decision.allowed && isCredentialAttempt(request)) {
    const credential = await takeToken(deps.service, `credentials:ip:${principal.ip}`, deps.credentialPolicy);
    if (!credential.allowed) {
      decision = credential;
      policy = deps.credentialPolicy;
    }
  }
  const headers = new Headers({ "RateLimit-Limit": String(deps.policy.limit), "RateLimit-Remaining": String(decision.remaining) });
  if (decision.unchecked) deps.rateLimited.inc({ outcome: "unchecked" });
  if (!decision.allowed) {
    deps.rateLimited.inc({ outcome: "limited" });
    const what = policy === deps.policy ? "requests" : "sign-in attempts";
    const response = errorResponse(new AppError("RATE_LIMITED", `rate limit of ${policy.limit} ${what} per ${policy.windowS} s reached: retry in ${decision.retryAfterS} s`));
    response.headers.set("Retry-After", String(decision.retryAfterS));
    headers.forEach((value, name) => response.headers.set(name, value));
    return { ok: false, response };
  }
  try {
    authorize(principal, access, request.method, deps);
  } catch (error) {
    return { ok: false, response: errorResponse(error) };
  }
  return { ok: true, principal, headers };
}

/**
 * Wraps a route handler: `export const GET = guarded("public-data", (request, context) => …)`.
 * The handler runs only for allowed requests; RateLimit-* headers are added to its response.
 */
export function guarded<Context>(
  access: Access,
  handler: (request: Request, context: Context, principal: Principal) => Promise<Response> | Response,
  deps?: () => GuardDeps,
): (request: Request, context: Context) => Promise<Response> {
  return async (request, context) => {
    const result = await guardRequest(request, access, deps ? deps() : defaultGuardDeps());
    if (!result.ok) return result.response;
    const response = await handler(request, context, result.principal);
    try {
      result.headers.forEach((value, name) => response.headers.set(name, value));
    } catch {
      // immutable headers (e.g. a Response.redirect): send it as it is
    }
    return response;
  };
}
