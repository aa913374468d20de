/**
 * The notifier end to end on the real PostgreSQL, Redis and BullMQ, with real receivers over real sockets:
 * an SMTP sink (smtp-server), a Slack-format receiver and a webhook receiver that verifies the HMAC signature
 * with the documented recipe, and a Redis subscriber for in-app messages. Also: idempotent enqueue, the delivery
 * log, retries then dead-letter, permanent failures (redirect, 4xx), rate limits that delay instead of dropping,
 * SSRF refusals at creation and at send time, and the sweep that re-enqueues deliveries whose job never reached Redis.
 */
import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import type { Queue } from "bullmq";
import type { TNotifyJob } from "../../server/queues/notify.ts";
import { createChannel, enqueueNotification, listChannels, listDeliveries, sendTest } from "../../server/services/notifications/notifications.service.ts";
import { verifyWebhookSignature } from "../../server/services/notifications/webhook-signature.ts";
import { AppError } from "../../server/services/app-error.ts";
import {
  REDIS_URL,
  notifierSuite,
  deliveryStates,
  startSmtpSink,
  uniqueId,
  waitFor,
  waitSettled,
} from "./notifier-test-helpers.ts";

const suite = notifierSuite({ attempts: 3, backoffMs: 50 });
const { receiver, notifier, smtpSink } = suite;

const payload = { title: "BTC crossed 100,000", body: "BINANCE:BTCUSDT last 100,012.5", severity: "warning" as const, url: "https://marketlens.example/chart/BINANCE:BTCUSDT" };

