-- Hand-written (not in schema.prisma): a revoked access token (RFC 7009) empties every instance's caches at commit,
-- like the other access-deciding rows (20261130110000_hot_path_caches), so Bearer token liveness can be cached.
CREATE TRIGGER "revoked_tokens_invalidate" AFTER INSERT ON "revoked_tokens"
    FOR EACH ROW EXECUTE FUNCTION "gatehouse_notify_invalidate"();
