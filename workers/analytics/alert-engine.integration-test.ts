/**
 * The alert engine inside a real analytics worker (PostgreSQL, Redis, BullMQ): bars stored like the collector
 * stores them and enqueued on the real bar-closed queue cross a price alert. Checks: each crossing fires exactly
 * once, cooldown drops a crossing inside it, one-time stops the alert, a watchlist alert fires for its member,
 * a re-sent (retried) job fires nothing twice, each firing has one notification (idempotency key = firing key)
 * delivered to the user's in-app channel and the chosen channels, and a tick alert fires once inside the open bar
 * (live updates on the collectors' pub/sub channel) and not again when the bar closes.
 */
import { Redis } from "ioredis";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { barClosedJobData } from "../../server/queues/bar-closed.ts";
import { createNotifyMetrics } from "../../server/observability/notify-metrics.ts";
import { queueConnection } from "../../server/redis/client.ts";
import { notificationDeps } from "../../server/services/alerts-notify.ts";
import { setAlertStatusOf } from "../../server/services/alerts.service.ts";
import { createWatchlist } from "../../server/services/alerts-watchlists.service.ts";
import { insertSymbol, insertUser, suffix } from "../../server/services/alerts-test-helpers.ts";
import { insertChannel } from "../../server/db/notifications.repo.ts";
import { REDIS_URL, waitDrained, waitFor } from "./analytics-test-helpers.ts";
import { NotifierWorker } from "../notifier/notifier-worker.ts";
import { fire, firingKey } from "./alert-firing.ts";
import { selectAlertById } from "../../server/db/alerts.repo.ts";
import { parseRuleDocument } from "../../server/domain/rules/rule-schema.ts";
import { HOUR, hourlyBars, startAlertEngineHarness, type AlertEngineHarness } from "./alert-engine-test-helpers.ts";

/** Tomorrow 00:00 UTC: bars that close after the alerts are created (older bars are history: never evaluated). */
const BASE = Math.ceil(Date.now() / 86_400_000) * 86_400_000 + 86_400_000;
const barsWithCloses = (symbol: string, closes: readonly number[], start = 0) => hourlyBars(BASE, symbol, closes, start);

const crossesAbove = (name: string, value: number, extra: Record<string, unknown> = {}) => ({
  name,
  timeframe: "1h",
  when: { all: [{ metric: "close", op: "crosses_above", value }] },
  ...extra,
});

