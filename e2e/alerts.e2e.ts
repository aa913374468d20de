/**
 * Alerts in real Chromium against the running stack, as a freshly registered user: create a price alert on
 * /alerts (checked in the database), test it against recent bars, an invalid JSON rule refused with the
 * server's message inline, pause and delete; "Send test" on the in-app channel → toast + bell; a tick alert fired by the live
 * feed (toast, firing row, history, one-time → stopped) that also reaches an email channel (a real SMTP sink), a Slack
 * channel and a signed webhook (real local HTTP receivers; the signature verified), exactly once each; then on the chart: "Add alert", drag the line up, create →
 * a price-above alert at the dragged level whose line stays on the chart. Screenshots: alerts.png, notifications-toast.png,
 * alert-fired.png, chart-alerts.png.
 */
import type { Page } from "playwright-core";
import { env } from "../server/env.ts";
import { verifyWebhookSignature } from "../server/services/notifications/webhook-signature.ts";
import type { E2ETest } from "./e2e-runner.ts";
import { watchLiveBars } from "./e2e-feed.ts";
import { startHttpReceiver, startSmtpSink } from "./e2e-receivers.ts";
import { assert, eventually, query, registerFreshUser, screenshot, type SessionContext, type SignedInUser } from "./e2e-session.ts";

const SYMBOL = "BINANCE:BTCUSDT";
let user: SignedInUser | undefined;

function signedIn(): SignedInUser {
  assert(user, "no signed-in user: the first alerts test did not run");
  return user;
}

interface StoredAlert {
  id: string;
  status: string;
  symbol: string;
  evaluate_on: string;
  rule: { name: string; timeframe: string; when: { all?: Array<{ metric: string; op: string; value: unknown }> } };
}

async function alertsOf(userId: string): Promise<StoredAlert[]> {
  return query<StoredAlert>(`SELECT "id"::text AS "id", "status", "symbol", "evaluate_on", "rule" FROM "alerts" WHERE "user_id" = $1 ORDER BY "created_at"`, [userId]);
}

async function createOnAlertsPage(page: Page, price: string): Promise<void> {
  await page.getByRole("button", { name: "New alert" }).click();
  const form = page.getByRole("form", { name: "Create alert" });
  await form.getByLabel("Symbol").fill(SYMBOL);
  await form.getByLabel("Condition").selectOption("price_above");
  await form.getByRole("spinbutton", { name: "Price" }).fill(price);
  await form.getByRole("button", { name: "Create alert" }).click();
  await page.getByTestId("alert-row").filter({ hasText: `close > ${price}` }).waitFor({ state: "visible", timeout: 15_000 });
}

