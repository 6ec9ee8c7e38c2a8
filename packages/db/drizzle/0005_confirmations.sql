CREATE TYPE "public"."confirm_channel" AS ENUM('link', 'reply');--> statement-breakpoint
CREATE TABLE "confirmations" (
	"message_id" integer NOT NULL,
	"household_id" integer NOT NULL,
	"delivery_id" bigint NOT NULL,
	"choice" smallint NOT NULL,
	"channel" "confirm_channel" NOT NULL,
	"late" boolean DEFAULT false NOT NULL,
	"reply_words" text,
	"first_confirmed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"confirmed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "confirmations_message_id_household_id_pk" PRIMARY KEY("message_id","household_id")
);
--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "confirm" jsonb;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "confirm_deadline_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "chased_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "escalated_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "resend_of" integer;--> statement-breakpoint
ALTER TABLE "confirmations" ADD CONSTRAINT "confirmations_message_id_messages_id_fk" FOREIGN KEY ("message_id") REFERENCES "public"."messages"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "confirmations_message_first_idx" ON "confirmations" USING btree ("message_id","first_confirmed_at");--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_resend_of_messages_id_fk" FOREIGN KEY ("resend_of") REFERENCES "public"."messages"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "messages_confirm_due_idx" ON "messages" USING btree ("confirm_deadline_at") WHERE "messages"."confirm_deadline_at" is not null and "messages"."escalated_at" is null;--> statement-breakpoint
CREATE INDEX "messages_resend_of_idx" ON "messages" USING btree ("resend_of");