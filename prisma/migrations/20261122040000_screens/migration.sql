-- User screens (issue 5): a saved rule set in the alert-rule language (server/domain/rules) whose matching
-- symbols form the user's own live toplist, evaluated every second by the scanner worker (workers/scanner.ts).
-- user_id is plain text with no foreign key yet: accounts come later.

CREATE TABLE "screens" (
    "id"          TEXT NOT NULL,                       -- stable id; the Redis key {ns}:scanner:screen:{id} uses it
    "user_id"     TEXT NOT NULL,
    "name"        TEXT NOT NULL,
    "rule"        JSONB NOT NULL,                      -- a RuleDocument: { name, timeframe, when, ... }
    "active"      BOOLEAN NOT NULL DEFAULT true,       -- inactive screens are not evaluated
    "created_at"  TIMESTAMPTZ NOT NULL DEFAULT now(),
    "updated_at"  TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT "screens_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "screens_id_format" CHECK ("id" ~ '^[A-Za-z0-9_-]{1,64}$')
);

CREATE INDEX "screens_user_id_idx" ON "screens" ("user_id");
CREATE INDEX "screens_active_updated_idx" ON "screens" ("active", "updated_at");
