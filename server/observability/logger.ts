/** pino logger shared by every process; `LOG_LEVEL` sets the level. */
import pino from "pino";
import { env } from "../env.ts";

export const logger = pino({ level: env().LOG_LEVEL, base: { pid: process.pid } });

/** A child logger for one component: `componentLogger("collector")`. */
export function componentLogger(component: string) {
  return logger.child({ component });
}
