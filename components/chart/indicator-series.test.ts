import { describe, expect, it } from "vitest";
import type { Bar } from "../../server/domain/bars/bar.ts";
import { computeIndicators } from "../../server/domain/indicators/indicator-batch.ts";
import { fixtureBars } from "../../server/domain/indicators/indicator-test-helpers.ts";
import { emptyIndicatorValues, type IndicatorValues } from "../../server/domain/indicators/indicator-types.ts";
import { emptyPatternValues, type PatternValues } from "../../server/domain/patterns/pattern-registry.ts";
import { toChartTime } from "./chart-mapping.ts";
import { DEFAULT_TOGGLES, type SeriesSpec } from "./indicator-catalog.ts";
import { formatIndicatorValue, legendGroups, patternMarkers, patternTexts, toIndicatorData, toIndicatorPoint, visibleIndicators } from "./indicator-series.ts";

const bars = fixtureBars().slice(0, 120);
const batch = computeIndicators(bars);
const rows: IndicatorValues[] = bars.map((_, index) => {
  const values = emptyIndicatorValues();
  for (const key of Object.keys(values) as Array<keyof IndicatorValues>) values[key] = batch[key][index] ?? null;
  return values;
});
const sma20: SeriesSpec = { key: "sma20", name: "", color: "#fff", kind: "line" };
const histogram: SeriesSpec = { key: "macdHist", name: "hist", color: "#888", kind: "histogram" };

describe("indicator series mapping", () => {
  it("skips the warm-up nulls and keeps the bar times", () => {
    const data = toIndicatorData(sma20, bars, rows);
    expect(data).toHaveLength(120 - 19); // SMA 20: first value at index 19
    expect(data[0]).toEqual({ time: toChartTime((bars[19] as Bar).openTime), value: batch.sma20[19] });
    expect(data.map((point) => point.time)).toEqual(bars.slice(19).map((bar) => toChartTime(bar.openTime)));
    expect(toIndicatorData({ ...sma20, key: "sma200" }, bars, rows)).toEqual([]); // 120 bars < 200: no value yet
  });

  it("gives whitespace for a live point without a value, and colours the histogram by sign", () => {
    const bar = bars[5] as Bar;
    expect(toIndicatorPoint(sma20, bar, rows[5] as IndicatorValues)).toEqual({ time: toChartTime(bar.openTime) });
    const up = toIndicatorPoint(histogram, bar, { ...emptyIndicatorValues(), macdHist: 2 });
    const down = toIndicatorPoint(histogram, bar, { ...emptyIndicatorValues(), macdHist: -2 });
    expect(up).toMatchObject({ value: 2 });
    expect("color" in up && "color" in down && up.color !== down.color).toBe(true);
    // MACD histogram starts at index 33 (slow EMA 26 + signal 9 − 2).
    expect(toIndicatorData(histogram, bars, rows)[0]?.time).toBe(toChartTime((bars[33] as Bar).openTime));
  });

  it("lists the visible indicators in catalog order", () => {
    expect(visibleIndicators(DEFAULT_TOGGLES)).toEqual(["sma20", "volume"]);
    expect(visibleIndicators({ ...DEFAULT_TOGGLES, rsi: true, bb: true, patterns: false })).toEqual(["bb", "sma20", "volume", "rsi"]);
  });

  it("marks patterns of the enabled groups: bullish below, bearish above, one marker per side", () => {
    const patterns: PatternValues[] = [emptyPatternValues(), emptyPatternValues(), emptyPatternValues(), emptyPatternValues()];
    Object.assign(patterns[0] as PatternValues, { hammer: 100, engulfing: 100, doji: 100 });
    Object.assign(patterns[1] as PatternValues, { engulfing: -100 });
    Object.assign(patterns[2] as PatternValues, { spinningTop: 100, harami: 100 }); // harami: in no group
    Object.assign(patterns[3] as PatternValues, { engulfing: 80 }); // TA-Lib's weak engulfing (one equal body end): no marker
    const markers = patternMarkers(bars, patterns, ["patterns"]);
    expect(markers).toEqual([
      expect.objectContaining({ time: toChartTime((bars[0] as Bar).openTime), position: "belowBar", shape: "arrowUp", text: "Bull Engulfing · Hammer" }),
      expect.objectContaining({ time: toChartTime((bars[1] as Bar).openTime), position: "aboveBar", shape: "arrowDown", text: "Bear Engulfing" }),
    ]);
    const withDoji = patternMarkers(bars, patterns, ["patterns", "doji"]);
    const dots = withDoji.filter((marker) => marker.shape === "circle");
    expect(dots.map((marker) => marker.time)).toEqual([0, 2].map((index) => toChartTime((bars[index] as Bar).openTime)));
    expect(dots.every((marker) => marker.text === undefined)).toBe(true); // names only in the legend
    expect(patternMarkers(bars, patterns, [])).toEqual([]);
    expect(patternTexts(patterns[0] as PatternValues, ["patterns", "doji"])).toEqual({ bullish: ["Bull Engulfing", "Hammer"], bearish: [], neutral: ["Doji"] });
  });

  it("builds legend rows per pane at a bar", () => {
    const bar = bars[100] as Bar;
    const groups = legendGroups(["stoch", "sma20", "rsi", "volume"], bar, rows[100]);
    expect(groups.map((group) => group.pane)).toEqual(["price", "rsi", "stoch"]);
    expect(groups[0]?.rows.map((row) => row.title)).toEqual(["SMA 20", "Vol"]);
    expect(groups[1]?.rows[0]?.values[0]?.text).toBe((batch.rsi14[100] as number).toFixed(2));
    expect(groups[2]?.rows[0]?.values.map((value) => value.name)).toEqual(["%K", "%D"]);
    const withPatterns = legendGroups([], bar, rows[100], { bullish: ["Hammer"], bearish: [], neutral: [] });
    expect(withPatterns[0]?.rows).toEqual([{ id: "patterns", title: "Patterns", values: [expect.objectContaining({ text: "Hammer" })] }]);
    const empty = legendGroups(["rsi"], undefined, undefined);
    expect(empty[0]?.rows[0]?.values[0]?.text).toBe("–");
  });

  it("formats values by kind", () => {
    expect(formatIndicatorValue("sma20", 28480.071)).toBe("28,480.07");
    expect(formatIndicatorValue("rsi14", 55.1234)).toBe("55.12");
    expect(formatIndicatorValue("macd", -12.34567)).toBe("-12.35");
    expect(formatIndicatorValue("macdHist", 0.000123456)).toBe("0.0001235");
    expect(formatIndicatorValue("vwap", null)).toBe("–");
  });
});
