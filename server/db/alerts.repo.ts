/**
 * alerts and alert_firings queries (pg, parameterized). Orchestration, validation and ownership live in
 * server/services/alerts.service.ts; the analytics worker reads active alerts per stream and records firings here.
 */
import type pg from "pg";

export type Queryable = pg.Pool | pg.ClientBase;
export type AlertStatus = "active" | "paused" | "stopped";
export type EvaluateOn = "close" | "tick";

export interface AlertRow {
  id: string;
  userId: string;
  name: string;
  /** The rule document as stored (validated on write). */
  rule: unknown;
  symbol: string | null;
  watchlistId: string | null;
  timeframe: string;
  evaluateOn: EvaluateOn;
  status: AlertStatus;
  channelIds: string[];
  createdAt: Date;
  updatedAt: Date;
}

export interface AlertWrite {
  userId: string;
  name: string;
  rule: unknown;
  symbol: string | null;
  watchlistId: string | null;
  timeframe: string;
  evaluateOn: EvaluateOn;
  channelIds: readonly string[];
}

const COLUMNS = `a."id"::text AS "id", a."user_id" AS "userId", a."name", a."rule", a."symbol", a."watchlist_id"::text AS "watchlistId",
  a."timeframe", a."evaluate_on" AS "evaluateOn", a."status", a."channel_ids"::text[] AS "channelIds", a."created_at" AS "createdAt", a."updated_at" AS "updatedAt"`;

export async function insertAlert(db: Queryable, alert: AlertWrite): Promise<AlertRow> {
  const result = await db.query<AlertRow>(
    `INSERT INTO "alerts" AS a ("user_id", "name", "rule", "symbol", "watchlist_id", "timeframe", "evaluate_on", "channel_ids")
     VALUES ($1, $2, $3::jsonb, $4, $5::uuid, $6, $7, $8::uuid[]) RETURNING ${COLUMNS}`,
    [alert.userId, alert.name, JSON.stringify(alert.rule), alert.symbol, alert.watchlistId, alert.timeframe, alert.evaluateOn, alert.channelIds],
  );
  return result.rows[0]!;
}

/** Replaces the editable fields of an alert; returns null when it no longer exists. */
export async function updateAlert(db: Queryable, id: string, alert: Omit<AlertWrite, "userId">): Promise<AlertRow | null> {
  const result = await db.query<AlertRow>(
    `UPDATE "alerts" AS a SET "name" = $2, "rule" = $3::jsonb, "symbol" = $4, "watchlist_id" = $5::uuid, "timeframe" = $6,
       "evaluate_on" = $7, "channel_ids" = $8::uuid[], "updated_at" = now()
     WHERE a."id" = $1::uuid RETURNING ${COLUMNS}`,
    [id, alert.name, JSON.stringify(alert.rule), alert.symbol, alert.watchlistId, alert.timeframe, alert.evaluateOn, alert.channelIds],
  );
  return result.rows[0] ?? null;
}

export async function selectAlertById(db: Queryable, id: string): Promise<AlertRow | null> {
  const result = await db.query<AlertRow>(`SELECT ${COLUMNS} FROM "alerts" a WHERE a."id" = $1::uuid`, [id]);
  return result.rows[0] ?? null;
}

export async function selectAlertsOfUser(db: Queryable, userId: string): Promise<AlertRow[]> {
  const result = await db.query<AlertRow>(`SELECT ${COLUMNS} FROM "alerts" a WHERE a."user_id" = $1 ORDER BY a."created_at" DESC, a."id"`, [userId]);
  return result.rows;
}

export async function countAlertsOfUser(db: Queryable, userId: string): Promise<number> {
  const result = await db.query<{ count: number }>(`SELECT count(*)::int AS "count" FROM "alerts" WHERE "user_id" = $1`, [userId]);
  return result.rows[0]?.count ?? 0;
}

