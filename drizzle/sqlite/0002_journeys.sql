CREATE TABLE `journey_definitions` (
	`key` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`name_en` text NOT NULL,
	`definition` text NOT NULL,
	`built_in` integer DEFAULT false NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`updated_at` integer NOT NULL,
	`updated_by` text
);
--> statement-breakpoint
CREATE TABLE `journey_event_mappings` (
	`event_name` text NOT NULL,
	`journey_key` text NOT NULL,
	`step_event` text NOT NULL,
	`created_at` integer NOT NULL,
	`created_by` text,
	PRIMARY KEY(`event_name`, `journey_key`)
);
--> statement-breakpoint
CREATE TABLE `journey_event_names` (
	`name` text PRIMARY KEY NOT NULL,
	`events` integer NOT NULL,
	`first_seen` integer NOT NULL,
	`last_seen` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `journey_instances` (
	`id` integer PRIMARY KEY NOT NULL,
	`journey_key` text NOT NULL,
	`customer_id` text NOT NULL,
	`start_seq` integer NOT NULL,
	`started_at` integer NOT NULL,
	`last_event_at` integer NOT NULL,
	`ended_at` integer,
	`deadline` integer NOT NULL,
	`attach_end` integer NOT NULL,
	`reach_end` integer NOT NULL,
	`status` text NOT NULL,
	`end_event` text,
	`depth` integer NOT NULL,
	`last_step` text NOT NULL,
	`step_offsets` text NOT NULL,
	`duration_s` integer NOT NULL,
	`step_events` integer NOT NULL,
	`contacts` integer NOT NULL,
	`feedbacks` integer NOT NULL,
	`complaints` integer NOT NULL,
	`channels` text NOT NULL,
	`first_channel` text,
	`segment` text,
	`path` text NOT NULL,
	`switches` text NOT NULL,
	`nps` real,
	`csat` real,
	`journey_nps` real,
	`journey_csat` real,
	`step_seqs` text NOT NULL,
	`definition_version` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `journey_instances_journey` ON `journey_instances` (`journey_key`,`started_at`);--> statement-breakpoint
CREATE INDEX `journey_instances_customer` ON `journey_instances` (`customer_id`,`journey_key`,`started_at`);--> statement-breakpoint
CREATE INDEX `journey_instances_open` ON `journey_instances` (`deadline`) WHERE status = 'in_progress';--> statement-breakpoint
CREATE TABLE `journey_interactions` (
	`instance_id` integer NOT NULL,
	`seq` integer NOT NULL,
	`type` text NOT NULL,
	`ts` integer NOT NULL,
	PRIMARY KEY(`instance_id`, `seq`)
);
