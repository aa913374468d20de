/**
 * `marketlens sessions --exchange NYSE|NASDAQ|BIST|CRYPTO --from DATE --to DATE`: prints one NDJSON line per
 * trading session, `{"date":"YYYY-MM-DD","open":ms,"close":ms}` (UTC epoch ms), `--from` inclusive, `--to`
 * exclusive. Holidays come from config/holidays/*.yaml. Wired into commander by server/cli/main.ts.
 */
import { once } from "node:events";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Session } from "../domain/calendars/calendar-types.ts";
import { loadCalendarHolidays } from "../config/holidays-config.ts";
import { isCivilDate } from "../domain/calendars/civil-date.ts";
import { CALENDAR_IDS, createExchangeCalendar, isCalendarId } from "../domain/calendars/exchange-calendar.ts";
import { sessionsBetween } from "../domain/calendars/sessions.ts";

export const DEFAULT_HOLIDAYS_DIRECTORY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "config", "holidays");

export interface SessionsCommandOptions {
  exchange: string;
  from: string;
  to: string;
  /** Directory of the holiday files; config/holidays by default. */
  holidaysDirectory?: string;
}

async function write(output: NodeJS.WritableStream, text: string): Promise<void> {
  if (!output.write(text)) await once(output, "drain");
}

/**
 * Runs `marketlens sessions`. Throws an Error naming the bad option (unknown exchange, invalid date, `--to`
 * before `--from`, a range outside the holiday data) or the holiday file and line at fault.
 */
export async function runSessionsCommand(options: SessionsCommandOptions, output: NodeJS.WritableStream): Promise<void> {
  const exchange = options.exchange.toUpperCase();
  if (!isCalendarId(exchange)) throw new Error(`sessions: unknown --exchange "${options.exchange}" (${CALENDAR_IDS.join(", ")})`);
  for (const [flag, value] of [["--from", options.from], ["--to", options.to]] as const) {
    if (!isCivilDate(value)) throw new Error(`sessions: ${flag} "${value}" is not a real date YYYY-MM-DD`);
  }
  if (options.to < options.from) throw new Error(`sessions: --to ${options.to} is before --from ${options.from}`);
  const holidays = await loadCalendarHolidays(exchange, options.holidaysDirectory ?? DEFAULT_HOLIDAYS_DIRECTORY);
  const calendar = createExchangeCalendar(exchange, holidays);
  let sessions: Session[];
  try {
    sessions = sessionsBetween(calendar, options.from, options.to);
  } catch (error) {
    throw new Error(`sessions: ${(error as Error).message}`, { cause: error });
  }
  for (const session of sessions) {
    await write(output, `${JSON.stringify({ date: session.date, open: session.open, close: session.close })}\n`);
  }
}
