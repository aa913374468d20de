/**
 * The scanner's wire formats: parsing of what it reads (bar events on `{ns}:bars:*`, analytics events on
 * `{ns}:analytics:*`, both defensive: a malformed message is dropped, never thrown) and the compact
 * `ScannerUpdate` it publishes once per cycle on `{ns}:scanner:updates` (docs/architecture.md "Redis layout").
 * Edit together with workers/README.md when the update shape changes.
 */
import { z } from "zod";
import type { Bar } from "../../server/domain/bars/bar.ts";
import { TIMEFRAMES } from "../../server/domain/time/timeframes.ts";
import type { BarUpdateKind, ScannerAnalyticsInput } from "../../server/domain/scanner/scanner-state.ts";
import { asBar } from "../../server/services/bar-json.ts";

/** Entries of `added` / `removed` per screen in one message; more → `truncated` (re-read the ZSET). */
export const MAX_SCREEN_CHANGES = 200;

/**
 * One cycle's news. `lists` holds only the toplists that changed since the previous cycle, best first, as
 * [symbol, value] (the full list, K entries at most); `screens` only the screens whose matches changed.
 * `epoch` + `seq` let a subscriber notice a missed message: then it re-reads the ZSETs.
 */
export interface ScannerUpdate {
  type: "scanner";
  epoch: string;
  seq: number;
  /** Epoch ms at the cycle's start. */
  at: number;
  /** Active symbols scanned. */
  symbols: number;
  durationMs: number;
  lists: Record<string, [string, number][]>;
  screens: ScreenUpdate[];
}

export interface ScreenUpdate {
  id: string;
  /** Symbols matching now. */
  count: number;
  added: string[];
  removed: string[];
  /** added/removed were cut at MAX_SCREEN_CHANGES. */
  truncated: boolean;
}

const ZBarEventKind = z.enum(["live", "closed", "revision"]);

/** A bar event of BarSink (`{ stream, epoch, seq, kind, bar }`); undefined when malformed. */
export function parseBarEvent(text: string): { kind: BarUpdateKind; bar: Bar } | undefined {
  try {
    const value = JSON.parse(text) as { kind?: unknown; bar?: unknown };
    const kind = ZBarEventKind.safeParse(value.kind);
    const bar = asBar(value.bar);
    return kind.success && bar ? { kind: kind.data, bar } : undefined;
  } catch {
    return undefined;
  }
}

const ZAnalyticsEvent = z.object({
  symbol: z.string().min(1),
  timeframe: z.enum(TIMEFRAMES),
  openTime: z.number(),
  indicators: z.record(z.string(), z.number().nullable()),
  patterns: z.array(z.object({ name: z.string(), value: z.number() })).optional(),
});

/** An AnalyticsEvent (server/services/analytics-latest.ts) or a cached LatestIndicators record; undefined when malformed. */
export function parseAnalyticsEvent(text: string | null | undefined): ScannerAnalyticsInput | undefined {
  if (!text) return undefined;
  try {
    const parsed = ZAnalyticsEvent.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Rounds a value for the message (8 significant digits keep it compact). */
export function compactNumber(value: number): number {
  return Number(value.toPrecision(8));
}
