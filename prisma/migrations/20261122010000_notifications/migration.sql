-- Notifications (issue 5): channels a user is told on, the notifications an alert firing produces, one delivery per
-- (notification, channel) and one row per delivery attempt (the log a user sees). Written by the notifier worker
-- (workers/notifier.ts) and server/services/notifications; docs/webhooks.md explains the delivery guarantee.

-- Where a user is told: email address, Slack incoming-webhook URL, generic webhook URL, or in-app (bell + toast).
-- user_id is text with no FK yet (accounts come later). The webhook signing secret is kept (it is needed to sign)
-- but only shown once, when the channel is created.
CREATE TABLE "notification_channels" (
    "id"              UUID NOT NULL DEFAULT gen_random_uuid(),
    "user_id"         TEXT NOT NULL,
    "kind"            TEXT NOT NULL,                     -- email | slack | webhook | in_app
    "name"            TEXT NOT NULL,
    "config"          JSONB NOT NULL DEFAULT '{}',       -- { address } | { url } | { url } | {}
    "secret"          TEXT,                              -- webhook HMAC-SHA256 key (webhook channels only)
    "enabled"         BOOLEAN NOT NULL DEFAULT true,
    "rate_per_minute" INTEGER NOT NULL DEFAULT 30,       -- token bucket refill; over it deliveries wait, never drop
    "rate_burst"      INTEGER NOT NULL DEFAULT 10,       -- token bucket capacity
    "created_at"      TIMESTAMPTZ NOT NULL DEFAULT now(),
    "updated_at"      TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT "notification_channels_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "notification_channels_kind" CHECK ("kind" IN ('email', 'slack', 'webhook', 'in_app')),
    CONSTRAINT "notification_channels_rate" CHECK ("rate_per_minute" BETWEEN 1 AND 6000 AND "rate_burst" BETWEEN 1 AND 1000)
);
CREATE INDEX "notification_channels_user_idx" ON "notification_channels" ("user_id");

-- One thing to tell a user (an alert firing, a test). idempotency_key makes a repeated enqueue a no-op.
CREATE TABLE "notifications" (
    "id"              UUID NOT NULL DEFAULT gen_random_uuid(),
    "user_id"         TEXT NOT NULL,
    "source_ref"      TEXT,                              -- alert / firing reference, e.g. "alert|42|firing|1732147200000"
    "idempotency_key" TEXT NOT NULL,
    "payload"         JSONB NOT NULL,                    -- { title, body, severity, url?, data? }
    "created_at"      TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT "notifications_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "notifications_idempotency_key_key" UNIQUE ("idempotency_key")
);
CREATE INDEX "notifications_user_created_idx" ON "notifications" ("user_id", "created_at" DESC);

-- The state of one notification on one channel: pending → sending → delivered, or failed (retrying) → dead.
CREATE TABLE "deliveries" (
    "id"              UUID NOT NULL DEFAULT gen_random_uuid(),
    "notification_id" UUID NOT NULL,
    "channel_id"      UUID NOT NULL,
    "status"          TEXT NOT NULL DEFAULT 'pending',
    "attempts"        INTEGER NOT NULL DEFAULT 0,        -- sends started
    "rate_limited"    INTEGER NOT NULL DEFAULT 0,        -- times delayed by the channel's rate limit
    "last_error"      TEXT,
    "created_at"      TIMESTAMPTZ NOT NULL DEFAULT now(),
    "updated_at"      TIMESTAMPTZ NOT NULL DEFAULT now(),
    "delivered_at"    TIMESTAMPTZ,
    CONSTRAINT "deliveries_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "deliveries_notification_channel_key" UNIQUE ("notification_id", "channel_id"),
    CONSTRAINT "deliveries_status" CHECK ("status" IN ('pending', 'sending', 'delivered', 'failed', 'dead')),
    CONSTRAINT "deliveries_notification_fkey" FOREIGN KEY ("notification_id") REFERENCES "notifications" ("id") ON DELETE CASCADE,
    CONSTRAINT "deliveries_channel_fkey" FOREIGN KEY ("channel_id") REFERENCES "notification_channels" ("id") ON DELETE CASCADE
);
CREATE INDEX "deliveries_channel_idx" ON "deliveries" ("channel_id", "created_at" DESC);
CREATE INDEX "deliveries_open_idx" ON "deliveries" ("updated_at") WHERE "status" IN ('pending', 'sending', 'failed');

-- One row per send attempt (the delivery log). Written as "sending" before the network call and finished after,
-- so an attempt cut short by a crash stays visible (marked "interrupted" by the retry).
CREATE TABLE "delivery_attempts" (
    "id"            BIGSERIAL NOT NULL,
    "delivery_id"   UUID NOT NULL,
    "attempt"       INTEGER NOT NULL,
    "started_at"    TIMESTAMPTZ NOT NULL DEFAULT now(),
    "finished_at"   TIMESTAMPTZ,
    "outcome"       TEXT NOT NULL DEFAULT 'sending',   -- sending | delivered | failed | refused | interrupted
    "response_code" INTEGER,                           -- HTTP status or SMTP reply code
    "response"      TEXT,                              -- SMTP reply or the start of the HTTP body
    "error"         TEXT,
    "duration_ms"   INTEGER,
    CONSTRAINT "delivery_attempts_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "delivery_attempts_outcome" CHECK ("outcome" IN ('sending', 'delivered', 'failed', 'refused', 'interrupted')),
    CONSTRAINT "delivery_attempts_delivery_fkey" FOREIGN KEY ("delivery_id") REFERENCES "deliveries" ("id") ON DELETE CASCADE
);
CREATE INDEX "delivery_attempts_delivery_idx" ON "delivery_attempts" ("delivery_id", "id");
