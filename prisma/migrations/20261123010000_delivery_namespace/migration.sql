-- Record on each delivery the MARKETLENS_NAMESPACE whose notify queue carries its job, so the notifier's
-- stale-delivery sweep (workers/notifier/notifier-worker.ts) re-enqueues only its own namespace's deliveries
-- when several namespaces share one database (the test suite; staging beside production).
-- Nullable: rows written before this migration have no namespace and stay visible to every notifier's sweep,
-- exactly as before. Adding a nullable column without a default rewrites nothing (safe on a large table).
ALTER TABLE "deliveries" ADD COLUMN IF NOT EXISTS "namespace" TEXT;

-- The sweep's query: open deliveries of one namespace, oldest first.
CREATE INDEX IF NOT EXISTS "deliveries_open_namespace_idx" ON "deliveries" ("namespace", "updated_at") WHERE "status" IN ('pending', 'sending', 'failed');
