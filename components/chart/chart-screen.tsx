"use client";
/**
 * The chart page's client side: history from `charts.history`, live bars from the gateway,
 * toolbar (with the indicator panel), connection status, feed notes (REPLAY badge, unavailable symbol),
 * market labels (closed/open, delayed data, bar countdown while open) and loading/error states;
 * for a signed-in user, alert lines and "Add alert" (chart-alerts.tsx).
 * Symbol switches update the URL with history.pushState, so the chart and WebSocket stay alive.
 */
import { useQuery } from "@tanstack/react-query";
import { usePathname } from "next/navigation";
import { useCallback, useEffect, useRef, useState } from "react";
import type { Bar } from "../../server/domain/bars/bar.ts";
import { useTRPC } from "../trpc.ts";
import type { AlertPriceLines } from "./alert-price-lines.ts";
import { CandleChart, type CandleChartHandle } from "./candle-chart.tsx";
import { ChartAlerts } from "./chart-alerts.tsx";
import { formatPrice } from "./chart-mapping.ts";
import { useChartStore } from "./chart-store.ts";
import { SymbolSelect, TimeZoneSwitch, TimeframeButtons } from "./chart-toolbar.tsx";
import { ConnectionStatusIndicator } from "./connection-status.tsx";
import { FeedNotes } from "./feed-notes.tsx";
import { IndicatorPanel } from "./indicator-panel.tsx";
import { BarCountdown, MarketBadges, useSymbolMarket } from "./market-badges.tsx";
import { QualityBadge } from "./quality-badge.tsx";
import { useIndicatorStore } from "./indicator-store.ts";
import { useLiveBars } from "./use-live-bars.ts";

const HISTORY_LIMIT = 1_000;

/** `/chart/BINANCE%3ABTCUSDT` → `BINANCE:BTCUSDT`; undefined for other paths. */
export function symbolFromPath(pathname: string | null): string | undefined {
  const match = /^\/chart\/([^/]+)\/?$/.exec(pathname ?? "");
  if (!match?.[1]) return undefined;
  try {
    const symbol = decodeURIComponent(match[1]).trim().toUpperCase();
    return symbol.includes(":") ? symbol : undefined;
  } catch {
    return undefined;
  }
}

export function ChartScreen({ initialSymbol, gatewayUrl, signedIn = false }: { initialSymbol: string; gatewayUrl: string; signedIn?: boolean }) {
  const symbol = symbolFromPath(usePathname()) ?? initialSymbol;
  const { timeframe, timeZoneMode, setTimeframe, setTimeZoneMode } = useChartStore();
  const { toggles, setToggle } = useIndicatorStore();
  useEffect(() => {
    void useChartStore.persist.rehydrate();
    void useIndicatorStore.persist.rehydrate();
  }, []);

  const trpc = useTRPC();
  const history = useQuery(trpc.charts.history.queryOptions({ symbol, timeframe, limit: HISTORY_LIMIT }));
  const symbols = useQuery(trpc.symbols.list.queryOptions());
  const health = useQuery(trpc.health.status.queryOptions(undefined, { refetchInterval: 10_000 }));
  const market = useSymbolMarket(symbol);

  const chart = useRef<CandleChartHandle>(null);
  const stream = `${symbol}:${timeframe}`;
  const currentStream = useRef(stream);
  const drawnStream = useRef<string | null>(null);
  const pending = useRef<Bar[]>([]);
  const [lastBar, setLastBar] = useState<Bar | undefined>();
  const [alertLines, setAlertLines] = useState<AlertPriceLines | null>(null);

  useEffect(() => {
    currentStream.current = stream;
    drawnStream.current = null;
    pending.current = [];
    chart.current?.clear();
  }, [stream]);

  useEffect(() => {
    const data = history.data;
    if (!data || `${data.symbol}:${data.timeframe}` !== stream) return;
    chart.current?.load(stream, data.bars);
    drawnStream.current = stream;
    if (pending.current.length > 0) chart.current?.merge(pending.current, false);
    pending.current = [];
  }, [history.data, stream]);

  const apply = useCallback((from: string, bars: Bar[], isLiveUpdate: boolean) => {
    if (from !== currentStream.current) return;
    if (drawnStream.current === from) chart.current?.merge(bars, isLiveUpdate);
    else pending.current.push(...bars); // history not drawn yet: merge after it
  }, []);

  const live = useLiveBars({
    url: gatewayUrl,
    symbol,
    timeframe,
    onSnapshot: (from, bars) => apply(from, bars, false),
    onBar: (from, bar) => apply(from, [bar], true),
  });

  function selectSymbol(id: string): void {
    if (id !== symbol) window.history.pushState(null, "", `/chart/${id}`);
  }

  const displayName = symbols.data?.flatMap((group) => group.symbols).find((item) => item.id === symbol)?.displayName;
  const error = history.error;
  const status = error?.data?.httpStatus ?? 0;
  const notFound = status === 404;
  const retryable = status < 400 || status >= 500; // a 400/404 will not change on retry

  return (
    <main className="chart-page">
      <header className="toolbar">
        <div className="title">
          <SymbolSelect value={symbol} groups={symbols.data} onChange={selectSymbol} />
          <QualityBadge symbol={symbol} />
          <MarketBadges market={market} timeZoneMode={timeZoneMode} />
          {displayName ? <span className="muted">{displayName}</span> : null}
          {lastBar ? (
            <span className="ohlc" data-testid="last-bar">
              O <b>{formatPrice(lastBar.open)}</b> H <b>{formatPrice(lastBar.high)}</b> L <b>{formatPrice(lastBar.low)}</b> C{" "}
              <b className={lastBar.close >= lastBar.open ? "up" : "down"}>{formatPrice(lastBar.close)}</b>
            </span>
          ) : null}
        </div>
        <div className="controls">
          <TimeframeButtons value={timeframe} onChange={setTimeframe} />
          <TimeZoneSwitch value={timeZoneMode} onChange={setTimeZoneMode} />
          <IndicatorPanel toggles={toggles} onToggle={setToggle} />
          <FeedNotes symbol={symbol} health={health.data} />
          <BarCountdown market={market} timeframe={timeframe} />
          <ConnectionStatusIndicator status={live.status} secondsLeft={live.secondsLeft} onReconnect={live.reconnectNow} />
        </div>
      </header>
      <FeedNotes symbol={symbol} health={health.data} variant="notes" />
      <section className="chart-area">
        <CandleChart ref={chart} timeZoneMode={timeZoneMode} toggles={toggles} onLastBar={setLastBar} onAlertLines={setAlertLines} />
        {signedIn ? <ChartAlerts symbol={symbol} timeframe={timeframe} lastClose={lastBar?.close} lines={alertLines} /> : null}
        {history.isPending ? (
          <div className="overlay" data-testid="chart-loading">
            Loading {symbol} {timeframe}…
          </div>
        ) : null}
        {error ? (
          <div className="overlay overlay-error" data-testid="chart-error" role="alert">
            <p>{notFound ? `Unknown symbol ${symbol}.` : `Could not load the chart: ${error.message}`}</p>
            {retryable ? (
              <button type="button" onClick={() => void history.refetch()}>
                Retry
              </button>
            ) : null}
          </div>
        ) : null}
        {history.data && history.data.bars.length === 0 && !error ? (
          <div className="overlay overlay-quiet" data-testid="chart-empty">
            No {timeframe} bars for {symbol} yet; new ones appear here as they close.
          </div>
        ) : null}
      </section>
    </main>
  );
}
