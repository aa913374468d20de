"use client";
/**
 * The lightweight-charts v5 canvas: candles, a volume histogram on its own scale at the bottom, and
 * the indicators switched on (overlays, panels, pattern markers; see indicator-layer.ts) with their
 * legend. The chart is created once per mount; data changes go through the imperative handle
 * (setData for a history load, series.update for live bars), toggles only add or remove series.
 * Test hooks live on the container's data-* attributes.
 */
import { useEffect, useImperativeHandle, useRef, useState, type Ref } from "react";
import {
  CandlestickSeries,
  ColorType,
  CrosshairMode,
  HistogramSeries,
  createChart,
  type IChartApi,
  type ISeriesApi,
  type MouseEventParams,
  type Time,
} from "lightweight-charts";
import type { Bar } from "../../server/domain/bars/bar.ts";
import { AlertPriceLines } from "./alert-price-lines.ts";
import { BarSeriesState } from "./bar-series-state.ts";
import { DOWN_COLOR, UP_COLOR, formatCrosshairTime, formatTickMark, toCandle, toSeriesData, toVolume, type TimeZoneMode } from "./chart-mapping.ts";
import { PATTERN_GROUP_IDS, type ToggleId } from "./indicator-catalog.ts";
import { IndicatorLayer } from "./indicator-layer.ts";
import { EMPTY_LEGEND, IndicatorLegend, type LegendView } from "./indicator-legend.tsx";
import { legendGroups, patternTexts, visibleIndicators } from "./indicator-series.ts";
import { IndicatorState } from "./indicator-state.ts";

export interface CandleChartHandle {
  /** Replaces all bars (history of `stream`) and marks the chart ready. */
  load(stream: string, bars: readonly Bar[]): void;
  /** Merges bars from the gateway; `isLiveUpdate` counts it in data-updates. */
  merge(bars: readonly Bar[], isLiveUpdate: boolean): void;
  /** Empties the chart (switching stream) and marks it not ready. */
  clear(): void;
}

interface CandleChartProps {
  ref?: Ref<CandleChartHandle>;
  timeZoneMode: TimeZoneMode;
  /** Indicator, panel and marker toggles (indicator-store.ts). */
  toggles: Readonly<Record<ToggleId, boolean>>;
  onLastBar?: (bar: Bar | undefined) => void;
  /** The alert price-line layer of the candle series, once created (null on unmount): chart-alerts.tsx. */
  onAlertLines?: (lines: AlertPriceLines | null) => void;
}

interface ChartParts {
  chart: IChartApi;
  candles: ISeriesApi<"Candlestick">;
  volume: ISeriesApi<"Histogram">;
  indicators: IndicatorLayer;
}

const VISIBLE_BARS = 150;
const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';

function createParts(element: HTMLElement): ChartParts {
  const chart = createChart(element, {
    autoSize: true,
    layout: {
      background: { type: ColorType.Solid, color: "#0e1116" },
      textColor: "#aab2bf",
      fontFamily: FONT,
      attributionLogo: true,
      panes: { separatorColor: "#2a303c", separatorHoverColor: "rgba(76, 141, 255, 0.25)", enableResize: true },
    },
    grid: { vertLines: { color: "#1a1f29" }, horzLines: { color: "#1a1f29" } },
    rightPriceScale: { borderColor: "#2a303c" },
    timeScale: { borderColor: "#2a303c", timeVisible: true, secondsVisible: false, rightOffset: 6 },
    crosshair: { mode: CrosshairMode.Normal },
  });
  const candles = chart.addSeries(CandlestickSeries, {
    upColor: UP_COLOR,
    downColor: DOWN_COLOR,
    borderVisible: false,
    wickUpColor: UP_COLOR,
    wickDownColor: DOWN_COLOR,
  });
  candles.priceScale().applyOptions({ scaleMargins: { top: 0.08, bottom: 0.3 } });
  const volume = chart.addSeries(HistogramSeries, {
    priceFormat: { type: "volume" },
    priceScaleId: "volume",
    lastValueVisible: false,
    priceLineVisible: false,
  });
  chart.priceScale("volume").applyOptions({ scaleMargins: { top: 0.78, bottom: 0 } });
  return { chart, candles, volume, indicators: new IndicatorLayer(chart, candles, volume) };
}

