-- The webhook/Slack SSRF allowlist managed by admins on /admin (issue 5). A host listed here (or in the
-- NOTIFY_ALLOWED_HOSTS env var) skips the guard's private/loopback address check; cloud metadata addresses
-- stay refused whatever is listed (server/services/notifications/ssrf-guard.ts). Every process that checks
-- URLs re-reads the table when the Redis version key changes (server/services/notify-allowlist-cache.ts).
CREATE TABLE IF NOT EXISTS "notify_allowed_hosts" (
    "host"       TEXT PRIMARY KEY,                                     -- normalised: lower case, no brackets, no trailing dot
    "note"       TEXT NOT NULL DEFAULT '',
    "created_by" TEXT REFERENCES "users" ("id") ON DELETE SET NULL,     -- the admin who added it (kept if they are deleted)
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT now(),
    CONSTRAINT "notify_allowed_hosts_host" CHECK ("host" <> '' AND "host" = lower("host") AND length("host") <= 253),
    CONSTRAINT "notify_allowed_hosts_note" CHECK (length("note") <= 200)
);
