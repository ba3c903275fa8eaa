CREATE TABLE `journey_shapes` (
	`id` integer PRIMARY KEY NOT NULL,
	`journey_key` text NOT NULL,
	`path` text NOT NULL,
	`switches` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `journey_shapes_key` ON `journey_shapes` (`journey_key`,`path`,`switches`);--> statement-breakpoint
DROP INDEX `journey_instances_journey`;--> statement-breakpoint
ALTER TABLE `journey_instances` ADD `shape_id` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `journey_instances_scan` ON `journey_instances` (`journey_key`,`started_at`,`segment`,`first_channel`,`customer_id`,`depth`,`status`,`deadline`,`shape_id`,`nps`,`csat`,`journey_nps`,`journey_csat`,`step_offsets`);--> statement-breakpoint
ALTER TABLE `journey_instances` DROP COLUMN `path`;--> statement-breakpoint
ALTER TABLE `journey_instances` DROP COLUMN `switches`;