describe("alert engine in the analytics worker (PostgreSQL, Redis, BullMQ)", () => {
  const fired: { alertId: string; symbol: string; barOpenTime: number; evaluateOn: string; created: boolean }[] = [];
  let h: AlertEngineHarness;
  beforeAll(async () => {
    h = await startAlertEngineHarness("engine", (firing) => fired.push(firing));
  });
  afterAll(async () => h?.close());

  it("fires once per crossing; cooldown drops one inside it; one-time stops; a retried job fires nothing twice; one notification per firing", async () => {
    const symbol = await insertSymbol(h.pool);
    const email = await insertChannel(h.pool, { userId: h.user, kind: "email", name: "mail", config: { address: "t@example.test" }, secret: null, enabled: true, ratePerMinute: 30, rateBurst: 10 });
    const plain = await h.createAlertHeard(h.user, { rule: crossesAbove("plain", 100), symbol, channelIds: [email.id] });
    const cooled = await h.createAlertHeard(h.user, { rule: crossesAbove("cooled", 100, { cooldownBars: 2 }), symbol });
    const once = await h.createAlertHeard(h.user, { rule: crossesAbove("once", 100, { oneTime: true }), symbol });
    const paused = await h.createAlertHeard(h.user, { rule: crossesAbove("paused", 100), symbol });
    const heard = h.started.worker.alerts!.cache.version;
    await setAlertStatusOf(h.deps, h.user, { id: paused.id, status: "paused" });
    await waitFor(() => h.started.worker.alerts!.cache.version > heard, 5_000, "the worker to hear the pause");
    // crossings above 100 on bars 2, 6 and 8
    const bars = barsWithCloses(symbol, [90, 95, 105, 110, 95, 98, 105, 99, 101, 102]);
    await h.process(bars);

    const crossingTimes = [2, 6, 8].map((index) => bars[index]!.openTime);
    expect((await h.firingsOf(plain.id)).map((row) => row.t)).toEqual(crossingTimes);
    // cooldown 2: bar 6 ≥ 2 + 3 fires, bar 8 < 6 + 3 is dropped
    expect((await h.firingsOf(cooled.id)).map((row) => row.t)).toEqual([crossingTimes[0], crossingTimes[1]]);
    expect((await h.firingsOf(once.id)).map((row) => row.t)).toEqual([crossingTimes[0]]);
    expect((await h.pool.query(`SELECT status FROM alerts WHERE id = $1`, [once.id])).rows[0]).toEqual({ status: "stopped" });
    expect(await h.firingsOf(paused.id)).toEqual([]);
    expect((await h.firingsOf(plain.id))[0]).toMatchObject({ symbol, evaluate_on: "close", values: { close: 105 } });

    // a re-sent job for a bar that fired (a retry after a crash between the firing and the ack) adds nothing
    const before = fired.length;
    await h.queues.queueFor(symbol).add("bar-closed", barClosedJobData(bars[6]!, "closed"), { jobId: `retry-${suffix()}` });
    await waitDrained(h.queues);
    await waitFor(() => fired.length > before, 10_000, "the retried bar to be evaluated");
    expect(fired.slice(before).every((firing) => !firing.created)).toBe(true); // evaluated again, recorded nothing new
    expect((await h.firingsOf(plain.id)).map((row) => row.t)).toEqual(crossingTimes);
    const counted = (await h.started.worker.alerts!.metrics.firings.get()).values;
    expect(counted.find((value) => value.labels.mode === "close" && value.labels.outcome === "repeat")?.value).toBe(fired.length - before);

    // one notification per firing, keyed by the firing, to in-app + the chosen email channel
    const notifications = await h.pool.query<{ idempotency_key: string; payload: { title: string; url: string; data: Record<string, unknown> }; channels: string[] }>(
      `SELECT n.idempotency_key, n.payload, array_agg(c.kind ORDER BY c.kind) AS channels FROM notifications n
       JOIN deliveries d ON d.notification_id = n.id JOIN notification_channels c ON c.id = d.channel_id
       WHERE n.user_id = $1 AND n.source_ref LIKE $2 GROUP BY n.id ORDER BY n.idempotency_key`,
      [h.user, `alert|${plain.id}|%`],
    );
    expect(notifications.rows.map((row) => row.idempotency_key).sort()).toEqual(crossingTimes.map((time) => firingKey(plain.id, symbol, time)).sort());
    for (const row of notifications.rows) {
      expect(row.channels).toEqual(["email", "in_app"]);
      expect(row.payload.title).toMatch(/^plain: TEST:AL/);
      expect(row.payload.url).toBe(`http://localhost:3000/chart/${encodeURIComponent(symbol)}?tf=1h`);
      expect(row.payload.data).toMatchObject({ alertId: plain.id, ruleName: "plain", symbol, timeframe: "1h" });
    }
    const cooledNotifications = await h.pool.query(`SELECT 1 FROM notifications WHERE source_ref LIKE $1`, [`alert|${cooled.id}|%`]);
    expect(cooledNotifications.rowCount).toBe(2);
  });

  it("evaluates an alert on every symbol of its watchlist", async () => {
    const member = await insertSymbol(h.pool);
    const outsider = await insertSymbol(h.pool);
    const list = await createWatchlist(h.deps, h.user, { name: "list", symbols: [member] });
    const alert = await h.createAlertHeard(h.user, { rule: crossesAbove("listed", 50), watchlistId: list.id });
    await h.process([...barsWithCloses(member, [40, 60, 70]), ...barsWithCloses(outsider, [40, 60, 70])]);
    expect(await h.firingsOf(alert.id)).toEqual([expect.objectContaining({ symbol: member, t: BASE + HOUR })]);
  });

  it("a one-time watchlist alert whose members fire at the same moment fires once; re-armed, it fires again", async () => {
    const [first, second] = [await insertSymbol(h.pool), await insertSymbol(h.pool)];
    const list = await createWatchlist(h.deps, h.user, { name: "race", symbols: [first, second] });
    const created = await h.createAlertHeard(h.user, { rule: crossesAbove("race", 100, { oneTime: true }), watchlistId: list.id });
    const alert = { row: (await selectAlertById(h.pool, created.id))!, rule: parseRuleDocument(created.rule) };
    const firingDeps = { pool: h.pool, notify: notificationDeps({ pool: h.pool, keys: h.keys }), appUrl: "http://localhost:3000", now: () => Date.now() };
    const at = (symbol: string, barOpenTime: number) => fire(firingDeps, { alert, symbol, timeframe: "1h", barOpenTime, evaluateOn: "close", values: { close: 101 } });
    const outcomes = await Promise.all([at(first, BASE), at(second, BASE)]); // two partitions at once
    expect(outcomes.sort()).toEqual(["new", "refused"]);
    expect(await h.firingsOf(created.id)).toHaveLength(1);
    expect((await selectAlertById(h.pool, created.id))?.status).toBe("stopped");
    const winner = (await h.firingsOf(created.id))[0]!.symbol;
    expect(await at(winner, BASE)).toBe("repeat"); // a retry of the winner's job: recorded before, notified idempotently
    expect(await at(winner === first ? second : first, BASE)).toBe("refused");
    await setAlertStatusOf(h.deps, h.user, { id: created.id, status: "active" }); // re-armed
    expect(await at(second, BASE + HOUR)).toBe("new");
    expect(await h.firingsOf(created.id)).toHaveLength(2);
  });

  it("with the notifier running, a crossing ends as one in-app message (toast) for the user", async () => {
    const symbol = await insertSymbol(h.pool);
    const trader = await insertUser(h.pool, "toast");
    const alert = await h.createAlertHeard(trader, { rule: crossesAbove("toast me", 100), symbol });
    const notifier = new NotifierWorker({
      pool: h.pool, redis: h.redis, keys: h.keys,
      workerConnection: queueConnection("worker", REDIS_URL),
      producerConnection: queueConnection("producer", REDIS_URL),
      metrics: createNotifyMetrics(new Registry(), { defaultMetrics: false }),
      guard: { allowedHosts: new Set() }, smtpUrl: undefined, from: "Marketlens Test <alerts@marketlens.test>",
      timeoutMs: 2_000, attempts: 3, backoffMs: 50, concurrency: 2, lockMs: 5_000, bellSize: 10,
    });
    const subscriber = new Redis(REDIS_URL);
    const toasts: { title: string; url?: string; sourceRef: string }[] = [];
    subscriber.on("message", (_channel: string, message: string) => toasts.push(JSON.parse(message) as { title: string; url?: string; sourceRef: string }));
    await subscriber.subscribe(h.keys.notifyUser(trader));
    await notifier.start();
    try {
      const bars = barsWithCloses(symbol, [95, 99, 103]);
      const began = performance.now();
      await h.process(bars);
      await waitFor(() => toasts.length > 0, 10_000, "the in-app message");
      console.log(`alert: closed bar enqueued → in-app message published in ${(performance.now() - began).toFixed(1)} ms (3 bars through the queue, in process)`);
      const evaluated = fired.length;
      await h.queues.queueFor(symbol).add("bar-closed", barClosedJobData(bars[2]!, "closed"), { jobId: `resent-${suffix()}` }); // a re-sent job: no second toast
      await waitDrained(h.queues);
      const notifyQueue = notificationDeps({ pool: h.pool, keys: h.keys }).queue;
      await waitFor(async () => Object.values(await notifyQueue.getJobCounts("waiting", "active", "delayed")).every((count) => count === 0), 10_000, "the notify queue to drain");
      expect(fired.length).toBe(evaluated + 1); // the re-sent bar was evaluated again (and recorded nothing new)
      expect(toasts).toHaveLength(1);
      expect(toasts[0]).toMatchObject({ title: "toast me: TEST:" + symbol.split(":")[1] + " 103", sourceRef: `alert|${alert.id}|firing|${bars[2]!.openTime}` });
      expect(await h.redis.lrange(h.keys.notifyBell(trader), 0, -1)).toHaveLength(1);
    } finally {
      await subscriber.quit();
      await notifier.close();
    }
  });

  it("tick mode fires once inside the open bar, and not again when that bar closes", async () => {
    const symbol = await insertSymbol(h.pool);
    const alert = await h.createAlertHeard(h.user, { rule: crossesAbove("tick", 100), symbol, evaluateOn: "tick" });
    const closedBars = barsWithCloses(symbol, [90, 92, 95]);
    await h.process(closedBars); // the worker now holds the stream's state (needed to preview indicators)
    expect(await h.firingsOf(alert.id)).toEqual([]);

    const openTime = BASE + 3 * HOUR;
    const live = (close: number, seq: number) =>
      JSON.stringify({ stream: `${symbol}:1h`, epoch: "test", seq, kind: "live", bar: { symbol, timeframe: "1h", openTime, open: 95, high: Math.max(95, close), low: 94, close, volume: seq, trades: seq, source: "trades" } });
    await h.redis.publish(h.keys.barChannel(symbol, "1h"), live(99, 1)); // below: nothing
    await h.redis.publish(h.keys.barChannel(symbol, "1h"), live(101, 2)); // crosses while open
    await waitFor(async () => (await h.firingsOf(alert.id)).length === 1, 10_000, "the tick alert to fire");
    await h.redis.publish(h.keys.barChannel(symbol, "1h"), live(103, 3));
    await h.redis.publish(h.keys.barChannel(symbol, "1h"), live(99, 4));
    await h.redis.publish(h.keys.barChannel(symbol, "1h"), live(104, 5)); // crosses again inside the same bar: still once
    await h.started.worker.alerts!.whenIdle();
    const [firing] = await h.firingsOf(alert.id);
    expect(firing).toMatchObject({ t: openTime, evaluate_on: "tick", values: { close: 101 } });

    await h.process(barsWithCloses(symbol, [90, 92, 95, 104]).slice(3)); // the bar closes above 100
    expect(await h.firingsOf(alert.id)).toHaveLength(1);
    const notifications = await h.pool.query(`SELECT idempotency_key FROM notifications WHERE source_ref LIKE $1`, [`alert|${alert.id}|%`]);
    expect(notifications.rows).toEqual([{ idempotency_key: firingKey(alert.id, symbol, openTime) }]);
  });
});
