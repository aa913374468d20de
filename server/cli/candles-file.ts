/**
 * Reads a candles file for `marketlens indicators` / `marketlens features`: CSV with a header naming
 * open_time, open, high, low, close, volume (any order, extra columns ignored; open_time in UTC ms), or a
 * JSON array of `[openTimeMs, open, high, low, close, volume, ...]` rows (numbers or numeric strings, as
 * freqtrade and the Binance REST API write them). Bad input throws an Error naming the file and line.
 */
import { readFile } from "node:fs/promises";
import type { OhlcvBar } from "../domain/indicators/indicator-types.ts";

const COLUMNS = ["open_time", "open", "high", "low", "close", "volume"] as const;
type Column = (typeof COLUMNS)[number];
/** Below this an open time is almost surely in seconds (1973-03-03 in ms). */
const MIN_MS_TIME = 1e11;

/** A numeric cell, or an error message. */
function toNumber(raw: unknown, column: Column): number | string {
  const text = typeof raw === "string" ? raw.trim().replace(/^"(.*)"$/, "$1") : raw;
  const value = typeof text === "number" ? text : typeof text === "string" && text !== "" ? Number(text) : Number.NaN;
  return Number.isFinite(value) ? value : `${column} is not a number: ${JSON.stringify(raw ?? null)}`;
}

/** Builds and checks one candle; returns it or an error message (without the location). */
function toCandle(cells: readonly unknown[]): OhlcvBar | string {
  const values: number[] = [];
  for (const [index, column] of COLUMNS.entries()) {
    const value = toNumber(cells[index], column);
    if (typeof value === "string") return value;
    values.push(value);
  }
  const [openTime, open, high, low, close, volume] = values as [number, number, number, number, number, number];
  if (!Number.isInteger(openTime) || openTime < 0) return `open_time must be a whole number of milliseconds, got ${openTime}`;
  if (openTime < MIN_MS_TIME) return `open_time ${openTime} looks like seconds; expected UTC epoch milliseconds`;
  if (high < low) return `high ${high} < low ${low}`;
  if (open < 0 || high < 0 || low < 0 || close < 0) return `negative price (open ${open}, high ${high}, low ${low}, close ${close})`;
  if (volume < 0) return `negative volume ${volume}`;
  return { openTime, open, high, low, close, volume };
}

interface Located {
  cells: readonly unknown[];
  line: number;
}

/** Checks every row and the time order; throws `source:line: message` at the first problem. */
function checkRows(rows: readonly Located[], source: string): OhlcvBar[] {
  if (rows.length === 0) throw new Error(`${source}: no candles`);
  const candles: OhlcvBar[] = [];
  let previousLine = 0;
  for (const { cells, line } of rows) {
    const candle = toCandle(cells);
    if (typeof candle === "string") throw new Error(`${source}:${line}: ${candle}`);
    const previous = candles.at(-1);
    if (previous && candle.openTime === previous.openTime) {
      throw new Error(`${source}:${line}: duplicate open_time ${candle.openTime} (also on line ${previousLine})`);
    }
    if (previous && candle.openTime < previous.openTime) {
      throw new Error(`${source}:${line}: open_time ${candle.openTime} is before the previous row's ${previous.openTime} (line ${previousLine}): rows must be sorted by time`);
    }
    candles.push(candle);
    previousLine = line;
  }
  return candles;
}

function splitCsvLine(line: string): string[] {
  return line.split(",").map((cell) => cell.trim().replace(/^"(.*)"$/, "$1"));
}

/** CSV: header line first (blank lines skipped), then one candle per line. */
export function parseCandlesCsv(text: string, source: string): OhlcvBar[] {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const headerAt = lines.findIndex((line) => line.trim() !== "");
  if (headerAt === -1) throw new Error(`${source}: empty file`);
  const header = splitCsvLine(lines[headerAt] ?? "").map((name) => name.toLowerCase());
  const positions = COLUMNS.map((column) => header.indexOf(column));
  const missing = COLUMNS.filter((_, index) => positions[index] === -1);
  if (missing.length > 0) {
    throw new Error(`${source}:${headerAt + 1}: header has no ${missing.map((name) => `"${name}"`).join(", ")} column (need ${COLUMNS.join(", ")}; found ${header.join(", ")})`);
  }
  const rows: Located[] = [];
  lines.forEach((line, index) => {
    if (index <= headerAt || line.trim() === "") return;
    const cells = splitCsvLine(line);
    rows.push({ cells: positions.map((position) => cells[position]), line: index + 1 });
  });
  return checkRows(rows, source);
}

/** 1-based line of each top-level element of a JSON array text (strings skipped; JSON strings hold no raw newline). */
function topLevelLines(text: string): number[] {
  const lines: number[] = [];
  let line = 1;
  let depth = 0;
  let inString = false;
  let expectValue = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (char === "\n") line++;
    if (inString) {
      if (char === "\\") index++;
      else if (char === '"') inString = false;
      continue;
    }
    if (char === " " || char === "\n" || char === "\r" || char === "\t") continue;
    if (depth === 1 && expectValue) {
      if (char !== "]") lines.push(line);
      expectValue = false;
    }
    if (char === '"') inString = true;
    else if (char === "[" || char === "{") expectValue = ++depth === 1;
    else if (char === "]" || char === "}") depth--;
    else if (char === "," && depth === 1) expectValue = true;
  }
  return lines;
}

/** JSON: an array of `[openTimeMs, open, high, low, close, volume, ...]` rows. */
export function parseCandlesJson(text: string, source: string): OhlcvBar[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new Error(`${source}: not valid JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(data)) throw new Error(`${source}: expected a JSON array of [open_time, open, high, low, close, volume] rows`);
  const lines = topLevelLines(text);
  const rows = data.map((row: unknown, index): Located => {
    const line = lines[index] ?? 1;
    if (!Array.isArray(row) || row.length < COLUMNS.length) {
      throw new Error(`${source}:${line}: row ${index + 1} is not an array of at least 6 values [open_time, open, high, low, close, volume]`);
    }
    return { cells: row as unknown[], line };
  });
  return checkRows(rows, source);
}

/** Parses candles text; JSON when it starts with "[" or "{", CSV otherwise. `source` names the input in errors. */
export function parseCandles(text: string, source: string): OhlcvBar[] {
  const body = text.replace(/^\uFEFF/, "");
  return /^\s*[[{]/.test(body) ? parseCandlesJson(body, source) : parseCandlesCsv(body, source);
}

/**
 * Reads and checks a candles file (CSV or JSON, see the header of this file).
 * @example const bars = await readCandlesFile("fixtures/ohlcv/binance_BTC_USDT-1h.json");
 */
export async function readCandlesFile(path: string): Promise<OhlcvBar[]> {
  const text = await readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
    throw new Error(`${path}: cannot read candles file (${error.code === "ENOENT" ? "no such file" : error.message})`);
  });
  return parseCandles(text, path);
}
