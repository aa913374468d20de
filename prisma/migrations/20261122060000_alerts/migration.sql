-- Alerts (issue 5): a user's alert rules (the public rule document, stored as given), the watchlists an alert
-- may target instead of one symbol, and every firing (the alert history). Evaluated by the analytics worker
-- (workers/analytics/alert-*.ts); docs/alerts.md explains the semantics.
--
-- No evaluator state is stored: for each bar the worker replays the two previous stored bars (candles +
-- indicators) through the pure RuleEvaluator, which gives exactly "was false on the previous bar" and the
-- previous values crosses need; cooldown and one-time come from alert_firings and the alert's status.

CREATE TABLE "watchlists" (
    "id"         UUID NOT NULL DEFAULT gen_random_uuid(),
    "user_id"    TEXT NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE,
    "name"       TEXT NOT NULL,
    "symbols"    TEXT[] NOT NULL DEFAULT '{}',          -- symbol ids, e.g. {BINANCE:BTCUSDT,ALPACA:AAPL}
    "created_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
    "updated_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT "watchlists_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "watchlists_user_idx" ON "watchlists" ("user_id");
CREATE INDEX "watchlists_symbols_idx" ON "watchlists" USING GIN ("symbols");

CREATE TABLE "alerts" (
    "id"           UUID NOT NULL DEFAULT gen_random_uuid(),
    "user_id"      TEXT NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE,
    "name"         TEXT NOT NULL,                       -- the rule's name (kept in step with rule->>'name')
    "rule"         JSONB NOT NULL,                      -- the rule document (server/domain/rules), as given
    "symbol"       TEXT,                                -- one symbol …
    "watchlist_id" UUID REFERENCES "watchlists" ("id") ON DELETE CASCADE, -- … or every symbol of a watchlist
    "timeframe"    TEXT NOT NULL,                       -- the rule's timeframe
    "evaluate_on"  TEXT NOT NULL DEFAULT 'close',       -- close (closed bars) | tick (live updates of the open bar)
    "status"       TEXT NOT NULL DEFAULT 'active',      -- active | paused | stopped (a one-time alert that fired)
    "channel_ids"  UUID[] NOT NULL DEFAULT '{}',        -- notification channels besides in-app (always)
    "created_at"   TIMESTAMPTZ NOT NULL DEFAULT now(),
    "updated_at"   TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT "alerts_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "alerts_target" CHECK (("symbol" IS NULL) <> ("watchlist_id" IS NULL)),
    CONSTRAINT "alerts_evaluate_on" CHECK ("evaluate_on" IN ('close', 'tick')),
    CONSTRAINT "alerts_status" CHECK ("status" IN ('active', 'paused', 'stopped'))
);
CREATE INDEX "alerts_user_idx" ON "alerts" ("user_id", "created_at" DESC);
CREATE INDEX "alerts_symbol_idx" ON "alerts" ("symbol", "timeframe") WHERE "status" = 'active';
CREATE INDEX "alerts_watchlist_idx" ON "alerts" ("watchlist_id") WHERE "watchlist_id" IS NOT NULL;

-- One row per firing. idempotency_key = alert|symbol|barOpenTime: a retried job inserts nothing.
CREATE TABLE "alert_firings" (
    "id"              BIGSERIAL NOT NULL,
    "alert_id"        UUID NOT NULL REFERENCES "alerts" ("id") ON DELETE CASCADE,
    "user_id"         TEXT NOT NULL,
    "symbol"          TEXT NOT NULL,
    "timeframe"       TEXT NOT NULL,
    "bar_open_time"   TIMESTAMPTZ NOT NULL,
    "fired_at"        TIMESTAMPTZ NOT NULL DEFAULT now(),
    "evaluate_on"     TEXT NOT NULL DEFAULT 'close',
    "values"          JSONB NOT NULL DEFAULT '{}',       -- the values of the metrics the rule reads, on that bar
    "idempotency_key" TEXT NOT NULL,
    CONSTRAINT "alert_firings_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "alert_firings_idempotency_key_key" UNIQUE ("idempotency_key")
);
CREATE INDEX "alert_firings_user_idx" ON "alert_firings" ("user_id", "fired_at" DESC, "id" DESC);
CREATE INDEX "alert_firings_alert_symbol_idx" ON "alert_firings" ("alert_id", "symbol", "bar_open_time" DESC);
