CREATE TABLE "journey_path_days" (
	"journey_key" text NOT NULL,
	"day" bigint NOT NULL,
	"segment" text NOT NULL,
	"first_channel" text NOT NULL,
	"shape_id" bigint NOT NULL,
	"depth" bigint NOT NULL,
	"status" text NOT NULL,
	"open_day" bigint NOT NULL,
	"n" bigint NOT NULL,
	"nps_n" bigint NOT NULL,
	"nps_promoters" bigint NOT NULL,
	"nps_detractors" bigint NOT NULL,
	"csat_n" bigint NOT NULL,
	"csat_satisfied" bigint NOT NULL,
	"journey_nps_n" bigint NOT NULL,
	"journey_nps_promoters" bigint NOT NULL,
	"journey_nps_detractors" bigint NOT NULL,
	"journey_csat_n" bigint NOT NULL,
	"journey_csat_satisfied" bigint NOT NULL,
	CONSTRAINT "journey_path_days_journey_key_day_segment_first_channel_shape_id_depth_status_open_day_pk" PRIMARY KEY("journey_key","day","segment","first_channel","shape_id","depth","status","open_day")
);

--> statement-breakpoint
CREATE FUNCTION journey_path_days_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP IN ('UPDATE', 'DELETE') THEN
	UPDATE journey_path_days SET n = n - 1, nps_n = nps_n - CASE WHEN OLD.nps IS NOT NULL THEN 1 ELSE 0 END, nps_promoters = nps_promoters - CASE WHEN OLD.nps >= 9 THEN 1 ELSE 0 END, nps_detractors = nps_detractors - CASE WHEN OLD.nps <= 6 THEN 1 ELSE 0 END, csat_n = csat_n - CASE WHEN OLD.csat IS NOT NULL THEN 1 ELSE 0 END, csat_satisfied = csat_satisfied - CASE WHEN OLD.csat >= 4 THEN 1 ELSE 0 END, journey_nps_n = journey_nps_n - CASE WHEN OLD.journey_nps IS NOT NULL THEN 1 ELSE 0 END, journey_nps_promoters = journey_nps_promoters - CASE WHEN OLD.journey_nps >= 9 THEN 1 ELSE 0 END, journey_nps_detractors = journey_nps_detractors - CASE WHEN OLD.journey_nps <= 6 THEN 1 ELSE 0 END, journey_csat_n = journey_csat_n - CASE WHEN OLD.journey_csat IS NOT NULL THEN 1 ELSE 0 END, journey_csat_satisfied = journey_csat_satisfied - CASE WHEN OLD.journey_csat >= 4 THEN 1 ELSE 0 END
	WHERE journey_key = OLD.journey_key AND day = OLD.started_at / 86400000 AND segment = coalesce(OLD.segment, '') AND first_channel = coalesce(OLD.first_channel, '') AND shape_id = OLD.shape_id AND depth = OLD.depth AND status = OLD.status AND open_day = CASE WHEN OLD.status = 'in_progress' THEN OLD.deadline / 86400000 ELSE 0 END;
	DELETE FROM journey_path_days WHERE journey_key = OLD.journey_key AND day = OLD.started_at / 86400000 AND segment = coalesce(OLD.segment, '') AND first_channel = coalesce(OLD.first_channel, '') AND shape_id = OLD.shape_id AND depth = OLD.depth AND status = OLD.status AND open_day = CASE WHEN OLD.status = 'in_progress' THEN OLD.deadline / 86400000 ELSE 0 END AND n = 0;
	END IF;
	IF TG_OP IN ('INSERT', 'UPDATE') THEN
	INSERT INTO journey_path_days (journey_key, day, segment, first_channel, shape_id, depth, status, open_day, n, nps_n, nps_promoters, nps_detractors, csat_n, csat_satisfied, journey_nps_n, journey_nps_promoters, journey_nps_detractors, journey_csat_n, journey_csat_satisfied)
	VALUES (NEW.journey_key, NEW.started_at / 86400000, coalesce(NEW.segment, ''), coalesce(NEW.first_channel, ''), NEW.shape_id, NEW.depth, NEW.status, CASE WHEN NEW.status = 'in_progress' THEN NEW.deadline / 86400000 ELSE 0 END, 1, CASE WHEN NEW.nps IS NOT NULL THEN 1 ELSE 0 END, CASE WHEN NEW.nps >= 9 THEN 1 ELSE 0 END, CASE WHEN NEW.nps <= 6 THEN 1 ELSE 0 END, CASE WHEN NEW.csat IS NOT NULL THEN 1 ELSE 0 END, CASE WHEN NEW.csat >= 4 THEN 1 ELSE 0 END, CASE WHEN NEW.journey_nps IS NOT NULL THEN 1 ELSE 0 END, CASE WHEN NEW.journey_nps >= 9 THEN 1 ELSE 0 END, CASE WHEN NEW.journey_nps <= 6 THEN 1 ELSE 0 END, CASE WHEN NEW.journey_csat IS NOT NULL THEN 1 ELSE 0 END, CASE WHEN NEW.journey_csat >= 4 THEN 1 ELSE 0 END)
	ON CONFLICT (journey_key, day, segment, first_channel, shape_id, depth, status, open_day) DO UPDATE SET n = journey_path_days.n + excluded.n, nps_n = journey_path_days.nps_n + excluded.nps_n, nps_promoters = journey_path_days.nps_promoters + excluded.nps_promoters, nps_detractors = journey_path_days.nps_detractors + excluded.nps_detractors, csat_n = journey_path_days.csat_n + excluded.csat_n, csat_satisfied = journey_path_days.csat_satisfied + excluded.csat_satisfied, journey_nps_n = journey_path_days.journey_nps_n + excluded.journey_nps_n, journey_nps_promoters = journey_path_days.journey_nps_promoters + excluded.journey_nps_promoters, journey_nps_detractors = journey_path_days.journey_nps_detractors + excluded.journey_nps_detractors, journey_csat_n = journey_path_days.journey_csat_n + excluded.journey_csat_n, journey_csat_satisfied = journey_path_days.journey_csat_satisfied + excluded.journey_csat_satisfied;
	END IF;
	RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER journey_path_days_insert AFTER INSERT ON journey_instances FOR EACH ROW EXECUTE FUNCTION journey_path_days_apply();
