CREATE TABLE `journey_path_days` (
	`journey_key` text NOT NULL,
	`day` integer NOT NULL,
	`segment` text NOT NULL,
	`first_channel` text NOT NULL,
	`shape_id` integer NOT NULL,
	`depth` integer NOT NULL,
	`status` text NOT NULL,
	`open_day` integer NOT NULL,
	`n` integer NOT NULL,
	`nps_n` integer NOT NULL,
	`nps_promoters` integer NOT NULL,
	`nps_detractors` integer NOT NULL,
	`csat_n` integer NOT NULL,
	`csat_satisfied` integer NOT NULL,
	`journey_nps_n` integer NOT NULL,
	`journey_nps_promoters` integer NOT NULL,
	`journey_nps_detractors` integer NOT NULL,
	`journey_csat_n` integer NOT NULL,
	`journey_csat_satisfied` integer NOT NULL,
	PRIMARY KEY(`journey_key`, `day`, `segment`, `first_channel`, `shape_id`, `depth`, `status`, `open_day`)
) WITHOUT ROWID;

--> statement-breakpoint
CREATE TRIGGER journey_path_days_insert AFTER INSERT ON journey_instances BEGIN
	INSERT INTO journey_path_days (journey_key, day, segment, first_channel, shape_id, depth, status, open_day, n, nps_n, nps_promoters, nps_detractors, csat_n, csat_satisfied, journey_nps_n, journey_nps_promoters, journey_nps_detractors, journey_csat_n, journey_csat_satisfied)
	VALUES (NEW.journey_key, CAST(NEW.started_at / 86400000 AS INTEGER), coalesce(NEW.segment, ''), coalesce(NEW.first_channel, ''), NEW.shape_id, NEW.depth, NEW.status, CASE WHEN NEW.status = 'in_progress' THEN CAST(NEW.deadline / 86400000 AS INTEGER) ELSE 0 END, 1, coalesce(NEW.nps IS NOT NULL, 0), coalesce(NEW.nps >= 9, 0), coalesce(NEW.nps <= 6, 0), coalesce(NEW.csat IS NOT NULL, 0), coalesce(NEW.csat >= 4, 0), coalesce(NEW.journey_nps IS NOT NULL, 0), coalesce(NEW.journey_nps >= 9, 0), coalesce(NEW.journey_nps <= 6, 0), coalesce(NEW.journey_csat IS NOT NULL, 0), coalesce(NEW.journey_csat >= 4, 0))
	ON CONFLICT (journey_key, day, segment, first_channel, shape_id, depth, status, open_day) DO UPDATE SET n = n + excluded.n, nps_n = nps_n + excluded.nps_n, nps_promoters = nps_promoters + excluded.nps_promoters, nps_detractors = nps_detractors + excluded.nps_detractors, csat_n = csat_n + excluded.csat_n, csat_satisfied = csat_satisfied + excluded.csat_satisfied, journey_nps_n = journey_nps_n + excluded.journey_nps_n, journey_nps_promoters = journey_nps_promoters + excluded.journey_nps_promoters, journey_nps_detractors = journey_nps_detractors + excluded.journey_nps_detractors, journey_csat_n = journey_csat_n + excluded.journey_csat_n, journey_csat_satisfied = journey_csat_satisfied + excluded.journey_csat_satisfied;
