/**
 * tRPC v11 setup: context (the API services), superjson transformer, the error formatter that
 * turns zod issues into one readable message, and the middleware mapping AppError to tRPC codes.
 * Procedures stay thin: validate → call a service → return. Add auth middleware here when needed.
 */
import { initTRPC } from "@trpc/server";
import superjson from "superjson";
import { ZodError } from "zod";
import { defaultApiServices, type ApiServices } from "./api-services.ts";
import { AppError, describeZodError, toTRPCError } from "./errors.ts";

export interface TRPCContext {
  services: ApiServices;
}

/** Context for one request (services are process-wide). */
export function createTRPCContext(services: ApiServices = defaultApiServices()): TRPCContext {
  return { services };
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
