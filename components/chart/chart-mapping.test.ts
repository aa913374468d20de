import { describe, expect, it } from "vitest";
import type { Bar } from "../../server/domain/bars/bar.ts";
import { DOWN_COLOR, TICK, UP_COLOR, formatCrosshairTime, formatPrice, formatTickMark, toCandle, toChartTime, toSeriesData, toVolume } from "./chart-mapping.ts";

// First bar of the fixture BTCUSDT-1m-20230401-20230403: 2023-04-01T00:00:00Z.
const bar: Bar = { symbol: "BINANCE:BTCUSDT", timeframe: "1m", openTime: 1_680_307_200_000, open: 28465.36, high: 28481.48, low: 28465.36, close: 28480.07, volume: 26.31939, trades: 0, source: "rest" };

describe("chart mapping", () => {
  it("converts epoch ms to whole epoch seconds", () => {
    expect(toChartTime(1_680_307_200_000)).toBe(1_680_307_200);
    expect(toChartTime(1_680_307_200_999)).toBe(1_680_307_200); // floor, never rounds into the next second
  });

  it("maps a bar to a candle and a volume column", () => {
    expect(toCandle(bar)).toEqual({ time: 1_680_307_200, open: 28465.36, high: 28481.48, low: 28465.36, close: 28480.07 });
    const up = toVolume(bar);
    expect(up).toMatchObject({ time: 1_680_307_200, value: 26.31939 });
    const down = toVolume({ ...bar, close: 28400 });
    expect(up.color).not.toBe(down.color); // close ≥ open is up, below is down
    expect(UP_COLOR).not.toBe(DOWN_COLOR);
  });

  it("maps a list in order for setData", () => {
    const next = { ...bar, openTime: bar.openTime + 60_000 };
    const data = toSeriesData([bar, next]);
    expect(data.candles.map((candle) => candle.time)).toEqual([1_680_307_200, 1_680_307_260]);
    expect(data.volumes).toHaveLength(2);
  });

  it("formats tick marks and the crosshair in UTC", () => {
    const t = 1_680_307_260; // 2023-04-01 00:01:00 UTC
    expect(formatTickMark(t, TICK.time, "utc", "en-GB")).toBe("00:01");
    expect(formatTickMark(t, TICK.timeWithSeconds, "utc", "en-GB")).toBe("00:01:00");
    expect(formatTickMark(t, TICK.dayOfMonth, "utc", "en-GB")).toBe("1 Apr");
    expect(formatTickMark(t, TICK.month, "utc", "en-GB")).toBe("Apr");
    expect(formatTickMark(t, TICK.year, "utc", "en-GB")).toBe("2023");
    expect(formatCrosshairTime(t, "utc", "en-GB")).toBe("1 Apr 2023, 00:01 UTC");
  });

  it("formats in the viewer's zone in local mode", () => {
    const t = 1_680_307_260;
    const expected = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(new Date(t * 1000));
    expect(formatTickMark(t, TICK.time, "local", "en-GB")).toBe(expected);
    expect(formatCrosshairTime(t, "local", "en-GB")).not.toMatch(/UTC$/);
  });

  it("formats prices with enough digits", () => {
    expect(formatPrice(28480.07)).toBe("28,480.07");
    expect(formatPrice(0.00012345)).toBe("0.000123");
  });
});
