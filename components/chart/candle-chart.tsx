"use client";
/**
 * The lightweight-charts v5 canvas: candles plus a volume histogram on its own scale at the bottom.
 * The chart is created once per mount; data changes go through the imperative handle (setData for
 * a history load, series.update for live bars). Test hooks live on the container's data-* attributes.
 */
import { useEffect, useImperativeHandle, useRef, type Ref } from "react";
import {
  CandlestickSeries,
  ColorType,
  CrosshairMode,
  HistogramSeries,
  createChart,
  type IChartApi,
  type ISeriesApi,
  type Time,
} from "lightweight-charts";
import type { Bar } from "../../server/domain/bars/bar.ts";
import { BarSeriesState } from "./bar-series-state.ts";
import { DOWN_COLOR, UP_COLOR, formatCrosshairTime, formatTickMark, toCandle, toSeriesData, toVolume, type TimeZoneMode } from "./chart-mapping.ts";

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
  onLastBar?: (bar: Bar | undefined) => void;
}

interface ChartParts {
  chart: IChartApi;
  candles: ISeriesApi<"Candlestick">;
  volume: ISeriesApi<"Histogram">;
}

const VISIBLE_BARS = 150;
const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';

function createParts(element: HTMLElement): ChartParts {
  const chart = createChart(element, {
    autoSize: true,
    layout: { background: { type: ColorType.Solid, color: "#0e1116" }, textColor: "#aab2bf", fontFamily: FONT, attributionLogo: true },
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
  return { chart, candles, volume };
}

export function CandleChart({ ref, timeZoneMode, onLastBar }: CandleChartProps) {
  const container = useRef<HTMLDivElement>(null);
  const parts = useRef<ChartParts | null>(null);
  const state = useRef(new BarSeriesState());
  const updates = useRef(0);
  const lastBarCallback = useRef(onLastBar);
  useEffect(() => {
    lastBarCallback.current = onLastBar;
  });

  function publish(): void {
    const element = container.current;
    const last = state.current.last();
    if (!element) return;
    element.dataset.bars = String(state.current.size());
    element.dataset.lastTime = last ? String(last.openTime) : "";
    element.dataset.lastClose = last ? String(last.close) : "";
    element.dataset.updates = String(updates.current);
    lastBarCallback.current?.(last);
  }

  useEffect(() => {
    if (!container.current) return;
    const created = createParts(container.current);
    parts.current = created;
    return () => {
      parts.current = null;
      created.chart.remove();
    };
  }, []);

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
      } else if (plan.kind === "update") {
        for (const { bar, historical } of plan.updates) {
          current.candles.update(toCandle(bar), historical);
          current.volume.update(toVolume(bar), historical);
        }
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
      element.dataset.ready = "0";
      element.dataset.stream = "";
      publish();
    },
  }));

  return <div ref={container} className="chart-canvas" data-testid="chart" data-ready="0" data-updates="0" data-bars="0" />;
}