export const alertsTests: ReadonlyArray<E2ETest<SessionContext>> = [
  {
    name: "alerts: a new user creates a price alert on /alerts (stored for that user)",
    async run(context) {
      user = await registerFreshUser(context, "alerts");
      const { page, userId } = user;
      await page.getByRole("banner").getByRole("link", { name: "Alerts" }).click();
      await page.waitForURL(/\/alerts$/, { timeout: 15_000 });
      await page.getByTestId("no-alerts").waitFor({ state: "visible", timeout: 15_000 });
      await createOnAlertsPage(page, "1000000");
      const stored = await alertsOf(userId);
      assert(stored.length === 1, `expected 1 alert in the database, found ${stored.length}`);
      const condition = stored[0]?.rule.when.all?.[0];
      assert(stored[0]?.symbol === SYMBOL && stored[0].status === "active", `stored alert: ${JSON.stringify(stored[0])}`);
      assert(condition?.metric === "close" && condition.op === ">" && condition.value === 1_000_000, `stored condition: ${JSON.stringify(condition)}`);
    },
  },
  {
    name: "alerts: 'test against recent bars' shows when a rule would have fired",
    async run() {
      const { page } = signedIn();
      await page.getByRole("button", { name: "New alert" }).click();
      const form = page.getByRole("form", { name: "Create alert" });
      await form.getByLabel("Symbol").fill(SYMBOL);
      await form.getByLabel("Condition").selectOption("price_above");
      await form.getByRole("spinbutton", { name: "Price" }).fill("1"); // true from the first bar: fires on the first bar tested
      await form.getByRole("button", { name: "Test against recent bars" }).click();
      const summary = page.getByTestId("backtest-summary");
      await summary.waitFor({ state: "visible", timeout: 20_000 });
      const text = (await summary.textContent()) ?? "";
      const bars = Number(/in (\d+) bars/.exec(text)?.[1] ?? Number.NaN);
      const firings = Number(await summary.getAttribute("data-firings"));
      assert(Number.isInteger(bars), `backtest summary without a bar count: "${text}"`);
      assert(bars === 0 ? firings === 0 : firings === 1, `close > 1 over ${bars} bars should fire exactly once (first bar), got ${firings}`);
      await form.getByRole("button", { name: "Cancel" }).click();
    },
  },
  {
    name: "alerts: an invalid JSON rule is refused with the server's message inline, nothing stored",
    async run() {
      const { page, userId } = signedIn();
      const before = (await alertsOf(userId)).length;
      await page.getByRole("button", { name: "New alert" }).click();
      const form = page.getByRole("form", { name: "Create alert" });
      await form.getByLabel("Symbol").fill(SYMBOL);
      await form.getByRole("button", { name: "Advanced (JSON)" }).click();
      await form.getByLabel("Rule document").fill(JSON.stringify({ name: "bad", timeframe: "1m", when: { all: [{ metric: "rsi99", op: ">", value: 1 }] } }));
      await form.getByRole("button", { name: "Create alert" }).click();
      const error = page.getByTestId("alert-form-error");
      await error.waitFor({ state: "visible", timeout: 15_000 });
      const message = (await error.textContent()) ?? "";
      assert(message.includes("rsi99"), `the inline error should name the unknown metric, got "${message}"`);
      assert((await alertsOf(userId)).length === before, "a refused rule must not be stored");
      await form.getByRole("button", { name: "Cancel" }).click();
    },
  },
  {
    name: "alerts: the candlestick-pattern and data-quality presets are stored as rules on those metrics",
    async run() {
      const { page, userId } = signedIn();
      const create = async (fill: (form: ReturnType<Page["getByRole"]>) => Promise<void>, expected: { metric: string; op: string; value: number }, name: string) => {
        await page.getByRole("button", { name: "New alert" }).click();
        const form = page.getByRole("form", { name: "Create alert" });
        await form.getByLabel("Symbol").fill(SYMBOL);
        await fill(form);
        if (name === "bearish engulfing") await screenshot(page, "alert-form-pattern.png");
        await form.getByRole("button", { name: "Create alert" }).click();
        await page.getByTestId("alert-row").filter({ hasText: name }).waitFor({ state: "visible", timeout: 15_000 });
        const stored = (await alertsOf(userId)).find((alert) => alert.rule.name === name);
        const condition = stored?.rule.when.all?.[0];
        assert(condition && condition.metric === expected.metric && condition.op === expected.op && condition.value === expected.value, `stored ${name}: ${JSON.stringify(stored?.rule)}`);
      };
      await create(async (form) => {
        await form.getByLabel("Condition").selectOption("pattern");
        await form.locator("select[name=pattern]").selectOption("engulfing");
        await form.locator("select[name=direction]").selectOption("bearish");
      }, { metric: "engulfing", op: "<", value: 0 }, "bearish engulfing");
      await create(async (form) => {
        await form.getByLabel("Condition").selectOption("quality_below");
        await form.getByRole("spinbutton", { name: "Quality score (0–100)" }).fill("60");
      }, { metric: "qualityScore", op: "<", value: 60 }, "data quality < 60");
    },
  },
  {
    name: "alerts: pause, resume and delete (with confirmation)",
    async run() {
      const { page, userId } = signedIn();
      await createOnAlertsPage(page, "2000000");
      const row = page.getByTestId("alert-row").filter({ hasText: "close > 2000000" });
      const id = (await row.getAttribute("data-alert-id")) ?? "";
      await row.getByRole("button", { name: "Pause" }).click();
      await page.locator(`[data-testid="alert-row"][data-alert-id="${id}"][data-status="paused"]`).waitFor({ timeout: 10_000 });
      assert((await alertsOf(userId)).find((alert) => alert.id === id)?.status === "paused", "the database should hold status paused");
      await row.getByRole("button", { name: "Resume" }).click();
      await page.locator(`[data-testid="alert-row"][data-alert-id="${id}"][data-status="active"]`).waitFor({ timeout: 10_000 });
      await screenshot(page, "alerts.png");
      await row.getByRole("button", { name: "Delete" }).click();
      await row.getByRole("button", { name: "Yes, delete" }).click();
      await page.locator(`[data-testid="alert-row"][data-alert-id="${id}"]`).waitFor({ state: "detached", timeout: 10_000 });
      assert(!(await alertsOf(userId)).some((alert) => alert.id === id), "the deleted alert is still in the database");
    },
  },
  {
    name: "alerts: 'Send test' on the in-app channel shows a toast, and the bell counts it until opened",
    async run(context) {
      const { page, userId } = signedIn();
      const inApp = await query<{ id: string }>(`SELECT "id"::text AS "id" FROM "notification_channels" WHERE "user_id" = $1 AND "kind" = 'in_app'`, [userId]);
      assert(inApp.length === 1, `a user with alerts should have exactly one in-app channel, found ${inApp.length}`);
      await page.goto(`${context.baseUrl}/settings/notifications`, { waitUntil: "domcontentloaded" });
      // Toasts come over the socket: it must be open before the test notification is sent.
      await page.waitForSelector('[data-testid="bell"][data-connection="connected"]', { timeout: 20_000 });
      const row = page.locator(`[data-testid="channel-row"][data-channel-id="${inApp[0]?.id}"]`);
      await row.getByRole("button", { name: "Send test" }).click();
      const toast = page.getByTestId("toast").filter({ hasText: "Test notification" });
      await toast.waitFor({ state: "visible", timeout: 20_000 });
      await page.waitForSelector('[data-testid="bell"]:not([data-unread="0"])', { timeout: 10_000 });
      await screenshot(page, "notifications-toast.png");
      await page.getByTestId("bell").click();
      await page.getByTestId("bell-item").filter({ hasText: "Test notification" }).first().waitFor({ state: "visible", timeout: 10_000 });
      await page.waitForSelector('[data-testid="bell"][data-unread="0"]', { timeout: 5_000 });
      await page.getByTestId("bell").click();
    },
  },
  {
    name: "alerts: a tick alert created in the browser is fired by the live feed: toast, email, Slack and signed webhook once each, history row",
    async run(context) {
      const { page, userId } = signedIn();
      const smtpUrl = env().SMTP_URL;
      assert(smtpUrl, "SMTP_URL is not set for the e2e run (scripts/lib/test.mjs sets it)");
      const [smtp, slack, hook] = await Promise.all([startSmtpSink(smtpUrl), startHttpReceiver("/slack"), startHttpReceiver("/hook")]);
      let feed: Awaited<ReturnType<typeof watchLiveBars>> | undefined;
      try {
        const channel = async (data: object) => {
          const response = await page.request.post(`${context.baseUrl}/api/v1/channels`, { data });
          assert(response.status() === 201, `creating a channel ${JSON.stringify(data)}: HTTP ${response.status()} ${await response.text()}`);
          return ((await response.json()) as { channel: { id: string; secret?: string } }).channel;
        };
        const address = `alerts-${userId.slice(0, 8)}@example.test`;
        await channel({ kind: "email", name: "e2e mail", config: { address } });
        await channel({ kind: "slack", name: "e2e slack", config: { url: slack.url } });
        const webhook = await channel({ kind: "webhook", name: "e2e hook", config: { url: hook.url } });
        assert(webhook.secret, "the webhook channel's secret was not shown on creation");
        await page.goto(`${context.baseUrl}/alerts`, { waitUntil: "domcontentloaded" });
        await page.waitForSelector('[data-testid="bell"][data-connection="connected"]', { timeout: 20_000 });
        // "close != the last closed 1m close", evaluated on ticks, becomes true at the first trade at another price in
        // the open bar (false at the last close by construction). Start early enough in the bar to see it.
        const previous = await eventually(
          "a stored 1m bar of the live feed, early in the next bar",
          async () => {
            const [row] = await query<{ openTime: number; close: number }>(
              `SELECT (extract(epoch FROM "open_time") * 1000)::float8 AS "openTime", "close" FROM "candles"
               WHERE "symbol" = $1 AND "timeframe" = '1m' ORDER BY "open_time" DESC LIMIT 1`,
              [SYMBOL],
            );
            const intoOpenBar = row ? Date.now() - (row.openTime + 60_000) : Number.NaN;
            return row && intoOpenBar >= 2_000 && intoOpenBar <= 10_000 ? row : undefined; // most of the bar still to come
          },
          150_000,
        );
        const rule = { name: `e2e toast ${userId.slice(0, 6)}`, timeframe: "1m", when: { all: [{ metric: "close", op: "!=", value: previous.close }] }, oneTime: true };
        // when the toast appears (browser clock = this machine's clock)
        await page.evaluate((name) => {
          const marks = window as unknown as { __toastAt?: number | null };
          marks.__toastAt = null;
          new MutationObserver(() => {
            if (marks.__toastAt !== null) return;
            if ([...document.querySelectorAll('[data-testid="toast"]')].some((element) => element.textContent?.includes(name))) marks.__toastAt = Date.now();
          }).observe(document.body, { childList: true, subtree: true, characterData: true });
        }, rule.name);
        feed = await watchLiveBars(SYMBOL, "1m");
        await page.getByRole("button", { name: "New alert" }).click();
        const form = page.getByRole("form", { name: "Create alert" });
        await form.getByLabel("Symbol").fill(SYMBOL);
        await form.getByLabel("Evaluate on").selectOption("tick");
        await form.getByRole("button", { name: "Advanced (JSON)" }).click();
        await form.getByLabel("Rule document").fill(JSON.stringify(rule));
        for (const name of ["e2e mail", "e2e slack", "e2e hook"]) await form.getByLabel(name).check();
        const created = page.waitForResponse((response) => response.url().includes("alerts.create") && response.ok(), { timeout: 15_000 });
        await form.getByRole("button", { name: "Create alert" }).click();
        await created;
        const createdAt = Date.now();
        const toast = page.getByTestId("toast").filter({ hasText: rule.name });
        // the first tick of the bar that differs from the last close fires it (at the latest the bar's close, < 60 s)
        await toast.waitFor({ state: "visible", timeout: 75_000 });
        // How long after the feed crossed it: the first live update, once the alert existed, at another price than the last close.
        const toastAt = await page.evaluate(() => (window as unknown as { __toastAt?: number | null }).__toastAt ?? null);
        const crossing = feed.updates.find((update) => update.receivedAt >= createdAt && update.openTime > previous.openTime && update.close !== previous.close);
        assert(toastAt !== null && crossing, `no toast time (${toastAt}) or no crossing live update after the alert was created (${feed.updates.length} updates)`);
        console.log(`e2e: tick alert — the feed crossed it ${crossing.receivedAt - createdAt} ms after it was created; toast ${toastAt - crossing.receivedAt} ms after the crossing (trade → collector → Redis → analytics → notifier → gateway → browser)`);
        // The same firing reaches the other three channels.
        const email = await eventually("the alert email in the SMTP sink", async () => smtp.messages.find((message) => message.raw.includes(rule.name)), 15_000);
        assert(email.to.includes(address), `email sent to ${JSON.stringify(email.to)}, expected ${address}`);
        const slackPost = await eventually("the Slack message", async () => slack.received.find((request) => request.body.includes(rule.name)), 15_000);
        const slackBody = JSON.parse(slackPost.body) as { text?: string; blocks?: unknown[] };
        assert(typeof slackBody.text === "string" && Array.isArray(slackBody.blocks), `not a Slack incoming-webhook message: ${slackPost.body}`);
        const hookPost = await eventually("the signed webhook", async () => hook.received.find((request) => request.body.includes(rule.name)), 15_000);
        const verified = verifyWebhookSignature({
          secret: webhook.secret,
          body: hookPost.body,
          timestamp: hookPost.headers["x-marketlens-timestamp"] as string | undefined,
          signature: hookPost.headers["x-marketlens-signature"] as string | undefined,
          nowSeconds: Math.floor(Date.now() / 1000),
        });
        assert(verified.ok, `webhook signature does not verify: ${JSON.stringify(verified)}`);
        await new Promise((resolve) => setTimeout(resolve, 3_000)); // anything sent twice would have arrived by now
        const count = (texts: string[]) => texts.filter((text) => text.includes(rule.name)).length;
        const counts = [count(smtp.messages.map((message) => message.raw)), count(slack.received.map((request) => request.body)), count(hook.received.map((request) => request.body))];
        assert(counts.every((n) => n === 1), `expected exactly one email, Slack message and webhook, got ${counts.join(", ")}`);
        await screenshot(page, "alert-fired.png");
        const firings = await query<{ evaluate_on: string; symbol: string }>(
          `SELECT f."evaluate_on", f."symbol" FROM "alert_firings" f JOIN "alerts" a ON a."id" = f."alert_id" WHERE a."user_id" = $1 AND a."name" = $2`,
          [userId, rule.name],
        );
        assert(firings.length === 1 && firings[0]?.evaluate_on === "tick" && firings[0].symbol === SYMBOL, `expected one tick firing, got ${JSON.stringify(firings)}`);
        // the page refreshes its list and history when the alert's toast arrives (no reload, well before its 15 s poll)
        await page.getByTestId("history-row").filter({ hasText: rule.name }).waitFor({ state: "visible", timeout: 5_000 });
        // One-time: the engine stops it after the firing.
        await page.locator('[data-testid="alert-row"][data-status="stopped"]').filter({ hasText: rule.name }).waitFor({ state: "visible", timeout: 15_000 });
      } finally {
        await Promise.all([smtp.close(), slack.close(), hook.close(), feed?.close()]);
      }
    },
  },
  {
    name: "alerts: on the chart, 'Add alert' + dragging the line up creates a price-above alert at that level",
    async run(context) {
      const { page, userId } = signedIn();
      await page.goto(`${context.baseUrl}/chart/${SYMBOL}`, { waitUntil: "domcontentloaded" });
      await page.waitForSelector('[data-testid="chart"][data-ready="1"] canvas', { timeout: 30_000 });
      const hook = page.getByTestId("chart-alerts");
      // The user's existing active price alert (close > 1000000) is one line, off-scale but drawn.
      await page.waitForSelector('[data-testid="chart-alerts"][data-lines="1"]', { timeout: 15_000 });
      const lastClose = Number(await page.getAttribute('[data-testid="chart"]', "data-last-close"));
      assert(lastClose > 0, `chart has no last close (${lastClose})`);
      await page.getByRole("button", { name: /Add alert/ }).click();
      const y = await eventually("the draft line's position", async () => {
        const value = await hook.getAttribute("data-draft-y");
        return value ? Number(value) : undefined;
      });
      const box = await page.locator('[data-testid="chart"]').boundingBox();
      assert(box, "the chart has no bounding box");
      const x = box.x + box.width * 0.4;
      await page.mouse.move(x, box.y + y);
      await page.mouse.down();
      for (let step = 1; step <= 8; step++) await page.mouse.move(x, box.y + y - step * 6);
      await page.mouse.up();
      const dragged = await eventually("a dragged price above the last close", async () => {
        const price = Number(await hook.getAttribute("data-draft-price"));
        return price > lastClose ? price : undefined;
      });
      await page.getByRole("group", { name: "Confirm alert" }).getByRole("button", { name: "Create alert" }).click();
      await page.waitForSelector('[data-testid="chart-alerts"][data-lines="2"][data-draft-price=""]', { timeout: 15_000 });
      const created = await eventually("the chart alert in the database", async () =>
        (await alertsOf(userId)).find((alert) => alert.rule.when.all?.[0]?.value === dragged),
      );
      const condition = created.rule.when.all?.[0];
      assert(condition?.metric === "close" && condition.op === ">", `a line dragged above the price should be "close >", got ${JSON.stringify(condition)}`);
      assert(created.symbol === SYMBOL && created.evaluate_on === "tick", `chart alert stored as ${JSON.stringify(created)}`);
      await screenshot(page, "chart-alerts.png");
      await page.context().close();
    },
  },
];
