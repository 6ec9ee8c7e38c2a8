CREATE TYPE "public"."delivery_channel" AS ENUM('mail', 'push');--> statement-breakpoint
ALTER TABLE "deliveries" ADD COLUMN "channel" "delivery_channel" DEFAULT 'mail' NOT NULL;--> statement-breakpoint
ALTER TABLE "deliveries" ADD COLUMN "push_subscription_id" integer;