END;
--> statement-breakpoint
CREATE TRIGGER journey_path_days_delete AFTER DELETE ON journey_instances BEGIN
	UPDATE journey_path_days SET n = n - 1, nps_n = nps_n - coalesce(OLD.nps IS NOT NULL, 0), nps_promoters = nps_promoters - coalesce(OLD.nps >= 9, 0), nps_detractors = nps_detractors - coalesce(OLD.nps <= 6, 0), csat_n = csat_n - coalesce(OLD.csat IS NOT NULL, 0), csat_satisfied = csat_satisfied - coalesce(OLD.csat >= 4, 0), journey_nps_n = journey_nps_n - coalesce(OLD.journey_nps IS NOT NULL, 0), journey_nps_promoters = journey_nps_promoters - coalesce(OLD.journey_nps >= 9, 0), journey_nps_detractors = journey_nps_detractors - coalesce(OLD.journey_nps <= 6, 0), journey_csat_n = journey_csat_n - coalesce(OLD.journey_csat IS NOT NULL, 0), journey_csat_satisfied = journey_csat_satisfied - coalesce(OLD.journey_csat >= 4, 0)
	WHERE journey_key = OLD.journey_key AND day = CAST(OLD.started_at / 86400000 AS INTEGER) AND segment = coalesce(OLD.segment, '') AND first_channel = coalesce(OLD.first_channel, '') AND shape_id = OLD.shape_id AND depth = OLD.depth AND status = OLD.status AND open_day = CASE WHEN OLD.status = 'in_progress' THEN CAST(OLD.deadline / 86400000 AS INTEGER) ELSE 0 END;
	DELETE FROM journey_path_days WHERE journey_key = OLD.journey_key AND day = CAST(OLD.started_at / 86400000 AS INTEGER) AND segment = coalesce(OLD.segment, '') AND first_channel = coalesce(OLD.first_channel, '') AND shape_id = OLD.shape_id AND depth = OLD.depth AND status = OLD.status AND open_day = CASE WHEN OLD.status = 'in_progress' THEN CAST(OLD.deadline / 86400000 AS INTEGER) ELSE 0 END AND n = 0;
