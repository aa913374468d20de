/**
 * Managing channels end to end, on the real PostgreSQL, Redis and BullMQ with an in-process notifier and real
 * receivers over real sockets (HTTP receiver verifying signatures, SMTP sink):
 * - a disabled channel gets no new deliveries (the notification is still recorded), re-enabling resumes;
 * - a rotated webhook secret signs every later send, and the old secret no longer verifies;
 * - retrying a dead delivery sends it again under the same delivery id, once, however often "Retry" is pressed;
 * - a refused change (bad address/URL, SSRF target, empty change) changes nothing; another user's channel or
 *   delivery is NOT_FOUND;
 * - the notifier's stale-delivery sweep only re-enqueues deliveries of its own namespace (two namespaces, one database).
 */
import type { Queue } from "bullmq";
import { describe, expect, it } from "vitest";
import { listAudit } from "../../server/services/audit.service.ts";
import { notifyJobId, type TNotifyJob } from "../../server/queues/notify.ts";
import { rotateWebhookSecret, updateChannel } from "../../server/services/notifications/channel-management.service.ts";
import { retryDelivery } from "../../server/services/notifications/delivery-retry.service.ts";
import { createChannel, enqueueNotification, listChannels, listDeliveries } from "../../server/services/notifications/notifications.service.ts";
import { verifyWebhookSignature } from "../../server/services/notifications/webhook-signature.ts";
import { createTestStack, deliveryStates, notifierSuite, startSmtpSink, uniqueId, waitFor, waitSettled, type ReceivedRequest, type TestStack } from "./notifier-test-helpers.ts";

const suite = notifierSuite({ attempts: 2, backoffMs: 50 });
const { receiver, notifier, smtpSink } = suite;

const payload = { title: "ETH crossed 5,000", body: "BINANCE:ETHUSDT last 5,001", severity: "info" as const };
const verifies = (secret: string, request: ReceivedRequest) =>
  verifyWebhookSignature({
    secret,
    body: request.body,
    timestamp: request.headers["x-marketlens-timestamp"] as string | undefined,
    signature: request.headers["x-marketlens-signature"] as string | undefined,
    nowSeconds: Math.floor(Date.now() / 1000),
  }).ok;

