/**
 * Notification settings in real Chromium, as a freshly registered user: a webhook channel pointing at a
 * local HTTP receiver started here (its host must be in NOTIFY_ALLOWED_HOSTS: 127.0.0.1 in the test stack),
 * the signing secret shown once, "Send test" → the receiver gets a request whose HMAC signature verifies
 * with that secret, and the delivery log shows it delivered (HTTP 200); a private address is refused
 * inline (SSRF). Screenshot: notifications.png.
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { verifyWebhookSignature } from "../server/services/notifications/webhook-signature.ts";
import type { E2ETest } from "./e2e-runner.ts";
import { assert, eventually, query, registerFreshUser, screenshot, type SessionContext, type SignedInUser } from "./e2e-session.ts";

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

let user: SignedInUser | undefined;
let receiver: Server | undefined;
const received: Received[] = [];
let secret = "";
let channelName = "";

function signedIn(): SignedInUser {
  assert(user, "no signed-in user: the first notifications test did not run");
  return user;
}

async function startReceiver(): Promise<string> {
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      received.push({ path: request.url ?? "", headers: request.headers, body: Buffer.concat(chunks).toString("utf8") });
      response.writeHead(200, { "content-type": "text/plain" }).end("ok from e2e receiver");
    });
  });
  await new Promise<void>((ready) => receiver!.listen(0, "127.0.0.1", ready));
  return `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/marketlens-hook`;
}

async function stopReceiver(): Promise<void> {
  const server = receiver;
  receiver = undefined;
  if (server) await new Promise<void>((done) => server.close(() => done()));
}

export const notificationsTests: ReadonlyArray<E2ETest<SessionContext>> = [
  {
    name: "notifications: a new user adds a webhook channel (secret shown once) on Settings",
    async run(context) {
      user = await registerFreshUser(context, "notify");
      const { page, userId } = user;
      const url = await startReceiver();
      await page.getByRole("banner").getByRole("link", { name: "Settings" }).click();
      await page.waitForURL(/\/settings\/notifications$/, { timeout: 15_000 });
      const form = page.getByRole("form", { name: "Add channel" });
      channelName = `e2e hook ${userId.slice(0, 6)}`;
      await form.getByLabel("Type").selectOption("webhook");
      await form.getByLabel("Channel name").fill(channelName);
      await form.getByLabel("Webhook URL").fill(url);
      await form.getByRole("button", { name: "Add channel" }).click();
      const shown = page.getByTestId("webhook-secret");
      await shown.waitFor({ state: "visible", timeout: 15_000 });
      secret = (await shown.textContent())?.trim() ?? "";
      assert(/^whsec_[0-9a-f]{64}$/.test(secret), `expected a whsec_ secret on screen, got "${secret}"`);
      await page.getByTestId("channel-row").filter({ hasText: channelName }).waitFor({ state: "visible", timeout: 10_000 });
      const stored = await query<{ kind: string }>(`SELECT "kind" FROM "notification_channels" WHERE "user_id" = $1 AND "name" = $2`, [userId, channelName]);
      assert(stored[0]?.kind === "webhook", `expected a webhook channel row, got ${JSON.stringify(stored)}`);
    },
  },
  {
    name: "notifications: 'Send test' reaches the local receiver with a valid signature and the log shows delivered",
    async run() {
      const { page } = signedIn();
      try {
        const row = page.getByTestId("channel-row").filter({ hasText: channelName });
        await row.getByRole("button", { name: "Send test" }).click();
        const request = await eventually("the test webhook at the local receiver", async () => received[0], 20_000);
        const verdict = verifyWebhookSignature({
          secret,
          body: request.body,
          timestamp: request.headers["x-marketlens-timestamp"] as string | undefined,
          signature: request.headers["x-marketlens-signature"] as string | undefined,
          nowSeconds: Math.floor(Date.now() / 1000),
        });
        assert(verdict.ok, `webhook signature did not verify: ${verdict.ok ? "" : verdict.reason}`);
        assert(request.body.includes("Test notification"), `unexpected webhook body: ${request.body.slice(0, 200)}`);
        const delivered = page.locator('[data-testid="delivery-row"][data-status="delivered"]').filter({ hasText: channelName });
        await delivered.waitFor({ state: "visible", timeout: 20_000 });
        const attempt = (await delivered.getByTestId("delivery-attempt").first().textContent()) ?? "";
        assert(attempt.includes("delivered") && attempt.includes("· 200"), `the attempt should show delivered and HTTP 200, got "${attempt}"`);
        await delivered.scrollIntoViewIfNeeded();
        await screenshot(page, "notifications.png");
      } finally {
        await stopReceiver();
      }
    },
  },
  {
    name: "notifications: a webhook to a private address is refused inline (SSRF), nothing stored",
    async run() {
      const { page, userId } = signedIn();
      const form = page.getByRole("form", { name: "Add channel" });
      await form.getByLabel("Type").selectOption("webhook");
      await form.getByLabel("Channel name").fill("private target");
      await form.getByLabel("Webhook URL").fill("http://10.1.2.3/hook");
      await form.getByRole("button", { name: "Add channel" }).click();
      const error = page.getByTestId("channel-form-error");
      await error.waitFor({ state: "visible", timeout: 15_000 });
      assert(/private|refused|not allowed|10\.1\.2\.3/i.test((await error.textContent()) ?? ""), `unexpected refusal text: ${await error.textContent()}`);
      const stored = await query(`SELECT 1 FROM "notification_channels" WHERE "user_id" = $1 AND "name" = 'private target'`, [userId]);
      assert(stored.length === 0, "the refused channel was stored");
      await page.context().close();
    },
  },
];
