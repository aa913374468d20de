/**
 * Notifications (tables notification_channels, notifications, deliveries, delivery_attempts): queries only,
 * through `pg` with $n parameters. The delivery state machine (pending → sending → delivered | failed → dead)
 * is driven by server/services/notifications/delivery.service.ts; the guards in the WHERE clauses make every
 * transition safe to repeat. Times are epoch ms.
 */
import type pg from "pg";
import type { AttemptOutcome, ChannelKind, ChannelRow, DeliveryContext, DeliveryStatus, NotificationPayload, NotificationRow } from "../domain/notifications/notification-types.ts";

type Queryable = pg.Pool | pg.PoolClient | pg.Client;

const CHANNEL_COLUMNS = `c.id::text AS id, c.user_id, c.kind, c.name, c.config, c.secret, c.enabled, c.rate_per_minute, c.rate_burst, c.created_at, c.updated_at`;

interface ChannelDbRow {
  id: string;
  user_id: string;
  kind: ChannelKind;
  name: string;
  config: Record<string, unknown>;
  secret: string | null;
  enabled: boolean;
  rate_per_minute: number;
  rate_burst: number;
  created_at: Date;
  updated_at: Date;
}

function toChannel(row: ChannelDbRow): ChannelRow {
  return {
    id: row.id,
    userId: row.user_id,
    kind: row.kind,
    name: row.name,
    config: row.config,
    secret: row.secret,
    enabled: row.enabled,
    ratePerMinute: row.rate_per_minute,
    rateBurst: row.rate_burst,
    createdAt: row.created_at.getTime(),
    updatedAt: row.updated_at.getTime(),
  };
}

export interface NewChannel {
  userId: string;
  kind: ChannelKind;
  name: string;
  config: object;
  secret: string | null;
  enabled: boolean;
  ratePerMinute: number;
  rateBurst: number;
}

export async function insertChannel(db: Queryable, channel: NewChannel): Promise<ChannelRow> {
  const result = await db.query<ChannelDbRow>(
    `INSERT INTO notification_channels AS c (user_id, kind, name, config, secret, enabled, rate_per_minute, rate_burst)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${CHANNEL_COLUMNS}`,
    [channel.userId, channel.kind, channel.name, JSON.stringify(channel.config), channel.secret, channel.enabled, channel.ratePerMinute, channel.rateBurst],
  );
  return toChannel(result.rows[0]!);
}

export async function findChannel(db: Queryable, channelId: string): Promise<ChannelRow | null> {
  const result = await db.query<ChannelDbRow>(`SELECT ${CHANNEL_COLUMNS} FROM notification_channels c WHERE c.id = $1`, [channelId]);
  return result.rows[0] ? toChannel(result.rows[0]) : null;
}

export async function listChannelsOfUser(db: Queryable, userId: string): Promise<ChannelRow[]> {
  const result = await db.query<ChannelDbRow>(`SELECT ${CHANNEL_COLUMNS} FROM notification_channels c WHERE c.user_id = $1 ORDER BY c.created_at, c.id`, [userId]);
  return result.rows.map(toChannel);
}

export interface ChannelPatch {
  name?: string;
  config?: object;
  enabled?: boolean;
  ratePerMinute?: number;
  rateBurst?: number;
}

/** Applies the given fields to one of the user's channels; null when the user has no such channel. */
export async function updateChannelOfUser(db: Queryable, channelId: string, userId: string, patch: ChannelPatch): Promise<ChannelRow | null> {
  const result = await db.query<ChannelDbRow>(
    `UPDATE notification_channels c SET
       name = COALESCE($3, c.name), config = COALESCE($4::jsonb, c.config), enabled = COALESCE($5, c.enabled),
       rate_per_minute = COALESCE($6, c.rate_per_minute), rate_burst = COALESCE($7, c.rate_burst), updated_at = now()
     WHERE c.id = $1 AND c.user_id = $2 RETURNING ${CHANNEL_COLUMNS}`,
    [channelId, userId, patch.name ?? null, patch.config === undefined ? null : JSON.stringify(patch.config), patch.enabled ?? null, patch.ratePerMinute ?? null, patch.rateBurst ?? null],
  );
  return result.rows[0] ? toChannel(result.rows[0]) : null;
}

