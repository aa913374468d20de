/**
 * Reads and validates config/holidays/<exchange>.yaml (holidays and early closes) into the pure HolidayData
 * the domain calendars take. An invalid file is refused with the file and line at fault (ConfigError).
 * Edit when the file format changes; the holiday data itself lives in config/holidays/.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { LineCounter, parseDocument, type Node } from "yaml";
import { z } from "zod";
import type { CalendarId, HolidayData, HolidayEntry } from "../domain/calendars/calendar-types.ts";
import { isCivilDate, parseWallClock } from "../domain/calendars/civil-date.ts";
import { ConfigError } from "./symbols-config.ts";

const CivilDateText = z.string().refine(isCivilDate, "must be a real date written YYYY-MM-DD, in quotes");

const HolidayLine = z
  .strictObject({
    date: CivilDateText,
    name: z.string().min(1).max(200),
    closed: z.literal(true).optional(),
    early_close: z.string().refine((time) => parseWallClock(time) !== null, 'must be a wall-clock time "HH:MM"').optional(),
    confidence: z.enum(["verified", "assumed"]).optional(),
  })
  .refine((line) => (line.closed === undefined) !== (line.early_close === undefined), "needs exactly one of closed: true or early_close: \"HH:MM\"");

const HolidaysFile = z.strictObject({
  exchange: z.enum(["NYSE", "BIST"]),
  covers: z.strictObject({ from: CivilDateText, to: CivilDateText }),
  holidays: z.array(HolidayLine),
});

/**
 * config/holidays under the working directory: the web server, the workers and the CLI all run from the project
 * root (a path from import.meta.url would point inside .next/ once Next has bundled this module).
 */
export const DEFAULT_HOLIDAYS_DIRECTORY = path.resolve(process.cwd(), "config", "holidays");

/** The holiday file of each calendar that needs one (NASDAQ follows the NYSE schedule). */
export const HOLIDAY_FILES: Readonly<Partial<Record<CalendarId, string>>> = { NYSE: "nyse.yaml", NASDAQ: "nyse.yaml", BIST: "bist.yaml" };

function lineOf(lineCounter: LineCounter, node: Node | undefined): number | null {
  return node?.range ? lineCounter.linePos(node.range[0]).line : null;
}

/** A parsed holidays file: the exchange it is written for and its data. */
export type HolidaysFileData = HolidayData & { exchange: "NYSE" | "BIST" };

/** An error reported at the end of input (an unclosed `{` or quote) belongs to the last non-blank line. */
function lastContentLine(text: string, line: number): number {
  const lines = text.split("\n");
  let current = Math.min(line, lines.length);
  while (current > 1 && (lines[current - 1] ?? "").trim() === "") current -= 1;
  return current;
}

/** Parses the text of a holidays YAML file; `file` is used in error messages only. */
export function parseHolidaysConfig(text: string, file: string): HolidaysFileData {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  const syntaxError = document.errors[0];
  if (syntaxError) throw new ConfigError(file, lastContentLine(text, lineCounter.linePos(syntaxError.pos[0]).line), `invalid YAML: ${syntaxError.message.split("\n")[0]}`);
  const result = HolidaysFile.safeParse(document.toJS());
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const issuePath = issue.path as (string | number)[];
    const node = (document.getIn(issuePath, true) ?? document.getIn(issuePath.slice(0, -1), true)) as Node | undefined;
    throw new ConfigError(file, lineOf(lineCounter, node), `${issuePath.join(".") || "(root)"}: ${issue.message}`);
  }
  const { exchange, covers, holidays } = result.data;
  if (covers.from > covers.to) throw new ConfigError(file, lineOf(lineCounter, document.get("covers", true) as Node | undefined), `covers: from ${covers.from} is after to ${covers.to}`);
  const seen = new Set<string>();
  const entries = holidays.map((line, index): HolidayEntry => {
    const at = (detail: string) => new ConfigError(file, lineOf(lineCounter, document.getIn(["holidays", index], true) as Node | undefined), detail);
    if (seen.has(line.date)) throw at(`${line.date} is listed twice`);
    if (line.date < covers.from || line.date > covers.to) throw at(`${line.date} is outside covers ${covers.from}..${covers.to}`);
    seen.add(line.date);
    return line.early_close === undefined ? { date: line.date, name: line.name, closed: true } : { date: line.date, name: line.name, closed: false, earlyClose: line.early_close };
  });
  return { exchange, covers, holidays: entries };
}

/** Reads and parses a holidays YAML file. */
export async function loadHolidaysConfig(file: string): Promise<HolidaysFileData> {
  const text = await readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
    throw new ConfigError(file, null, `cannot read: ${error.code ?? error.message}`);
  });
  return parseHolidaysConfig(text, file);
}

/**
 * The holiday data of `calendar` from `directory` (default config/holidays), or undefined for CRYPTO.
 * Refuses a file written for another exchange.
 */
export async function loadCalendarHolidays(calendar: CalendarId, directory: string): Promise<HolidayData | undefined> {
  const name = HOLIDAY_FILES[calendar];
  if (!name) return undefined;
  const file = path.join(directory, name);
  const data = await loadHolidaysConfig(file);
  const expected = calendar === "NASDAQ" ? "NYSE" : calendar;
  if (data.exchange !== expected) throw new ConfigError(file, null, `exchange is ${data.exchange}, expected ${expected}`);
  return { covers: data.covers, holidays: data.holidays };
}
