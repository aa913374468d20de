/**
 * Pure mapping from indicator values and pattern values to lightweight-charts shapes: series data
 * (warm-up nulls skipped), single live points, pattern markers and the legend rows. No chart
 * instance, no DOM: unit tested in indicator-series.test.ts.
 */
import type { HistogramData, LineData, SeriesMarker, UTCTimestamp, WhitespaceData } from "lightweight-charts";
import type { Bar } from "../../server/domain/bars/bar.ts";
import type { IndicatorValueKey, IndicatorValues } from "../../server/domain/indicators/indicator-types.ts";
import type { PatternValues } from "../../server/domain/patterns/pattern-registry.ts";
import { DOWN_COLOR, UP_COLOR, formatPrice, toChartTime } from "./chart-mapping.ts";
import {
  INDICATORS, INDICATOR_IDS, PANEL_ORDER, PATTERN_GROUPS, PATTERN_MIN_STRENGTH, PATTERN_TEXT,
  type IndicatorId, type PaneId, type PatternGroupId, type SeriesSpec, type ToggleId,
} from "./indicator-catalog.ts";

export type IndicatorPoint = LineData<UTCTimestamp> | HistogramData<UTCTimestamp> | WhitespaceData<UTCTimestamp>;

const HISTOGRAM_UP = "rgba(38, 166, 154, 0.6)";
const HISTOGRAM_DOWN = "rgba(239, 83, 80, 0.6)";
const NEUTRAL_COLOR = "#8b93a1";

/**
 * One point of a series for `series.update()`: whitespace (no value) when the engine gave null, so a
 * value that disappears on the open bar does not linger.
 * @example toIndicatorPoint(sma20Spec, bar, values) // { time: 1680307260, value: 28461.5 }
 */
export function toIndicatorPoint(spec: SeriesSpec, bar: Bar, values: IndicatorValues): IndicatorPoint {
  const time = toChartTime(bar.openTime);
  const value = values[spec.key];
  if (value === null || !Number.isFinite(value)) return { time };
  if (spec.kind === "histogram") return { time, value, color: value >= 0 ? HISTOGRAM_UP : HISTOGRAM_DOWN };
  return { time, value };
}

/**
 * A whole series for `setData`, ascending; bars without a value (the warm-up) are left out.
 * @example toIndicatorData(sma20Spec, bars, rows).length // bars.length - 19
 */
export function toIndicatorData(spec: SeriesSpec, bars: readonly Bar[], rows: readonly IndicatorValues[]): IndicatorPoint[] {
  const data: IndicatorPoint[] = [];
  bars.forEach((bar, index) => {
    const values = rows[index];
    if (!values) return;
    const point = toIndicatorPoint(spec, bar, values);
    if ("value" in point) data.push(point);
  });
  return data;
}

/** The indicator ids switched on, in catalog order (the `data-indicators` attribute). */
export function visibleIndicators(toggles: Readonly<Record<ToggleId, boolean>>): IndicatorId[] {
  return INDICATOR_IDS.filter((id) => toggles[id]);
}

export type PatternSide = "bullish" | "bearish" | "neutral";

/**
 * The patterns of the enabled groups on one candle, by side (sign of TA-Lib's value; neutral groups
 * apart), weaker hits than PATTERN_MIN_STRENGTH left out.
 * @example patternTexts({ ...values, hammer: 100 }, ["patterns"]) // { bullish: ["Hammer"], bearish: [], neutral: [] }
 */
export function patternTexts(values: PatternValues, groups: readonly PatternGroupId[]): Record<PatternSide, string[]> {
  const texts: Record<PatternSide, string[]> = { bullish: [], bearish: [], neutral: [] };
  for (const group of PATTERN_GROUPS) {
    if (!groups.includes(group.id)) continue;
    for (const name of group.patterns) {
      const value = values[name];
      if (!value || Math.abs(value) < (PATTERN_MIN_STRENGTH[name] ?? 0)) continue;
      texts[group.neutral ? "neutral" : value > 0 ? "bullish" : "bearish"].push(PATTERN_TEXT[name](value));
    }
  }
  return texts;
}

/**
 * Markers for the patterns of the enabled groups on closed candles: one marker per candle and
 * side (bullish arrow below, bearish arrow above, texts joined; neutral: a plain dot above).
 * @example patternMarkers(bars, patterns, ["patterns"]) // [{ time, position: "belowBar", shape: "arrowUp", text: "Hammer", ... }]
 */
