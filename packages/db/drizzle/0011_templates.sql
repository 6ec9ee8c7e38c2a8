CREATE TYPE "public"."template_language" AS ENUM('ja', 'ja-easy', 'en', 'zh-Hans', 'ko', 'vi', 'pt', 'fil');--> statement-breakpoint
CREATE TABLE "message_templates" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "message_templates_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"district_id" integer NOT NULL,
	"school_id" integer,
	"key" text,
	"name" text NOT NULL,
	"category" "message_category" NOT NULL,
	"slots" jsonb NOT NULL,
	"variants" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "registrations" ADD COLUMN "language" "template_language" DEFAULT 'ja' NOT NULL;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "template_id" integer;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "template_slots" jsonb;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "variants" jsonb;--> statement-breakpoint
ALTER TABLE "message_templates" ADD CONSTRAINT "message_templates_district_id_districts_id_fk" FOREIGN KEY ("district_id") REFERENCES "public"."districts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "message_templates" ADD CONSTRAINT "message_templates_school_id_schools_id_fk" FOREIGN KEY ("school_id") REFERENCES "public"."schools"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "message_templates_district_key_unique" ON "message_templates" USING btree ("district_id","key") WHERE "message_templates"."key" is not null;--> statement-breakpoint
CREATE INDEX "message_templates_district_school_idx" ON "message_templates" USING btree ("district_id","school_id");--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_template_id_message_templates_id_fk" FOREIGN KEY ("template_id") REFERENCES "public"."message_templates"("id") ON DELETE set null ON UPDATE no action;