--> statement-breakpoint
CREATE TRIGGER journey_path_days_delete AFTER DELETE ON journey_instances FOR EACH ROW EXECUTE FUNCTION journey_path_days_apply();
--> statement-breakpoint
CREATE TRIGGER journey_path_days_update AFTER UPDATE ON journey_instances FOR EACH ROW
WHEN (OLD.journey_key IS DISTINCT FROM NEW.journey_key OR OLD.started_at IS DISTINCT FROM NEW.started_at OR OLD.segment IS DISTINCT FROM NEW.segment OR OLD.first_channel IS DISTINCT FROM NEW.first_channel OR OLD.shape_id IS DISTINCT FROM NEW.shape_id OR OLD.depth IS DISTINCT FROM NEW.depth OR OLD.status IS DISTINCT FROM NEW.status OR OLD.deadline IS DISTINCT FROM NEW.deadline OR OLD.nps IS DISTINCT FROM NEW.nps OR OLD.csat IS DISTINCT FROM NEW.csat OR OLD.journey_nps IS DISTINCT FROM NEW.journey_nps OR OLD.journey_csat IS DISTINCT FROM NEW.journey_csat) EXECUTE FUNCTION journey_path_days_apply();
--> statement-breakpoint
INSERT INTO journey_path_days (journey_key, day, segment, first_channel, shape_id, depth, status, open_day, n, nps_n, nps_promoters, nps_detractors, csat_n, csat_satisfied, journey_nps_n, journey_nps_promoters, journey_nps_detractors, journey_csat_n, journey_csat_satisfied)
SELECT journey_key AS k0, started_at / 86400000 AS k1, coalesce(segment, '') AS k2, coalesce(first_channel, '') AS k3, shape_id AS k4, depth AS k5, status AS k6, CASE WHEN status = 'in_progress' THEN deadline / 86400000 ELSE 0 END AS k7, count(*), sum(CASE WHEN nps IS NOT NULL THEN 1 ELSE 0 END), sum(CASE WHEN nps >= 9 THEN 1 ELSE 0 END), sum(CASE WHEN nps <= 6 THEN 1 ELSE 0 END), sum(CASE WHEN csat IS NOT NULL THEN 1 ELSE 0 END), sum(CASE WHEN csat >= 4 THEN 1 ELSE 0 END), sum(CASE WHEN journey_nps IS NOT NULL THEN 1 ELSE 0 END), sum(CASE WHEN journey_nps >= 9 THEN 1 ELSE 0 END), sum(CASE WHEN journey_nps <= 6 THEN 1 ELSE 0 END), sum(CASE WHEN journey_csat IS NOT NULL THEN 1 ELSE 0 END), sum(CASE WHEN journey_csat >= 4 THEN 1 ELSE 0 END)
FROM journey_instances GROUP BY k0, k1, k2, k3, k4, k5, k6, k7;
