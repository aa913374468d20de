"use client";
/**
 * Market labels next to the symbol: "Market closed · opens Mon 23 Nov 14:30 UTC" / "Market open · closes 21:00 UTC"
 * for exchanges with sessions (nothing for crypto), "Delayed 15 min" for delayed sources, and the bar-close
 * countdown while the market is open. `markets.symbol` is asked once per symbol (and every 10 min, for an
 * operator's holiday edit); the status is recomputed in the browser from that calendar every 30 s, in the
 * page's UTC/local mode.
 * Test hooks: `market-status` (data-open, data-reason, data-next-open, data-closes-at), `delay-badge`
 * (data-minutes), `bar-countdown` (data-close-at).
 */
import { useQuery } from "@tanstack/react-query";
import { useEffect, useMemo, useState } from "react";
import { marketStatus, type MarketStatus } from "../../server/domain/calendars/market-status.ts";
import type { Timeframe } from "../../server/domain/time/timeframes.ts";
import { useTRPC } from "../trpc.ts";
import type { TimeZoneMode } from "./chart-mapping.ts";
import { barCloseTime, calendarFromInfo, delayLabel, formatCountdown, marketLabel } from "./market-labels.ts";

const STATUS_REFRESH_MS = 30_000;
const INFO_REFRESH_MS = 10 * 60_000;

/** Milliseconds `now`, re-read every `intervalMs` (null before mount, so server and client render alike). */
function useNow(intervalMs: number): number | null {
  const [now, setNow] = useState<number | null>(null);
  useEffect(() => {
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

export interface SymbolMarket {
  status: MarketStatus;
  delayMinutes: number;
}

/** The symbol's market, recomputed every 30 s; undefined until `markets.symbol` answered for this symbol. */
export function useSymbolMarket(symbol: string): SymbolMarket | undefined {
  const trpc = useTRPC();
  const info = useQuery(trpc.markets.symbol.queryOptions({ symbol }, { refetchInterval: INFO_REFRESH_MS, retry: 1 }));
  const data = info.data?.symbol === symbol.toUpperCase() ? info.data : undefined;
  const calendar = useMemo(() => (data ? calendarFromInfo(data.calendar, data.holidays) : null), [data]);
  const now = useNow(STATUS_REFRESH_MS);
  if (!data || !calendar || now === null) return undefined;
  return { status: marketStatus(calendar, now), delayMinutes: data.delayMinutes };
}

export function MarketBadges({ market, timeZoneMode }: { market: SymbolMarket | undefined; timeZoneMode: TimeZoneMode }) {
  if (!market) return null;
  const { status } = market;
  const label = marketLabel(status, timeZoneMode);
  const delay = delayLabel(market.delayMinutes);
  return (
    <>
      {label.kind !== "hidden" ? (
        <span
          className={`badge badge-market badge-market-${label.kind}`}
          data-testid="market-status"
          data-open={status.open ? "1" : "0"}
          data-reason={status.reason}
          data-next-open={status.nextOpen ?? ""}
          data-closes-at={status.session?.close ?? ""}
          role="status"
          title={label.title}
        >
          {label.text}
        </span>
      ) : null}
      {delay ? (
        <span className="badge badge-delay" data-testid="delay-badge" data-minutes={market.delayMinutes} title="The source publishes these prices late; the newest bar is not the market right now">
          {delay}
        </span>
      ) : null}
    </>
  );
}

/** "1m bar closes in 0:42" while the market is in a session; nothing while it is closed. */
export function BarCountdown({ market, timeframe }: { market: SymbolMarket | undefined; timeframe: Timeframe }) {
  const now = useNow(1_000);
  if (!market?.status.open || now === null) return null;
  // a 24/7 market has no session edges to stop at (its status may be up to 30 s old across UTC midnight)
  const session = market.status.continuous ? { open: -Infinity, close: Infinity } : market.status.session;
  const closeAt = barCloseTime(now, timeframe, session);
  if (closeAt === null) return null;
  return (
    <span className="muted bar-countdown" data-testid="bar-countdown" data-close-at={closeAt}>
      {timeframe} bar closes in {formatCountdown(closeAt - now)}
    </span>
  );
}
