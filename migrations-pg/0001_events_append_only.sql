-- The events table is the audit log: rows are appended, never changed or removed.
CREATE FUNCTION "events_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'events are append-only';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "events_no_update" BEFORE UPDATE ON "events" FOR EACH ROW EXECUTE FUNCTION "events_append_only"();
--> statement-breakpoint
CREATE TRIGGER "events_no_delete" BEFORE DELETE ON "events" FOR EACH ROW EXECUTE FUNCTION "events_append_only"();
--> statement-breakpoint
CREATE TRIGGER "events_no_truncate" BEFORE TRUNCATE ON "events" FOR EACH STATEMENT EXECUTE FUNCTION "events_append_only"();
