/**
 * `marketlens bars --input FILE --timeframes 1m,5m,...`: replays recorded Binance WebSocket frames (one JSON
 * frame per line: combined-stream envelopes or raw trade/aggTrade payloads) through the bar builder and prints
 * the closed bars as NDJSON. Only trades are used (kline frames are skipped): the output shows what
 * BarBuilder makes of the trade stream. Wired into commander by server/cli/main.ts.
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { once } from "node:events";
import { createInterface } from "node:readline";
import type { Bar } from "../domain/bars/bar.ts";
import { BarBuilder } from "../domain/bars/bar-builder.ts";
import { parseBinanceFrame } from "../domain/binance/binance-frames.ts";
import { TIMEFRAMES } from "../domain/time/timeframes.ts";
import type { Timeframe } from "../domain/time/timeframes.ts";

export interface BarsCommandOptions {
  input: string;
  timeframes: Timeframe[];
}

interface Counts {
  frames: number;
  trades: number;
  rejected: number;
  skipped: number;
}

async function assertReadableFile(input: string): Promise<void> {
  const info = await stat(input).catch((error: NodeJS.ErrnoException) => {
    throw new Error(`bars: cannot read input file ${input}: ${error.code === "ENOENT" ? "no such file" : error.message}`);
  });
  if (!info.isFile()) throw new Error(`bars: input ${input} is not a file`);
}

/** Closed bars in output order: timeframe (1m, 5m, 15m, 1h, 4h, 1d), then symbol, then openTime. */
function sortBars(bars: Iterable<Bar>): Bar[] {
  const rank = (timeframe: Timeframe) => TIMEFRAMES.indexOf(timeframe);
  return [...bars].sort(
    (a, b) => rank(a.timeframe) - rank(b.timeframe) || (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0) || a.openTime - b.openTime,
  );
}

async function writeLine(output: NodeJS.WritableStream, line: string): Promise<void> {
  if (!output.write(`${line}\n`)) await once(output, "drain");
}

/** Streams the input file through parseBinanceFrame → BarBuilder; returns the final closed bars and counts. */
async function buildFromFile(options: BarsCommandOptions): Promise<{ bars: Bar[]; counts: Counts; duplicates: number }> {
  const closed = new Map<string, Bar>();
  const builder = new BarBuilder({
    timeframes: options.timeframes,
    latenessMs: 0,
    onEvent: (event) => {
      if (event.kind !== "live") closed.set(`${event.bar.timeframe}|${event.bar.symbol}|${event.bar.openTime}`, event.bar);
    },
  });
  const counts: Counts = { frames: 0, trades: 0, rejected: 0, skipped: 0 };
  let maxTradeTime = Number.NEGATIVE_INFINITY;
  const lines = createInterface({ input: createReadStream(options.input, { encoding: "utf8" }), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() === "") continue;
    counts.frames++;
    const frame = parseBinanceFrame(line);
    if (frame.kind === "rejected") counts.rejected++;
    else if (frame.kind !== "trade") counts.skipped++;
    else {
      counts.trades++;
      builder.addTrade(frame.trade);
      if (frame.trade.time > maxTradeTime) maxTradeTime = frame.trade.time;
    }
  }
  if (maxTradeTime > Number.NEGATIVE_INFINITY) builder.advance(maxTradeTime);
  return { bars: sortBars(closed.values()), counts, duplicates: builder.stats().duplicates };
}

/**
 * Runs `marketlens bars`: prints every closed bar once, with its final values, as NDJSON
 * `{symbol, timeframe, openTime, open, high, low, close, volume, trades}`; bars still open at the end of the
 * input are not printed. Rejected frames are counted in a one-line summary on `errors` (stderr), not fatal.
 * Throws an Error with a clear message when the input file is missing or no timeframe is given.
 */
export async function runBarsCommand(
  options: BarsCommandOptions,
  output: NodeJS.WritableStream,
  errors: NodeJS.WritableStream = process.stderr,
): Promise<{ frames: number; rejected: number }> {
  if (options.timeframes.length === 0) throw new Error("bars: no timeframes given (e.g. --timeframes 1m,5m,15m,1h,4h,1d)");
  await assertReadableFile(options.input);
  const { bars, counts, duplicates } = await buildFromFile(options);
  for (const bar of bars) {
    const { symbol, timeframe, openTime, open, high, low, close, volume, trades } = bar;
    await writeLine(output, JSON.stringify({ symbol, timeframe, openTime, open, high, low, close, volume, trades }));
  }
  errors.write(
    `bars: ${counts.frames} frames, ${counts.trades} trades, ${counts.rejected} rejected, ${counts.skipped} other frames skipped, ` +
      `${duplicates} duplicate trades; ${bars.length} closed bars printed\n`,
  );
  return { frames: counts.frames, rejected: counts.rejected };
}
