/**
 * The admin page in real Chromium: a freshly registered user made admin (by SQL, as docs/operations.md
 * describes) sees "Admin" in the header, opens /admin, finds themselves in the users table, adds a webhook host
 * to the allowlist (normalised; a URL is refused inline and changes nothing), removes it again, and both
 * changes are in the audit log. A plain user gets a 404 for /admin, no "Admin" link and FORBIDDEN from
 * tRPC admin.*. Screenshot: admin.png.
 */
import { randomUUID } from "node:crypto";
import type { E2ETest } from "./e2e-runner.ts";
import { assert, eventually, query, registerFreshUser, screenshot, type SessionContext, type SignedInUser } from "./e2e-session.ts";

let adminUser: SignedInUser | undefined;
const HOST = `hooks-${randomUUID().slice(0, 8)}.admin-e2e.test`;

function signedInAdmin(): SignedInUser {
  assert(adminUser, "no admin: the first admin test did not run");
  return adminUser;
}

async function storedHosts(): Promise<{ host: string; note: string; created_by: string | null }[]> {
  return query(`SELECT "host", "note", "created_by" FROM "notify_allowed_hosts" WHERE "host" = $1`, [HOST]);
}

export const adminTests: ReadonlyArray<E2ETest<SessionContext>> = [
  {
    name: "admin: an admin opens /admin from the header and sees the users table",
    async run(context) {
      adminUser = await registerFreshUser(context, "admin");
      const { page, email, userId } = adminUser;
      await query(`UPDATE "users" SET "role" = 'admin' WHERE "id" = $1`, [userId]);
      await page.reload({ waitUntil: "domcontentloaded" });
      await page.getByRole("banner").getByRole("link", { name: "Admin" }).click();
      await page.waitForURL(/\/admin$/, { timeout: 15_000 });
      await page.getByTestId("users-table").waitFor({ state: "visible", timeout: 15_000 });
      const own = page.locator(`[data-testid="user-row"][data-user-id="${userId}"]`);
      await own.waitFor({ state: "visible", timeout: 10_000 });
      assert((await own.getAttribute("data-role")) === "admin", `own row role ${await own.getAttribute("data-role")}, expected admin`);
      assert((await own.textContent())?.includes(email), `own row does not show ${email}`);
    },
  },
  {
    name: "admin: adds a webhook host (a URL is refused inline), then removes it; both audited",
    async run() {
      const { page, userId } = signedInAdmin();
      const form = page.getByRole("form", { name: "Allow a webhook host" });
      await form.getByLabel("Host", { exact: true }).fill(`https://${HOST}/hook`);
      await form.getByRole("button", { name: "Allow host" }).click();
      const error = page.getByTestId("allowed-host-error");
      await error.waitFor({ state: "visible", timeout: 10_000 });
      assert(/without scheme, port or path/.test((await error.textContent()) ?? ""), `unexpected error: ${await error.textContent()}`);
      assert((await storedHosts()).length === 0, "a refused host must not be stored");

      await form.getByLabel("Host", { exact: true }).fill(`${HOST.toUpperCase()}.`);
      await form.getByLabel("Note", { exact: true }).fill("e2e receiver");
      await form.getByRole("button", { name: "Allow host" }).click();
      const row = page.locator(`[data-testid="allowed-host-row"][data-host="${HOST}"]`);
      await row.waitFor({ state: "visible", timeout: 10_000 });
      assert((await page.getByTestId("allowed-host-error").count()) === 0, "the error should clear after a successful add");
      const stored = await storedHosts();
      assert(stored.length === 1 && stored[0]?.note === "e2e receiver" && stored[0]?.created_by === userId, `stored: ${JSON.stringify(stored)}`);
      await page.locator('[data-testid="audit-row"][data-action="admin.allow_host"]').first().waitFor({ state: "visible", timeout: 10_000 });
      await screenshot(page, "admin.png");

      await row.getByTestId("remove-host").click();
      await row.waitFor({ state: "detached", timeout: 10_000 });
      await eventually("the host row deleted", async () => (await storedHosts()).length === 0);
      const audit = await query<{ action: string; target: string }>(
        `SELECT "action", "target" FROM "audit_log" WHERE "user_id" = $1 AND "action" IN ('admin.allow_host', 'admin.disallow_host') ORDER BY "id"`,
        [userId],
      );
      assert(
        JSON.stringify(audit) === JSON.stringify([{ action: "admin.allow_host", target: `host:${HOST}` }, { action: "admin.disallow_host", target: `host:${HOST}` }]),
        `audit rows: ${JSON.stringify(audit)}`,
      );
      await page.context().close();
    },
  },
  {
    name: "admin: a plain user cannot open /admin (404), has no Admin link and gets FORBIDDEN from admin.*",
    async run(context) {
      const plain = await registerFreshUser(context, "plain");
      const { page, userId } = plain;
      const [row] = await query<{ role: string }>(`SELECT "role" FROM "users" WHERE "id" = $1`, [userId]);
      assert(row?.role === "user", `the fresh user should be a plain user, is ${row?.role}`);
      assert((await page.getByRole("banner").getByRole("link", { name: "Admin" }).count()) === 0, "a plain user sees the Admin link");
      const response = await page.goto(`${context.baseUrl}/admin`, { waitUntil: "domcontentloaded" });
      assert(response?.status() === 404, `/admin answered ${response?.status()} to a plain user, expected 404`);
      assert((await page.getByTestId("users-table").count()) === 0, "a plain user sees the users table");
      const api = await page.request.get(`${context.baseUrl}/api/trpc/admin.users`);
      assert(api.status() === 403, `tRPC admin.users answered ${api.status()} to a plain user, expected 403`);
      await page.context().close();
    },
  },
];
