/**
 * Recorded 1m klines the replay exchange serves, shifted to the present: virtual minute M shows the
 * recorded minute `first + ((M - anchor) mod span)`, so the same minute always shows the same candle,
 * across restarts too. Holes in the recording (exchange halts) stay holes. Prices are never altered.
 */
import { readFileSync } from "node:fs";
import type { RecordedKline } from "./minute-path.ts";

const MINUTE = 60_000;

export class ReplayDataset {
  private readonly byTime = new Map<number, RecordedKline>();
  private readonly first: number;
  private readonly span: number;

  constructor(
    readonly ticker: string,
    klines: readonly RecordedKline[],
    private readonly anchor = 0,
    /** false: outside the recorded span there is no data (tests replaying history at its own times). */
    private readonly loop = true,
  ) {
    if (klines.length === 0) throw new Error(`replay dataset ${ticker} is empty`);
    for (const kline of klines) this.byTime.set(kline.openTime, kline);
    this.first = klines[0]!.openTime;
    this.span = klines[klines.length - 1]!.openTime + MINUTE - this.first;
  }

  /** Loads freqtrade-format JSON rows `[openTimeMs, open, high, low, close, volume]`. */
  static fromFile(ticker: string, file: string, anchor = 0, loop = true): ReplayDataset {
    const rows = JSON.parse(readFileSync(file, "utf8")) as unknown;
    if (!Array.isArray(rows)) throw new Error(`${file}: expected a JSON array of kline rows`);
    const klines = rows.map((row, index) => {
      if (!Array.isArray(row) || row.length < 6 || !row.slice(0, 6).every((value) => typeof value === "number" && Number.isFinite(value))) {
        throw new Error(`${file}: row ${index} is not [openTime, open, high, low, close, volume]`);
      }
      const [openTime, open, high, low, close, volume] = row as number[];
      return { openTime: openTime!, open: open!, high: high!, low: low!, close: close!, volume: volume! };
    });
    return new ReplayDataset(ticker, klines, anchor, loop);
  }

  /** The recorded time shown at virtual minute `virtualOpenTime`. */
  recordedTime(virtualOpenTime: number): number {
    const offset = (((virtualOpenTime - this.anchor) % this.span) + this.span) % this.span;
    return this.first + Math.floor(offset / MINUTE) * MINUTE;
  }

  /** The candle of virtual minute `virtualOpenTime` with its time shifted, or null in a recorded hole. */
  klineAt(virtualOpenTime: number): RecordedKline | null {
    if (!this.loop && (virtualOpenTime < this.anchor || virtualOpenTime >= this.anchor + this.span)) return null;
    const recorded = this.byTime.get(this.recordedTime(virtualOpenTime));
    return recorded ? { ...recorded, openTime: virtualOpenTime } : null;
  }

  get firstRecorded(): number {
    return this.first;
  }
}

/** A clock running `speed` times faster than real time from `startVirtual`. */
export class ReplayClock {
  private readonly startReal = Date.now();

  constructor(
    private readonly startVirtual: number = Date.now(),
    readonly speed = 1,
  ) {}

  now(): number {
    return Math.floor(this.startVirtual + (Date.now() - this.startReal) * this.speed);
  }

  /** Real milliseconds until the virtual clock reads `virtualTime`. */
  realDelayUntil(virtualTime: number): number {
    return Math.max(0, (virtualTime - this.now()) / this.speed);
  }
}
