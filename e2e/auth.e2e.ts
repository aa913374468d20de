/**
 * Accounts in real Chromium against the running stack: register → the header shows the signed-in
 * user → create an API key on /settings/api-keys → it is shown once (gone after a reload; the
 * database holds only its SHA-256) and works read-only on the REST API → revoke → sign out (the
 * header offers "Sign in" again and the keys page needs a session). Runs in its own browser
 * context, after the chart tests, so their page stays signed out.
 */
import { createHash, randomUUID } from "node:crypto";
import pg from "pg";
import type { Browser, Page } from "playwright-core";
import { env } from "../server/env.ts";
import type { E2ETest } from "./e2e-runner.ts";

export interface AuthContext {
  browser: Browser;
  baseUrl: string;
  /** Set by the first test: a page in a fresh browser context (no cookies). */
  page?: Page;
  pageErrors: string[];
}

const run = randomUUID().slice(0, 8);
const EMAIL = `e2e-${run}@example.test`;
const PASSWORD = `pw-${randomUUID()}`;
const KEY_NAME = `e2e key ${run}`;
let shownKey = "";
let keyId = "";

function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

function pageOf(context: AuthContext): Page {
  assert(context.page, "no page: the registration test did not run");
  return context.page;
}

async function query<Row extends pg.QueryResultRow>(sql: string, values: unknown[]): Promise<Row[]> {
  const client = new pg.Client({ connectionString: env().DATABASE_URL });
  await client.connect();
  try {
    return (await client.query<Row>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

async function chartStatus(baseUrl: string, bearer: string): Promise<number> {
  const response = await fetch(`${baseUrl}/api/v1/charts/BINANCE:BTCUSDT?timeframe=1m&limit=5`, { headers: { authorization: `Bearer ${bearer}` } });
  await response.arrayBuffer();
  return response.status;
}

export const authTests: ReadonlyArray<E2ETest<AuthContext>> = [
  {
    name: "registers a new account and shows the signed-in user in the header",
    async run(context) {
      const browserContext = await context.browser.newContext({ viewport: { width: 1280, height: 720 } });
      const page = await browserContext.newPage();
      page.on("pageerror", (error) => context.pageErrors.push(error.message));
      context.page = page;
      await page.goto(`${context.baseUrl}/register`, { waitUntil: "domcontentloaded" });
      await page.getByLabel("Name").fill("E2E Tester");
      await page.getByLabel("Email").fill(EMAIL);
      await page.getByLabel(/^Password/).fill(PASSWORD);
      await page.getByRole("button", { name: "Create account" }).click();
      const user = page.getByTestId("signed-in-user");
      await user.waitFor({ state: "visible", timeout: 15_000 });
      assert((await user.textContent())?.trim() === EMAIL, `header shows "${await user.textContent()}", expected ${EMAIL}`);
      const rows = await query<{ role: string }>(`SELECT "role" FROM "users" WHERE "email" = $1`, [EMAIL]);
      assert(rows.length === 1, `expected one users row for ${EMAIL}, found ${rows.length}`);
      assert(rows[0]?.role === "user" || rows[0]?.role === "admin", `unexpected role ${rows[0]?.role}`);
    },
  },
  {
    name: "creates an API key on /settings/api-keys and shows it once",
    async run(context) {
      const page = pageOf(context);
      await page.getByRole("link", { name: "API keys" }).click();
      await page.waitForURL(/\/settings\/api-keys$/, { timeout: 15_000 });
      await page.getByTestId("no-keys").waitFor({ state: "visible", timeout: 15_000 });
      await page.getByLabel("Name").fill(KEY_NAME);
      await page.getByRole("button", { name: "Create key" }).click();
      const shown = page.getByTestId("new-api-key");
      await shown.waitFor({ state: "visible", timeout: 15_000 });
      shownKey = (await shown.textContent())?.trim() ?? "";
      assert(/^ml_[A-Za-z0-9_-]{32}$/.test(shownKey), `expected an ml_ key on screen, got "${shownKey}"`);
      const row = page.getByTestId("api-key-row").filter({ hasText: KEY_NAME });
      await row.waitFor({ state: "visible", timeout: 10_000 });
      keyId = (await row.getAttribute("data-key-id")) ?? "";

      const stored = await query<{ hash: string }>(`SELECT "hash" FROM "api_keys" WHERE "id" = $1`, [keyId]);
      assert(stored[0]?.hash === createHash("sha256").update(shownKey).digest("hex"), "the database should hold the key's SHA-256, not the key");

      await page.reload({ waitUntil: "domcontentloaded" });
      await page.getByTestId("api-key-row").filter({ hasText: KEY_NAME }).waitFor({ state: "visible", timeout: 15_000 });
      assert((await page.getByTestId("new-api-key").count()) === 0, "the key must not be shown again after a reload");
      assert(!(await page.content()).includes(shownKey), "the page must not contain the key after a reload");
    },
  },
  {
    name: "the key reads market data (read-only), and is refused once revoked",
    async run(context) {
      const page = pageOf(context);
      const status = await chartStatus(context.baseUrl, shownKey);
      assert(status === 200, `chart read with the API key: HTTP ${status}, expected 200`);
      const write = await fetch(`${context.baseUrl}/api/v1/keys`, {
        method: "POST",
        headers: { authorization: `Bearer ${shownKey}`, "content-type": "application/json" },
        body: JSON.stringify({ name: "from a key" }),
      });
      assert(write.status === 403, `creating a key with an API key: HTTP ${write.status}, expected 403 (read-only)`);

      const row = page.getByTestId("api-key-row").filter({ hasText: KEY_NAME });
      await row.getByRole("button", { name: "Revoke" }).click();
      await row.getByText("revoked").waitFor({ state: "visible", timeout: 10_000 });
      const after = await chartStatus(context.baseUrl, shownKey);
      assert(after === 401, `chart read with the revoked key: HTTP ${after}, expected 401`);
    },
  },
  {
    name: "signs out: the header offers Sign in and the keys page asks for a session",
    async run(context) {
      const page = pageOf(context);
      await page.getByRole("button", { name: "Sign out" }).click();
      await page.waitForURL(/\/login$/, { timeout: 15_000 });
      await page.getByRole("banner").getByRole("link", { name: "Sign in" }).waitFor({ state: "visible", timeout: 15_000 });
      assert((await page.getByTestId("signed-in-user").count()) === 0, "the header still shows a user after signing out");
      await page.goto(`${context.baseUrl}/settings/api-keys`, { waitUntil: "domcontentloaded" });
      await page.waitForURL(/\/login\?next=/, { timeout: 15_000 });
      const audit = await query<{ action: string }>(
        `SELECT "action" FROM "audit_log" WHERE "user_id" = (SELECT "id" FROM "users" WHERE "email" = $1) ORDER BY "id"`,
        [EMAIL],
      );
      const actions = audit.map((entry) => entry.action);
      for (const expected of ["auth.register", "api_key.create", "api_key.revoke", "auth.sign_out"]) {
        assert(actions.includes(expected), `audit log lacks ${expected}: ${actions.join(", ")}`);
      }
      await page.context().close();
    },
  },
];
