/**
 * Chart page in real Chromium against a running stack (web + gateway + collector in replay mode):
 * history drawn, a live update arrives, REPLAY badge, timeframe switch, screenshot; then the
 * indicators: RSI toggled on (its pane and legend), still on after a reload, crosshair values in
 * the legend, pattern markers, and a screenshot with BB + SMA + RSI + MACD.
 */
import { mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { Page } from "playwright-core";
import type { E2ETest } from "./e2e-runner.ts";

export interface ChartContext {
  page: Page;
  baseUrl: string;
  screenshotPath: string;
  pageErrors: string[];
}

const SYMBOL = "BINANCE:BTCUSDT";
export const CHART = '[data-testid="chart"]';
const UP = [38, 166, 154];
const DOWN = [239, 83, 80];

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

/** Pixels in the chart's canvases close to the up or down candle colours. */
export async function candlePixels(page: Page): Promise<number> {
  return page.evaluate(
    ({ selector, colors }) => {
      let count = 0;
      for (const canvas of document.querySelectorAll<HTMLCanvasElement>(`${selector} canvas`)) {
        const context = canvas.getContext("2d");
        if (!context || canvas.width === 0 || canvas.height === 0) continue;
        const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
        for (let index = 0; index < data.length; index += 4) {
          for (const [r, g, b] of colors) {
            if (Math.abs((data[index] ?? 0) - r) < 12 && Math.abs((data[index + 1] ?? 0) - g) < 12 && Math.abs((data[index + 2] ?? 0) - b) < 12) count += 1;
          }
        }
      }
      return count;
    },
    { selector: CHART, colors: [UP, DOWN] as Array<[number, number, number]> },
  );
}

async function chartNumber(page: Page, attribute: string): Promise<number> {
  return Number(await page.getAttribute(CHART, attribute));
}

/** The chart's `data-indicators` tokens (the visible indicators). */
async function visibleIndicators(page: Page): Promise<string[]> {
  return ((await page.getAttribute(CHART, "data-indicators")) ?? "").split(",").filter(Boolean);
}

async function waitForIndicator(page: Page, id: string, visible: boolean): Promise<void> {
  await page.waitForFunction(
    ({ selector, token, on }) => (document.querySelector(selector)?.getAttribute("data-indicators") ?? "").split(",").includes(token) === on,
    { selector: CHART, token: id, on: visible },
    { timeout: 10_000, polling: 100 },
  );
}

/** Opens the indicator panel and sets one checkbox (by its accessible name); closes the panel again. */
async function setIndicator(page: Page, label: string, id: string, on: boolean): Promise<void> {
  const panel = page.getByTestId("indicator-panel");
  if ((await panel.getAttribute("open")) === null) await panel.locator("summary").click();
  const checkbox = page.getByRole("checkbox", { name: label, exact: true });
  if (on) await checkbox.check();
  else await checkbox.uncheck();
  await waitForIndicator(page, id, on);
  await page.keyboard.press("Escape");
}

const NUMBER = /^-?[\d,]+(\.\d+)?$/;

export const chartTests: ReadonlyArray<E2ETest<ChartContext>> = [
  {
    name: `opens /chart/${SYMBOL} and draws candles`,
    async run({ page, baseUrl }) {
      await page.goto(`${baseUrl}/chart/${SYMBOL}`, { waitUntil: "domcontentloaded" });
      await page.waitForSelector(`${CHART}[data-ready="1"] canvas`, { timeout: 30_000 });
      const bars = await chartNumber(page, "data-bars");
      assert(bars > 0, `expected bars on the chart, data-bars=${bars}`);
      await page.waitForFunction(() => document.querySelector('[data-testid="chart"] canvas') !== null);
      const pixels = await candlePixels(page);
      assert(pixels > 200, `expected candle-coloured pixels on the canvas, found ${pixels}`);
    },
  },
  {
    name: "connects to the realtime gateway",
    async run({ page }) {
      await page.waitForSelector('[data-testid="connection-status"][data-state="connected"]', { timeout: 15_000 });
    },
  },
  {
    name: "shows the data-quality badge next to the symbol (clean replay data: score ≥ 95, green)",
    async run({ page }) {
      const badge = await page.waitForSelector('[data-testid="quality-badge"]', { state: "visible", timeout: 20_000 });
      const score = Number(await badge.getAttribute("data-score"));
      assert(score >= 95, `expected a quality score ≥ 95 on clean replay data, got ${score}`);
      assert((await badge.getAttribute("data-level")) === "good", "expected the green (good) quality badge");
    },
  },
  {
    name: "applies a live update without reloading",
    async run({ page }) {
      const before = await chartNumber(page, "data-updates");
      await page.waitForFunction(
        ({ selector, count }) => Number(document.querySelector(selector)?.getAttribute("data-updates")) > count,
        { selector: CHART, count: before },
        { timeout: 60_000, polling: 100 },
      );
      const close = await chartNumber(page, "data-last-close");
      assert(Number.isFinite(close) && close > 0, `expected a last close price, got ${close}`);
    },
  },
  {
    name: "shows the REPLAY badge",
    async run({ page }) {
      const badge = await page.waitForSelector('[data-testid="feed-badge"]', { timeout: 15_000 });
      assert((await badge.textContent())?.trim() === "REPLAY", "feed badge should read REPLAY");
    },
  },
  {
    name: "switches to 5m and shows 5m bars",
    async run({ page }) {
      await page.click('[data-testid="timeframe-5m"]');
      await page.waitForSelector(`${CHART}[data-ready="1"][data-stream="${SYMBOL}:5m"]`, { timeout: 30_000 });
      const bars = await chartNumber(page, "data-bars");
      assert(bars > 0, `expected 5m bars, data-bars=${bars}`);
      const lastTime5m = await chartNumber(page, "data-last-time");
      assert(lastTime5m % 300_000 === 0, `5m bar open time should align to 5 minutes: ${lastTime5m}`);
      assert((await candlePixels(page)) > 200, "expected 5m candles on the canvas");
    },
  },
  {
    name: "switches back to 1m and saves a screenshot",
    async run({ page, screenshotPath }) {
      await page.click('[data-testid="timeframe-1m"]');
      await page.waitForSelector(`${CHART}[data-ready="1"][data-stream="${SYMBOL}:1m"]`, { timeout: 30_000 });
      await mkdir(dirname(screenshotPath), { recursive: true });
      await page.screenshot({ path: screenshotPath });
    },
  },
  {
    name: "toggles an overlay (EMA 50) and a panel (RSI) on from the indicator panel and draws them",
    async run({ page }) {
      await setIndicator(page, "RSI", "rsi", false); // a known starting point, whatever was stored
      await setIndicator(page, "EMA 50", "ema50", false);
      await setIndicator(page, "EMA 50", "ema50", true);
      const emaLegend = (await page.getByTestId("legend-ema50").textContent())?.replace("EMA 50", "").trim() ?? "";
      assert(NUMBER.test(emaLegend), `EMA 50 legend should show a value, got "${emaLegend}"`);
      await setIndicator(page, "RSI", "rsi", true);
      const rsiLegend = await page.waitForSelector('[data-pane="rsi"] [data-testid="legend-rsi"]', { timeout: 10_000 });
      const value = (await rsiLegend.textContent())?.replace("RSI 14", "").trim() ?? "";
      assert(NUMBER.test(value) && Number(value) >= 0 && Number(value) <= 100, `RSI legend should show a value in 0..100, got "${value}"`);
      const paneTop = await page.$eval('[data-pane="rsi"]', (element) => element.getBoundingClientRect().top);
      const chartBox = await page.locator(CHART).boundingBox();
      assert(chartBox && paneTop > chartBox.y + chartBox.height * 0.4, `the RSI pane should sit under the price pane (top ${paneTop})`);
    },
  },
  {
    name: "keeps the overlay and the panel on after a reload",
    async run({ page }) {
      await page.reload({ waitUntil: "domcontentloaded" });
      await page.waitForSelector(`${CHART}[data-ready="1"]`, { timeout: 30_000 });
      await waitForIndicator(page, "rsi", true);
      await waitForIndicator(page, "ema50", true);
      await page.waitForSelector('[data-pane="rsi"] [data-testid="legend-rsi"]', { timeout: 10_000 });
      await page.getByTestId("indicator-panel").locator("summary").click();
      assert(await page.getByRole("checkbox", { name: "RSI", exact: true }).isChecked(), "RSI checkbox should still be checked");
      assert(await page.getByRole("checkbox", { name: "EMA 50", exact: true }).isChecked(), "EMA 50 checkbox should still be checked");
      await page.keyboard.press("Escape");
    },
  },
  {
    name: "shows the values at the hovered bar in the legend",
    async run({ page }) {
      const box = await page.locator(CHART).boundingBox();
      assert(box, "chart has no box");
      await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.3);
      await page.waitForSelector('[data-testid="indicator-legend"][data-hover="1"]', { timeout: 5_000 });
      const hoveredTime = Number(await page.getAttribute('[data-testid="indicator-legend"]', "data-time"));
      const lastTime = await chartNumber(page, "data-last-time");
      assert(hoveredTime > 0 && hoveredTime < lastTime && hoveredTime % 60_000 === 0, `legend should show an earlier 1m bar, time=${hoveredTime}`);
      const value = (await page.getByTestId("legend-rsi").textContent())?.replace("RSI 14", "").trim() ?? "";
      assert(NUMBER.test(value), `RSI legend should show a value at the hovered bar, got "${value}"`);
      await page.mouse.move(0, 0); // leave the chart: back to the last bar
      await page.waitForSelector('[data-testid="indicator-legend"][data-hover="0"]', { timeout: 5_000 });
    },
  },
  {
    name: "marks candle patterns",
    async run({ page }) {
      const markers = await chartNumber(page, "data-markers");
      assert(markers > 0, `expected pattern markers on 1000 1m bars, data-markers=${markers}`);
    },
  },
  {
    name: "draws BB, SMA 20, RSI and MACD and saves a screenshot",
    async run({ page, screenshotPath }) {
      await setIndicator(page, "Bollinger Bands", "bb", true);
      await setIndicator(page, "SMA 20", "sma20", true);
      await setIndicator(page, "MACD", "macd", true);
      const visible = await visibleIndicators(page);
      for (const id of ["bb", "sma20", "rsi", "macd"]) assert(visible.includes(id), `data-indicators should contain ${id}: ${visible.join(",")}`);
      await page.waitForSelector('[data-pane="macd"] [data-testid="legend-macd"]', { timeout: 10_000 });
      assert((await candlePixels(page)) > 200, "candles should still be drawn under the overlays");
      await page.mouse.move(0, 0); // no crosshair in the picture: the legend shows the last bar
      await page.waitForSelector('[data-testid="indicator-legend"][data-hover="0"]', { timeout: 5_000 });
      await page.screenshot({ path: join(dirname(screenshotPath), "chart-indicators.png") });
    },
  },
  {
    name: "raised no uncaught page errors",
    async run({ pageErrors }) {
      assert(pageErrors.length === 0, `page errors:\n${pageErrors.join("\n")}`);
    },
  },
];
