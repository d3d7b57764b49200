-- DropIndex
DROP INDEX "audit_events_partner_id_occurred_at_idx";

-- DropIndex
DROP INDEX "audit_events_action_occurred_at_idx";

-- DropIndex
DROP INDEX "audit_events_occurred_at_idx";

-- CreateIndex
CREATE INDEX "users_created_at_id_idx" ON "users"("created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "audit_events_partner_id_occurred_at_id_idx" ON "audit_events"("partner_id", "occurred_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "audit_events_action_occurred_at_id_idx" ON "audit_events"("action", "occurred_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "audit_events_actor_id_occurred_at_id_idx" ON "audit_events"("actor_id", "occurred_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "audit_events_target_id_occurred_at_id_idx" ON "audit_events"("target_id", "occurred_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "audit_events_occurred_at_id_idx" ON "audit_events"("occurred_at" DESC, "id" DESC);
