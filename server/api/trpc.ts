/**
 * tRPC v11 setup: context (the API services), superjson transformer, the error formatter that
 * turns zod issues into one readable message, and the middleware mapping AppError to tRPC codes.
 * Procedures stay thin: validate → authorize → call a service → return. The context carries the
 * caller (server/auth/principal.ts, resolved and rate-limited by the route: server/api/request-guard.ts):
 * `protectedProcedure` needs a signed-in user (ctx.user), `adminProcedure` an admin.
 */
import { TRPCError, initTRPC } from "@trpc/server";
import superjson from "superjson";
import { ZodError } from "zod";
import type { Principal } from "../auth/principal.ts";
import { defaultApiServices, type ApiServices } from "./api-services.ts";
import { AppError, describeZodError, toTRPCError } from "./errors.ts";

export interface TRPCContext {
  services: ApiServices;
  /** Who is calling; anonymous for server-side callers that pass none. */
  principal: Principal;
}

/** The signed-in user of a protected procedure. */
export interface ContextUser {
  id: string;
  role: "user" | "admin";
  ip: string;
}

const NOBODY: Principal = { kind: "anonymous", ip: "unknown" };

/** Context for one request (services are process-wide). */
export function createTRPCContext(services: ApiServices = defaultApiServices(), principal: Principal = NOBODY): TRPCContext {
  return { services, principal };
}

const t = initTRPC.context<TRPCContext>().create({
  transformer: superjson,
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    if (cause instanceof ZodError) return { ...shape, message: describeZodError(cause) };
    if (error.code === "INTERNAL_SERVER_ERROR" && !(cause instanceof AppError)) {
      return { ...shape, message: "internal error" }; // never leak driver messages to the browser
    }
    return shape;
  },
});

/** Rethrows AppErrors from services as TRPCErrors with the mapped code. */
const appErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof AppError) throw toTRPCError(result.error.cause);
  return result;
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure.use(appErrors);

/** A signed-in user (session or access token; API keys are read-only and REST-only): ctx.user. */
export const protectedProcedure = publicProcedure.use(({ ctx, next }) => {
  const principal = ctx.principal;
  if (principal.kind !== "user") throw new TRPCError({ code: "UNAUTHORIZED", message: "sign in first" });
  const user: ContextUser = { id: principal.userId, role: principal.role, ip: principal.ip };
  return next({ ctx: { ...ctx, user } });
});

/** An admin (role "admin"); others get FORBIDDEN. Audit what admin procedures change (services/audit.service.ts). */
export const adminProcedure = protectedProcedure.use(({ ctx, next }) => {
  if (ctx.user.role !== "admin") throw new TRPCError({ code: "FORBIDDEN", message: "admins only" });
  return next();
});