END;
--> statement-breakpoint
CREATE TRIGGER journey_path_days_update AFTER UPDATE ON journey_instances
WHEN OLD.journey_key IS NOT NEW.journey_key OR OLD.started_at IS NOT NEW.started_at OR OLD.segment IS NOT NEW.segment OR OLD.first_channel IS NOT NEW.first_channel OR OLD.shape_id IS NOT NEW.shape_id OR OLD.depth IS NOT NEW.depth OR OLD.status IS NOT NEW.status OR OLD.deadline IS NOT NEW.deadline OR OLD.nps IS NOT NEW.nps OR OLD.csat IS NOT NEW.csat OR OLD.journey_nps IS NOT NEW.journey_nps OR OLD.journey_csat IS NOT NEW.journey_csat BEGIN
	UPDATE journey_path_days SET n = n - 1, nps_n = nps_n - coalesce(OLD.nps IS NOT NULL, 0), nps_promoters = nps_promoters - coalesce(OLD.nps >= 9, 0), nps_detractors = nps_detractors - coalesce(OLD.nps <= 6, 0), csat_n = csat_n - coalesce(OLD.csat IS NOT NULL, 0), csat_satisfied = csat_satisfied - coalesce(OLD.csat >= 4, 0), journey_nps_n = journey_nps_n - coalesce(OLD.journey_nps IS NOT NULL, 0), journey_nps_promoters = journey_nps_promoters - coalesce(OLD.journey_nps >= 9, 0), journey_nps_detractors = journey_nps_detractors - coalesce(OLD.journey_nps <= 6, 0), journey_csat_n = journey_csat_n - coalesce(OLD.journey_csat IS NOT NULL, 0), journey_csat_satisfied = journey_csat_satisfied - coalesce(OLD.journey_csat >= 4, 0)
	WHERE journey_key = OLD.journey_key AND day = CAST(OLD.started_at / 86400000 AS INTEGER) AND segment = coalesce(OLD.segment, '') AND first_channel = coalesce(OLD.first_channel, '') AND shape_id = OLD.shape_id AND depth = OLD.depth AND status = OLD.status AND open_day = CASE WHEN OLD.status = 'in_progress' THEN CAST(OLD.deadline / 86400000 AS INTEGER) ELSE 0 END;
	DELETE FROM journey_path_days WHERE journey_key = OLD.journey_key AND day = CAST(OLD.started_at / 86400000 AS INTEGER) AND segment = coalesce(OLD.segment, '') AND first_channel = coalesce(OLD.first_channel, '') AND shape_id = OLD.shape_id AND depth = OLD.depth AND status = OLD.status AND open_day = CASE WHEN OLD.status = 'in_progress' THEN CAST(OLD.deadline / 86400000 AS INTEGER) ELSE 0 END AND n = 0;
	INSERT INTO journey_path_days (journey_key, day, segment, first_channel, shape_id, depth, status, open_day, n, nps_n, nps_promoters, nps_detractors, csat_n, csat_satisfied, journey_nps_n, journey_nps_promoters, journey_nps_detractors, journey_csat_n, journey_csat_satisfied)
	VALUES (NEW.journey_key, CAST(NEW.started_at / 86400000 AS INTEGER), coalesce(NEW.segment, ''), coalesce(NEW.first_channel, ''), NEW.shape_id, NEW.depth, NEW.status, CASE WHEN NEW.status = 'in_progress' THEN CAST(NEW.deadline / 86400000 AS INTEGER) ELSE 0 END, 1, coalesce(NEW.nps IS NOT NULL, 0), coalesce(NEW.nps >= 9, 0), coalesce(NEW.nps <= 6, 0), coalesce(NEW.csat IS NOT NULL, 0), coalesce(NEW.csat >= 4, 0), coalesce(NEW.journey_nps IS NOT NULL, 0), coalesce(NEW.journey_nps >= 9, 0), coalesce(NEW.journey_nps <= 6, 0), coalesce(NEW.journey_csat IS NOT NULL, 0), coalesce(NEW.journey_csat >= 4, 0))
	ON CONFLICT (journey_key, day, segment, first_channel, shape_id, depth, status, open_day) DO UPDATE SET n = n + excluded.n, nps_n = nps_n + excluded.nps_n, nps_promoters = nps_promoters + excluded.nps_promoters, nps_detractors = nps_detractors + excluded.nps_detractors, csat_n = csat_n + excluded.csat_n, csat_satisfied = csat_satisfied + excluded.csat_satisfied, journey_nps_n = journey_nps_n + excluded.journey_nps_n, journey_nps_promoters = journey_nps_promoters + excluded.journey_nps_promoters, journey_nps_detractors = journey_nps_detractors + excluded.journey_nps_detractors, journey_csat_n = journey_csat_n + excluded.journey_csat_n, journey_csat_satisfied = journey_csat_satisfied + excluded.journey_csat_satisfied;
END;
--> statement-breakpoint
INSERT INTO journey_path_days (journey_key, day, segment, first_channel, shape_id, depth, status, open_day, n, nps_n, nps_promoters, nps_detractors, csat_n, csat_satisfied, journey_nps_n, journey_nps_promoters, journey_nps_detractors, journey_csat_n, journey_csat_satisfied)
SELECT journey_key AS k0, CAST(started_at / 86400000 AS INTEGER) AS k1, coalesce(segment, '') AS k2, coalesce(first_channel, '') AS k3, shape_id AS k4, depth AS k5, status AS k6, CASE WHEN status = 'in_progress' THEN CAST(deadline / 86400000 AS INTEGER) ELSE 0 END AS k7, count(*), sum(coalesce(nps IS NOT NULL, 0)), sum(coalesce(nps >= 9, 0)), sum(coalesce(nps <= 6, 0)), sum(coalesce(csat IS NOT NULL, 0)), sum(coalesce(csat >= 4, 0)), sum(coalesce(journey_nps IS NOT NULL, 0)), sum(coalesce(journey_nps >= 9, 0)), sum(coalesce(journey_nps <= 6, 0)), sum(coalesce(journey_csat IS NOT NULL, 0)), sum(coalesce(journey_csat >= 4, 0))
FROM journey_instances GROUP BY k0, k1, k2, k3, k4, k5, k6, k7;
