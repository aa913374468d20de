-- Checkpoints of `marketlens backfill` (server/services/backfill.service.ts): one row per
-- (source, symbol, timeframe, requested range). After each page of bars is stored, next_start is moved past
-- it in the same transaction, so an interrupted run (Ctrl-C, crash) resumes there. completed_at is set when
-- the range is done; a later run over the same range then starts again from range_from (idempotent upserts).
CREATE TABLE "backfill_checkpoints" (
    "source"       TEXT NOT NULL,
    "symbol"       TEXT NOT NULL,
    "timeframe"    TEXT NOT NULL,
    "range_from"   TIMESTAMPTZ NOT NULL,
    "range_to"     TIMESTAMPTZ NOT NULL,
    "next_start"   TIMESTAMPTZ NOT NULL,
    "bars_fetched" BIGINT NOT NULL DEFAULT 0,
    "started_at"   TIMESTAMPTZ NOT NULL DEFAULT now(),
    "updated_at"   TIMESTAMPTZ NOT NULL DEFAULT now(),
    "completed_at" TIMESTAMPTZ,
    CONSTRAINT "backfill_checkpoints_pkey" PRIMARY KEY ("source", "symbol", "timeframe", "range_from", "range_to"),
    CONSTRAINT "backfill_checkpoints_range" CHECK ("range_from" < "range_to"),
    CONSTRAINT "backfill_checkpoints_timeframe" CHECK ("timeframe" IN ('1m', '5m', '15m', '1h', '4h', '1d'))
);
