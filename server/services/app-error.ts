/**
 * The error core code throws for expected failures: `new AppError("NOT_FOUND", "unknown symbol X")`.
 * It lives below the API layer so services and workers can throw it; server/api/errors.ts maps it
 * to HTTP statuses and tRPC codes. Edit when a new code is needed (then map it there too).
 */

export type AppErrorCode = "BAD_REQUEST" | "UNAUTHORIZED" | "FORBIDDEN" | "NOT_FOUND" | "RATE_LIMITED" | "UNAVAILABLE" | "INTERNAL";

/** An expected failure with a message that is safe to show to the caller. */
export class AppError extends Error {
  readonly code: AppErrorCode;

  constructor(code: AppErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "AppError";
    this.code = code;
  }
}
