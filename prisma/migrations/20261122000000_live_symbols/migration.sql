-- Symbols without restarts (issue 4): exchanges switched on/off by config/exchanges.yaml, and which config file
-- (if any) manages each symbol, so removing a symbol from config/symbols.yaml deactivates exactly the rows that
-- file created and nothing added by hand. Collectors stream the active symbols of enabled exchanges.

-- One row per exchange listed in config/exchanges.yaml. An exchange without a row counts as enabled.
CREATE TABLE "exchanges" (
    "id"           TEXT NOT NULL,                       -- BINANCE, ALPACA, YAHOO (upper case, as in symbol ids)
    "display_name" TEXT NOT NULL,
    "enabled"      BOOLEAN NOT NULL DEFAULT true,
    "managed_by"   TEXT,                                -- config file that wrote the row, e.g. config:config/exchanges.yaml
    "created_at"   TIMESTAMPTZ NOT NULL DEFAULT now(),
    "updated_at"   TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT "exchanges_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "exchanges_id_format" CHECK ("id" = upper("id"))
);

-- Who manages a symbol row: 'cli' (marketlens symbols add), 'admin' (admin panel) or 'config:<file>' (a symbols
-- YAML file). Rows that existed before this migration count as added by hand, so no sync deactivates them.
ALTER TABLE "symbols" ADD COLUMN "managed_by" TEXT NOT NULL DEFAULT 'cli';