export function patternMarkers(
  bars: readonly Bar[],
  patterns: readonly PatternValues[],
  groups: readonly PatternGroupId[],
): SeriesMarker<UTCTimestamp>[] {
  const markers: SeriesMarker<UTCTimestamp>[] = [];
  if (groups.length === 0) return markers;
  patterns.forEach((values, index) => {
    const bar = bars[index];
    if (!bar) return;
    const texts = patternTexts(values, groups);
    const time = toChartTime(bar.openTime);
    if (texts.bullish.length) markers.push({ time, position: "belowBar", shape: "arrowUp", color: UP_COLOR, text: texts.bullish.join(" · "), size: 0.8 });
    if (texts.bearish.length) markers.push({ time, position: "aboveBar", shape: "arrowDown", color: DOWN_COLOR, text: texts.bearish.join(" · "), size: 0.8 });
    // Doji-like candles are frequent: a dot without text (the legend names them on hover).
    if (texts.neutral.length) markers.push({ time, position: "aboveBar", shape: "circle", color: NEUTRAL_COLOR, size: 0.4 });
  });
  return markers;
}

const OSCILLATOR_KEYS: ReadonlySet<IndicatorValueKey> = new Set(["rsi14", "stochK", "stochD"]);

/**
 * Legend text of one value: prices like the header, oscillators with 2 decimals, MACD with 4
 * significant digits; "–" for no value.
 * @example formatIndicatorValue("rsi14", 55.1234) // "55.12"
 */
export function formatIndicatorValue(key: IndicatorValueKey, value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  if (OSCILLATOR_KEYS.has(key)) return value.toFixed(2);
  if (key === "macd" || key === "macdSignal" || key === "macdHist") return Number(value.toPrecision(4)).toString();
  return formatPrice(value);
}

/** Compact volume: 1234.5 → "1.23K". */
export function formatVolume(volume: number): string {
  return new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 2 }).format(volume);
}

export interface LegendValue {
  name: string;
  text: string;
  color: string;
}

export interface LegendRow {
  id: IndicatorId | "patterns";
  title: string;
  values: LegendValue[];
}

export interface LegendGroup {
  pane: PaneId;
  rows: LegendRow[];
}

/**
 * Legend rows for the visible indicators at one bar, grouped by pane (price first, then the panels
 * in catalog order), plus a "Patterns" row when the bar has marked patterns. `values` undefined (no
 * bar) gives "–" everywhere.
 * @example legendGroups(["sma20", "rsi"], bar, values) // [{ pane: "price", rows: [SMA 20] }, { pane: "rsi", rows: [RSI 14] }]
 */
export function legendGroups(
  visible: readonly IndicatorId[],
  bar: Bar | undefined,
  values: IndicatorValues | undefined,
  patterns?: Readonly<Record<PatternSide, readonly string[]>>,
): LegendGroup[] {
  const groups: LegendGroup[] = [];
  const groupOf = (pane: PaneId): LegendGroup => {
    let group = groups.find((candidate) => candidate.pane === pane);
    if (!group) {
      group = { pane, rows: [] };
      groups.push(group);
    }
    return group;
  };
  for (const definition of INDICATORS) {
    if (!visible.includes(definition.id)) continue;
    const rowValues = definition.series.map((spec) => ({
      name: spec.name,
      text: formatIndicatorValue(spec.key, values?.[spec.key]),
      color: spec.kind === "histogram" ? histogramLegendColor(values?.[spec.key]) : spec.color,
    }));
    groupOf(definition.pane).rows.push({ id: definition.id, title: definition.title, values: rowValues });
  }
  if (visible.includes("volume")) {
    const color = bar && bar.close < bar.open ? DOWN_COLOR : UP_COLOR;
    groupOf("price").rows.push({ id: "volume", title: "Vol", values: [{ name: "", text: bar ? formatVolume(bar.volume) : "–", color }] });
  }
  const sideColor: Record<PatternSide, string> = { bullish: UP_COLOR, bearish: DOWN_COLOR, neutral: NEUTRAL_COLOR };
  const found = patterns ? (["bullish", "bearish", "neutral"] as const).filter((side) => patterns[side].length > 0) : [];
  if (patterns && found.length > 0) {
    const patternValues = found.map((side) => ({ name: side, text: patterns[side].join(" · "), color: sideColor[side] }));
    groupOf("price").rows.push({ id: "patterns", title: "Patterns", values: patternValues });
  }
  const order: PaneId[] = ["price", ...PANEL_ORDER];
  return groups.sort((a, b) => order.indexOf(a.pane) - order.indexOf(b.pane));
}

function histogramLegendColor(value: number | null | undefined): string {
  return value !== null && value !== undefined && value < 0 ? DOWN_COLOR : UP_COLOR;
}
