/**
 * Stock charts in real Chromium against the running stack (Alpaca and Yahoo collectors on their fake servers):
 * the selector lists the ALPACA and YAHOO groups, /chart/ALPACA:AAPL and /chart/YAHOO:THYAO.IS draw candles, and
 * the market labels say what the exchange calendar says at the moment the test runs (the e2e may run on a
 * weekday in session, at night or on a weekend): "Market closed · opens …" with the calendar's next open while
 * closed, "Market open" and the bar countdown while open; "Delayed 15 min" on THYAO.IS, no delay label on AAPL.
 * The expected status is computed here from config/holidays with the domain calendars, not read from the page.
 */
import { dirname, join, resolve } from "node:path";
import type { Page } from "playwright-core";
import { loadCalendarHolidays } from "../server/config/holidays-config.ts";
import type { CalendarId } from "../server/domain/calendars/calendar-types.ts";
import { createExchangeCalendar } from "../server/domain/calendars/exchange-calendar.ts";
import { dataDelayMinutes, marketStatus, type MarketStatus } from "../server/domain/calendars/market-status.ts";
import { assert, candlePixels, CHART, type ChartContext } from "./chart.e2e.ts";
import type { E2ETest } from "./e2e-runner.ts";

const HOLIDAYS = resolve(import.meta.dirname, "..", "config", "holidays");
/** The page recomputes the status every 30 s: what it shows was true at some instant in the last 31 s. */
const PAGE_REFRESH_MS = 31_000;

interface StockCase {
  symbol: string;
  exchange: string;
  calendar: CalendarId;
}

const STOCKS: readonly StockCase[] = [
  { symbol: "ALPACA:AAPL", exchange: "ALPACA", calendar: "NYSE" },
  { symbol: "YAHOO:THYAO.IS", exchange: "YAHOO", calendar: "BIST" },
];

async function expectedStatuses(calendarId: CalendarId): Promise<MarketStatus[]> {
  const calendar = createExchangeCalendar(calendarId, await loadCalendarHolidays(calendarId, HOLIDAYS));
  const now = Date.now();
  const [earlier, later] = [marketStatus(calendar, now - PAGE_REFRESH_MS), marketStatus(calendar, now)];
  // Near an open or a close the page may show either side of it.
  const same = earlier.open === later.open && earlier.reason === later.reason && earlier.nextOpen === later.nextOpen;
  return same ? [later] : [earlier, later];
}

async function openChart(page: Page, baseUrl: string, symbol: string): Promise<void> {
  await page.goto(`${baseUrl}/chart/${symbol}`, { waitUntil: "domcontentloaded" });
  await page.waitForSelector(`${CHART}[data-ready="1"][data-stream^="${symbol}:"] canvas`, { timeout: 30_000 });
  const bars = Number(await page.getAttribute(CHART, "data-bars"));
  assert(bars > 0, `expected ${symbol} bars on the chart, data-bars=${bars}`);
  const pixels = await candlePixels(page);
  assert(pixels > Math.min(200, bars * 3), `expected candle-coloured pixels for ${bars} ${symbol} bars, found ${pixels}`);
}

/** The market label matches one of the statuses the calendar allows right now. */
async function checkMarketLabel(page: Page, stock: StockCase): Promise<void> {
  const label = await page.waitForSelector('[data-testid="market-status"]', { state: "visible", timeout: 20_000 });
  const shown = {
    open: (await label.getAttribute("data-open")) === "1",
    reason: await label.getAttribute("data-reason"),
    nextOpen: Number((await label.getAttribute("data-next-open")) || "NaN"),
    text: ((await label.textContent()) ?? "").trim(),
  };
  const allowed = await expectedStatuses(stock.calendar);
  const match = allowed.find((status) => status.open === shown.open && status.reason === shown.reason);
  const describe = allowed.map((status) => `${status.open ? "open" : "closed"} (${status.reason}, next open ${status.nextOpen === null ? "unknown" : new Date(status.nextOpen).toISOString()})`).join(" or ");
  assert(match, `${stock.symbol}: the ${stock.calendar} calendar says ${describe}; the page shows ${shown.open ? "open" : "closed"} (${shown.reason}): "${shown.text}"`);
  if (match.open) {
    assert(shown.text.startsWith("Market open · closes "), `${stock.symbol}: expected "Market open · closes …", got "${shown.text}"`);
    await page.waitForSelector('[data-testid="bar-countdown"]', { state: "visible", timeout: 5_000 });
    return;
  }
  assert(shown.text.startsWith("Market closed · "), `${stock.symbol}: expected "Market closed · …", got "${shown.text}"`);
  if (match.nextOpen !== null) {
    assert(shown.nextOpen === match.nextOpen, `${stock.symbol}: next open should be ${new Date(match.nextOpen).toISOString()}, the page says ${shown.nextOpen}`);
    assert(/^Market closed · opens \w{3} \d{1,2} \w{3} \d{2}:\d{2}/.test(shown.text), `${stock.symbol}: expected "Market closed · opens Mon 23 Nov 14:30 UTC", got "${shown.text}"`);
  }
  assert((await page.locator('[data-testid="bar-countdown"]').count()) === 0, `${stock.symbol}: no bar countdown while the market is closed`);
}

