/**
 * Test harness for accounts and access: the same pieces the Next route files wire (Better Auth,
 * the request guard, the token and API key handlers, a guarded data route) served over real HTTP
 * on 127.0.0.1 with their own pool, Redis namespace, clock and rate-limit policy.
 */
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import pg from "pg";
import { Counter, Registry } from "prom-client";
import { createApiServices } from "../api/api-services.ts";
import { DEFAULT_CREDENTIAL_POLICY, guarded, type GuardDeps } from "../api/request-guard.ts";
import { handleCreateApiKey, handleListApiKeys, handleRevokeApiKey } from "../api/rest/api-keys.handler.ts";
import { handleTokenRequest } from "../api/rest/auth-token.handler.ts";
import { handleChartRequest } from "../api/rest/charts.handler.ts";
import { errorResponse } from "../api/errors.ts";
import { env } from "../env.ts";
import { redisKeys } from "../redis/keys.ts";
import { AppError } from "../services/app-error.ts";
import { serveFetch } from "../../test-support/serve-fetch.ts";
import { createAuth } from "./auth.ts";

export interface AuthHarness {
  url: string;
  pool: pg.Pool;
  redis: Redis;
  namespace: string;
  secret: string;
  registry: Registry;
  /** Moves the clock the guard and token code see (real time plus this offset). */
  clock: { offsetMs: number };
  close(): Promise<void>;
}

export async function startAuthHarness(options: { limit: number; windowS: number; credentialLimit?: number; publicCharts?: boolean; databaseUrl?: string }): Promise<AuthHarness> {
  const config = env();
  const namespace = `test-auth-${randomUUID().slice(0, 8)}`;
  const secret = randomUUID() + randomUUID();
  const pool = new pg.Pool({ connectionString: options.databaseUrl ?? config.DATABASE_URL, max: 5, connectionTimeoutMillis: 2_000 });
  pool.on("error", () => undefined);
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1 });
  const clock = { offsetMs: 0 };
  const registry = new Registry();
  const service = { pool, redis, keys: redisKeys(namespace), now: () => Date.now() + clock.offsetMs };
  const auth = createAuth({ pool, secret, trustedProxyHops: 0 });
  const deps: GuardDeps = {
    service,
    auth,
    secret,
    policy: { limit: options.limit, windowS: options.windowS },
    credentialPolicy: { ...DEFAULT_CREDENTIAL_POLICY, ...(options.credentialLimit ? { limit: options.credentialLimit } : {}) },
    publicCharts: options.publicCharts ?? true,
    trustedProxyHops: 0,
    rateLimited: new Counter({ name: "marketlens_rate_limited_total", help: "test", labelNames: ["outcome"], registers: [registry] }),
  };
  const api = createApiServices(service);
  const guard = () => deps;

  const token = guarded("open", (_request: Request, _context: unknown, principal) => handleTokenRequest(principal, { secret, now: service.now, publicCharts: deps.publicCharts }), guard);
  const authRoutes = guarded("open", (request: Request) => auth.handler(request), guard);
  const listKeys = guarded("account", (_request: Request, _context: unknown, principal) => handleListApiKeys(principal, pool), guard);
  const createKey = guarded("account", (request: Request, _context: unknown, principal) => handleCreateApiKey(request, principal, pool), guard);
  const revokeKey = guarded("account", (_request: Request, id: string, principal) => handleRevokeApiKey(id, principal, pool), guard);
  const chart = guarded("public-data", (request: Request, symbol: string) => handleChartRequest(request, symbol, api), guard);

  const server = await serveFetch(async (request) => {
    const { pathname } = new URL(request.url);
    if (pathname === "/metrics") return new Response(await registry.metrics());
    if (pathname === "/api/auth/token") return token(request, undefined);
    if (pathname.startsWith("/api/auth/")) return authRoutes(request, undefined);
    if (pathname === "/api/v1/keys" && request.method === "GET") return listKeys(request, undefined);
    if (pathname === "/api/v1/keys" && request.method === "POST") return createKey(request, undefined);
    const key = /^\/api\/v1\/keys\/([^/]+)$/.exec(pathname);
    if (key?.[1] && request.method === "DELETE") return revokeKey(request, decodeURIComponent(key[1]));
    const symbol = /^\/api\/v1\/charts\/([^/]+)$/.exec(pathname);
    if (symbol?.[1] && request.method === "GET") return chart(request, decodeURIComponent(symbol[1]));
    return errorResponse(new AppError("NOT_FOUND", `no route for ${request.method} ${pathname}`));
  });

  return {
    url: server.url,
    pool,
    redis,
    namespace,
    secret,
    registry,
    clock,
    async close() {
      await server.close();
      await pool.end();
      redis.disconnect();
    },
  };
}

/** A fetch client that keeps cookies like a browser (one per simulated user). */
export class CookieClient {
  private cookies = new Map<string, string>();
  constructor(private readonly baseUrl: string) {}

  async request(path: string, init: { method?: string; json?: unknown; headers?: Record<string, string> } = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) headers.set("cookie", [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; "));
    if (init.json !== undefined) headers.set("content-type", "application/json");
    headers.set("origin", this.baseUrl);
    const response = await fetch(this.baseUrl + path, { method: init.method ?? (init.json === undefined ? "GET" : "POST"), headers, body: init.json === undefined ? undefined : JSON.stringify(init.json) });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(";");
      const index = pair?.indexOf("=") ?? -1;
      if (!pair || index < 0) continue;
      const name = pair.slice(0, index).trim();
      const value = pair.slice(index + 1);
      if (value === "" || /max-age=0/i.test(cookie)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }

  hasSession(): boolean {
    return [...this.cookies.keys()].some((name) => name.includes("session_token"));
  }
}
