CREATE TABLE "journey_gap_answers" (
	"journey_key" text NOT NULL,
	"started_at" bigint NOT NULL,
	"instance_id" bigint NOT NULL,
	"seq" bigint NOT NULL,
	"segment" text,
	"first_channel" text,
	"channel" text,
	"metric" text NOT NULL,
	"score" double precision NOT NULL,
	"tagged" bigint NOT NULL,
	"team_id" text,
	CONSTRAINT "journey_gap_answers_journey_key_started_at_instance_id_seq_pk" PRIMARY KEY("journey_key","started_at","instance_id","seq")
);
--> statement-breakpoint
CREATE INDEX "journey_gap_answers_instance" ON "journey_gap_answers" USING btree ("instance_id");--> statement-breakpoint
CREATE INDEX "journey_gap_answers_seq" ON "journey_gap_answers" USING btree ("seq");
--> statement-breakpoint
CREATE FUNCTION journey_gap_answers_link() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'DELETE' THEN
	DELETE FROM journey_gap_answers WHERE instance_id = OLD.instance_id AND seq = OLD.seq;
	ELSE
	INSERT INTO journey_gap_answers (journey_key, started_at, instance_id, seq, segment, first_channel, channel, metric, score, tagged, team_id)
	SELECT i.journey_key, i.started_at, i.id, e.seq, i.segment, i.first_channel, e.channel, e.metric, e.score, CASE WHEN e.journey IS NOT NULL THEN 1 ELSE 0 END, e.team_id
	FROM journey_instances i, events e
	WHERE i.id = NEW.instance_id AND e.seq = NEW.seq AND e.metric IN ('csat', 'nps') AND e.score IS NOT NULL
	ON CONFLICT DO NOTHING;
	END IF;
	RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER journey_gap_answers_link_insert AFTER INSERT ON journey_interactions FOR EACH ROW WHEN (NEW.type = 'feedback') EXECUTE FUNCTION journey_gap_answers_link();
--> statement-breakpoint
CREATE TRIGGER journey_gap_answers_link_delete AFTER DELETE ON journey_interactions FOR EACH ROW WHEN (OLD.type = 'feedback') EXECUTE FUNCTION journey_gap_answers_link();
--> statement-breakpoint
CREATE FUNCTION journey_gap_answers_instance() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'DELETE' THEN
	DELETE FROM journey_gap_answers WHERE instance_id = OLD.id;
	ELSE
	UPDATE journey_gap_answers SET journey_key = NEW.journey_key, started_at = NEW.started_at, instance_id = NEW.id, segment = NEW.segment, first_channel = NEW.first_channel
	WHERE instance_id = OLD.id;
	END IF;
	RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER journey_gap_answers_instance_update AFTER UPDATE ON journey_instances FOR EACH ROW
WHEN (OLD.journey_key IS DISTINCT FROM NEW.journey_key OR OLD.started_at IS DISTINCT FROM NEW.started_at OR OLD.segment IS DISTINCT FROM NEW.segment OR OLD.first_channel IS DISTINCT FROM NEW.first_channel OR OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION journey_gap_answers_instance();
--> statement-breakpoint
CREATE TRIGGER journey_gap_answers_instance_delete AFTER DELETE ON journey_instances FOR EACH ROW EXECUTE FUNCTION journey_gap_answers_instance();
--> statement-breakpoint
CREATE FUNCTION journey_gap_answers_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	DELETE FROM journey_gap_answers WHERE seq = OLD.seq;
	RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER journey_gap_answers_event_delete AFTER DELETE ON events FOR EACH ROW WHEN (OLD.type = 'feedback') EXECUTE FUNCTION journey_gap_answers_event();
--> statement-breakpoint
INSERT INTO journey_gap_answers (journey_key, started_at, instance_id, seq, segment, first_channel, channel, metric, score, tagged, team_id)
SELECT i.journey_key, i.started_at, i.id, e.seq, i.segment, i.first_channel, e.channel, e.metric, e.score, CASE WHEN e.journey IS NOT NULL THEN 1 ELSE 0 END, e.team_id
FROM journey_interactions l JOIN journey_instances i ON i.id = l.instance_id JOIN events e ON e.seq = l.seq
WHERE l.type = 'feedback' AND e.metric IN ('csat', 'nps') AND e.score IS NOT NULL
ON CONFLICT DO NOTHING;
