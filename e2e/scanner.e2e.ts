/**
 * Scanner page in real Chromium, as a freshly registered user: live toplists arrive from the gateway
 * (rows in at least one table), a header click sorts a table by symbol, a row click opens that
 * symbol's chart; a screen added from a preset shows its matching symbols live, and is deleted again.
 * Screenshots: scanner.png, scanner-screens.png.
 */
import type { E2ETest } from "./e2e-runner.ts";
import { assert, query, registerFreshUser, screenshot, type SessionContext, type SignedInUser } from "./e2e-session.ts";

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
    name: "scanner: a signed-in user adds a screen (price above 0 on 1m) and its matching symbols appear live",
    async run() {
      const { page, userId } = signedIn();
      const form = page.getByRole("form", { name: "Add screen" });
      await form.getByLabel("Condition").selectOption("price_above");
      await form.getByRole("spinbutton", { name: "Price" }).fill("0");
      await form.getByLabel("Timeframe").selectOption("1m");
      await form.getByLabel(/^Name/).fill("e2e everything");
      await form.getByRole("button", { name: "Add screen" }).click();
      const card = page.getByTestId("screen-card").filter({ hasText: "e2e everything" });
      await card.waitFor({ state: "visible", timeout: 15_000 });
      const stored = await query<{ id: string; active: boolean }>(`SELECT "id", "active" FROM "screens" WHERE "user_id" = $1 AND "name" = 'e2e everything'`, [userId]);
      assert(stored.length === 1 && stored[0]?.active === true, `expected one active screen row, got ${JSON.stringify(stored)}`);
      await card.getByTestId("screen-symbol").first().waitFor({ state: "visible", timeout: 30_000 });
      const count = Number(await card.getAttribute("data-count"));
      const chips = await card.getByTestId("screen-symbol").count();
      assert(count > 0 && count === chips, `screen count ${count} should equal the symbols shown (${chips})`);
      await card.scrollIntoViewIfNeeded();
      await screenshot(page, "scanner-screens.png");
      await card.getByRole("button", { name: "Delete" }).click();
      await card.getByRole("button", { name: "Yes, delete" }).click();
      await card.waitFor({ state: "detached", timeout: 10_000 });
      const left = await query(`SELECT 1 FROM "screens" WHERE "user_id" = $1`, [userId]);
      assert(left.length === 0, "the deleted screen is still stored");
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