export async function setAlertStatus(db: Queryable, id: string, status: AlertStatus): Promise<AlertRow | null> {
  const result = await db.query<AlertRow>(`UPDATE "alerts" AS a SET "status" = $2, "updated_at" = now() WHERE a."id" = $1::uuid RETURNING ${COLUMNS}`, [id, status]);
  return result.rows[0] ?? null;
}

export async function deleteAlert(db: Queryable, id: string): Promise<boolean> {
  const result = await db.query(`DELETE FROM "alerts" WHERE "id" = $1::uuid`, [id]);
  return (result.rowCount ?? 0) > 0;
}

/** Every active alert with each symbol it watches (its own, or each member of its watchlist): one row per pair. */
export async function selectActiveAlertTargets(db: Queryable): Promise<(AlertRow & { target: string })[]> {
  const result = await db.query<AlertRow & { target: string }>(
    `SELECT ${COLUMNS}, coalesce(a."symbol", m."symbol") AS "target"
     FROM "alerts" a LEFT JOIN "watchlists" w ON w."id" = a."watchlist_id" LEFT JOIN LATERAL unnest(w."symbols") AS m("symbol") ON true
     WHERE a."status" = 'active' AND coalesce(a."symbol", m."symbol") IS NOT NULL
     ORDER BY a."created_at", a."id"`,
  );
  return result.rows;
}

export interface FiringWrite {
  alertId: string;
  userId: string;
  symbol: string;
  timeframe: string;
  barOpenTime: number;
  firedAt: number;
  evaluateOn: EvaluateOn;
  values: Record<string, number | null>;
  idempotencyKey: string;
}

/** Records a firing; returns its id, or null when the idempotency key was already used (a retried job). */
export async function insertFiring(db: Queryable, firing: FiringWrite): Promise<string | null> {
  const result = await db.query<{ id: string }>(
    `INSERT INTO "alert_firings" ("alert_id", "user_id", "symbol", "timeframe", "bar_open_time", "fired_at", "evaluate_on", "values", "idempotency_key")
     VALUES ($1::uuid, $2, $3, $4, to_timestamp($5::float8 / 1000), to_timestamp($6::float8 / 1000), $7, $8::jsonb, $9)
     ON CONFLICT ("idempotency_key") DO NOTHING RETURNING "id"::text AS "id"`,
    [firing.alertId, firing.userId, firing.symbol, firing.timeframe, firing.barOpenTime, firing.firedAt, firing.evaluateOn, JSON.stringify(firing.values), firing.idempotencyKey],
  );
  return result.rows[0]?.id ?? null;
}

/**
 * What a one-time alert's firing under `key` may do, read inside the transaction that records it (after
 * `lockAlert`): "recorded" (this key is there: a retry), "refused" (the alert is gone or no longer active, or it
 * already fired under another key since it was last (re)activated, i.e. since its updated_at), or "free".
 */
export async function oneTimeFiringState(db: Queryable, alertId: string, key: string): Promise<"recorded" | "refused" | "free"> {
  const result = await db.query<{ status: string; recorded: boolean; other: boolean }>(
    `SELECT a."status",
       EXISTS (SELECT 1 FROM "alert_firings" WHERE "idempotency_key" = $2) AS "recorded",
       EXISTS (SELECT 1 FROM "alert_firings" f WHERE f."alert_id" = a."id" AND f."idempotency_key" <> $2 AND f."fired_at" >= a."updated_at") AS "other"
     FROM "alerts" a WHERE a."id" = $1::uuid`,
    [alertId, key],
  );
  const row = result.rows[0];
  if (row?.recorded) return "recorded";
  return !row || row.status !== "active" || row.other ? "refused" : "free";
}

/** Serializes the firings of one alert until the end of the transaction (one-time alerts on a watchlist). */
export async function lockAlert(db: Queryable, alertId: string): Promise<void> {
  await db.query(`SELECT pg_advisory_xact_lock(hashtext('alert-firing:' || $1))`, [alertId]);
}

