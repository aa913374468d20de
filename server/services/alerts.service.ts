/**
 * Alert use cases for the API (tRPC `alerts.*`, REST /api/v1/alerts): create/update with validation (the rule
 * document through `parseRuleDocument`, whose message names the path at fault; the symbol must be known and
 * active; channels must be the user's), per-user limit (ALERTS_MAX_PER_USER), pause/resume, delete, the firing
 * history, and "test this rule against the last N bars". Ownership: another user's alert answers 404 like a
 * missing one. Every write publishes `{ns}:alerts:changed` so the analytics worker reloads its alert sets at once.
 * Watchlists (alert targets): alerts-watchlists.service.ts. Evaluation: workers/analytics/alert-*.ts.
 */
import type pg from "pg";
import type { Redis } from "ioredis";
import { parseRuleDocument } from "../domain/rules/rule-schema.ts";
import type { RuleDocument } from "../domain/rules/rule-types.ts";
import {
  countAlertsOfUser,
  deleteAlert,
  insertAlert,
  selectAlertById,
  selectAlertsOfUser,
  selectFiringsOfUser,
  setAlertStatus,
  updateAlert,
  type AlertRow,
  type AlertStatus,
  type EvaluateOn,
  type FiringFilters,
  type FiringSort,
} from "../db/alerts.repo.ts";
import { listChannelsOfUser } from "../db/notifications.repo.ts";
import { selectWatchlistById } from "../db/watchlists.repo.ts";
import { env } from "../env.ts";
import type { RedisKeys } from "../redis/keys.ts";
import { AppError } from "./app-error.ts";
import { whenRedisReady } from "./service-deps.ts";
import { ensureInAppChannel } from "./alerts-notify.ts";
import { requireKnownSymbols } from "./alerts-symbols.ts";
import { requireOwner } from "./ownership.ts";

export interface AlertsServiceDeps {
  pool: pg.Pool;
  redis: Redis;
  keys: RedisKeys;
  now: () => number;
  /** Default: env ALERTS_MAX_PER_USER. */
  maxAlertsPerUser?: number;
}

/** An alert as its owner sees it. */
export interface AlertView {
  id: string;
  name: string;
  rule: RuleDocument;
  symbol: string | null;
  watchlistId: string | null;
  timeframe: string;
  evaluateOn: EvaluateOn;
  status: AlertStatus;
  /** Notification channels besides in-app (in-app is always told). */
  channelIds: string[];
  createdAt: string;
  updatedAt: string;
}

export interface CreateAlertInput {
  rule: unknown;
  symbol?: string | undefined;
  watchlistId?: string | undefined;
  evaluateOn?: EvaluateOn | undefined;
  channelIds?: readonly string[] | undefined;
}

export interface UpdateAlertInput extends Partial<CreateAlertInput> {
  id: string;
}

export interface FiringView {
  id: string;
  alertId: string;
  alertName: string;
  symbol: string;
  timeframe: string;
  /** Open time (epoch ms) of the bar it fired on. */
  barOpenTime: number;
  firedAt: string;
  evaluateOn: EvaluateOn;
  /** Values of the metrics the rule reads, on that bar. */
  values: Record<string, number | null>;
}

export interface FiringPage {
  items: FiringView[];
  total: number;
  page: number;
  pageSize: number;
}

