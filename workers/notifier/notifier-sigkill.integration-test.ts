/**
 * Exactly one delivery per channel although the notifier is SIGKILLed mid-delivery (docs/webhooks.md
 * "Delivery guarantee"). The real process entry (workers/notifier.ts) runs as a child process. The receivers
 * hold the first request open after its body arrived — the SMTP sink never answers DATA, the Slack and webhook
 * receivers never answer — so the notifier is killed in the worst window: the receiver has the message but the
 * notifier never learnt it. A second notifier then retries the stalled jobs. At each receiver there must be
 * exactly one distinct delivery id (the dedupe key it is told to use), the message must really have been sent
 * twice (otherwise the test proved nothing), and PostgreSQL must say delivered once, after one interrupted attempt.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createChannel, enqueueNotification } from "../../server/services/notifications/notifications.service.ts";
import { verifyWebhookSignature } from "../../server/services/notifications/webhook-signature.ts";
import { DATABASE_URL, REDIS_URL, createTestStack, deliveryStates, startHttpReceiver, startSmtpSink, uniqueId, waitFor, waitSettled } from "./notifier-test-helpers.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");
const stack = createTestStack({ attempts: 3, backoffMs: 100 });
const children = new Set<ChildProcess>();

afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  await stack.close();
});

function startNotifierProcess(smtpUrl: string): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ["--import", "tsx", "workers/notifier.ts"], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: "test",
      DATABASE_URL,
      REDIS_URL,
      MARKETLENS_NAMESPACE: stack.namespace,
      SMTP_URL: smtpUrl,
      NOTIFY_FROM: "Marketlens Test <alerts@marketlens.test>",
      NOTIFY_ALLOWED_HOSTS: "127.0.0.1",
      NOTIFY_LOCK_MS: "5000", // a dead notifier's jobs are taken over after ~5–10 s; shorter locks expire under CI load while the job is alive
      NOTIFY_TIMEOUT_MS: "30000", // longer than the test holds a request: the kill, not a timeout, ends the first attempt
      NOTIFY_ATTEMPTS: "3",
      NOTIFY_BACKOFF_MS: "100",
      LOG_LEVEL: "info",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.on("exit", (code) => {
      children.delete(child);
      resolve(code);
    }),
  );
  return { child, output: () => output, exited };
}

describe("notifier killed mid-delivery", () => {
  it("ends with exactly one delivery per channel (by delivery id) and one delivered record", async () => {
    // The spawned notifier's sweep may pick up other test files' stale email deliveries from the shared test database
    // and send them to this sink (its SMTP_URL): refuse every recipient but this test's own so only ours is counted.
    const recipient = `trader-${uniqueId("")}@example.com`;
    const sink = await startSmtpSink({ holdFirst: true, rejectRecipient: (address) => address !== recipient });
    const slack = await startHttpReceiver((_request, index) => (index === 0 ? "hold" : { status: 200, body: "ok" }));
    const secrets: string[] = [];
    const hook = await startHttpReceiver((request, index) => {
      const check = verifyWebhookSignature({
        secret: secrets[0]!,
        body: request.body,
        timestamp: request.headers["x-marketlens-timestamp"] as string | undefined,
        signature: request.headers["x-marketlens-signature"] as string | undefined,
        nowSeconds: Math.floor(Date.now() / 1000),
      });
      if (!check.ok) return { status: 401, body: check.reason };
      return index === 0 ? "hold" : { status: 204 };
    });
    try {
      const userId = uniqueId("user-");
      const email = await createChannel(stack.service, { userId, kind: "email", name: "Inbox", config: { address: recipient } });
      const slackChannel = await createChannel(stack.service, { userId, kind: "slack", name: "Slack", config: { url: slack.url } });
      const webhook = await createChannel(stack.service, { userId, kind: "webhook", name: "Bot", config: { url: hook.url } });
      const inApp = await createChannel(stack.service, { userId, kind: "in_app", name: "Bell" });
      secrets.push(webhook.secret!);

      const first = startNotifierProcess(sink.url);
      const { notificationId } = await enqueueNotification(stack.service, { userId, idempotencyKey: uniqueId("kill-"), sourceRef: "alert|7", payload: { title: "AAPL RSI(14) under 30", severity: "info" } });

      // All three network deliveries are in flight: each receiver holds a complete request, the notifier waits.
      // (Generous deadline: in the full parallel suite a freshly spawned tsx process can take tens of seconds to start.)
      await waitFor(() => sink.messages.length === 1 && slack.held === 1 && hook.held === 1, 90_000, `three held deliveries (notifier output: ${first.output().slice(-2_000)})`);
      const inFlight = await deliveryStates(stack.pool, notificationId);
      expect(inFlight.filter((state) => state.channelId !== inApp.id).map((state) => state.status)).toEqual(["sending", "sending", "sending"]);

      first.child.kill("SIGKILL");
      expect(await first.exited).toBeNull(); // killed by the signal, no clean-up ran

      const second = startNotifierProcess(sink.url);
      const states = await waitSettled(stack.pool, notificationId, 60_000).catch((error: unknown) => {
        throw new Error(`${String(error)}\nnotifier output: ${second.output().slice(-2_000)}`);
      });
      second.child.kill("SIGTERM");
      expect(await second.exited).toBe(0); // graceful shutdown

      const byChannel = new Map(states.map((state) => [state.channelId, state]));
      for (const channel of [email, slackChannel, webhook]) {
        const state = byChannel.get(channel.id)!;
        expect(state.status, channel.name).toBe("delivered");
        expect(state.attemptOutcomes, channel.name).toEqual(["interrupted", "delivered"]);
      }
      expect(byChannel.get(inApp.id)).toMatchObject({ status: "delivered" });
      expect(byChannel.get(inApp.id)!.attemptOutcomes.filter((outcome) => outcome === "delivered")).toHaveLength(1);

      // The receivers really got the message again after the crash (the crash window happened; on the wire it is
      // at-least-once: a loaded machine can make the SMTP sink see the held message once more) ...
      expect(sink.messages.length).toBeGreaterThanOrEqual(2);
      expect(slack.requests.length).toBeGreaterThanOrEqual(2);
      expect(hook.requests.length).toBeGreaterThanOrEqual(2);
      // ... under one delivery id each, so a receiver that dedupes on it delivers exactly once.
      expect(sink.messageIds()).toEqual(new Set([`<${byChannel.get(email.id)!.id}@marketlens>`]));
      expect(slack.deliveryIds()).toEqual(new Set([byChannel.get(slackChannel.id)!.id]));
      expect(hook.deliveryIds()).toEqual(new Set([byChannel.get(webhook.id)!.id]));
      // The in-app bell holds the message once.
      const bell = await stack.redis.lrange(stack.keys.notifyBell(userId), 0, -1);
      expect(bell.map((message) => (JSON.parse(message) as { deliveryId: string }).deliveryId)).toEqual([byChannel.get(inApp.id)!.id]);
      // PostgreSQL: exactly one delivered attempt per channel.
      const delivered = await stack.pool.query<{ channel_id: string; n: string }>(
        `SELECT d.channel_id::text AS channel_id, count(*)::text AS n FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id
         WHERE d.notification_id = $1 AND a.outcome = 'delivered' GROUP BY d.channel_id`,
        [notificationId],
      );
      expect(delivered.rows.map((row) => row.n)).toEqual(["1", "1", "1", "1"]);
    } finally {
      await Promise.all([sink.close(), slack.close(), hook.close()]);
    }
  }, 240_000);
});
