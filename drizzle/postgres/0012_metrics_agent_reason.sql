DROP INDEX "metric_combos_values";--> statement-breakpoint
ALTER TABLE "metric_combos" ADD COLUMN "v3" text DEFAULT '' NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "metric_combos_values" ON "metric_combos" USING btree ("cuboid","v1","v2","v3");