export function alertView(row: AlertRow): AlertView {
  return {
    id: row.id,
    name: row.name,
    rule: row.rule as RuleDocument,
    symbol: row.symbol,
    watchlistId: row.watchlistId,
    timeframe: row.timeframe,
    evaluateOn: row.evaluateOn,
    status: row.status,
    channelIds: row.channelIds,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** The rule document, validated: BAD_REQUEST `rule: when.all[0].metric: unknown metric "rsi" (did you mean rsi14?)`. */
export function parseRule(document: unknown): RuleDocument {
  try {
    return parseRuleDocument(document);
  } catch (error) {
    throw new AppError("BAD_REQUEST", `invalid rule: ${(error as Error).message}`);
  }
}

/** tells the analytics worker to drop its cached alert sets; a lost message is covered by its periodic reload. */
export async function publishAlertsChanged(deps: Pick<AlertsServiceDeps, "redis" | "keys">, reason: string): Promise<void> {
  // The web's Redis client has no offline queue: a publish before it has connected would be dropped (and the
  // worker would only notice at its periodic reload, up to a minute later).
  await whenRedisReady(deps.redis);
  await deps.redis.publish(deps.keys.alertsChanged(), JSON.stringify({ reason })).catch(() => undefined);
}

async function requireOwnedAlert(deps: AlertsServiceDeps, userId: string, id: string): Promise<AlertRow> {
  return requireOwner(await selectAlertById(deps.pool, id), userId, `alert ${id}`);
}

async function requireOwnedChannels(deps: AlertsServiceDeps, userId: string, channelIds: readonly string[]): Promise<string[]> {
  const unique = [...new Set(channelIds)];
  if (unique.length === 0) return [];
  const owned = new Set((await listChannelsOfUser(deps.pool, userId)).map((channel) => channel.id));
  const unknown = unique.filter((id) => !owned.has(id));
  if (unknown.length > 0) throw new AppError("BAD_REQUEST", `unknown notification channel ${unknown.join(", ")}`);
  return unique;
}

/** Checks the target (one known, active symbol, or one of the user's watchlists). */
async function resolveTarget(deps: AlertsServiceDeps, userId: string, input: { symbol?: string | null | undefined; watchlistId?: string | null | undefined }) {
  const symbol = input.symbol ?? null;
  const watchlistId = input.watchlistId ?? null;
  if ((symbol === null) === (watchlistId === null)) throw new AppError("BAD_REQUEST", "give either symbol or watchlistId (one of them)");
  if (symbol !== null) await requireKnownSymbols(deps.pool, [symbol], { active: true });
  if (watchlistId !== null) requireOwner(await selectWatchlistById(deps.pool, watchlistId), userId, `watchlist ${watchlistId}`);
  return { symbol, watchlistId };
}

export async function listAlerts(deps: AlertsServiceDeps, userId: string): Promise<AlertView[]> {
  return (await selectAlertsOfUser(deps.pool, userId)).map(alertView);
}

export async function getAlert(deps: AlertsServiceDeps, userId: string, id: string): Promise<AlertView> {
  return alertView(await requireOwnedAlert(deps, userId, id));
}

export async function createAlert(deps: AlertsServiceDeps, userId: string, input: CreateAlertInput): Promise<AlertView> {
  const rule = parseRule(input.rule);
  const target = await resolveTarget(deps, userId, input);
  const channelIds = await requireOwnedChannels(deps, userId, input.channelIds ?? []);
  const limit = deps.maxAlertsPerUser ?? env().ALERTS_MAX_PER_USER;
  await ensureInAppChannel(deps.pool, userId); // in-app is always told
  const client = await deps.pool.connect();
  let row: AlertRow;
  try {
    await client.query("BEGIN");
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('alerts-of:' || $1))`, [userId]); // concurrent creates count one by one
    if ((await countAlertsOfUser(client, userId)) >= limit) {
      throw new AppError("BAD_REQUEST", `alert limit reached: at most ${limit} alerts per user (delete one first)`);
    }
    row = await insertAlert(client, { userId, name: rule.name, rule: input.rule, ...target, timeframe: rule.timeframe, evaluateOn: input.evaluateOn ?? "close", channelIds });
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
  await publishAlertsChanged(deps, `create ${row.id}`);
  return alertView(row);
}

/** Replaces the given fields; the status is kept (setStatus changes it). */
export async function updateAlertOf(deps: AlertsServiceDeps, userId: string, input: UpdateAlertInput): Promise<AlertView> {
  const current = await requireOwnedAlert(deps, userId, input.id);
  const ruleDocument = input.rule ?? current.rule;
  const rule = parseRule(ruleDocument);
  // a new symbol replaces a watchlist target and the other way round; neither given: the target stays
  const target =
    input.symbol !== undefined || input.watchlistId !== undefined
      ? await resolveTarget(deps, userId, input.symbol !== undefined ? { symbol: input.symbol } : { watchlistId: input.watchlistId })
      : { symbol: current.symbol, watchlistId: current.watchlistId };
  const channelIds = input.channelIds !== undefined ? await requireOwnedChannels(deps, userId, input.channelIds) : current.channelIds;
  const row = await updateAlert(deps.pool, current.id, {
    name: rule.name,
    rule: ruleDocument,
    ...target,
    timeframe: rule.timeframe,
    evaluateOn: input.evaluateOn ?? current.evaluateOn,
    channelIds,
  });
  if (!row) throw new AppError("NOT_FOUND", `alert ${input.id} not found`);
  await publishAlertsChanged(deps, `update ${row.id}`);
  return alertView(row);
}

/** Pause ("paused") or resume ("active"; re-arms a stopped one-time alert). */
export async function setAlertStatusOf(deps: AlertsServiceDeps, userId: string, input: { id: string; status: "active" | "paused" }): Promise<AlertView> {
  const current = await requireOwnedAlert(deps, userId, input.id);
  const row = await setAlertStatus(deps.pool, current.id, input.status);
  if (!row) throw new AppError("NOT_FOUND", `alert ${input.id} not found`);
  await publishAlertsChanged(deps, `status ${row.id}`);
  return alertView(row);
}

/** Deletes an alert and its history. */
export async function deleteAlertOf(deps: AlertsServiceDeps, userId: string, id: string): Promise<{ id: string; deleted: true }> {
  const current = await requireOwnedAlert(deps, userId, id);
  await deleteAlert(deps.pool, current.id);
  await publishAlertsChanged(deps, `delete ${current.id}`);
  return { id: current.id, deleted: true };
}

/** The user's firings, newest first unless sorted otherwise; `alertId` must be one of theirs (404 otherwise). */
export async function alertHistory(
  deps: AlertsServiceDeps,
  userId: string,
  input: FiringFilters & { page?: number; pageSize?: number; sort?: FiringSort; order?: "asc" | "desc" },
): Promise<FiringPage> {
  if (input.alertId !== undefined) await requireOwnedAlert(deps, userId, input.alertId);
  if (input.from !== undefined && input.to !== undefined && input.from >= input.to) throw new AppError("BAD_REQUEST", "from must be before to");
  const page = input.page ?? 1;
  const pageSize = input.pageSize ?? 25;
  const { rows, total } = await selectFiringsOfUser(
    deps.pool,
    userId,
    { alertId: input.alertId, symbol: input.symbol, from: input.from, to: input.to },
    { limit: pageSize, offset: (page - 1) * pageSize, sort: input.sort ?? "firedAt", order: input.order ?? "desc" },
  );
  return {
    items: rows.map((row) => ({ ...row, barOpenTime: Number(row.barOpenTime), firedAt: row.firedAt.toISOString() })),
    total,
    page,
    pageSize,
  };
}
