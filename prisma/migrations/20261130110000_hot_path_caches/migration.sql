-- Hand-written (not in schema.prisma): cross-instance cache invalidation (lib/cache/invalidation.ts).
-- When a row that decides access changes, every instance's in-process caches are emptied at once: the trigger sends
-- NOTIFY gatehouse_invalidate, which PostgreSQL delivers at commit to each instance's listening connection.
-- Only the columns that decide access fire it (usage counters and sign-in timestamps change all the time and do not).

CREATE FUNCTION "gatehouse_notify_invalidate"() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('gatehouse_invalidate', TG_TABLE_NAME);
    RETURN NULL;
END;
$$;

-- API keys: revoked, expiry, scopes, tenant or owner changed, or deleted.
CREATE TRIGGER "api_keys_invalidate" AFTER UPDATE ON "api_keys"
    FOR EACH ROW WHEN (OLD.revoked_at IS DISTINCT FROM NEW.revoked_at OR OLD.expires_at IS DISTINCT FROM NEW.expires_at
        OR OLD.scopes IS DISTINCT FROM NEW.scopes OR OLD.partner_id IS DISTINCT FROM NEW.partner_id
        OR OLD.owner_user_id IS DISTINCT FROM NEW.owner_user_id OR OLD.owner_client_id IS DISTINCT FROM NEW.owner_client_id
        OR OLD.key_digest IS DISTINCT FROM NEW.key_digest)
    EXECUTE FUNCTION "gatehouse_notify_invalidate"();
CREATE TRIGGER "api_keys_invalidate_delete" AFTER DELETE ON "api_keys"
    FOR EACH ROW EXECUTE FUNCTION "gatehouse_notify_invalidate"();

-- Partners: approved, suspended, rejected…, or deleted.
CREATE TRIGGER "partners_invalidate" AFTER UPDATE ON "partners"
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION "gatehouse_notify_invalidate"();
CREATE TRIGGER "partners_invalidate_delete" AFTER DELETE ON "partners"
    FOR EACH ROW EXECUTE FUNCTION "gatehouse_notify_invalidate"();

-- OAuth (service) clients: disabled or enabled, secret rotated, scopes, grants, token lifetime, tenant, or deleted.
CREATE TRIGGER "oauth_clients_invalidate" AFTER UPDATE ON "oauth_clients"
    FOR EACH ROW WHEN (OLD.disabled_at IS DISTINCT FROM NEW.disabled_at OR OLD.secret_digest IS DISTINCT FROM NEW.secret_digest
        OR OLD.allowed_scopes IS DISTINCT FROM NEW.allowed_scopes OR OLD.default_scopes IS DISTINCT FROM NEW.default_scopes
        OR OLD.grant_types IS DISTINCT FROM NEW.grant_types OR OLD.access_token_ttl_seconds IS DISTINCT FROM NEW.access_token_ttl_seconds
        OR OLD.partner_id IS DISTINCT FROM NEW.partner_id OR OLD.client_id IS DISTINCT FROM NEW.client_id)
    EXECUTE FUNCTION "gatehouse_notify_invalidate"();
CREATE TRIGGER "oauth_clients_invalidate_delete" AFTER DELETE ON "oauth_clients"
    FOR EACH ROW EXECUTE FUNCTION "gatehouse_notify_invalidate"();

-- People: leaving or changing partner (their keys work only inside it), or deleted.
CREATE TRIGGER "users_invalidate" AFTER UPDATE ON "users"
    FOR EACH ROW WHEN (OLD.partner_id IS DISTINCT FROM NEW.partner_id)
    EXECUTE FUNCTION "gatehouse_notify_invalidate"();
CREATE TRIGGER "users_invalidate_delete" AFTER DELETE ON "users"
    FOR EACH ROW EXECUTE FUNCTION "gatehouse_notify_invalidate"();
