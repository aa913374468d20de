/**
 * Application errors and the one formatter that maps them to HTTP responses (REST routes) and
 * tRPC error codes. Core code throws `AppError(code, message)`; nothing else picks status codes.
 * Edit when a new error code is needed (add its HTTP status and tRPC code below).
 */
import { TRPCError } from "@trpc/server";
import type { ZodError } from "zod";
import { AppError, type AppErrorCode } from "../services/app-error.ts";

export { AppError, type AppErrorCode };

const HTTP_STATUS: Readonly<Record<AppErrorCode, number>> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};

const TRPC_CODE: Readonly<Record<AppErrorCode, TRPCError["code"]>> = {
  BAD_REQUEST: "BAD_REQUEST",
  UNAUTHORIZED: "UNAUTHORIZED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  RATE_LIMITED: "TOO_MANY_REQUESTS",
  UNAVAILABLE: "SERVICE_UNAVAILABLE",
  INTERNAL: "INTERNAL_SERVER_ERROR",
};

/** JSON body of every REST error: `{ error: { code, message } }`. */
export interface ErrorBody {
  error: { code: AppErrorCode; message: string };
}

/** One readable line from a zod error: `limit: must be an integer from 1 to 5000 (got "abc")`. */
export function describeZodError(error: ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.join(".");
      // Messages that already name their field ("limit must be …") need no prefix.
      return path === "" || issue.message.startsWith(`${path} `) ? issue.message : `${path}: ${issue.message}`;
    })
    .join("; ");
}

/** Maps anything thrown to an AppError; unknown errors become INTERNAL with a generic message. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  return new AppError("INTERNAL", "internal error", { cause: error });
}

/** HTTP status for an error code. */
export function httpStatusOf(code: AppErrorCode): number {
  return HTTP_STATUS[code];
}

/** The REST edge: AppError → JSON response with the mapped status. */
export function errorResponse(error: unknown): Response {
  const appError = toAppError(error);
  const body: ErrorBody = { error: { code: appError.code, message: appError.message } };
  return Response.json(body, { status: HTTP_STATUS[appError.code], headers: { "cache-control": "no-store" } });
}

/** The tRPC edge: AppError → TRPCError with the mapped code; other errors pass through. */
export function toTRPCError(error: unknown): unknown {
  if (!(error instanceof AppError)) return error;
  return new TRPCError({ code: TRPC_CODE[error.code], message: error.message, cause: error });
}
