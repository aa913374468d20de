-- Marketlens initial schema: symbols, candles (hypertable when TimescaleDB is available), known gaps.
-- Times are timestamptz (UTC); prices and volumes double precision (DESIGN.md "Identity, time and numbers").

CREATE TABLE "symbols" (
    "id"           TEXT PRIMARY KEY,                 -- EXCHANGE:TICKER, e.g. BINANCE:BTCUSDT
    "exchange"     TEXT NOT NULL,
    "ticker"       TEXT NOT NULL,
    "asset_class"  TEXT NOT NULL DEFAULT 'crypto',
    "display_name" TEXT NOT NULL,
    "active"       BOOLEAN NOT NULL DEFAULT true,
    "calendar"     TEXT NOT NULL DEFAULT 'CRYPTO',
    "created_at"   TIMESTAMPTZ NOT NULL DEFAULT now(),
    "updated_at"   TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT "symbols_id_format" CHECK ("id" = upper("id") AND "id" = "exchange" || ':' || "ticker"),
    CONSTRAINT "symbols_asset_class" CHECK ("asset_class" IN ('crypto', 'stock', 'etf', 'fx', 'index'))
);

CREATE TABLE "candles" (
    "symbol"     TEXT NOT NULL,
    "timeframe"  TEXT NOT NULL,
    "open_time"  TIMESTAMPTZ NOT NULL,
    "open"       DOUBLE PRECISION NOT NULL,
    "high"       DOUBLE PRECISION NOT NULL,
    "low"        DOUBLE PRECISION NOT NULL,
    "close"      DOUBLE PRECISION NOT NULL,
    "volume"     DOUBLE PRECISION NOT NULL,
    "trades"     INTEGER NOT NULL DEFAULT 0,
    "source"     TEXT NOT NULL,                     -- trades | kline | rest (provenance)
    "updated_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT "candles_pkey" PRIMARY KEY ("symbol", "timeframe", "open_time"),
    CONSTRAINT "candles_timeframe" CHECK ("timeframe" IN ('1m', '5m', '15m', '1h', '4h', '1d')),
    CONSTRAINT "candles_source" CHECK ("source" IN ('trades', 'kline', 'rest'))
);

CREATE TABLE "known_gaps" (
    "symbol"      TEXT NOT NULL,
    "timeframe"   TEXT NOT NULL,
    "gap_start"   TIMESTAMPTZ NOT NULL,             -- first missing bar's open time
    "gap_end"     TIMESTAMPTZ NOT NULL,             -- open time of the first bar after the hole
    "reason"      TEXT NOT NULL,
    "detected_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT "known_gaps_pkey" PRIMARY KEY ("symbol", "timeframe", "gap_start")
);

-- TimescaleDB when the server has it; a plain table with the same columns and keys otherwise.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb') THEN
        CREATE EXTENSION IF NOT EXISTS timescaledb;
        PERFORM create_hypertable('candles', 'open_time', chunk_time_interval => INTERVAL '7 days', migrate_data => true);
        EXECUTE 'ALTER TABLE candles SET (timescaledb.compress, timescaledb.compress_segmentby = ''symbol, timeframe'')';
        PERFORM add_compression_policy('candles', INTERVAL '30 days');
        PERFORM add_retention_policy('candles', INTERVAL '365 days');
    ELSE
        RAISE NOTICE 'timescaledb not available: candles stays a plain table';
    END IF;
END
$$;