/** Replaces the signing secret of one of the user's webhook channels; null when there is no such webhook channel. */
export async function replaceWebhookSecret(db: Queryable, channelId: string, userId: string, secret: string): Promise<ChannelRow | null> {
  const result = await db.query<ChannelDbRow>(
    `UPDATE notification_channels c SET secret = $3, updated_at = now() WHERE c.id = $1 AND c.user_id = $2 AND c.kind = 'webhook' RETURNING ${CHANNEL_COLUMNS}`,
    [channelId, userId, secret],
  );
  return result.rows[0] ? toChannel(result.rows[0]) : null;
}

interface NotificationDbRow {
  id: string;
  user_id: string;
  source_ref: string | null;
  idempotency_key: string;
  payload: NotificationPayload;
  created_at: Date;
}

function toNotification(row: NotificationDbRow): NotificationRow {
  return { id: row.id, userId: row.user_id, sourceRef: row.source_ref, idempotencyKey: row.idempotency_key, payload: row.payload, createdAt: row.created_at.getTime() };
}

/** Inserts a notification, or returns the existing one with the same idempotency key (`created: false`). */
export async function upsertNotification(
  db: Queryable,
  notification: { userId: string; sourceRef: string | null; idempotencyKey: string; payload: NotificationPayload },
): Promise<{ notification: NotificationRow; created: boolean }> {
  const inserted = await db.query<NotificationDbRow>(
    `INSERT INTO notifications (user_id, source_ref, idempotency_key, payload) VALUES ($1, $2, $3, $4)
     ON CONFLICT (idempotency_key) DO NOTHING
     RETURNING id::text AS id, user_id, source_ref, idempotency_key, payload, created_at`,
    [notification.userId, notification.sourceRef, notification.idempotencyKey, JSON.stringify(notification.payload)],
  );
  if (inserted.rows[0]) return { notification: toNotification(inserted.rows[0]), created: true };
  const existing = await db.query<NotificationDbRow>(
    `SELECT id::text AS id, user_id, source_ref, idempotency_key, payload, created_at FROM notifications WHERE idempotency_key = $1`,
    [notification.idempotencyKey],
  );
  return { notification: toNotification(existing.rows[0]!), created: false };
}

export interface DeliveryRef {
  id: string;
  notificationId: string;
  channelId: string;
  status: DeliveryStatus;
}

/**
 * Creates the missing deliveries of a notification (one per channel) and returns all of them for those channels.
 * `namespace`: the MARKETLENS_NAMESPACE whose queue gets the jobs (scopes the notifier's sweep; null = any).
 */
export async function ensureDeliveries(db: Queryable, notificationId: string, channelIds: readonly string[], namespace: string | null = null): Promise<DeliveryRef[]> {
  if (channelIds.length === 0) return [];
  await db.query(
    `INSERT INTO deliveries (notification_id, channel_id, namespace) SELECT $1, unnest($2::uuid[]), $3
     ON CONFLICT (notification_id, channel_id) DO NOTHING`,
    [notificationId, channelIds, namespace],
  );
  const result = await db.query<{ id: string; notification_id: string; channel_id: string; status: DeliveryStatus }>(
    `SELECT id::text AS id, notification_id::text AS notification_id, channel_id::text AS channel_id, status
     FROM deliveries WHERE notification_id = $1 AND channel_id = ANY($2::uuid[]) ORDER BY created_at, id`,
    [notificationId, channelIds],
  );
  return result.rows.map((row) => ({ id: row.id, notificationId: row.notification_id, channelId: row.channel_id, status: row.status }));
}

/**
 * Deliveries still open (pending/sending/failed) and untouched for `idleMs` — the notifier's re-enqueue sweep.
 * Only those of `namespace` (and legacy rows without one, written before deliveries recorded it): another
 * namespace sharing the database has its own queue and its own notifier.
 */
