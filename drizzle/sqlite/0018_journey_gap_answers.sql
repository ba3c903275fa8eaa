CREATE TABLE `journey_gap_answers` (
	`journey_key` text NOT NULL,
	`started_at` integer NOT NULL,
	`instance_id` integer NOT NULL,
	`seq` integer NOT NULL,
	`segment` text,
	`first_channel` text,
	`channel` text,
	`metric` text NOT NULL,
	`score` real NOT NULL,
	`tagged` integer NOT NULL,
	`team_id` text,
	PRIMARY KEY(`journey_key`, `started_at`, `instance_id`, `seq`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE INDEX `journey_gap_answers_instance` ON `journey_gap_answers` (`instance_id`);--> statement-breakpoint
CREATE INDEX `journey_gap_answers_seq` ON `journey_gap_answers` (`seq`);
--> statement-breakpoint
CREATE TRIGGER journey_gap_answers_link_insert AFTER INSERT ON journey_interactions WHEN NEW.type = 'feedback' BEGIN
	INSERT OR IGNORE INTO journey_gap_answers (journey_key, started_at, instance_id, seq, segment, first_channel, channel, metric, score, tagged, team_id)
	SELECT i.journey_key, i.started_at, i.id, e.seq, i.segment, i.first_channel, e.channel, e.metric, e.score, CASE WHEN e.journey IS NOT NULL THEN 1 ELSE 0 END, e.team_id
	FROM journey_instances i, events e
	WHERE i.id = NEW.instance_id AND e.seq = NEW.seq AND e.metric IN ('csat', 'nps') AND e.score IS NOT NULL;
END;
--> statement-breakpoint
CREATE TRIGGER journey_gap_answers_link_delete AFTER DELETE ON journey_interactions WHEN OLD.type = 'feedback' BEGIN
	DELETE FROM journey_gap_answers WHERE instance_id = OLD.instance_id AND seq = OLD.seq;
END;
--> statement-breakpoint
CREATE TRIGGER journey_gap_answers_instance_update AFTER UPDATE ON journey_instances
WHEN OLD.journey_key IS NOT NEW.journey_key OR OLD.started_at IS NOT NEW.started_at OR OLD.segment IS NOT NEW.segment OR OLD.first_channel IS NOT NEW.first_channel OR OLD.id IS NOT NEW.id BEGIN
	UPDATE journey_gap_answers SET journey_key = NEW.journey_key, started_at = NEW.started_at, instance_id = NEW.id, segment = NEW.segment, first_channel = NEW.first_channel
	WHERE instance_id = OLD.id;
END;
--> statement-breakpoint
CREATE TRIGGER journey_gap_answers_instance_delete AFTER DELETE ON journey_instances BEGIN
	DELETE FROM journey_gap_answers WHERE instance_id = OLD.id;
END;
--> statement-breakpoint
CREATE TRIGGER journey_gap_answers_event_delete AFTER DELETE ON events WHEN OLD.type = 'feedback' BEGIN
	DELETE FROM journey_gap_answers WHERE seq = OLD.seq;
END;
--> statement-breakpoint
INSERT OR IGNORE INTO journey_gap_answers (journey_key, started_at, instance_id, seq, segment, first_channel, channel, metric, score, tagged, team_id)
SELECT i.journey_key, i.started_at, i.id, e.seq, i.segment, i.first_channel, e.channel, e.metric, e.score, CASE WHEN e.journey IS NOT NULL THEN 1 ELSE 0 END, e.team_id
FROM journey_interactions l JOIN journey_instances i ON i.id = l.instance_id JOIN events e ON e.seq = l.seq
WHERE l.type = 'feedback' AND e.metric IN ('csat', 'nps') AND e.score IS NOT NULL;
