/**
 * Chart page in real Chromium against a running stack (web + gateway + collector in replay mode):
 * history drawn, a live update arrives, REPLAY badge, timeframe switch, screenshot.
 */
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import type { Page } from "playwright-core";
import type { E2ETest } from "./e2e-runner.ts";

export interface ChartContext {
  page: Page;
  baseUrl: string;
  screenshotPath: string;
  pageErrors: string[];
}

const SYMBOL = "BINANCE:BTCUSDT";
const CHART = '[data-testid="chart"]';
const UP = [38, 166, 154];
const DOWN = [239, 83, 80];

function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

/** Pixels in the chart's canvases close to the up or down candle colours. */
async function candlePixels(page: Page): Promise<number> {
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
    name: "raised no uncaught page errors",
    async run({ pageErrors }) {
      assert(pageErrors.length === 0, `page errors:\n${pageErrors.join("\n")}`);
    },
  },
];
