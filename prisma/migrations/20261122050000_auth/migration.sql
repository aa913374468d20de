-- Accounts and access (issue 5): Better Auth's tables under our names (server/auth/auth-tables.ts;
-- SQL generated from better-auth 1.7.25 getMigrations().compileMigrations(), then given a role
-- column with a check), personal API keys (stored as SHA-256 hashes) and the audit log.

CREATE TABLE "users" (
    "id"             TEXT PRIMARY KEY,
    "name"           TEXT NOT NULL,
    "email"          TEXT NOT NULL UNIQUE,
    "email_verified" BOOLEAN NOT NULL,
    "image"          TEXT,
    "created_at"     TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at"     TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "role"           TEXT NOT NULL DEFAULT 'user',  -- user | admin (the first user is promoted: server/auth/first-admin.ts)
    CONSTRAINT "users_role" CHECK ("role" IN ('user', 'admin'))
);

CREATE TABLE "sessions" (
    "id"         TEXT PRIMARY KEY,
    "expires_at" TIMESTAMPTZ NOT NULL,
    "token"      TEXT NOT NULL UNIQUE,
    "created_at" TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ NOT NULL,
    "ip_address" TEXT,
    "user_agent" TEXT,
    "user_id"    TEXT NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE
);
CREATE INDEX "sessions_user_id_idx" ON "sessions" ("user_id");

CREATE TABLE "accounts" (
    "id"                       TEXT PRIMARY KEY,
    "account_id"               TEXT NOT NULL,
    "provider_id"              TEXT NOT NULL,
    "user_id"                  TEXT NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE,
    "access_token"             TEXT,
    "refresh_token"            TEXT,
    "id_token"                 TEXT,
    "access_token_expires_at"  TIMESTAMPTZ,
    "refresh_token_expires_at" TIMESTAMPTZ,
    "scope"                    TEXT,
    "password"                 TEXT,                -- argon2id PHC string for provider "credential"
    "created_at"               TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at"               TIMESTAMPTZ NOT NULL
);
CREATE INDEX "accounts_user_id_idx" ON "accounts" ("user_id");

CREATE TABLE "verifications" (
    "id"         TEXT PRIMARY KEY,
    "identifier" TEXT NOT NULL,
    "value"      TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX "verifications_identifier_idx" ON "verifications" ("identifier");

-- Personal API keys: the key itself is shown once; only its SHA-256 (hex) is kept.
CREATE TABLE "api_keys" (
    "id"           UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    "user_id"      TEXT NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE,
    "name"         TEXT NOT NULL,
    "prefix"       TEXT NOT NULL,                   -- first characters of the key, to recognise it in lists
    "hash"         TEXT NOT NULL UNIQUE,
    "scope"        TEXT NOT NULL DEFAULT 'read',
    "created_at"   TIMESTAMPTZ NOT NULL DEFAULT now(),
    "last_used_at" TIMESTAMPTZ,
    "revoked_at"   TIMESTAMPTZ,
    CONSTRAINT "api_keys_scope" CHECK ("scope" IN ('read')),
    CONSTRAINT "api_keys_name_length" CHECK (char_length("name") BETWEEN 1 AND 100)
);
CREATE INDEX "api_keys_user_idx" ON "api_keys" ("user_id", "created_at" DESC);

-- Append-only audit log: sign-ins, failed sign-ins, registrations, admin actions, key changes.
CREATE TABLE "audit_log" (
    "id"       BIGSERIAL PRIMARY KEY,
    "at"       TIMESTAMPTZ NOT NULL DEFAULT now(),
    "user_id"  TEXT,                                -- no FK: entries outlive deleted users
    "actor_ip" TEXT,
    "action"   TEXT NOT NULL,
    "target"   TEXT,
    "details"  JSONB NOT NULL DEFAULT '{}'
);
CREATE INDEX "audit_log_user_idx" ON "audit_log" ("user_id", "id" DESC);
CREATE INDEX "audit_log_action_idx" ON "audit_log" ("action", "id" DESC);
