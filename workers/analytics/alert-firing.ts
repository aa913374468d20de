/**
 * What happens when an alert fires on a bar: the firing is recorded in alert_firings under its idempotency key
 * `alert|symbol|barOpenTime` (ON CONFLICT DO NOTHING: a retried job or a second tick on the same bar records
 * nothing new), then the notification is enqueued with the same key (enqueueNotification is idempotent too, so it
 * is always called: a crash between the two steps is healed by the retry), on the user's in-app channel plus the
 * alert's channels that still exist and are enabled. A one-time alert is then stopped.
 */
import type pg from "pg";
import type { Timeframe } from "../../server/domain/time/timeframes.ts";
import { insertFiring, stopAlert, type EvaluateOn } from "../../server/db/alerts.repo.ts";
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

/** Records the firing and enqueues its notification; returns false when this firing had been recorded before. */
export async function fire(deps: FiringDeps, firing: Firing): Promise<boolean> {
  const { alert, symbol, timeframe, barOpenTime } = firing;
  const key = firingKey(alert.row.id, symbol, barOpenTime);
  const firingId = await insertFiring(deps.pool, {
    alertId: alert.row.id,
    userId: alert.row.userId,
    symbol,
    timeframe,
    barOpenTime,
    firedAt: deps.now(),
    evaluateOn: firing.evaluateOn,
    values: firing.values,
    idempotencyKey: key,
  });
  const inApp = await ensureInAppChannel(deps.pool, alert.row.userId);
  const usable = new Set((await listChannelsOfUser(deps.pool, alert.row.userId)).filter((channel) => channel.enabled).map((channel) => channel.id));
  const channelIds = [inApp, ...alert.row.channelIds.filter((id) => id !== inApp && usable.has(id))];
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
  return firingId !== null;
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
