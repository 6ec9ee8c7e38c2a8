-- The audit trail is append-only: no page, API or operator edits or removes what happened.
-- Decision on a district's removal: its events go with it (ON DELETE CASCADE stays), because a
-- district removed from the installation leaves no one to read its trail and its rows would
-- otherwise block the removal for good. So a DELETE passes only once the event's district row
-- is gone, which is the cascade's case; events without a district are never deleted.
CREATE FUNCTION audit_events_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  -- Nested, as OLD is not there at all for TRUNCATE.
  IF TG_OP = 'DELETE' THEN
    IF OLD.district_id IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM districts WHERE id = OLD.district_id) THEN
      RETURN OLD;
    END IF;
  END IF;
  RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;--> statement-breakpoint
CREATE TRIGGER audit_events_append_only
  BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change();--> statement-breakpoint
CREATE TRIGGER audit_events_no_truncate
  BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change();
