/**
 * Shared pieces of the signed-in browser tests (alerts, scanner, notifications): a fresh user registered
 * through the real /register form in its own browser context, SQL against the test database, screenshots
 * into docs/screenshots/, and polling without fixed sleeps.
 */
import { randomUUID } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { resolve } from "node:path";
import pg from "pg";
import type { Browser, Page } from "playwright-core";
import { env } from "../server/env.ts";

export interface SessionContext {
  browser: Browser;
  baseUrl: string;
  pageErrors: string[];
}

export interface SignedInUser {
  page: Page;
  email: string;
  userId: string;
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

export async function query<Row extends pg.QueryResultRow>(sql: string, values: unknown[]): Promise<Row[]> {
  const client = new pg.Client({ connectionString: env().DATABASE_URL });
  await client.connect();
  try {
    return (await client.query<Row>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

/** Registers `e2e-<label>-<random>@example.test` in a new browser context and waits for the signed-in header. */
export async function registerFreshUser(context: SessionContext, label: string): Promise<SignedInUser> {
  const email = `e2e-${label}-${randomUUID().slice(0, 8)}@example.test`;
  const browserContext = await context.browser.newContext({ viewport: { width: 1280, height: 720 }, deviceScaleFactor: 1 });
  const page = await browserContext.newPage();
  page.on("pageerror", (error) => context.pageErrors.push(`${label}: ${error.message}`));
  await page.goto(`${context.baseUrl}/register`, { waitUntil: "domcontentloaded" });
  await page.getByLabel("Name").fill(`E2E ${label}`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel(/^Password/).fill(`pw-${randomUUID()}`);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.getByTestId("signed-in-user").waitFor({ state: "visible", timeout: 15_000 });
  const rows = await query<{ id: string }>(`SELECT "id" FROM "users" WHERE "email" = $1`, [email]);
  assert(rows[0], `no users row for ${email}`);
  return { page, email, userId: rows[0].id };
}

/** Polls `check` until it returns a value (not undefined/false) or the timeout passes. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ""}`);
    await new Promise((done) => setTimeout(done, 200));
  }
}

export async function screenshot(page: Page, name: string): Promise<void> {
  const path = resolve(import.meta.dirname, "../docs/screenshots", name);
  await mkdir(resolve(path, ".."), { recursive: true });
  await page.screenshot({ path });
}