export async function listStaleOpenDeliveries(db: Queryable, idleMs: number, options: { namespace: string; limit?: number }): Promise<DeliveryRef[]> {
  const result = await db.query<{ id: string; notification_id: string; channel_id: string; status: DeliveryStatus }>(
    `SELECT id::text AS id, notification_id::text AS notification_id, channel_id::text AS channel_id, status FROM deliveries
     WHERE status IN ('pending', 'sending', 'failed') AND updated_at < now() - make_interval(secs => $1::float8 / 1000)
       AND (namespace = $3 OR namespace IS NULL)
     ORDER BY updated_at LIMIT $2`,
    [idleMs, options.limit ?? 500, options.namespace],
  );
  return result.rows.map((row) => ({ id: row.id, notificationId: row.notification_id, channelId: row.channel_id, status: row.status }));
}

/** The delivery with its notification and channel, or null when it no longer exists. */
export async function loadDeliveryContext(db: Queryable, deliveryId: string): Promise<DeliveryContext | null> {
  const result = await db.query<ChannelDbRow & { delivery_id: string; status: DeliveryStatus; attempts: number; n_id: string; n_user_id: string; source_ref: string | null; idempotency_key: string; payload: NotificationPayload; n_created_at: Date }>(
    `SELECT d.id::text AS delivery_id, d.status, d.attempts,
            n.id::text AS n_id, n.user_id AS n_user_id, n.source_ref, n.idempotency_key, n.payload, n.created_at AS n_created_at,
            ${CHANNEL_COLUMNS}
     FROM deliveries d JOIN notifications n ON n.id = d.notification_id JOIN notification_channels c ON c.id = d.channel_id
     WHERE d.id = $1`,
    [deliveryId],
  );
  const row = result.rows[0];
  if (!row) return null;
  return {
    deliveryId: row.delivery_id,
    status: row.status,
    attempts: row.attempts,
    notification: toNotification({ id: row.n_id, user_id: row.n_user_id, source_ref: row.source_ref, idempotency_key: row.idempotency_key, payload: row.payload, created_at: row.n_created_at }),
    channel: toChannel(row),
  };
}

/**
 * Marks the delivery `sending` and opens an attempt row — before any network call. Attempts left open by a
 * process that died are closed as `interrupted`. Returns null when the delivery is already delivered or dead.
 */
export async function beginAttempt(pool: pg.Pool, deliveryId: string): Promise<{ attemptId: string; attempt: number; resumed: boolean } | null> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const updated = await client.query<{ attempts: number; previous: DeliveryStatus }>(
      `UPDATE deliveries d SET status = 'sending', attempts = d.attempts + 1, updated_at = now()
       FROM (SELECT id, status FROM deliveries WHERE id = $1 FOR UPDATE) old
       WHERE d.id = old.id AND old.status IN ('pending', 'failed', 'sending')
       RETURNING d.attempts, old.status AS previous`,
      [deliveryId],
    );
    const row = updated.rows[0];
    if (!row) {
      await client.query("ROLLBACK");
      return null;
    }
    await client.query(
      `UPDATE delivery_attempts SET outcome = 'interrupted', finished_at = now(),
         error = 'the notifier stopped during this attempt (the receiver may have got it: same delivery id)'
       WHERE delivery_id = $1 AND outcome = 'sending'`,
      [deliveryId],
    );
    const attempt = await client.query<{ id: string }>(`INSERT INTO delivery_attempts (delivery_id, attempt) VALUES ($1, $2) RETURNING id::text AS id`, [deliveryId, row.attempts]);
    await client.query("COMMIT");
    return { attemptId: attempt.rows[0]!.id, attempt: row.attempts, resumed: row.previous === "sending" };
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

export interface AttemptResult {
  outcome: Exclude<AttemptOutcome, "sending" | "interrupted">;
  /** The delivery's new status. */
  status: Extract<DeliveryStatus, "delivered" | "failed" | "dead">;
  responseCode?: number;
  response?: string;
  error?: string;
  durationMs: number;
}

