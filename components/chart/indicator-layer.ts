/**
 * The chart side of the indicators: adds and removes series (overlays on the price pane, one pane
 * per panel, RSI/Stochastic reference lines) when toggles change, fills them with `setData` after a
 * history load or recompute, and moves them with `series.update()` for live bars. Pattern markers go
 * through the v5 markers plugin on the candle series. Holds no values itself: those live in
 * IndicatorState; mapping is in indicator-series.ts. Edit for how indicators look.
 */
import {
  HistogramSeries,
  LineSeries,
  LineStyle,
  createSeriesMarkers,
  type IChartApi,
  type ISeriesApi,
  type ISeriesMarkersPluginApi,
  type Time,
} from "lightweight-charts";
import {
  INDICATORS, PANEL_ORDER, PATTERN_GROUP_IDS,
  type IndicatorDefinition, type IndicatorId, type PaneId, type PatternGroupId, type SeriesSpec, type ToggleId,
} from "./indicator-catalog.ts";
import { patternMarkers, toIndicatorData, toIndicatorPoint } from "./indicator-series.ts";
import type { IndicatorState } from "./indicator-state.ts";

interface DrawnSeries {
  spec: SeriesSpec;
  api: ISeriesApi<"Line"> | ISeriesApi<"Histogram">;
}

/** Relative pane heights: each panel gets about a quarter of the price pane. */
const PRICE_STRETCH = 1;
const PANEL_STRETCH = 0.28;
const LEVEL_COLOR = "rgba(139, 147, 161, 0.55)";

export class IndicatorLayer {
  private readonly drawn = new Map<IndicatorId, DrawnSeries[]>();
  private readonly markers: ISeriesMarkersPluginApi<Time>;
  private markerGroups: PatternGroupId[] = [];
  private markedCandles = -1;
  private markerTotal = 0;

  constructor(
    private readonly chart: IChartApi,
    candles: ISeriesApi<"Candlestick">,
    private readonly volume: ISeriesApi<"Histogram">,
  ) {
    this.markers = createSeriesMarkers(candles, []);
  }

  /** Applies the toggles: only series that appear or disappear are touched. */
  apply(toggles: Readonly<Record<ToggleId, boolean>>, state: IndicatorState): void {
    for (const definition of INDICATORS) {
      const shown = this.drawn.has(definition.id);
      if (toggles[definition.id] && !shown) this.add(definition, state);
      else if (!toggles[definition.id] && shown) this.remove(definition.id);
    }
    this.volume.applyOptions({ visible: toggles.volume });
    this.arrangePanes();
    const groups = PATTERN_GROUP_IDS.filter((id) => toggles[id]);
    if (groups.join() !== this.markerGroups.join()) {
      this.markerGroups = groups;
      this.refreshMarkers(state, true);
    }
  }

  /** Redraws every visible series from the state (history load, reset). */
  setAll(state: IndicatorState): void {
    for (const series of this.drawn.values()) {
      for (const { spec, api } of series) api.setData(toIndicatorData(spec, state.bars, state.values));
    }
    this.refreshMarkers(state, true);
  }

  /** Live points for the bars at `indexes` (ascending, the last bars). */
  update(state: IndicatorState, indexes: readonly number[]): void {
    for (const index of indexes) {
      const bar = state.bars[index];
      const values = state.values[index];
      if (!bar || !values) continue;
      for (const series of this.drawn.values()) {
        for (const { spec, api } of series) api.update(toIndicatorPoint(spec, bar, values));
      }
    }
    this.refreshMarkers(state, false);
  }

  /** Markers currently drawn (the `data-markers` attribute). */
  get markerCount(): number {
    return this.markerTotal;
  }

  /** Top of each visible pane in px from the chart container's top, for the legends. */
  paneTops(container: HTMLElement): Partial<Record<PaneId, number>> {
    const origin = container.getBoundingClientRect().top;
    const tops: Partial<Record<PaneId, number>> = { price: 0 };
    for (const id of PANEL_ORDER) {
      const element = this.drawn.get(id)?.[0]?.api.getPane().getHTMLElement();
      if (element) tops[id] = element.getBoundingClientRect().top - origin;
    }
    return tops;
  }

  private add(definition: IndicatorDefinition, state: IndicatorState): void {
    const paneIndex = definition.pane === "price" ? 0 : this.chart.panes().length;
    // Histograms first, so the lines are drawn over them.
    const specs = [...definition.series].sort((a, b) => Number(b.kind === "histogram") - Number(a.kind === "histogram"));
    const series = specs.map((spec) => {
      const api = this.createSeries(definition, spec, paneIndex);
      api.setData(toIndicatorData(spec, state.bars, state.values));
      return { spec, api };
    });
    const main = series.find((item) => item.spec.kind === "line")?.api;
    for (const level of definition.levels ?? []) {
      main?.createPriceLine({ price: level, color: LEVEL_COLOR, lineWidth: 1, lineStyle: LineStyle.Dashed, axisLabelVisible: false, title: "" });
    }
    this.drawn.set(definition.id, series);
  }

  private createSeries(definition: IndicatorDefinition, spec: SeriesSpec, paneIndex: number): DrawnSeries["api"] {
    const overlay = definition.pane === "price";
    const range = definition.range;
    const common = {
      priceLineVisible: false,
      lastValueVisible: !overlay,
      autoscaleInfoProvider: range ? () => ({ priceRange: { minValue: range.min, maxValue: range.max } }) : undefined,
    };
    if (spec.kind === "histogram") return this.chart.addSeries(HistogramSeries, { ...common, lastValueVisible: false, color: spec.color }, paneIndex);
    return this.chart.addSeries(
      LineSeries,
      {
        ...common,
        color: spec.color,
        lineWidth: 1,
        lineStyle: spec.dashed ? LineStyle.Dashed : LineStyle.Solid,
        crosshairMarkerVisible: !overlay,
        crosshairMarkerRadius: 3,
      },
      paneIndex,
    );
  }

  private remove(id: IndicatorId): void {
    for (const { api } of this.drawn.get(id) ?? []) this.chart.removeSeries(api); // an emptied pane goes with it
    this.drawn.delete(id);
  }

  /** Panels in PANEL_ORDER right under the price pane, with their relative heights. */
  private arrangePanes(): void {
    let index = 1;
    for (const id of PANEL_ORDER) {
      const pane = this.drawn.get(id)?.[0]?.api.getPane();
      if (!pane) continue;
      if (pane.paneIndex() !== index) pane.moveTo(index);
      index += 1;
    }
    this.chart.panes().forEach((pane, paneIndex) => pane.setStretchFactor(paneIndex === 0 ? PRICE_STRETCH : PANEL_STRETCH));
  }

  /** Markers for closed candles; redrawn only when a candle closed (or `force`). */
  private refreshMarkers(state: IndicatorState, force: boolean): void {
    if (!force && state.patterns.length === this.markedCandles) return;
    this.markedCandles = state.patterns.length;
    const markers = patternMarkers(state.bars, state.patterns, this.markerGroups);
    this.markers.setMarkers(markers);
    this.markerTotal = markers.length;
  }
}
