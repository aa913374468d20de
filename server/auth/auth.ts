/**
 * Better Auth (email + password) for Marketlens: argon2id hashing, our snake_case tables
 * (auth-tables.ts, created by the 20261122050000_auth migration, never by Better Auth itself),
 * the first user promoted to admin, and audit entries for registrations, sign-ins, failed sign-ins
 * and sign-outs. Mounted at /api/auth by app/api/auth/[...all]/route.ts. Rate limiting is ours
 * (server/services/rate-limit.service.ts, applied by the route), so Better Auth's own is off.
 */
import { betterAuth } from "better-auth";
import { createAuthMiddleware, getSessionFromCtx, isAPIError } from "better-auth/api";
import type pg from "pg";
import { getPool } from "../db/pool.ts";
import { env } from "../env.ts";
import { componentLogger } from "../observability/logger.ts";
import { recordAudit } from "../services/audit.service.ts";
import { authSecret } from "./auth-secret.ts";
import { AUTH_TABLES } from "./auth-tables.ts";
import { clientIp } from "./client-ip.ts";
import { promoteIfFirstUser } from "./first-admin.ts";
import { hashPassword, verifyPassword } from "./password.ts";

export interface AuthOptions {
  pool: pg.Pool;
  secret: string;
  /** Public base URL; undefined: taken from each request. */
  baseURL?: string;
  /** Origins allowed to POST sign-in/sign-up (CSRF check) besides baseURL. */
  trustedOrigins?: string[];
  trustedProxyHops: number;
}

const log = componentLogger("auth");

function emailOf(body: unknown): string | null {
  const email = (body as { email?: unknown } | undefined)?.email;
  return typeof email === "string" ? email.trim().toLowerCase().slice(0, 320) : null;
}

export function createAuth(options: AuthOptions) {
  const { pool, trustedProxyHops } = options;
  const ipOf = (headers: Headers | undefined) => (headers ? clientIp(headers, trustedProxyHops) : null);

  return betterAuth({
    database: pool,
    secret: options.secret,
    ...(options.baseURL ? { baseURL: options.baseURL } : {}),
    trustedOrigins: [...(options.baseURL ? [options.baseURL] : []), ...(options.trustedOrigins ?? [])],
    basePath: "/api/auth",
    telemetry: { enabled: false },
    rateLimit: { enabled: false },
    emailAndPassword: {
      enabled: true,
      autoSignIn: true,
      minPasswordLength: 8,
      maxPasswordLength: 128,
      password: { hash: hashPassword, verify: verifyPassword },
    },
    user: AUTH_TABLES.user,
    session: { ...AUTH_TABLES.session, expiresIn: 60 * 60 * 24 * 7, updateAge: 60 * 60 * 24 },
    account: AUTH_TABLES.account,
    verification: AUTH_TABLES.verification,
    advanced: {
      ipAddress: { ipAddressHeaders: ["x-forwarded-for"] },
    },
    databaseHooks: {
      user: {
        create: {
          after: async (user, context) => {
            const actorIp = ipOf(context?.headers);
            await recordAudit(pool, { action: "auth.register", userId: user.id, actorIp, target: user.email });
            if (await promoteIfFirstUser(pool, user.id)) {
              log.info({ userId: user.id }, "first user promoted to admin");
              await recordAudit(pool, { action: "admin.promote_first_user", userId: user.id, actorIp, target: `user:${user.id}` });
            }
          },
        },
      },
    },
    hooks: {
      before: createAuthMiddleware(async (ctx) => {
        if (ctx.path !== "/sign-out") return;
        const session = await getSessionFromCtx(ctx).catch(() => null);
        if (session) await recordAudit(pool, { action: "auth.sign_out", userId: session.user.id, actorIp: ipOf(ctx.headers) });
      }),
      after: createAuthMiddleware(async (ctx) => {
        if (ctx.path !== "/sign-in/email") return;
        const returned: unknown = ctx.context.returned;
        const actorIp = ipOf(ctx.headers);
        if (isAPIError(returned)) {
          await recordAudit(pool, {
            action: "auth.sign_in_failed",
            actorIp,
            target: emailOf(ctx.body),
            details: { status: returned.statusCode, reason: returned.body?.code ?? returned.message },
          });
        } else {
          const user = ctx.context.newSession?.user;
          await recordAudit(pool, { action: "auth.sign_in", userId: user?.id ?? null, actorIp, target: user?.email ?? emailOf(ctx.body) });
        }
      }),
    },
  });
}

export type Auth = ReturnType<typeof createAuth>;

const holder = globalThis as typeof globalThis & { __marketlensAuth?: Auth };

/** The process-wide instance on the default pool and env (kept on globalThis: Next may load modules twice). */
export function getAuth(): Auth {
  const config = env();
  holder.__marketlensAuth ??= createAuth({
    pool: getPool(),
    secret: authSecret(),
    // Without AUTH_URL (npm start / npm test on this machine) the web is reached as localhost or 127.0.0.1 on WEB_PORT;
    // Next hands route handlers a localhost URL either way, so both loopback spellings must pass the origin check.
    ...(config.AUTH_URL ? { baseURL: config.AUTH_URL } : { trustedOrigins: ["localhost", "127.0.0.1", "[::1]"].map((host) => `http://${host}:${config.WEB_PORT}`) }),
    trustedProxyHops: config.TRUSTED_PROXY_HOPS,
  });
  return holder.__marketlensAuth;
}
