DROP INDEX "deliveries_claimable_idx";--> statement-breakpoint
ALTER TABLE "deliveries" ADD COLUMN "priority" smallint DEFAULT 1 NOT NULL;--> statement-breakpoint
-- Emergencies still being sent when this runs get their priority too.
UPDATE "deliveries" SET "priority" = 0 FROM "messages" WHERE "messages"."id" = "deliveries"."message_id" AND "messages"."category" <> 'education_info' AND "deliveries"."state" IN ('queued', 'deferred', 'sending');--> statement-breakpoint
CREATE INDEX "deliveries_claimable_idx" ON "deliveries" USING btree ("priority","next_attempt_at") WHERE "deliveries"."state" in ('queued', 'deferred');