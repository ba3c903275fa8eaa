-- Ingestion de-duplicates across server processes by this constraint (issue 17): a writer claims an event's
-- (source, client id) hash with INSERT … ON CONFLICT (hash) DO NOTHING RETURNING, so two processes that receive the
-- same event store it once. PostgreSQL only: on SQLite one writer thread owns the log and its in-memory index.
CREATE UNIQUE INDEX IF NOT EXISTS "event_ids_hash_unique" ON "event_ids" ("hash");
