/**
 * The alerts API through tRPC createCaller on real PostgreSQL and Redis: CRUD, validation messages (unknown
 * metric, unknown/inactive symbol, foreign channel), ownership (user B gets NOT_FOUND on A's alert), the per-user
 * limit, pause/resume, history filters and pagination, the `{ns}:alerts:changed` publish, watchlists, and `test`
 * returning exactly what `marketlens alerts test` prints for the same candles.
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAlertsTestCommand } from "../cli/alerts-test.command.ts";
import { fixtureRows, rowsToBars } from "../domain/indicators/indicator-test-helpers.ts";
import { upsertCandles } from "../db/candles.repo.ts";
import { insertFiring } from "../db/alerts.repo.ts";
import { insertChannel } from "../db/notifications.repo.ts";
import { env } from "../env.ts";
import { createAlert } from "./alerts.service.ts";
import { closeNotificationDeps } from "./alerts-notify.ts";
import { alertsTestContext, insertSymbol, insertUser, type AlertsTestContext } from "./alerts-test-helpers.ts";

const rule = (overrides: Record<string, unknown> = {}) => ({
  name: "btc above 100k",
  timeframe: "1h",
  when: { all: [{ metric: "close", op: "crosses_above", value: 100_000 }] },
  ...overrides,
});

describe("alerts service (tRPC, PostgreSQL, Redis)", () => {
  let context: AlertsTestContext;
  let alice: string;
  let bob: string;
  let symbol: string;

  beforeAll(async () => {
    context = alertsTestContext("alerts-api");
    alice = await insertUser(context.pool, "alice");
    bob = await insertUser(context.pool, "bob");
    symbol = await insertSymbol(context.pool);
  });
  afterAll(async () => {
    await closeNotificationDeps(context.deps.keys);
    await context.close();
  });

  it("creates, reads, lists, updates, pauses, resumes and deletes an alert; publishes every change", async () => {
    const subscriber = new Redis(env().REDIS_URL);
    const messages: string[] = [];
    subscriber.on("message", (_channel: string, message: string) => messages.push(message));
    await subscriber.subscribe(context.deps.keys.alertsChanged());
    try {
      const api = context.as(alice);
      const created = await api.alerts.create({ rule: rule({ cooldownBars: 2 }), symbol: symbol.toLowerCase() });
      expect(created).toMatchObject({ name: "btc above 100k", symbol, watchlistId: null, timeframe: "1h", evaluateOn: "close", status: "active", channelIds: [] });
      expect(created.rule).toEqual(rule({ cooldownBars: 2 })); // stored as given
      expect(await api.alerts.get({ id: created.id })).toEqual(created);
      expect((await api.alerts.list()).map((alert) => alert.id)).toContain(created.id);

      const updated = await api.alerts.update({ id: created.id, rule: rule({ name: "renamed", timeframe: "5m" }), evaluateOn: "tick" });
      expect(updated).toMatchObject({ name: "renamed", timeframe: "5m", evaluateOn: "tick", symbol, status: "active" });
      expect((await api.alerts.setStatus({ id: created.id, status: "paused" })).status).toBe("paused");
      expect((await api.alerts.setStatus({ id: created.id, status: "active" })).status).toBe("active");
      expect(await api.alerts.delete({ id: created.id })).toEqual({ id: created.id, deleted: true });
      await expect(api.alerts.get({ id: created.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
      // every write told the analytics workers (create, update, 2 × status, delete)
      const deadline = Date.now() + 5_000;
      while (messages.length < 5 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(messages).toHaveLength(5);
    } finally {
      await subscriber.quit();
    }
  });

  it("refuses bad rules, unknown or inactive symbols and foreign channels with a message, and changes nothing", async () => {
    const api = context.as(alice);
    const before = (await api.alerts.list()).length;
    const badMetric = rule({ when: { all: [{ metric: "rsi", op: "<", value: 30 }] } });
    await expect(api.alerts.create({ rule: badMetric, symbol })).rejects.toThrow('invalid rule: when.all[0].metric: unknown metric "rsi" (did you mean rsi14?)');
    await expect(api.alerts.create({ rule: rule(), symbol: "TEST:NOSUCHSYMBOL" })).rejects.toThrow("unknown symbol TEST:NOSUCHSYMBOL");
    const inactive = await insertSymbol(context.pool, { active: false });
    await expect(api.alerts.create({ rule: rule(), symbol: inactive })).rejects.toThrow(`symbol ${inactive} is inactive`);
    await expect(api.alerts.create({ rule: rule(), symbol: "not a symbol" })).rejects.toThrow("is invalid");
    await expect(api.alerts.create({ rule: rule() })).rejects.toThrow("give either symbol or watchlistId");
    const bobsChannel = await insertChannel(context.pool, { userId: bob, kind: "email", name: "bob mail", config: { address: "bob@example.test" }, secret: null, enabled: true, ratePerMinute: 30, rateBurst: 10 });
    await expect(api.alerts.create({ rule: rule(), symbol, channelIds: [bobsChannel.id] })).rejects.toThrow(`unknown notification channel ${bobsChannel.id}`);
    expect((await api.alerts.list()).length).toBe(before);
  });

  it("hides one user's alerts from another (NOT_FOUND, like a missing one)", async () => {
    const mine = await context.as(alice).alerts.create({ rule: rule(), symbol });
    const other = context.as(bob);
    for (const call of [
      () => other.alerts.get({ id: mine.id }),
      () => other.alerts.update({ id: mine.id, evaluateOn: "tick" }),
      () => other.alerts.setStatus({ id: mine.id, status: "paused" }),
      () => other.alerts.delete({ id: mine.id }),
      () => other.alerts.history({ alertId: mine.id }),
    ]) {
      await expect(call()).rejects.toMatchObject({ code: "NOT_FOUND", message: `alert ${mine.id} not found` });
    }
    expect((await other.alerts.list()).map((alert) => alert.id)).not.toContain(mine.id);
    expect(await context.as(alice).alerts.get({ id: mine.id })).toMatchObject({ status: "active", evaluateOn: "close" });
  });

  it("enforces the per-user limit", async () => {
    const user = await insertUser(context.pool);
    const deps = { ...context.deps, maxAlertsPerUser: 2 };
    await createAlert(deps, user, { rule: rule(), symbol });
    await createAlert(deps, user, { rule: rule(), symbol });
    await expect(createAlert(deps, user, { rule: rule(), symbol })).rejects.toThrow("alert limit reached: at most 2 alerts per user");
    expect(await context.as(user).alerts.list()).toHaveLength(2);
  });

  it("targets a watchlist; watchlists are owned and validated", async () => {
    const api = context.as(alice);
    const second = await insertSymbol(context.pool);
    const list = await api.alerts.watchlists.create({ name: "majors", symbols: [symbol, second] });
    expect(list.symbols).toEqual([symbol, second]);
    await expect(api.alerts.watchlists.create({ name: "bad", symbols: ["TEST:NOPE"] })).rejects.toThrow("unknown symbol TEST:NOPE");
    const alert = await api.alerts.create({ rule: rule(), watchlistId: list.id });
    expect(alert).toMatchObject({ symbol: null, watchlistId: list.id });
    await expect(context.as(bob).alerts.create({ rule: rule(), watchlistId: list.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(context.as(bob).alerts.watchlists.update({ id: list.id, name: "mine now" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await api.alerts.watchlists.update({ id: list.id, symbols: [second] })).symbols).toEqual([second]);
    await api.alerts.watchlists.delete({ id: list.id });
    await expect(api.alerts.get({ id: alert.id })).rejects.toMatchObject({ code: "NOT_FOUND" }); // its alerts went with it
  });

  it("pages the history newest first, filters it by alert, symbol and date range, and sorts it", async () => {
    const user = await insertUser(context.pool);
    const api = context.as(user);
    const other = await insertSymbol(context.pool);
    const first = await api.alerts.create({ rule: rule({ name: "first" }), symbol });
    const second = await api.alerts.create({ rule: rule({ name: "second" }), symbol: other });
    const hour = 3_600_000;
    const base = Date.UTC(2026, 0, 1);
    // 5 firings of `first` on symbol, 3 of `second` on other; fired_at increases with the bar
    for (let index = 0; index < 8; index++) {
      const alert = index < 5 ? first : second;
      const target = index < 5 ? symbol : other;
      const barOpenTime = base + index * hour;
      await insertFiring(context.pool, {
        alertId: alert.id, userId: user, symbol: target, timeframe: "1h", barOpenTime, firedAt: barOpenTime + 1_000,
        evaluateOn: "close", values: { close: 100 + index }, idempotencyKey: `alert|${alert.id}|${target}|${barOpenTime}`,
      });
    }
    const all = await api.alerts.history({ pageSize: 3 });
    expect(all.total).toBe(8);
    expect(all.items.map((item) => item.barOpenTime)).toEqual([base + 7 * hour, base + 6 * hour, base + 5 * hour]);
    expect(all.items[0]).toMatchObject({ alertId: second.id, alertName: "second", symbol: other, timeframe: "1h", evaluateOn: "close", values: { close: 107 } });
    const page3 = await api.alerts.history({ pageSize: 3, page: 3 });
    expect(page3.items.map((item) => item.barOpenTime)).toEqual([base + hour, base]);
    const byAlert = await api.alerts.history({ alertId: first.id });
    expect(byAlert.total).toBe(5);
    expect(byAlert.items.every((item) => item.alertId === first.id)).toBe(true);
    expect((await api.alerts.history({ symbol: other })).total).toBe(3);
    const range = await api.alerts.history({ from: base + 2 * hour, to: base + 6 * hour });
    expect(range.items.map((item) => item.barOpenTime)).toEqual([base + 5 * hour, base + 4 * hour, base + 3 * hour, base + 2 * hour]);
    expect((await context.as(alice).alerts.history({ symbol: other })).total).toBe(0); // never another user's
    await expect(api.alerts.history({ from: base + hour, to: base })).rejects.toThrow("from must be before to");
    // sorted: oldest first; by alert name (ties newest first); by symbol descending; a bad key is refused
    expect((await api.alerts.history({ order: "asc", pageSize: 3 })).items.map((item) => item.barOpenTime)).toEqual([base, base + hour, base + 2 * hour]);
    const byName = await api.alerts.history({ sort: "alert", order: "asc", pageSize: 8 });
    expect(byName.items.map((item) => [item.alertName, item.barOpenTime])).toEqual([
      ...[4, 3, 2, 1, 0].map((index) => ["first", base + index * hour]),
      ...[7, 6, 5].map((index) => ["second", base + index * hour]),
    ]);
    const expectedSymbolOrder = [symbol, other].sort().reverse();
    expect([...new Set((await api.alerts.history({ sort: "symbol", order: "desc", pageSize: 8 })).items.map((item) => item.symbol))]).toEqual(expectedSymbolOrder);
    await expect(api.alerts.history({ sort: "close" as never })).rejects.toThrow(/sort must be one of firedAt, barOpenTime, symbol, alert/);
  });

  it("channels.*: an alert's owner has one in-app channel; create, send test, delivery log, ownership", async () => {
    const user = await insertUser(context.pool);
    const api = context.as(user);
    await api.alerts.create({ rule: rule(), symbol });
    await api.alerts.create({ rule: rule(), symbol });
    expect((await api.channels.list()).map((channel) => channel.kind)).toEqual(["in_app"]); // created once, in-app is always told
    const webhook = await api.channels.create({ kind: "webhook", name: "hook", config: { url: "https://93.184.215.14/marketlens" } });
    expect(webhook.secret).toMatch(/.{16,}/); // shown this once
    expect((await api.channels.list()).find((channel) => channel.id === webhook.id)).not.toHaveProperty("secret");
    await expect(api.channels.create({ kind: "slack", name: "meta", config: { url: "http://169.254.169.254/latest" } })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    const sent = await api.channels.sendTest({ id: webhook.id });
    expect(sent.deliveries).toEqual([expect.objectContaining({ channelId: webhook.id, status: "pending" })]);
    await expect(context.as(bob).channels.sendTest({ id: webhook.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    const log = await api.channels.deliveries({ channelId: webhook.id });
    expect(log).toMatchObject({ total: 1, page: 1, pageSize: 25 });
    expect((await context.as(bob).channels.deliveries({})).items.every((item) => item.channelId !== webhook.id)).toBe(true);
  });

  it("test returns the same firings as `marketlens alerts test` on the same candles", async () => {
    const testSymbol = await insertSymbol(context.pool, { prefix: "BT" });
    const bars = rowsToBars(fixtureRows().slice(0, 600), testSymbol);
    await upsertCandles(context.pool, bars);
    const document = rule({
      name: "rsi cross or macd",
      when: { any: [{ metric: "rsi14", op: "crosses_below", value: 35 }, { all: [{ metric: "macd", op: "crosses_above", value: { metric: "macdSignal" } }, { metric: "close", op: ">", value: { metric: "sma50" } }] }] },
      cooldownBars: 3,
    });
    const directory = await mkdtemp(join(tmpdir(), "alerts-test-"));
    await writeFile(join(directory, "rule.json"), JSON.stringify(document));
    await writeFile(join(directory, "candles.json"), JSON.stringify(bars.slice(-400).map(({ openTime, open, high, low, close, volume }) => [openTime, open, high, low, close, volume])));
    let printed = "";
    const output = new Writable({ write(chunk, _encoding, done) { printed += String(chunk); done(); } });
    await runAlertsTestCommand({ rule: join(directory, "rule.json"), candles: join(directory, "candles.json") }, output);
    const expected = printed.trim().split("\n").filter(Boolean).map((line) => JSON.parse(line) as Record<string, number | null>);
    expect(expected.length).toBeGreaterThan(2); // the comparison means something

    const result = await context.as(alice).alerts.test({ rule: document, symbol: testSymbol, lastN: 400 });
    expect(result).toMatchObject({ symbol: testSymbol, timeframe: "1h", bars: 400, from: bars.at(-400)!.openTime, to: bars.at(-1)!.openTime });
    expect(result.firings).toEqual(expected);
    await expect(context.as(alice).alerts.test({ rule: rule({ when: { all: [{ metric: "rsi", op: "<", value: 1 }] } }), symbol: testSymbol })).rejects.toThrow("unknown metric");
  });
});
