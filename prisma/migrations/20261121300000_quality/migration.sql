-- Data quality (issue 4, server/domain/quality): items the collector's QualityGate rejected never reach candles;
-- they land in "quarantine" for inspection. The per-symbol quality score is kept in Redis ({ns}:quality:{SYMBOL})
-- and stored once a minute in "data_quality_metrics" (hypertable when TimescaleDB is available).

-- One row per rejected trade or bar: the item as received and the checks it failed (QualityIssue[]).
CREATE TABLE "quarantine" (
    "id"          BIGSERIAL NOT NULL,
    "symbol"      TEXT NOT NULL,
    "kind"        TEXT NOT NULL,                       -- trade | bar
    "payload"     JSONB NOT NULL,                      -- the Trade or Bar as parsed
    "checks"      JSONB NOT NULL,                      -- [{ check, value, threshold, message }]
    "event_time"  TIMESTAMPTZ NOT NULL,                -- trade time, or the bar's open time
    "received_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT "quarantine_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "quarantine_kind" CHECK ("kind" IN ('trade', 'bar'))
);
CREATE INDEX "quarantine_symbol_id_idx" ON "quarantine" ("symbol", "id" DESC);

-- The quality score of a symbol over time (QualitySnapshot, one row a minute per symbol).
CREATE TABLE "data_quality_metrics" (
    "symbol"          TEXT NOT NULL,
    "at"              TIMESTAMPTZ NOT NULL,
    "score"           DOUBLE PRECISION NOT NULL,       -- 0–100
    "window_items"    INTEGER NOT NULL,
    "window_rejected" INTEGER NOT NULL,
    "issues"          JSONB NOT NULL,                  -- rejections per check since the collector started
    CONSTRAINT "data_quality_metrics_pkey" PRIMARY KEY ("symbol", "at")
);

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb') THEN
        CREATE EXTENSION IF NOT EXISTS timescaledb;
        PERFORM create_hypertable('data_quality_metrics', 'at', chunk_time_interval => INTERVAL '7 days', migrate_data => true);
        PERFORM add_retention_policy('data_quality_metrics', INTERVAL '365 days');
    ELSE
        RAISE NOTICE 'timescaledb not available: data_quality_metrics stays a plain table';
    END IF;
END
$$;
