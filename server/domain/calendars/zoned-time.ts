/**
 * Time-zone conversions with Intl.DateTimeFormat only (no tz library): wall clock in a zone → UTC ms, and
 * UTC ms → local date. DST-correct because the zone offset is asked for the instant itself. Pure (Intl is
 * computation; the formatter cache only memoises).
 */
import type { CivilDate } from "./calendar-types.ts";
import { addDays } from "./civil-date.ts";

const MINUTE_MS = 60_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, format);
  }
  return format;
}

/** The wall clock in `timeZone` at `timeMs`, read back as if it were UTC (ms, whole seconds). */
function wallClockAsUtc(timeZone: string, timeMs: number): number {
  const parts: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(timeMs)) {
    if (part.type !== "literal") parts[part.type] = Number(part.value);
  }
  const field = (name: string): number => parts[name] ?? 0;
  return Date.UTC(field("year"), field("month") - 1, field("day"), field("hour"), field("minute"), field("second"));
}

/**
 * Offset of `timeZone` from UTC at the instant `timeMs`, in minutes (New York in winter: -300).
 * @example zoneOffsetMinutes("America/New_York", Date.UTC(2024, 6, 1)) // -240
 */
export function zoneOffsetMinutes(timeZone: string, timeMs: number): number {
  const wholeSecond = Math.floor(timeMs / 1000) * 1000;
  return Math.round((wallClockAsUtc(timeZone, wholeSecond) - wholeSecond) / MINUTE_MS);
}

/**
 * The UTC instant of wall-clock `minutes` after local midnight of `date` in `timeZone` (1440 = next midnight).
 * Offsets are taken at the instant itself, so DST switch days are right; a wall time skipped by a spring-forward
 * gap resolves to the instant after the gap.
 * @example zonedWallClockToUtc("America/New_York", "2024-03-11", 570) // Date.UTC(2024, 2, 11, 13, 30) (09:30 EDT)
 */
export function zonedWallClockToUtc(timeZone: string, date: CivilDate, minutes: number): number {
  const dayShift = Math.floor(minutes / 1440);
  const day = dayShift === 0 ? date : addDays(date, dayShift);
  const localMinutes = minutes - dayShift * 1440;
  const [year, month, dayOfMonth] = day.split("-").map(Number) as [number, number, number];
  const asUtc = Date.UTC(year, month - 1, dayOfMonth, 0, localMinutes);
  const first = asUtc - zoneOffsetMinutes(timeZone, asUtc) * MINUTE_MS;
  const second = asUtc - zoneOffsetMinutes(timeZone, first) * MINUTE_MS;
  // first === second except near a switch: take the candidate whose own offset agrees with it
  return zoneOffsetMinutes(timeZone, second) * MINUTE_MS === asUtc - second ? second : Math.max(first, second);
}

/**
 * The local calendar date in `timeZone` at the instant `timeMs`.
 * @example localDate("Europe/Istanbul", Date.UTC(2024, 0, 1, 21, 30)) // "2024-01-02"
 */
export function localDate(timeZone: string, timeMs: number): CivilDate {
  return new Date(wallClockAsUtc(timeZone, Math.floor(timeMs / 1000) * 1000)).toISOString().slice(0, 10);
}