export function CandleChart({ ref, timeZoneMode, toggles, onLastBar, onAlertLines }: CandleChartProps) {
  const container = useRef<HTMLDivElement>(null);
  const parts = useRef<ChartParts | null>(null);
  const state = useRef(new BarSeriesState());
  const indicatorState = useRef(new IndicatorState());
  const updates = useRef(0);
  const hoverIndex = useRef<number | null>(null);
  const currentToggles = useRef(toggles);
  const lastBarCallback = useRef(onLastBar);
  const alertLinesCallback = useRef(onAlertLines);
  const [legend, setLegend] = useState<LegendView>(EMPTY_LEGEND);
  useEffect(() => {
    lastBarCallback.current = onLastBar;
    alertLinesCallback.current = onAlertLines;
  });

  function publish(): void {
    const element = container.current;
    const last = state.current.last();
    if (!element) return;
    element.dataset.bars = String(state.current.size());
    element.dataset.lastTime = last ? String(last.openTime) : "";
    element.dataset.lastClose = last ? String(last.close) : "";
    element.dataset.updates = String(updates.current);
    element.dataset.indicators = visibleIndicators(currentToggles.current).join(",");
    element.dataset.markers = String(parts.current?.indicators.markerCount ?? 0);
    lastBarCallback.current?.(last);
    refreshLegend();
  }

  /** Legend at the hovered bar, else at the last bar. Reads refs only: safe from chart callbacks. */
  function refreshLegend(): void {
    const element = container.current;
    const current = parts.current;
    if (!element || !current) return;
    const values = indicatorState.current;
    const index = hoverIndex.current ?? values.bars.length - 1;
    const bar = values.bars[index];
    const patternValues = values.patterns[index]; // closed candles only
    const groups = PATTERN_GROUP_IDS.filter((id) => currentToggles.current[id]);
    setLegend({
      groups: legendGroups(visibleIndicators(currentToggles.current), bar, values.values[index], patternValues && patternTexts(patternValues, groups)),
      tops: current.indicators.paneTops(element),
      hovering: hoverIndex.current !== null,
      time: bar?.openTime ?? null,
    });
  }
  const legendRefresher = useRef(refreshLegend);
  useEffect(() => {
    legendRefresher.current = refreshLegend;
  });

  /** Indicator values from all drawn bars, and every indicator series redrawn. */
  function recomputeIndicators(bars: readonly Bar[]): void {
    indicatorState.current.reset(bars);
    parts.current?.indicators.setAll(indicatorState.current);
  }

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const created = createParts(element);
    parts.current = created;
    const onCrosshairMove = (param: MouseEventParams<Time>) => {
      const index = typeof param.time === "number" && param.point ? indicatorState.current.indexOf(param.time * 1000) : -1;
      hoverIndex.current = index >= 0 ? index : null;
      legendRefresher.current();
    };
    created.chart.subscribeCrosshairMove(onCrosshairMove);
    const alertLines = new AlertPriceLines(created.chart, created.candles, element);
    alertLinesCallback.current?.(alertLines);
    const resize = new ResizeObserver(() => requestAnimationFrame(() => legendRefresher.current()));
    resize.observe(element);
    return () => {
      resize.disconnect();
      alertLinesCallback.current?.(null);
      alertLines.dispose();
      created.chart.unsubscribeCrosshairMove(onCrosshairMove);
      parts.current = null;
      created.chart.remove();
    };
  }, []);

  useEffect(() => {
    currentToggles.current = toggles;
    parts.current?.indicators.apply(toggles, indicatorState.current);
    publish();
    // Panes are laid out on the chart's next frame: place the panel legends after it.
    const frame = requestAnimationFrame(() => requestAnimationFrame(() => legendRefresher.current()));
    return () => cancelAnimationFrame(frame);
  }, [toggles]);

  useEffect(() => {
    parts.current?.chart.applyOptions({
      localization: {
        timeFormatter: (time: Time) => (typeof time === "number" ? formatCrosshairTime(time, timeZoneMode) : String(time)),
      },
      timeScale: {
        tickMarkFormatter: (time: Time, tickMarkType: number) =>
          typeof time === "number" ? formatTickMark(time, tickMarkType, timeZoneMode) : null,
      },
    });
  }, [timeZoneMode]);

  useImperativeHandle(ref, () => ({
    load(stream, bars) {
      const current = parts.current;
      const element = container.current;
      if (!current || !element) return;
      const sorted = state.current.reset(bars);
      const data = toSeriesData(sorted);
      current.candles.setData(data.candles);
      current.volume.setData(data.volumes);
      recomputeIndicators(sorted);
      if (sorted.length > 0) {
        current.chart.timeScale().setVisibleLogicalRange({ from: Math.max(0, sorted.length - VISIBLE_BARS), to: sorted.length + 5 });
      }
      element.dataset.stream = stream;
      element.dataset.ready = "1";
      publish();
    },
    merge(bars, isLiveUpdate) {
      const current = parts.current;
      if (!current) return;
      const plan = state.current.merge(bars);
      if (plan.kind === "reset") {
        const data = toSeriesData(plan.bars);
        current.candles.setData(data.candles);
        current.volume.setData(data.volumes);
        recomputeIndicators(plan.bars);
      } else if (plan.kind === "update") {
        for (const { bar, historical } of plan.updates) {
          current.candles.update(toCandle(bar), historical);
          current.volume.update(toVolume(bar), historical);
        }
        applyIndicatorUpdates(plan.updates);
      }
      if (isLiveUpdate) updates.current += 1;
      publish();
    },
    clear() {
      const current = parts.current;
      const element = container.current;
      if (!current || !element) return;
      state.current.reset([]);
      current.candles.setData([]);
      current.volume.setData([]);
      recomputeIndicators([]);
      element.dataset.ready = "0";
      element.dataset.stream = "";
      publish();
    },
  }));

  /** Live bars: preview/push per bar; a revised older bar (or an out-of-order one) recomputes all. */
  function applyIndicatorUpdates(updatesToApply: ReadonlyArray<{ bar: Bar; historical: boolean }>): void {
    if (updatesToApply.some((update) => update.historical)) return recomputeIndicators(state.current.all());
    for (const { bar } of updatesToApply) {
      const changed = indicatorState.current.applyLast(bar);
      if (changed === "reset") return recomputeIndicators(state.current.all());
      parts.current?.indicators.update(indicatorState.current, changed);
    }
  }

  return (
    <div className="chart-canvas">
      <div ref={container} className="chart-surface" data-testid="chart" data-ready="0" data-updates="0" data-bars="0" data-indicators="" data-markers="0" />
      <IndicatorLegend view={legend} />
    </div>
  );
}