async function checkDelayLabel(page: Page, stock: StockCase): Promise<void> {
  const minutes = dataDelayMinutes(stock.exchange, stock.calendar);
  const badges = page.locator('[data-testid="delay-badge"]');
  if (minutes === 0) {
    const count = await badges.count();
    // The message is built only when there is a badge to read (textContent() on none would wait 30 s).
    if (count > 0) assert(false, `${stock.symbol}: real-time data must not be labelled delayed, found "${await badges.first().textContent()}"`);
    return;
  }
  await badges.waitFor({ state: "visible", timeout: 5_000 });
  const text = (await badges.textContent())?.trim();
  assert(text === `Delayed ${minutes} min`, `${stock.symbol}: expected "Delayed ${minutes} min", got "${text}"`);
}

export const marketTests: ReadonlyArray<E2ETest<ChartContext>> = [
  {
    name: "the symbol selector lists the ALPACA and YAHOO groups",
    async run({ page, baseUrl }) {
      if (!page.url().startsWith(baseUrl)) await page.goto(`${baseUrl}/chart/BINANCE:BTCUSDT`, { waitUntil: "domcontentloaded" });
      for (const stock of STOCKS) {
        await page.waitForSelector(`[data-testid="symbol-select"] optgroup[data-exchange="${stock.exchange}"] option[value="${stock.symbol}"]`, { state: "attached", timeout: 15_000 });
      }
    },
  },
  ...STOCKS.map(
    (stock): E2ETest<ChartContext> => ({
      name: `opens /chart/${stock.symbol}: candles, the ${stock.calendar} market label as the calendar says now, ${dataDelayMinutes(stock.exchange, stock.calendar) > 0 ? "the delay label" : "no delay label"}`,
      async run({ page, baseUrl }) {
        await openChart(page, baseUrl, stock.symbol);
        await checkMarketLabel(page, stock);
        await checkDelayLabel(page, stock);
      },
    }),
  ),
  {
    name: "the market label follows the UTC/local switch; screenshot of the BIST chart",
    async run({ page, screenshotPath }) {
      const label = page.getByTestId("market-status");
      await page.click('[data-testid="timezone-utc"]');
      await page.waitForFunction(() => /UTC$/.test(document.querySelector('[data-testid="market-status"]')?.textContent?.trim() ?? ""), undefined, { timeout: 5_000 });
      const inUtc = (await label.textContent())?.trim() ?? "";
      await page.click('[data-testid="timezone-local"]');
      const offset = await page.evaluate(() => new Date().getTimezoneOffset());
      if (offset !== 0) {
        await page.waitForFunction((before) => document.querySelector('[data-testid="market-status"]')?.textContent?.trim() !== before, inUtc, { timeout: 5_000 });
      }
      await page.click('[data-testid="timezone-utc"]');
      await page.mouse.move(0, 0);
      await page.screenshot({ path: join(dirname(screenshotPath), "chart-market.png") });
    },
  },
  {
    name: "raised no uncaught page errors on the stock charts",
    async run({ pageErrors }) {
      assert(pageErrors.length === 0, `page errors:\n${pageErrors.join("\n")}`);
    },
  },
];
