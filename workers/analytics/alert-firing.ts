/**
 * What happens when an alert fires on a bar: the firing is recorded in alert_firings under its idempotency key
 * `alert|symbol|barOpenTime` (ON CONFLICT DO NOTHING: a retried job or a second tick on the same bar records
 * nothing new), then the notification is enqueued with the same key (enqueueNotification is idempotent too, so it
 * is always called: a crash between the two steps is healed by the retry), on the user's in-app channel plus the
 * alert's channels that still exist and are enabled. A one-time alert is then stopped; its firings are serialized
 * (advisory lock) and a second one since its activation is refused, so a watchlist alert whose members fire at the
 * same moment in two partitions still fires once.
 */
import type pg from "pg";
import type { Timeframe } from "../../server/domain/time/timeframes.ts";
import { insertFiring, oneTimeFiringState, lockAlert, stopAlert, type EvaluateOn } from "../../server/db/alerts.repo.ts";
import { listChannelsOfUser } from "../../server/db/notifications.repo.ts";
import { ensureInAppChannel } from "../../server/services/alerts-notify.ts";
import { enqueueNotification, type NotificationServiceDeps } from "../../server/services/notifications/notifications.service.ts";
import type { ActiveAlert } from "./alert-set-cache.ts";

export interface FiringDeps {
  pool: pg.Pool;
  notify: NotificationServiceDeps;
  /** Base URL of the web app for the chart link, e.g. http://localhost:3000. */
  appUrl: string;
  now: () => number;
}

export interface Firing {
  alert: ActiveAlert;
  symbol: string;
  timeframe: Timeframe;
  barOpenTime: number;
  evaluateOn: EvaluateOn;
  /** Values of the metrics the rule reads (and close), on that bar. */
  values: Record<string, number | null>;
}

export const firingKey = (alertId: string, symbol: string, barOpenTime: number) => `alert|${alertId}|${symbol}|${barOpenTime}`;

const formatNumber = (value: number | null | undefined) => (value === null || value === undefined ? "n/a" : Number(value.toPrecision(8)).toString());

/** "new": recorded now; "repeat": recorded before (retry, second tick); "refused": a one-time alert that already fired. */
export type FireOutcome = "new" | "repeat" | "refused";

async function record(deps: FiringDeps, firing: Firing, key: string): Promise<FireOutcome> {
  const write = {
    alertId: firing.alert.row.id,
    userId: firing.alert.row.userId,
    symbol: firing.symbol,
    timeframe: firing.timeframe,
    barOpenTime: firing.barOpenTime,
    firedAt: deps.now(),
    evaluateOn: firing.evaluateOn,
    values: firing.values,
    idempotencyKey: key,
  };
  if (!firing.alert.rule.oneTime) return (await insertFiring(deps.pool, write)) ? "new" : "repeat";
  const client = await deps.pool.connect();
  try {
    await client.query("BEGIN");
    await lockAlert(client, write.alertId);
    const state = await oneTimeFiringState(client, write.alertId, key);
    const outcome: FireOutcome = state === "recorded" ? "repeat" : state === "refused" ? "refused" : (await insertFiring(client, write)) ? "new" : "repeat";
    await client.query("COMMIT");
    return outcome;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** The user's in-app channel plus the alert's channels that still exist and are enabled. */
async function targetChannels(deps: FiringDeps, alert: ActiveAlert): Promise<string[]> {
  const channels = await listChannelsOfUser(deps.pool, alert.row.userId);
  const inApp = channels.find((channel) => channel.kind === "in_app")?.id ?? (await ensureInAppChannel(deps.pool, alert.row.userId));
  const usable = new Set(channels.filter((channel) => channel.enabled).map((channel) => channel.id));
  return [inApp, ...alert.row.channelIds.filter((id) => id !== inApp && usable.has(id))];
}

/** Records the firing and enqueues its notification (also for a repeat: enqueueing is idempotent and heals a crash). */
export async function fire(deps: FiringDeps, firing: Firing): Promise<FireOutcome> {
  const { alert, symbol, timeframe, barOpenTime } = firing;
  const key = firingKey(alert.row.id, symbol, barOpenTime);
  const outcome = await record(deps, firing, key);
  if (outcome === "refused") return outcome;
  const channelIds = await targetChannels(deps, alert);
  const price = firing.values.close ?? null;
  const when = new Date(barOpenTime).toISOString();
  const details = Object.entries(firing.values)
    .filter(([metric]) => metric !== "close")
    .map(([metric, value]) => `${metric} ${formatNumber(value)}`)
    .join(", ");
  await enqueueNotification(deps.notify, {
    userId: alert.row.userId,
    idempotencyKey: key,
    sourceRef: `alert|${alert.row.id}|firing|${barOpenTime}`,
    channelIds,
    payload: {
      title: `${alert.rule.name}: ${symbol} ${formatNumber(price)}`,
      body: `${alert.rule.name} fired on ${symbol} ${timeframe} (bar ${when}${firing.evaluateOn === "tick" ? ", still open" : ""}): close ${formatNumber(price)}${details ? `; ${details}` : ""}.`,
      severity: "info",
      url: `${deps.appUrl.replace(/\/$/, "")}/chart/${encodeURIComponent(symbol)}?tf=${timeframe}`,
      data: { alertId: alert.row.id, ruleName: alert.rule.name, symbol, timeframe, barOpenTime, price, evaluateOn: firing.evaluateOn, values: firing.values },
    },
  });
  if (alert.rule.oneTime) await stopAlert(deps.pool, alert.row.id);
  return outcome;
}

/**
 * True when a firing on `barOpenTime` falls inside the cooldown of the previous one: fewer than cooldownBars + 1
 * stored bars after it (bars, not wall time, so market closures do not count).
 */
export async function inCooldown(pool: pg.Pool, options: { symbol: string; timeframe: Timeframe; lastFiring: number; barOpenTime: number; cooldownBars: number }): Promise<boolean> {
  const { symbol, timeframe, lastFiring, barOpenTime, cooldownBars } = options;
  if (cooldownBars === 0) return false;
  const result = await pool.query<{ bars: number }>(
    `SELECT count(*)::int AS "bars" FROM candles WHERE symbol = $1 AND timeframe = $2
       AND open_time > to_timestamp($3::float8 / 1000) AND open_time < to_timestamp($4::float8 / 1000)`,
    [symbol, timeframe, lastFiring, barOpenTime],
  );
  const between = result.rows[0]?.bars ?? 0; // stored bars strictly between the two
  return between + 1 < cooldownBars + 1;
}