/** Closes an attempt and moves the delivery to its new status (one transaction). */
export async function finishAttempt(pool: pg.Pool, deliveryId: string, attemptId: string, result: AttemptResult): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    await client.query(
      `UPDATE delivery_attempts SET outcome = $2, finished_at = now(), response_code = $3, response = $4, error = $5, duration_ms = $6 WHERE id = $1`,
      [attemptId, result.outcome, result.responseCode ?? null, result.response?.slice(0, 2_048) ?? null, result.error?.slice(0, 2_048) ?? null, Math.round(result.durationMs)],
    );
    await client.query(
      `UPDATE deliveries SET status = $2, last_error = $3, updated_at = now(),
         delivered_at = CASE WHEN $2 = 'delivered' THEN now() ELSE delivered_at END
       WHERE id = $1`,
      [deliveryId, result.status, result.status === "delivered" ? null : (result.error?.slice(0, 2_048) ?? null)],
    );
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** Dead-letters a delivery without an attempt (channel gone, disabled, or the job gave up). */
export async function markDead(db: Queryable, deliveryId: string, error: string): Promise<void> {
  await db.query(`UPDATE deliveries SET status = 'dead', last_error = $2, updated_at = now() WHERE id = $1 AND status <> 'delivered'`, [deliveryId, error.slice(0, 2_048)]);
}

export interface OwnedDelivery extends DeliveryRef {
  lastError: string | null;
  channelName: string;
  channelEnabled: boolean;
}

/** One delivery of the user's (through its notification), or null: missing and another user's look the same. */
export async function findDeliveryOfUser(db: Queryable, deliveryId: string, userId: string): Promise<OwnedDelivery | null> {
  const result = await db.query<{ id: string; notification_id: string; channel_id: string; status: DeliveryStatus; last_error: string | null; channel_name: string; channel_enabled: boolean }>(
    `SELECT d.id::text AS id, d.notification_id::text AS notification_id, d.channel_id::text AS channel_id, d.status, d.last_error,
            c.name AS channel_name, c.enabled AS channel_enabled
     FROM deliveries d JOIN notifications n ON n.id = d.notification_id JOIN notification_channels c ON c.id = d.channel_id
     WHERE d.id = $1 AND n.user_id = $2`,
    [deliveryId, userId],
  );
  const row = result.rows[0];
  return row ? { id: row.id, notificationId: row.notification_id, channelId: row.channel_id, status: row.status, lastError: row.last_error, channelName: row.channel_name, channelEnabled: row.channel_enabled } : null;
}

/**
 * dead → pending (a user's retry), recording the namespace whose queue gets the new job. Guarded on `dead`, so of
 * two concurrent retries exactly one gets true. The attempt counter keeps counting (the log numbers stay unique).
 */
export async function reopenDeadDelivery(db: Queryable, deliveryId: string, namespace: string | null): Promise<boolean> {
  const result = await db.query(
    `UPDATE deliveries SET status = 'pending', last_error = NULL, namespace = COALESCE($2, namespace), updated_at = now() WHERE id = $1 AND status = 'dead'`,
    [deliveryId, namespace],
  );
  return result.rowCount === 1;
}

/** Undoes reopenDeadDelivery when its job could not be queued (nothing changed for the user). */
export async function restoreDeadDelivery(db: Queryable, deliveryId: string, error: string): Promise<void> {
  await db.query(`UPDATE deliveries SET status = 'dead', last_error = $2, updated_at = now() WHERE id = $1 AND status = 'pending'`, [deliveryId, error.slice(0, 2_048)]);
}

/** Counts one rate-limit delay. */
export async function countRateLimited(db: Queryable, deliveryId: string): Promise<void> {
  await db.query(`UPDATE deliveries SET rate_limited = rate_limited + 1, updated_at = now() WHERE id = $1`, [deliveryId]);
}

export interface DeliveryListFilters {
  status?: DeliveryStatus;
  channelId?: string;
  kind?: ChannelKind;
}

export interface AttemptLogRow {
  attempt: number;
  startedAt: number;
  finishedAt: number | null;
  outcome: AttemptOutcome;
  responseCode: number | null;
  response: string | null;
  error: string | null;
  durationMs: number | null;
}

export interface DeliveryLogRow {
  id: string;
  notificationId: string;
  title: string;
  sourceRef: string | null;
  channelId: string;
  channelName: string;
  channelKind: ChannelKind;
  status: DeliveryStatus;
  attempts: number;
  rateLimited: number;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
  deliveredAt: number | null;
  attemptLog: AttemptLogRow[];
}

