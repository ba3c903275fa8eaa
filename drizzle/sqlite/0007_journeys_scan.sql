DROP INDEX `journey_instances_scan`;--> statement-breakpoint
ALTER TABLE `journey_instances` ADD `customer_key` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `journey_instances_scan` ON `journey_instances` (`journey_key`,`started_at`,`segment`,`first_channel`,`customer_key`,`depth`,`status`,`deadline`,`shape_id`,`feedbacks`,`nps`,`csat`,`journey_nps`,`journey_csat`,`step_offsets`);--> statement-breakpoint
-- Instances stitched before this migration count as one customer each until restitchAll recomputes their key.
UPDATE `journey_instances` SET `customer_key` = -`id`;