describe("notifier", () => {
  it("delivers one notification by email, Slack, signed webhook and in-app, once, and logs every attempt", async () => {
    const sink = await smtpSink();
    const slack = await receiver();
    const secrets: string[] = [];
    const hook = await receiver((request) => {
      const check = verifyWebhookSignature({
        secret: secrets[0]!,
        body: request.body,
        timestamp: request.headers["x-marketlens-timestamp"] as string | undefined,
        signature: request.headers["x-marketlens-signature"] as string | undefined,
        nowSeconds: Math.floor(Date.now() / 1000),
      });
      return check.ok ? { status: 204 } : { status: 401, body: check.reason };
    });
    await notifier({ smtpUrl: sink.url });
    const userId = uniqueId("user-");
    const email = await createChannel(suite.stack.service, { userId, kind: "email", name: "Inbox", config: { address: "trader@example.com" } });
    const slackChannel = await createChannel(suite.stack.service, { userId, kind: "slack", name: "Slack #alerts", config: { url: `${slack.url}/services/T0/B0/X` } });
    const webhook = await createChannel(suite.stack.service, { userId, kind: "webhook", name: "My bot", config: { url: `${hook.url}/marketlens` } });
    const inApp = await createChannel(suite.stack.service, { userId, kind: "in_app", name: "Bell" });
    expect(webhook.secret).toMatch(/^whsec_[0-9a-f]{64}$/);
    secrets.push(webhook.secret!);
    // the secret is shown once: listings never carry it
    const listed = await listChannels(suite.stack.service, userId);
    expect(listed.map((channel) => channel.kind)).toEqual(["email", "slack", "webhook", "in_app"]);
    expect(listed.every((channel) => !("secret" in channel))).toBe(true);

    const subscriber = new Redis(REDIS_URL);
    suite.cleanup(async () => void (await subscriber.quit()));
    const toasts: string[] = [];
    subscriber.on("message", (_channel, message) => toasts.push(message));
    await subscriber.subscribe(suite.stack.keys.notifyUser(userId));

    const first = await enqueueNotification(suite.stack.service, { userId, idempotencyKey: `alert|1|${userId}`, sourceRef: "alert|1", payload });
    expect(first).toMatchObject({ created: true, queued: true });
    const again = await enqueueNotification(suite.stack.service, { userId, idempotencyKey: `alert|1|${userId}`, sourceRef: "alert|1", payload });
    expect(again).toMatchObject({ created: false, notificationId: first.notificationId });
    expect(again.deliveries.map((delivery) => delivery.id).sort()).toEqual(first.deliveries.map((delivery) => delivery.id).sort());

    const states = await waitSettled(suite.stack.pool, first.notificationId);
    expect(states.map((state) => [state.channelId, state.status, state.attemptOutcomes])).toEqual([
      [email.id, "delivered", ["delivered"]],
      [slackChannel.id, "delivered", ["delivered"]],
      [webhook.id, "delivered", ["delivered"]],
      [inApp.id, "delivered", ["delivered"]],
    ]);
    const deliveryOf = (channelId: string) => states.find((state) => state.channelId === channelId)!.id;

    // email: in the SMTP sink, with the delivery id as Message-ID and header
    expect(sink.messages).toHaveLength(1);
    const mail = sink.messages[0]!;
    expect(mail.to).toEqual(["trader@example.com"]);
    expect(mail.from).toBe("alerts@marketlens.test");
    expect(mail.headers.get("subject")).toBe("[WARNING] BTC crossed 100,000");
    expect(mail.headers.get("message-id")).toBe(`<${deliveryOf(email.id)}@marketlens>`);
    expect(mail.headers.get("x-marketlens-delivery")).toBe(deliveryOf(email.id));
    expect(mail.raw).toContain("BINANCE:BTCUSDT last 100,012.5");

    // Slack: incoming-webhook JSON with text and blocks
    expect(slack.requests).toHaveLength(1);
    expect(slack.requests[0]!.path).toBe("/services/T0/B0/X");
    expect(slack.requests[0]!.headers["content-type"]).toBe("application/json");
    const slackBody = JSON.parse(slack.requests[0]!.body) as { text: string; blocks: { type: string }[] };
    expect(slackBody.text).toBe(":warning: *BTC crossed 100,000*\nBINANCE:BTCUSDT last 100,012.5");
    expect(slackBody.blocks.map((block) => block.type)).toEqual(["section", "context", "actions"]);

    // webhook: accepted by the verifying receiver (204), body names the delivery and the notification
    expect(hook.requests).toHaveLength(1);
    const hookBody = JSON.parse(hook.requests[0]!.body) as { id: string; type: string; notification: { id: string; title: string; sourceRef: string } };
    expect(hookBody).toMatchObject({ id: deliveryOf(webhook.id), type: "notification", notification: { id: first.notificationId, title: payload.title, sourceRef: "alert|1" } });
    expect(hook.requests[0]!.deliveryId).toBe(deliveryOf(webhook.id));

    // in-app: published once and kept in the bell
    await waitFor(() => toasts.length === 1, 5_000, "the in-app toast");
    expect(JSON.parse(toasts[0]!)).toMatchObject({ deliveryId: deliveryOf(inApp.id), title: payload.title, severity: "warning" });
    expect(await suite.stack.redis.lrange(suite.stack.keys.notifyBell(userId), 0, -1)).toEqual(toasts);

    // the repeated enqueue sent nothing: a later test on the webhook channel is the only other request
    const test = await sendTest(suite.stack.service, webhook.id, { userId });
    await waitSettled(suite.stack.pool, test.notificationId);
    expect(hook.requests).toHaveLength(2);
    expect(hook.deliveryIds().size).toBe(2);
    expect(sink.messages).toHaveLength(1);
    expect(slack.requests).toHaveLength(1);

    // the delivery log a user sees
    const log = await listDeliveries(suite.stack.service, userId, {}, { page: 1, pageSize: 10 });
    expect(log.total).toBe(5);
    expect(log.items[0]).toMatchObject({ channelId: webhook.id, title: "Test notification for My bot", status: "delivered", attempts: 1 });
    expect(log.items[0]!.attemptLog).toEqual([expect.objectContaining({ attempt: 1, outcome: "delivered", responseCode: 204 })]);
    const emailLog = await listDeliveries(suite.stack.service, userId, { kind: "email" });
    expect(emailLog.items).toHaveLength(1);
    expect(emailLog.items[0]!.attemptLog[0]).toMatchObject({ outcome: "delivered", responseCode: 250 });
    await expect(listDeliveries(suite.stack.service, userId, { status: "bogus" as never })).rejects.toThrow(AppError);
  });

  it("retries a failing receiver with backoff, then dead-letters with the error, every attempt logged", async () => {
    const failing = await receiver(() => ({ status: 503, body: "maintenance" }));
    await notifier();
    const userId = uniqueId("user-");
    const channel = await createChannel(suite.stack.service, { userId, kind: "webhook", name: "Flaky", config: { url: failing.url } });
    const { notificationId } = await enqueueNotification(suite.stack.service, { userId, idempotencyKey: uniqueId("dead-"), payload });
    const [state] = await waitSettled(suite.stack.pool, notificationId);
    expect(state).toMatchObject({ channelId: channel.id, status: "dead", attempts: 3, lastError: "HTTP 503", attemptOutcomes: ["failed", "failed", "failed"] });
    expect(failing.requests).toHaveLength(3);
    expect(failing.deliveryIds()).toEqual(new Set([state!.id]));
    const log = await listDeliveries(suite.stack.service, userId, { status: "dead" });
    expect(log.items[0]!.attemptLog.map((attempt) => [attempt.responseCode, attempt.response])).toEqual([
      [503, "maintenance"],
      [503, "maintenance"],
      [503, "maintenance"],
    ]);
  });

  it("recovers when the receiver comes back before the last attempt", async () => {
    const flaky = await receiver((_request, index) => (index === 0 ? { status: 500 } : { status: 200 }));
    await notifier();
    const userId = uniqueId("user-");
    await createChannel(suite.stack.service, { userId, kind: "slack", name: "Slack", config: { url: flaky.url } });
    const { notificationId } = await enqueueNotification(suite.stack.service, { userId, idempotencyKey: uniqueId("retry-"), payload });
    const [state] = await waitSettled(suite.stack.pool, notificationId);
    expect(state).toMatchObject({ status: "delivered", attempts: 2, attemptOutcomes: ["failed", "delivered"] });
    expect(flaky.requests).toHaveLength(2);
  });

  it("does not follow redirects and does not retry a rejecting receiver", async () => {
    const elsewhere = await receiver();
    const redirecting = await receiver(() => ({ status: 302, headers: { location: `${elsewhere.url}/stolen` } }));
    const rejecting = await receiver(() => ({ status: 410, body: "gone" }));
    await notifier();
    const userId = uniqueId("user-");
    await createChannel(suite.stack.service, { userId, kind: "webhook", name: "Redirect", config: { url: redirecting.url } });
    await createChannel(suite.stack.service, { userId, kind: "webhook", name: "Gone", config: { url: rejecting.url } });
    const { notificationId } = await enqueueNotification(suite.stack.service, { userId, idempotencyKey: uniqueId("perm-"), payload });
    const [redirect, gone] = await waitSettled(suite.stack.pool, notificationId);
    expect(redirect).toMatchObject({ status: "dead", attempts: 1, attemptOutcomes: ["failed"] });
    expect(redirect!.lastError).toContain("HTTP 302: redirect to");
    expect(gone).toMatchObject({ status: "dead", attempts: 1, lastError: "HTTP 410" });
    expect(redirecting.requests).toHaveLength(1);
    expect(rejecting.requests).toHaveLength(1);
    expect(elsewhere.requests).toHaveLength(0);
  });

  it("dead-letters an email the SMTP server rejects for good (5xx) and retries one it cannot reach", async () => {
    const sink = await startSmtpSink({ rejectRecipient: (address) => address === "nobody@example.com" });
    suite.cleanup(() => sink.close());
    const closed = await startSmtpSink();
    await closed.close(); // a port nobody listens on any more: connection refused
    const first = await notifier({ smtpUrl: sink.url });
    const userId = uniqueId("user-");
    await createChannel(suite.stack.service, { userId, kind: "email", name: "Wrong address", config: { address: "nobody@example.com" } });
    const { notificationId } = await enqueueNotification(suite.stack.service, { userId, idempotencyKey: uniqueId("smtp-"), payload });
    const [rejected] = await waitSettled(suite.stack.pool, notificationId);
    expect(rejected).toMatchObject({ status: "dead", attempts: 1, attemptOutcomes: ["failed"] });
    expect(rejected!.lastError).toContain("mailbox unavailable");
    const log = await listDeliveries(suite.stack.service, userId);
    expect(log.items[0]!.attemptLog[0]).toMatchObject({ responseCode: 550 });
    expect(sink.messages).toHaveLength(0);

    await first.close();
    await notifier({ smtpUrl: closed.url });
    const otherUser = uniqueId("user-");
    await createChannel(suite.stack.service, { userId: otherUser, kind: "email", name: "Down", config: { address: "trader@example.com" } });
    const down = await enqueueNotification(suite.stack.service, { userId: otherUser, idempotencyKey: uniqueId("smtp-down-"), payload });
    const [state] = await waitSettled(suite.stack.pool, down.notificationId);
    expect(state).toMatchObject({ status: "dead", attempts: 3, attemptOutcomes: ["failed", "failed", "failed"] });
    expect(state!.lastError).toContain("ECONNREFUSED");
  });

  it("delays deliveries over a channel's rate limit instead of dropping them", async () => {
    const hook = await receiver();
    await notifier();
    const userId = uniqueId("user-");
    // burst 2, then one token every 250 ms
    await createChannel(suite.stack.service, { userId, kind: "webhook", name: "Busy", config: { url: hook.url }, rateBurst: 2, ratePerMinute: 240 });
    const ids: string[] = [];
    for (let index = 0; index < 5; index++) ids.push((await enqueueNotification(suite.stack.service, { userId, idempotencyKey: uniqueId("burst-"), payload: { ...payload, title: `firing ${index}` } })).notificationId);
    const states = (await Promise.all(ids.map((id) => waitSettled(suite.stack.pool, id)))).flat();
    expect(states.map((state) => state.status)).toEqual(["delivered", "delivered", "delivered", "delivered", "delivered"]);
    expect(states.every((state) => state.attempts === 1)).toBe(true);
    expect(states.reduce((sum, state) => sum + state.rateLimited, 0)).toBeGreaterThanOrEqual(3);
    expect(hook.deliveryIds().size).toBe(5);
    expect(hook.requests).toHaveLength(5);
  });

  it("refuses SSRF targets when a channel is created and again at send time", async () => {
    const target = await receiver();
    const userId = uniqueId("user-");
    for (const url of [`http://localhost:${target.port}/`, `http://[::1]:${target.port}/`, `http://[::ffff:127.0.0.2]:${target.port}/`, "http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/", "file:///etc/passwd"]) {
      await expect(createChannel(suite.stack.service, { userId, kind: "webhook", name: "SSRF", config: { url } }), url).rejects.toThrow(AppError);
    }
    await expect(createChannel(suite.stack.service, { userId, kind: "slack", name: "SSRF", config: { url: `http://2130706434:${target.port}/` } })).rejects.toThrow(/loopback/);
    // a channel stored before the rule changed (here: written straight to the table) is refused at send time
    await notifier();
    const inserted = await suite.stack.pool.query<{ id: string }>(
      `INSERT INTO notification_channels (user_id, kind, name, config, secret) VALUES ($1, 'webhook', 'legacy', $2, 'whsec_x') RETURNING id::text AS id`,
      [userId, JSON.stringify({ url: `http://localhost:${target.port}/hook` })],
    );
    const { notificationId } = await enqueueNotification(suite.stack.service, { userId, idempotencyKey: uniqueId("ssrf-"), payload, channelIds: [inserted.rows[0]!.id] });
    const [state] = await waitSettled(suite.stack.pool, notificationId);
    expect(state).toMatchObject({ status: "dead", attempts: 1, attemptOutcomes: ["refused"] });
    expect(state!.lastError).toMatch(/localhost resolves to (127\.0\.0\.1|::1), a loopback address/);
    expect(target.requests).toHaveLength(0);
  });

  it("rejects bad input with a clear error and changes nothing", async () => {
    const userId = uniqueId("user-");
    await expect(createChannel(suite.stack.service, { userId, kind: "email", name: "x", config: { address: "not-an-email" } })).rejects.toThrow(/config.address/);
    await expect(createChannel(suite.stack.service, { userId, kind: "webhook", name: "x", config: { url: "https://example.com" }, rateBurst: 0 })).rejects.toThrow(/rateBurst/);
    await expect(enqueueNotification(suite.stack.service, { userId, idempotencyKey: "k", payload: { title: "" } })).rejects.toThrow(/payload.title/);
    await expect(enqueueNotification(suite.stack.service, { userId, idempotencyKey: uniqueId("k-"), payload, channelIds: ["7b1e4c1a-0000-4000-8000-000000000000"] })).rejects.toThrow(/has no channel/);
    await expect(sendTest(suite.stack.service, "7b1e4c1a-0000-4000-8000-000000000000")).rejects.toThrow(/no notification channel/);
    expect(await listChannels(suite.stack.service, userId)).toEqual([]);
    expect((await suite.stack.pool.query(`SELECT 1 FROM notifications WHERE user_id = $1`, [userId])).rowCount).toBe(0);
  });

  it("leaves disabled channels out and refuses to test them", async () => {
    const hook = await receiver();
    await notifier();
    const userId = uniqueId("user-");
    const on = await createChannel(suite.stack.service, { userId, kind: "webhook", name: "On", config: { url: hook.url } });
    const off = await createChannel(suite.stack.service, { userId, kind: "webhook", name: "Off", config: { url: hook.url }, enabled: false });
    const result = await enqueueNotification(suite.stack.service, { userId, idempotencyKey: uniqueId("off-"), payload });
    expect(result.deliveries.map((delivery) => delivery.channelId)).toEqual([on.id]);
    await waitSettled(suite.stack.pool, result.notificationId);
    expect(hook.requests).toHaveLength(1);
    await expect(sendTest(suite.stack.service, off.id)).rejects.toThrow(/Off is disabled/);
    await expect(sendTest(suite.stack.service, on.id, { userId: "someone-else" })).rejects.toThrow(/no notification channel/);
  });

  it("loses nothing when Redis refuses the jobs: the sweep enqueues the pending deliveries", async () => {
    const hook = await receiver();
    const userId = uniqueId("user-");
    await createChannel(suite.stack.service, { userId, kind: "webhook", name: "Later", config: { url: hook.url } });
    const downQueue = { addBulk: () => Promise.reject(new Error("Connection is closed.")) } as unknown as Queue<TNotifyJob>;
    const result = await enqueueNotification({ ...suite.stack.service, queue: downQueue }, { userId, idempotencyKey: uniqueId("down-"), payload });
    expect(result).toMatchObject({ created: true, queued: false });
    expect((await deliveryStates(suite.stack.pool, result.notificationId)).map((state) => state.status)).toEqual(["pending"]);
    await notifier({ sweepIdleMs: 0, sweepIntervalMs: 200 });
    const [state] = await waitSettled(suite.stack.pool, result.notificationId);
    expect(state).toMatchObject({ status: "delivered", attempts: 1 });
    expect(hook.deliveryIds()).toEqual(new Set([state!.id]));
  });
});
