/**
 * The screens API through tRPC createCaller on real PostgreSQL and Redis: create (validated rule, message names
 * the bad path), list only one's own, pause/resume and delete, user B gets NOT_FOUND on A's screen, and every
 * write is announced on `{ns}:scanner:screens-changed` for the scanner.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alertsTestContext, insertUser, type AlertsTestContext } from "./alerts-test-helpers.ts";

const RULE = { name: "oversold", timeframe: "1m", when: { all: [{ metric: "rsi14", op: "<", value: 30 }] } };

describe("screens API", () => {
  let context: AlertsTestContext;
  let userA: string;
  let userB: string;
  const announced: string[] = [];
  let subscriber: AlertsTestContext["redis"];

  beforeAll(async () => {
    context = alertsTestContext("screens");
    userA = await insertUser(context.pool, "screens A");
    userB = await insertUser(context.pool, "screens B");
    subscriber = context.redis.duplicate();
    subscriber.on("message", (_channel: string, message: string) => announced.push(message));
    await subscriber.subscribe(context.deps.keys.scannerScreensChanged());
  });
  afterAll(async () => {
    await subscriber.quit().catch(() => undefined);
    await context.pool.query(`DELETE FROM "screens" WHERE "user_id" = ANY($1)`, [[userA, userB]]);
    await context.pool.query(`DELETE FROM "users" WHERE "id" = ANY($1)`, [[userA, userB]]);
    await context.close();
  });

  it("creates a screen from a rule document, lists it for its owner only, and announces it", async () => {
    const created = await context.as(userA).screens.create({ rule: RULE });
    expect(created).toMatchObject({ name: "oversold", active: true, rule: RULE });
    expect(created.id).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect((await context.as(userA).screens.list()).map((screen) => screen.id)).toEqual([created.id]);
    expect(await context.as(userB).screens.list()).toEqual([]);
    await expect.poll(() => announced.some((message) => message.includes(created.id))).toBe(true);
    const stored = await context.pool.query(`SELECT "user_id", "active", "rule"->>'timeframe' AS "timeframe" FROM "screens" WHERE "id" = $1`, [created.id]);
    expect(stored.rows).toEqual([{ user_id: userA, active: true, timeframe: "1m" }]);
  });

  it("refuses an invalid rule with the path at fault, storing nothing", async () => {
    const before = (await context.as(userA).screens.list()).length;
    await expect(context.as(userA).screens.create({ rule: { ...RULE, when: { all: [{ metric: "rsi99", op: "<", value: 30 }] } } })).rejects.toThrow(
      /invalid rule: when\.all\[0\]\.metric: unknown metric "rsi99"/,
    );
    expect((await context.as(userA).screens.list()).length).toBe(before);
  });

  it("pauses, resumes and deletes; another user gets NOT_FOUND and changes nothing", async () => {
    const screen = await context.as(userA).screens.create({ rule: { ...RULE, name: "second" } });
    await expect(context.as(userB).screens.setActive({ id: screen.id, active: false })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(context.as(userB).screens.delete({ id: screen.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await context.as(userA).screens.setActive({ id: screen.id, active: false })).active).toBe(false);
    expect((await context.as(userA).screens.setActive({ id: screen.id, active: true })).active).toBe(true);
    expect(await context.as(userA).screens.delete({ id: screen.id })).toEqual({ id: screen.id, deleted: true });
    expect((await context.as(userA).screens.list()).map((item) => item.name)).toEqual(["oversold"]);
    await expect(context.as(userA).screens.delete({ id: screen.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