/** A user's deliveries, newest first, with their attempts (one page; `total` counts every match). */
export async function listDeliveriesOfUser(
  db: Queryable,
  userId: string,
  filters: DeliveryListFilters,
  page: { limit: number; offset: number },
): Promise<{ rows: DeliveryLogRow[]; total: number }> {
  const where = `n.user_id = $1 AND ($2::text IS NULL OR d.status = $2) AND ($3::uuid IS NULL OR d.channel_id = $3) AND ($4::text IS NULL OR c.kind = $4)`;
  const params = [userId, filters.status ?? null, filters.channelId ?? null, filters.kind ?? null];
  const from = `FROM deliveries d JOIN notifications n ON n.id = d.notification_id JOIN notification_channels c ON c.id = d.channel_id`;
  const [list, count] = await Promise.all([
    db.query<{
      id: string; notification_id: string; title: string; source_ref: string | null; channel_id: string; channel_name: string; channel_kind: ChannelKind;
      status: DeliveryStatus; attempts: number; rate_limited: number; last_error: string | null; created_at: Date; updated_at: Date; delivered_at: Date | null;
    }>(
      `SELECT d.id::text AS id, n.id::text AS notification_id, n.payload->>'title' AS title, n.source_ref, c.id::text AS channel_id, c.name AS channel_name,
              c.kind AS channel_kind, d.status, d.attempts, d.rate_limited, d.last_error, d.created_at, d.updated_at, d.delivered_at
       ${from} WHERE ${where} ORDER BY d.created_at DESC, d.id DESC LIMIT $5 OFFSET $6`,
      [...params, page.limit, page.offset],
    ),
    db.query<{ total: string }>(`SELECT count(*)::text AS total ${from} WHERE ${where}`, params),
  ]);
  const ids = list.rows.map((row) => row.id);
  const attempts = ids.length === 0 ? { rows: [] } : await db.query<{
    delivery_id: string; attempt: number; started_at: Date; finished_at: Date | null; outcome: AttemptOutcome; response_code: number | null; response: string | null; error: string | null; duration_ms: number | null;
  }>(
    `SELECT delivery_id::text AS delivery_id, attempt, started_at, finished_at, outcome, response_code, response, error, duration_ms
     FROM delivery_attempts WHERE delivery_id = ANY($1::uuid[]) ORDER BY delivery_id, id`,
    [ids],
  );
  const byDelivery = new Map<string, AttemptLogRow[]>();
  for (const row of attempts.rows) {
    const log = byDelivery.get(row.delivery_id) ?? [];
    log.push({
      attempt: row.attempt,
      startedAt: row.started_at.getTime(),
      finishedAt: row.finished_at?.getTime() ?? null,
      outcome: row.outcome,
      responseCode: row.response_code,
      response: row.response,
      error: row.error,
      durationMs: row.duration_ms,
    });
    byDelivery.set(row.delivery_id, log);
  }
  return {
    total: Number(count.rows[0]?.total ?? 0),
    rows: list.rows.map((row) => ({
      id: row.id,
      notificationId: row.notification_id,
      title: row.title,
      sourceRef: row.source_ref,
      channelId: row.channel_id,
      channelName: row.channel_name,
      channelKind: row.channel_kind,
      status: row.status,
      attempts: row.attempts,
      rateLimited: row.rate_limited,
      lastError: row.last_error,
      createdAt: row.created_at.getTime(),
      updatedAt: row.updated_at.getTime(),
      deliveredAt: row.delivered_at?.getTime() ?? null,
      attemptLog: byDelivery.get(row.id) ?? [],
    })),
  };
}

/** Every delivery of a notification. */
export async function deliveriesOf(db: Queryable, notificationId: string): Promise<DeliveryRef[]> {
  const result = await db.query<{ id: string; channel_id: string; status: DeliveryStatus }>(
    `SELECT id::text AS id, channel_id::text AS channel_id, status FROM deliveries WHERE notification_id = $1 ORDER BY created_at, id`,
    [notificationId],
  );
  return result.rows.map((row) => ({ id: row.id, notificationId, channelId: row.channel_id, status: row.status }));
}
