DROP INDEX "registrations_student_idx";--> statement-breakpoint
CREATE INDEX "addresses_registration_devices_idx" ON "addresses" USING btree ("registration_id","blind_index","health");--> statement-breakpoint
CREATE INDEX "registrations_student_idx" ON "registrations" USING btree ("student_id","id","education_mail");