describe("channel management", () => {
  it("sends nothing to a disabled channel (the notification is still recorded) and resumes when it is enabled again", async () => {
    const sink = await startSmtpSink();
    suite.cleanup(() => sink.close());
    const hook = await receiver();
    await notifier({ smtpUrl: sink.url });
    const userId = uniqueId("user-");
    const email = await createChannel(suite.stack.service, { userId, kind: "email", name: "Inbox", config: { address: "trader@example.com" } });
    const webhook = await createChannel(suite.stack.service, { userId, kind: "webhook", name: "Bot", config: { url: hook.url } });

    const disabled = await updateChannel(suite.stack.service, { userId }, { id: webhook.id, enabled: false });
    expect(disabled).toMatchObject({ id: webhook.id, enabled: false });
    expect(disabled).not.toHaveProperty("secret");
    // every enabled channel (no list given) and an explicit list naming the disabled channel (as an alert does)
    const all = await enqueueNotification(suite.stack.service, { userId, idempotencyKey: uniqueId("off-all-"), payload });
    const named = await enqueueNotification(suite.stack.service, { userId, idempotencyKey: uniqueId("off-named-"), payload, channelIds: [email.id, webhook.id] });
    for (const result of [all, named]) {
      expect(result.created).toBe(true);
      expect(result.deliveries.map((delivery) => delivery.channelId)).toEqual([email.id]);
      expect((await waitSettled(suite.stack.pool, result.notificationId)).map((state) => state.status)).toEqual(["delivered"]);
    }
    expect(sink.messages).toHaveLength(2);
    expect(hook.requests).toHaveLength(0);
    expect((await listDeliveries(suite.stack.service, userId, { channelId: webhook.id })).total).toBe(0);

    await updateChannel(suite.stack.service, { userId }, { id: webhook.id, enabled: true });
    const resumed = await enqueueNotification(suite.stack.service, { userId, idempotencyKey: uniqueId("on-"), payload });
    const states = await waitSettled(suite.stack.pool, resumed.notificationId);
    expect(states.map((state) => [state.channelId, state.status])).toEqual([
      [email.id, "delivered"],
      [webhook.id, "delivered"],
    ]);
    expect(hook.deliveryIds()).toEqual(new Set([states[1]!.id]));
    const audit = await listAudit(suite.stack.pool, { action: "channel.update", userId });
    expect(audit.map((row) => [row.target, row.details.enabled])).toEqual([
      [`channel:${webhook.id}`, true],
      [`channel:${webhook.id}`, false],
    ]);
  });

  it("signs every send after a rotation with the new secret only", async () => {
    const hook = await receiver();
    await notifier();
    const userId = uniqueId("user-");
    const created = await createChannel(suite.stack.service, { userId, kind: "webhook", name: "Signed", config: { url: `${hook.url}/in` } });
    const before = await enqueueNotification(suite.stack.service, { userId, idempotencyKey: uniqueId("before-"), payload });
    await waitSettled(suite.stack.pool, before.notificationId);

    const rotated = await rotateWebhookSecret(suite.stack.service, { userId, actorIp: "203.0.113.9" }, created.id);
    expect(rotated.secret).toMatch(/^whsec_[0-9a-f]{64}$/);
    expect(rotated.secret).not.toBe(created.secret);
    expect((await listChannels(suite.stack.service, userId)).every((channel) => !("secret" in channel))).toBe(true);
    const stored = await suite.stack.pool.query<{ secret: string }>(`SELECT secret FROM notification_channels WHERE id = $1`, [created.id]);
    expect(stored.rows[0]!.secret).toBe(rotated.secret);

    const after = await enqueueNotification(suite.stack.service, { userId, idempotencyKey: uniqueId("after-"), payload });
    await waitSettled(suite.stack.pool, after.notificationId);
    expect(hook.requests).toHaveLength(2);
    const [first, second] = hook.requests as [ReceivedRequest, ReceivedRequest];
    expect([verifies(created.secret!, first), verifies(rotated.secret, first)]).toEqual([true, false]);
    expect([verifies(created.secret!, second), verifies(rotated.secret, second)]).toEqual([false, true]);
    const audit = await listAudit(suite.stack.pool, { action: "channel.rotate_secret", userId });
    expect(audit.map((row) => [row.target, row.actorIp])).toEqual([[`channel:${created.id}`, "203.0.113.9"]]);
    expect(JSON.stringify(audit)).not.toContain(rotated.secret);

    const email = await createChannel(suite.stack.service, { userId, kind: "email", name: "Mail", config: { address: "a@example.com" } });
    await expect(rotateWebhookSecret(suite.stack.service, { userId }, email.id)).rejects.toThrow(/only webhook channels have a signing secret/);
    await expect(rotateWebhookSecret(suite.stack.service, { userId: "someone-else" }, created.id)).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await suite.stack.pool.query<{ secret: string }>(`SELECT secret FROM notification_channels WHERE id = $1`, [created.id])).rows[0]!.secret).toBe(rotated.secret);
  });

  it("retries a dead delivery once under the same delivery id, however often Retry is pressed", async () => {
    let accept = false;
    const hook = await receiver(() => (accept ? { status: 200 } : { status: 410, body: "gone" }));
    await notifier();
    const userId = uniqueId("user-");
    await createChannel(suite.stack.service, { userId, kind: "webhook", name: "Once gone", config: { url: hook.url } });
    const { notificationId } = await enqueueNotification(suite.stack.service, { userId, idempotencyKey: uniqueId("dead-"), payload });
    const [dead] = await waitSettled(suite.stack.pool, notificationId);
    expect(dead).toMatchObject({ status: "dead", attemptOutcomes: ["failed"] });

    await expect(retryDelivery(suite.stack.service, { userId: "someone-else" }, dead!.id)).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await deliveryStates(suite.stack.pool, notificationId))[0]!.status).toBe("dead");

    accept = true;
    // two clicks at once, then a third once it is on its way: one re-enqueue
    const clicks = await Promise.all([retryDelivery(suite.stack.service, { userId }, dead!.id), retryDelivery(suite.stack.service, { userId }, dead!.id)]);
    expect(clicks.map((click) => click.requeued).sort()).toEqual([false, true]);
    const third = await retryDelivery(suite.stack.service, { userId }, dead!.id).catch((error: Error) => error);
    // pending/sending: nothing queued; delivered already: refused as nothing to retry
    if (third instanceof Error) expect(third.message).toMatch(/was delivered; only a dead delivery can be retried/);
    else expect(third.requeued).toBe(false);

    const [state] = await waitSettled(suite.stack.pool, notificationId);
    expect(state).toMatchObject({ id: dead!.id, status: "delivered", attempts: 2, attemptOutcomes: ["failed", "delivered"], lastError: null });
    await expect(retryDelivery(suite.stack.service, { userId }, dead!.id)).rejects.toThrow(/was delivered/);
    // let any stray second job run: the receiver saw the failed attempt and one delivery, both under one id
    await waitFor(async () => Object.values(await suite.stack.service.queue.getJobCounts("wait", "active", "delayed", "prioritized")).every((count) => count === 0), 5_000, "the queue to drain");
    expect(hook.requests.map((request) => request.headers["x-marketlens-delivery"])).toEqual([dead!.id, dead!.id]);
    expect((await listAudit(suite.stack.pool, { action: "channel.retry_delivery", userId })).map((row) => row.target)).toEqual([`delivery:${dead!.id}`]);
  });

  it("refuses to retry on a disabled channel and changes nothing when the queue is down", async () => {
    const hook = await receiver(() => ({ status: 410 }));
    await notifier();
    const userId = uniqueId("user-");
    const channel = await createChannel(suite.stack.service, { userId, kind: "webhook", name: "Gone", config: { url: hook.url } });
    const { notificationId } = await enqueueNotification(suite.stack.service, { userId, idempotencyKey: uniqueId("dead-"), payload });
    const [dead] = await waitSettled(suite.stack.pool, notificationId);
    await updateChannel(suite.stack.service, { userId }, { id: channel.id, enabled: false });
    await expect(retryDelivery(suite.stack.service, { userId }, dead!.id)).rejects.toThrow(/channel Gone is disabled; enable it to retry/);
    await updateChannel(suite.stack.service, { userId }, { id: channel.id, enabled: true });
    const downQueue = Object.assign(Object.create(suite.stack.service.queue) as Queue<TNotifyJob>, { remove: () => Promise.reject(new Error("Connection is closed.")) });
    await expect(retryDelivery({ ...suite.stack.service, queue: downQueue }, { userId }, dead!.id)).rejects.toMatchObject({ code: "UNAVAILABLE" });
    expect((await deliveryStates(suite.stack.pool, notificationId))[0]).toMatchObject({ status: "dead", lastError: "HTTP 410", attempts: 1 });
    expect(hook.requests).toHaveLength(1);
  });

  it("refuses bad changes with a clear message and changes nothing; another user's channel is not found", async () => {
    const userId = uniqueId("user-");
    const email = await createChannel(suite.stack.service, { userId, kind: "email", name: "Inbox", config: { address: "me@example.com" } });
    const webhook = await createChannel(suite.stack.service, { userId, kind: "webhook", name: "Hook", config: { url: "https://127.0.0.1/hook" } });
    const before = await listChannels(suite.stack.service, userId);
    const refused: [Parameters<typeof updateChannel>[2], RegExp][] = [
      [{ id: email.id, config: { address: "not-an-email" } }, /invalid channel change \(email channel\): address/],
      [{ id: email.id, config: { url: "https://example.com" } }, /address/],
      [{ id: webhook.id, config: { url: "ftp://example.com/x" } }, /url: must be an http\(s\) URL/],
      [{ id: webhook.id, config: { url: "http://169.254.169.254/latest/meta-data/" } }, /invalid channel: .*link-local/],
      [{ id: webhook.id, config: { url: "http://10.0.0.1/hook" } }, /invalid channel: .*private/],
      [{ id: webhook.id, name: "  " }, /name must not be empty/],
      [{ id: webhook.id, rateBurst: 0 }, /rateBurst/],
      [{ id: webhook.id }, /give at least one of name, config, enabled/],
      [{ id: webhook.id, secret: "whsec_mine" } as never, /Unrecognized key.*secret/],
      [{ id: "not-a-uuid", name: "x" }, /id must be a channel id/],
    ];
    for (const [input, message] of refused) await expect(updateChannel(suite.stack.service, { userId }, input), JSON.stringify(input)).rejects.toThrow(message);
    await expect(updateChannel(suite.stack.service, { userId: "someone-else" }, { id: webhook.id, name: "stolen" })).rejects.toMatchObject({ code: "NOT_FOUND", message: `no notification channel ${webhook.id}` });
    expect(await listChannels(suite.stack.service, userId)).toEqual(before);
    expect(await listAudit(suite.stack.pool, { action: "channel.update", userId })).toEqual([]);

    const renamed = await updateChannel(suite.stack.service, { userId }, { id: webhook.id, name: "Trading bot", config: { url: "https://127.0.0.1/v2" }, ratePerMinute: 60, rateBurst: 5 });
    expect(renamed).toMatchObject({ name: "Trading bot", config: { url: "https://127.0.0.1/v2" }, ratePerMinute: 60, rateBurst: 5, enabled: true });
    const storedSecret = await suite.stack.pool.query<{ secret: string }>(`SELECT secret FROM notification_channels WHERE id = $1`, [webhook.id]);
    expect(storedSecret.rows[0]!.secret).toBe(webhook.secret); // editing keeps the secret
  });

  it("sweeps only the deliveries of its own namespace when two namespaces share the database", async () => {
    const other = createTestStack({ attempts: 2, backoffMs: 50 });
    suite.cleanup(() => other.close());
    const hook = await receiver();
    const userId = uniqueId("user-");
    await createChannel(suite.stack.service, { userId, kind: "webhook", name: "Shared", config: { url: hook.url } });
    // Redis refuses the jobs in both namespaces: the deliveries wait in PostgreSQL for their namespace's sweep
    const refusing = (of: TestStack) => Object.assign(Object.create(of.service.queue) as Queue<TNotifyJob>, { addBulk: () => Promise.reject(new Error("Connection is closed.")) });
    const mine = await enqueueNotification({ ...suite.stack.service, queue: refusing(suite.stack) }, { userId, idempotencyKey: uniqueId("ns-mine-"), payload });
    const theirs = await enqueueNotification({ ...other.service, queue: refusing(other) }, { userId, idempotencyKey: uniqueId("ns-theirs-"), payload });
    expect([mine.queued, theirs.queued]).toEqual([false, false]);
    const recorded = await suite.stack.pool.query<{ namespace: string }>(`SELECT namespace FROM deliveries WHERE notification_id = ANY($1::uuid[]) ORDER BY namespace = $2 DESC`, [
      [mine.notificationId, theirs.notificationId],
      suite.stack.namespace,
    ]);
    expect(recorded.rows.map((row) => row.namespace)).toEqual([suite.stack.namespace, other.namespace]);

    await notifier({ sweepIdleMs: 0, sweepIntervalMs: 100 });
    const [delivered] = await waitSettled(suite.stack.pool, mine.notificationId);
    expect(delivered!.status).toBe("delivered");
    const [waiting] = await deliveryStates(suite.stack.pool, theirs.notificationId);
    // the sweep that queued ours (one query, one addBulk) did not queue theirs, here or anywhere
    expect(waiting).toMatchObject({ status: "pending", attempts: 0 });
    expect(await suite.stack.service.queue.getJob(notifyJobId({ notificationId: theirs.notificationId, channelId: waiting!.channelId }))).toBeUndefined();
    expect(await other.service.queue.getJob(notifyJobId({ notificationId: theirs.notificationId, channelId: waiting!.channelId }))).toBeUndefined();
    expect(hook.deliveryIds()).toEqual(new Set([delivered!.id]));

    await other.startNotifier({ sweepIdleMs: 0, sweepIntervalMs: 100 });
    const [theirsDelivered] = await waitSettled(suite.stack.pool, theirs.notificationId);
    expect(theirsDelivered!.status).toBe("delivered");
    expect(hook.deliveryIds()).toEqual(new Set([delivered!.id, theirsDelivered!.id]));
  });
});
