/**
 * Scanner page in real Chromium, as a freshly registered user: live toplists arrive from the gateway
 * (rows in at least one table), a header click sorts a table by symbol, and a row click opens that
 * symbol's chart. Screenshot: scanner.png.
 */
import type { E2ETest } from "./e2e-runner.ts";
import { assert, registerFreshUser, screenshot, type SessionContext, type SignedInUser } from "./e2e-session.ts";

let user: SignedInUser | undefined;
const FILLED_TABLE = '[data-testid="toplist"]:has([data-testid="scanner-row"])';

function signedIn(): SignedInUser {
  assert(user, "no signed-in user: the first scanner test did not run");
  return user;
}

export const scannerTests: ReadonlyArray<E2ETest<SessionContext>> = [
  {
    name: "scanner: the page shows live toplist rows",
    async run(context) {
      user = await registerFreshUser(context, "scanner");
      const { page } = user;
      await page.getByRole("banner").getByRole("link", { name: "Scanner" }).click();
      await page.waitForURL(/\/scanner$/, { timeout: 15_000 });
      await page.waitForSelector(FILLED_TABLE, { timeout: 45_000 });
      const rows = await page.getByTestId("scanner-row").count();
      assert(rows > 0, "no scanner rows");
      const symbols = await page.locator('[data-testid="scanner-row"]').evaluateAll((elements) => elements.map((element) => element.getAttribute("data-symbol") ?? ""));
      assert(symbols.every((symbol) => /^[A-Z]+:[A-Z0-9^.=_-]+$/i.test(symbol)), `rows should carry symbol ids, got ${symbols.slice(0, 5).join(", ")}`);
      await screenshot(page, "scanner.png");
    },
  },
  {
    name: "scanner: a header click sorts a table by symbol, again reverses it",
    async run() {
      const { page } = signedIn();
      const table = page.locator(FILLED_TABLE).first();
      const listName = await table.getAttribute("data-list");
      const symbolsNow = () =>
        page
          .locator(`[data-testid="toplist"][data-list="${listName}"] [data-testid="scanner-row"]`)
          .evaluateAll((elements) => elements.map((element) => element.getAttribute("data-symbol") ?? ""));
      await table.getByRole("button", { name: /^Symbol/ }).click();
      const ascending = await symbolsNow();
      assert(ascending.join("|") === [...ascending].sort((a, b) => a.localeCompare(b)).join("|"), `not sorted ascending: ${ascending.join(", ")}`);
      await table.getByRole("button", { name: /^Symbol/ }).click();
      const descending = await symbolsNow();
      assert(descending.join("|") === [...descending].sort((a, b) => b.localeCompare(a)).join("|"), `not sorted descending: ${descending.join(", ")}`);
    },
  },
  {
    name: "scanner: clicking a row opens its chart",
    async run() {
      const { page } = signedIn();
      const row = page.locator('[data-testid="scanner-row"]').first();
      const symbol = (await row.getAttribute("data-symbol")) ?? "";
      await row.click();
      await page.waitForURL((url) => decodeURIComponent(url.pathname) === `/chart/${symbol}`, { timeout: 15_000 });
      await page.waitForSelector(`[data-testid="chart"][data-ready="1"][data-stream^="${symbol}:"]`, { timeout: 30_000 });
      await page.context().close();
    },
  },
];
