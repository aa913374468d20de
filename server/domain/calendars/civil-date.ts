/**
 * Calendar-date ("YYYY-MM-DD") and wall-clock ("HH:MM") arithmetic, without time zones. Pure.
 */
import type { CivilDate } from "./calendar-types.ts";

const DAY_MS = 86_400_000;
const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME_PATTERN = /^(\d{2}):(\d{2})$/;

/** The date as UTC midnight ms, or null when it is not a real date (2024-02-30). */
function toUtcMidnight(date: string): number | null {
  const match = DATE_PATTERN.exec(date);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(year, month - 1, day);
  return new Date(ms).toISOString().slice(0, 10) === date ? ms : null;
}

/**
 * Whether `date` is a real calendar date written "YYYY-MM-DD".
 * @example isCivilDate("2024-02-29") // true
 * @example isCivilDate("2023-02-29") // false
 */
export function isCivilDate(date: string): date is CivilDate {
  return toUtcMidnight(date) !== null;
}

function requireDate(date: string): number {
  const ms = toUtcMidnight(date);
  if (ms === null) throw new Error(`invalid date "${date}" (expected a real date YYYY-MM-DD)`);
  return ms;
}

/**
 * The date `days` days after `date` (negative: before).
 * @example addDays("2024-02-28", 2) // "2024-03-01"
 */
export function addDays(date: CivilDate, days: number): CivilDate {
  return new Date(requireDate(date) + days * DAY_MS).toISOString().slice(0, 10);
}

/**
 * Day of the week, 0 = Sunday … 6 = Saturday.
 * @example weekday("2024-03-09") // 6
 */
export function weekday(date: CivilDate): number {
  return new Date(requireDate(date)).getUTCDay();
}

/**
 * Minutes after midnight of a wall-clock time "HH:MM" (00:00 to 24:00), or null when invalid.
 * @example parseWallClock("09:30") // 570
 */
export function parseWallClock(time: string): number | null {
  const match = TIME_PATTERN.exec(time);
  if (!match) return null;
  const [hours, minutes] = [Number(match[1]), Number(match[2])];
  if (minutes > 59 || hours > 24 || (hours === 24 && minutes !== 0)) return null;
  return hours * 60 + minutes;
}
