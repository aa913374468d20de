-- Analytics: indicator values and versioned ML features per closed bar, written by the analytics worker
-- (workers/analytics.ts). Hypertables when TimescaleDB is available, plain tables otherwise.

-- One row per (symbol, timeframe, bar): every series of the indicator core (server/domain/indicators,
-- INDICATOR_KEYS + SCANNER_KEYS, camelCase → snake_case), NULL during each warm-up, and the candlestick
-- patterns detected on the bar. A revised bar overwrites its row (features keep history, below).
CREATE TABLE "indicators" (
    "symbol"         TEXT NOT NULL,
    "timeframe"      TEXT NOT NULL,
    "open_time"      TIMESTAMPTZ NOT NULL,
    "rsi14"          DOUBLE PRECISION,
    "macd"           DOUBLE PRECISION,
    "macd_signal"    DOUBLE PRECISION,
    "macd_hist"      DOUBLE PRECISION,
    "bb_upper"       DOUBLE PRECISION,
    "bb_middle"      DOUBLE PRECISION,
    "bb_lower"       DOUBLE PRECISION,
    "sma20"          DOUBLE PRECISION,
    "sma50"          DOUBLE PRECISION,
    "sma100"         DOUBLE PRECISION,
    "sma200"         DOUBLE PRECISION,
    "ema12"          DOUBLE PRECISION,
    "ema26"          DOUBLE PRECISION,
    "ema50"          DOUBLE PRECISION,
    "vwap"           DOUBLE PRECISION,
    "stoch_k"        DOUBLE PRECISION,
    "stoch_d"        DOUBLE PRECISION,
    "atr14"          DOUBLE PRECISION,
    "adx14"          DOUBLE PRECISION,
    "plus_di14"      DOUBLE PRECISION,
    "minus_di14"     DOUBLE PRECISION,
    "volume_sma20"   DOUBLE PRECISION,
    "obv"            DOUBLE PRECISION,
    "willr14"        DOUBLE PRECISION,
    "rel_volume20"   DOUBLE PRECISION,
    "change1"        DOUBLE PRECISION,
    "change5"        DOUBLE PRECISION,
    "change15"       DOUBLE PRECISION,
    "patterns"       TEXT[] NOT NULL DEFAULT '{}',      -- names of the patterns present (PATTERN_NAMES), e.g. {hammer,engulfing}
    "pattern_values" SMALLINT[] NOT NULL DEFAULT '{}',  -- TA-Lib's value of each, same order: ±100, ±80, 100
    "computed_at"    TIMESTAMPTZ NOT NULL DEFAULT now(),   -- last time a value changed
    CONSTRAINT "indicators_pkey" PRIMARY KEY ("symbol", "timeframe", "open_time"),
    CONSTRAINT "indicators_timeframe" CHECK ("timeframe" IN ('1m', '5m', '15m', '1h', '4h', '1d')),
    CONSTRAINT "indicators_patterns_aligned" CHECK (cardinality("patterns") = cardinality("pattern_values"))
);

-- Feature rows are never overwritten: a recomputation that changes any value adds version + 1 with the time it
-- became known, so `asOf` reads return what was known then (point-in-time correct training data).
CREATE TABLE "ml_features" (
    "symbol"      TEXT NOT NULL,
    "timeframe"   TEXT NOT NULL,
    "feature_set" TEXT NOT NULL,                     -- v1 (server/domain/features/feature-set-v1.ts)
    "open_time"   TIMESTAMPTZ NOT NULL,
    "version"     INTEGER NOT NULL,                  -- 1, 2, ... per (symbol, timeframe, feature_set, open_time)
    "known_at"    TIMESTAMPTZ NOT NULL,              -- when the analytics worker computed this version
    "values"      JSONB NOT NULL,                    -- { "return1": 0.0012, "rsi14": 55.1, ..., "isMarketOpen": 1 }, null in warm-up
    "vector"      REAL[] NOT NULL,                   -- the normalized 0–1 vector (FEATURE_VECTOR_V1)
    CONSTRAINT "ml_features_pkey" PRIMARY KEY ("symbol", "timeframe", "feature_set", "open_time", "version"),
    CONSTRAINT "ml_features_timeframe" CHECK ("timeframe" IN ('1m', '5m', '15m', '1h', '4h', '1d')),
    CONSTRAINT "ml_features_version" CHECK ("version" >= 1)
);

-- "Same value" for recomputed analytics. A retried or rehydrated computation may differ from the first one in
-- the last bits (running sums and EMA seeds depend on where the engine started: measured ≤ 2e-12 relative on
-- the indicators, ≤ 1e-10 absolute on features such as bbPosition); such a recomputation must neither rewrite
-- rows nor add a feature version. Indicators: 1e-9 relative (1e-12 absolute near zero). Features, mostly
-- ratios where cancellation near zero inflates relative noise: 1e-8 relative or 1e-9 absolute. NULL = NULL.
CREATE FUNCTION "ml_same_value"(a DOUBLE PRECISION, b DOUBLE PRECISION,
                                relative DOUBLE PRECISION DEFAULT 1e-9, absolute DOUBLE PRECISION DEFAULT 1e-12)
RETURNS BOOLEAN LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
    SELECT CASE WHEN a IS NULL OR b IS NULL THEN a IS NULL AND b IS NULL
                ELSE abs(a - b) <= greatest(absolute, relative * greatest(abs(a), abs(b))) END
$fn$;

-- Two feature objects with the same keys whose numbers are the same value (feature tolerance) and other values equal.
CREATE FUNCTION "ml_same_features"(a JSONB, b JSONB) RETURNS BOOLEAN
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
    SELECT NOT EXISTS (
        SELECT 1 FROM jsonb_each(a) x FULL JOIN jsonb_each(b) y ON x.key = y.key
        WHERE x.key IS NULL OR y.key IS NULL
           OR NOT CASE WHEN jsonb_typeof(x.value) = 'number' AND jsonb_typeof(y.value) = 'number'
                       THEN ml_same_value(x.value::double precision, y.value::double precision, 1e-8, 1e-9)
                       ELSE x.value = y.value END)
$fn$;

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb') THEN
        CREATE EXTENSION IF NOT EXISTS timescaledb;
        PERFORM create_hypertable('indicators', 'open_time', chunk_time_interval => INTERVAL '7 days', migrate_data => true);
        EXECUTE 'ALTER TABLE indicators SET (timescaledb.compress, timescaledb.compress_segmentby = ''symbol, timeframe'')';
        PERFORM add_compression_policy('indicators', INTERVAL '30 days');
        PERFORM add_retention_policy('indicators', INTERVAL '365 days');
        PERFORM create_hypertable('ml_features', 'open_time', chunk_time_interval => INTERVAL '7 days', migrate_data => true);
        EXECUTE 'ALTER TABLE ml_features SET (timescaledb.compress, timescaledb.compress_segmentby = ''symbol, timeframe, feature_set'')';
        PERFORM add_compression_policy('ml_features', INTERVAL '30 days');
        PERFORM add_retention_policy('ml_features', INTERVAL '365 days');
    ELSE
        RAISE NOTICE 'timescaledb not available: indicators and ml_features stay plain tables';
    END IF;
END
$$;
