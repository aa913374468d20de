/**
 * Session keys for session VWAP: bars whose keys are equal belong to one session. Pure (Intl is computation,
 * not I/O). Edit when exchange calendars arrive (server/domain/calendars will supply the exact sessions).
 */
import type { SessionKeyFn } from "./indicator-types.ts";

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/**
 * Crypto default: the UTC date of the bar's open time, as a day number (days since 1970-01-01).
 * @example utcDateSessionKey(Date.UTC(2021, 0, 2, 23, 0)) // 18629 (2021-01-02)
 */
export const utcDateSessionKey: SessionKeyFn = (openTimeMs) => Math.floor(openTimeMs / DAY_MS);

/**
 * A session key = the calendar date of the bar's open time in `timeZone` ("YYYY-MM-DD").
 * Local midnights fall on whole UTC hours for the zones we use, so the result is cached per UTC hour
 * (one Intl call per new hour, not per bar).
 * @example createLocalDateSessionKey("Europe/Istanbul")(Date.UTC(2024, 0, 1, 21, 30)) // "2024-01-02"
 */
export function createLocalDateSessionKey(timeZone: string): SessionKeyFn {
  const format = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" });
  let cachedHour = Number.NaN;
  let cachedKey = "";
  return (openTimeMs) => {
    const hour = Math.floor(openTimeMs / HOUR_MS);
    if (hour !== cachedHour) {
      cachedHour = hour;
      cachedKey = format.format(hour * HOUR_MS);
    }
    return cachedKey;
  };
}

/**
 * Stock default until exchange calendars exist: the America/New_York calendar date of the bar's open time,
 * so a NYSE regular session (09:30–16:00 ET, DST-aware) is one VWAP session. Pre- and post-market bars of
 * the same date join that session: pass only regular-session bars (or your own key function) to exclude
 * them. Holidays need no special case (no bars).
 * @example nyseSessionKey(Date.UTC(2024, 2, 15, 13, 30)) // "2024-03-15" (09:30 EDT)
 */
export const nyseSessionKey: SessionKeyFn = createLocalDateSessionKey("America/New_York");
