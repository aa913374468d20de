/**
 * The regular schedules of the exchanges Marketlens knows, and `createExchangeCalendar` to join one with its
 * holiday data (read by server/config/holidays-config.ts from config/holidays/*.yaml). Pure.
 * Edit here to add an exchange or change regular hours; edit the YAML files for holidays and early closes.
 */
import type { CalendarDefinition, CalendarId, ExchangeCalendar, HolidayData, HolidayEntry } from "./calendar-types.ts";
import { isCivilDate, parseWallClock } from "./civil-date.ts";

const MONDAY_TO_FRIDAY = [1, 2, 3, 4, 5] as const;

/** Regular hours. NASDAQ shares the NYSE schedule and holiday list. */
export const CALENDAR_DEFINITIONS: Readonly<Record<CalendarId, CalendarDefinition>> = {
  NYSE: { id: "NYSE", timeZone: "America/New_York", open: "09:30", close: "16:00", weekdays: MONDAY_TO_FRIDAY, needsHolidays: true },
  NASDAQ: { id: "NASDAQ", timeZone: "America/New_York", open: "09:30", close: "16:00", weekdays: MONDAY_TO_FRIDAY, needsHolidays: true },
  // Borsa Istanbul equity market, continuous trading; Turkey has been UTC+3 all year since 2016.
  BIST: { id: "BIST", timeZone: "Europe/Istanbul", open: "10:00", close: "18:00", weekdays: MONDAY_TO_FRIDAY, needsHolidays: true },
  // One session per UTC day.
  CRYPTO: { id: "CRYPTO", timeZone: "UTC", open: "00:00", close: "24:00", weekdays: [0, 1, 2, 3, 4, 5, 6], needsHolidays: false },
};

export const CALENDAR_IDS = Object.keys(CALENDAR_DEFINITIONS) as CalendarId[];

export function isCalendarId(value: string): value is CalendarId {
  return (CALENDAR_IDS as string[]).includes(value);
}

function checkEntry(id: CalendarId, entry: HolidayEntry, definition: CalendarDefinition): void {
  if (!isCivilDate(entry.date)) throw new Error(`${id} holidays: invalid date "${entry.date}"`);
  if (entry.closed) return;
  const early = parseWallClock(entry.earlyClose);
  const [open, close] = [parseWallClock(definition.open) ?? 0, parseWallClock(definition.close) ?? 0];
  if (early === null || early <= open || early >= close) {
    throw new Error(`${id} holidays: ${entry.date} early close "${entry.earlyClose}" must be HH:MM between ${definition.open} and ${definition.close}`);
  }
}

/**
 * A calendar for `id` with its holidays. Stock exchanges need `holidayData` (dates outside `covers` are refused
 * later, so a stale file cannot silently turn a holiday into a trading day); CRYPTO takes none.
 * Throws on a duplicate date, an invalid date or an early close outside regular hours.
 * @example createExchangeCalendar("NYSE", { covers: { from: "2024-01-01", to: "2024-12-31" }, holidays: [{ date: "2024-03-29", name: "Good Friday", closed: true }] })
 */
export function createExchangeCalendar(id: CalendarId, holidayData?: HolidayData): ExchangeCalendar {
  const definition = CALENDAR_DEFINITIONS[id];
  if (definition.needsHolidays && !holidayData) throw new Error(`${id}: holiday data is required (config/holidays)`);
  if (!definition.needsHolidays && holidayData && holidayData.holidays.length > 0) throw new Error(`${id} never closes: it takes no holidays`);
  const holidays = new Map<string, HolidayEntry>();
  for (const entry of holidayData?.holidays ?? []) {
    checkEntry(id, entry, definition);
    if (holidays.has(entry.date)) throw new Error(`${id} holidays: ${entry.date} is listed twice`);
    holidays.set(entry.date, entry);
  }
  const covers = definition.needsHolidays && holidayData ? holidayData.covers : null;
  if (covers && (!isCivilDate(covers.from) || !isCivilDate(covers.to) || covers.from > covers.to)) {
    throw new Error(`${id} holidays: invalid coverage ${covers.from}..${covers.to}`);
  }
  return { ...definition, holidays, covers };
}
