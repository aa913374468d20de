// Logs errors that are not AppErrors (bugs, driver failures) before the edge turns them into a 500.
import { componentLogger } from "../../observability/logger.ts";
import { AppError } from "../errors.ts";

let log: ReturnType<typeof componentLogger> | undefined;

export function reportUnexpected(route: string, error: unknown): void {
  if (error instanceof AppError && error.code !== "INTERNAL") return;
  log ??= componentLogger("api");
  log.error({ route, err: error instanceof Error ? { message: error.message, stack: error.stack } : String(error) }, "request failed");
}
