ALTER TABLE "message_students" DROP CONSTRAINT "message_students_student_id_students_id_fk";
--> statement-breakpoint
ALTER TABLE "message_students" DROP CONSTRAINT "message_students_household_id_households_id_fk";
--> statement-breakpoint
ALTER TABLE "message_students" DROP CONSTRAINT "message_students_school_id_schools_id_fk";
--> statement-breakpoint
ALTER TABLE "message_students" DROP CONSTRAINT "message_students_class_id_classes_id_fk";
--> statement-breakpoint
ALTER TABLE "deliveries" DROP CONSTRAINT "deliveries_address_id_addresses_id_fk";
--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "fanned_out_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "deliveries" ADD COLUMN "child_names" text[];