/** Open time (ms) of the newest bar on which the alert fired for the symbol before `before`, or null. */
export async function lastFiringOpenTime(db: Queryable, alertId: string, symbol: string, before: number): Promise<number | null> {
  const result = await db.query<{ t: number | null }>(
    `SELECT (extract(epoch FROM max("bar_open_time")) * 1000)::float8 AS "t" FROM "alert_firings"
     WHERE "alert_id" = $1::uuid AND "symbol" = $2 AND "bar_open_time" < to_timestamp($3::float8 / 1000)`,
    [alertId, symbol, before],
  );
  return result.rows[0]?.t ?? null;
}

/** Stops an active alert (one-time alert fired); false when it was not active. */
export async function stopAlert(db: Queryable, id: string): Promise<boolean> {
  const result = await db.query(`UPDATE "alerts" SET "status" = 'stopped', "updated_at" = now() WHERE "id" = $1::uuid AND "status" = 'active'`, [id]);
  return (result.rowCount ?? 0) > 0;
}

export interface FiringRow {
  id: string;
  alertId: string;
  alertName: string;
  symbol: string;
  timeframe: string;
  barOpenTime: number;
  firedAt: Date;
  evaluateOn: EvaluateOn;
  values: Record<string, number | null>;
}

export interface FiringFilters {
  alertId?: string | undefined;
  symbol?: string | undefined;
  from?: number | undefined;
  to?: number | undefined;
}

export type FiringSort = "firedAt" | "barOpenTime" | "symbol" | "alert";

/** ORDER BY per sort key (whitelisted SQL, never user text); ties: newest firing first, then id. */
const FIRING_ORDER: Record<FiringSort, string> = {
  firedAt: `f."fired_at" {dir}, f."id" {dir}`,
  barOpenTime: `f."bar_open_time" {dir}, f."fired_at" DESC, f."id" DESC`,
  symbol: `f."symbol" {dir}, f."fired_at" DESC, f."id" DESC`,
  alert: `a."name" {dir}, a."id", f."fired_at" DESC, f."id" DESC`,
};

/** A user's firings (default newest first: fired_at, then id), with the total for the filters. */
export async function selectFiringsOfUser(
  db: Queryable,
  userId: string,
  filters: FiringFilters,
  page: { limit: number; offset: number; sort?: FiringSort; order?: "asc" | "desc" },
): Promise<{ rows: FiringRow[]; total: number }> {
  const orderBy = FIRING_ORDER[page.sort ?? "firedAt"].replaceAll("{dir}", page.order === "asc" ? "ASC" : "DESC");
  const where = `f."user_id" = $1 AND ($2::uuid IS NULL OR f."alert_id" = $2::uuid) AND ($3::text IS NULL OR f."symbol" = $3)
    AND ($4::float8 IS NULL OR f."bar_open_time" >= to_timestamp($4::float8 / 1000)) AND ($5::float8 IS NULL OR f."bar_open_time" < to_timestamp($5::float8 / 1000))`;
  const values = [userId, filters.alertId ?? null, filters.symbol ?? null, filters.from ?? null, filters.to ?? null];
  const [rows, count] = await Promise.all([
    db.query<FiringRow>(
      `SELECT f."id"::text AS "id", f."alert_id"::text AS "alertId", a."name" AS "alertName", f."symbol", f."timeframe",
         (extract(epoch FROM f."bar_open_time") * 1000)::float8 AS "barOpenTime", f."fired_at" AS "firedAt", f."evaluate_on" AS "evaluateOn", f."values"
       FROM "alert_firings" f JOIN "alerts" a ON a."id" = f."alert_id"
       WHERE ${where} ORDER BY ${orderBy} LIMIT $6 OFFSET $7`,
      [...values, page.limit, page.offset],
    ),
    db.query<{ total: number }>(`SELECT count(*)::int AS "total" FROM "alert_firings" f WHERE ${where}`, values),
  ]);
  return { rows: rows.rows, total: count.rows[0]?.total ?? 0 };
}
