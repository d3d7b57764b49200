-- Rate-limit counters skip the write-ahead log: no fsync on the request path, and a crash empties them (they are
-- one-minute windows). Not expressible in schema.prisma; the drift check compares columns, indexes and constraints.
ALTER TABLE "rate_limit_buckets" SET UNLOGGED;
