/**
 * User screens (a saved rule set whose matching symbols form the user's own live toplist): list, create,
 * pause/resume and delete, each user only their own (others' answer NOT_FOUND, like missing ones). The rule is
 * validated by the domain (`parseRuleDocument`; `cooldownBars`/`oneTime` are alert notions the scanner ignores).
 * Every write publishes on `{ns}:scanner:screens-changed` so the scanner reloads at once (its periodic check
 * covers a lost message). Live matches reach the browser over the gateway's `screen:{id}` stream.
 */
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import type pg from "pg";
import { parseRuleDocument } from "../domain/rules/rule-schema.ts";
import type { RuleDocument } from "../domain/rules/rule-types.ts";
import { countScreensOfUser, deleteScreen, insertScreen, selectScreenById, selectScreensOfUser, setScreenActive, type ScreenRow } from "../db/screens.repo.ts";
import type { RedisKeys } from "../redis/keys.ts";
import { AppError } from "./app-error.ts";
import { whenRedisReady } from "./service-deps.ts";
import { requireOwner } from "./ownership.ts";

/** Screens per user (each is evaluated every second over every symbol). */
export const MAX_SCREENS_PER_USER = 20;

export interface ScreensServiceDeps {
  pool: pg.Pool;
  redis: Redis;
  keys: RedisKeys;
}

export interface ScreenView {
  id: string;
  name: string;
  rule: RuleDocument;
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

function screenView(row: ScreenRow): ScreenView {
  return { id: row.id, name: row.name, rule: row.rule as RuleDocument, active: row.active, createdAt: row.createdAt.toISOString(), updatedAt: row.updatedAt.toISOString() };
}

function parseRule(document: unknown): RuleDocument {
  try {
    return parseRuleDocument(document);
  } catch (error) {
    throw new AppError("BAD_REQUEST", `invalid rule: ${(error as Error).message}`);
  }
}

async function publishScreensChanged(deps: ScreensServiceDeps, reason: string): Promise<void> {
  await whenRedisReady(deps.redis); // no offline queue: wait for the first connection instead of dropping the message
  await deps.redis.publish(deps.keys.scannerScreensChanged(), JSON.stringify({ reason })).catch(() => undefined);
}

export async function listScreens(deps: ScreensServiceDeps, userId: string): Promise<ScreenView[]> {
  return (await selectScreensOfUser(deps.pool, userId)).map(screenView);
}

/** Creates a screen from a rule document; its name is the rule's name. */
export async function createScreen(deps: ScreensServiceDeps, userId: string, input: { rule: unknown }): Promise<ScreenView> {
  const rule = parseRule(input.rule);
  if ((await countScreensOfUser(deps.pool, userId)) >= MAX_SCREENS_PER_USER) {
    throw new AppError("BAD_REQUEST", `screen limit reached: at most ${MAX_SCREENS_PER_USER} screens per user (delete one first)`);
  }
  const row = await insertScreen(deps.pool, { id: `s${randomUUID().replaceAll("-", "")}`, userId, name: rule.name, rule });
  await publishScreensChanged(deps, `create ${row.id}`);
  return screenView(row);
}

export async function setScreenActiveOf(deps: ScreensServiceDeps, userId: string, input: { id: string; active: boolean }): Promise<ScreenView> {
  requireOwner(await selectScreenById(deps.pool, input.id), userId, `screen ${input.id}`);
  const row = await setScreenActive(deps.pool, input.id, input.active);
  if (!row) throw new AppError("NOT_FOUND", `screen ${input.id} not found`);
  await publishScreensChanged(deps, `${input.active ? "resume" : "pause"} ${input.id}`);
  return screenView(row);
}

export async function deleteScreenOf(deps: ScreensServiceDeps, userId: string, id: string): Promise<{ id: string; deleted: true }> {
  requireOwner(await selectScreenById(deps.pool, id), userId, `screen ${id}`);
  await deleteScreen(deps.pool, id);
  await publishScreensChanged(deps, `delete ${id}`);
  return { id, deleted: true };
}
