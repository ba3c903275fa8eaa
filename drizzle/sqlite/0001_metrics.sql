CREATE TABLE `cx_index_weights` (
	`component` text PRIMARY KEY NOT NULL,
	`weight` real NOT NULL,
	`updated_at` integer NOT NULL,
	`updated_by` text
);
--> statement-breakpoint
CREATE TABLE `kpi_settings` (
	`key` text PRIMARY KEY NOT NULL,
	`target` real,
	`amber` real,
	`red` real,
	`updated_at` integer NOT NULL,
	`updated_by` text
);
--> statement-breakpoint
CREATE TABLE `metric_cells` (
	`key` integer PRIMARY KEY NOT NULL,
	`contacts` integer DEFAULT 0 NOT NULL,
	`agent_requests` integer DEFAULT 0 NOT NULL,
	`offered` integer DEFAULT 0 NOT NULL,
	`answered` integer DEFAULT 0 NOT NULL,
	`answered_20s` integer DEFAULT 0 NOT NULL,
	`abandoned` integer DEFAULT 0 NOT NULL,
	`short_abandons` integer DEFAULT 0 NOT NULL,
	`handle_n` integer DEFAULT 0 NOT NULL,
	`handle_sum` real DEFAULT 0 NOT NULL,
	`handle_sumsq` real DEFAULT 0 NOT NULL,
	`wait_sum` real DEFAULT 0 NOT NULL,
	`wait_sumsq` real DEFAULT 0 NOT NULL,
	`transferred` integer DEFAULT 0 NOT NULL,
	`first_contacts` integer DEFAULT 0 NOT NULL,
	`first_resolved` integer DEFAULT 0 NOT NULL,
	`repeated_48h` integer DEFAULT 0 NOT NULL,
	`contained` integer DEFAULT 0 NOT NULL,
	`complaints` integer DEFAULT 0 NOT NULL,
	`regulator_complaints` integer DEFAULT 0 NOT NULL,
	`nps_n` integer DEFAULT 0 NOT NULL,
	`nps_promoters` integer DEFAULT 0 NOT NULL,
	`nps_detractors` integer DEFAULT 0 NOT NULL,
	`csat_n` integer DEFAULT 0 NOT NULL,
	`csat_top2` integer DEFAULT 0 NOT NULL,
	`csat_sum` real DEFAULT 0 NOT NULL,
	`csat_sumsq` real DEFAULT 0 NOT NULL,
	`ces_n` integer DEFAULT 0 NOT NULL,
	`ces_top3` integer DEFAULT 0 NOT NULL,
	`ces_sum` real DEFAULT 0 NOT NULL,
	`ces_sumsq` real DEFAULT 0 NOT NULL,
	`texts_scored` integer DEFAULT 0 NOT NULL,
	`texts_positive` integer DEFAULT 0 NOT NULL,
	`texts_negative` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE `metric_combos` (
	`id` integer PRIMARY KEY NOT NULL,
	`cuboid` integer NOT NULL,
	`v1` text DEFAULT '' NOT NULL,
	`v2` text DEFAULT '' NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `metric_combos_values` ON `metric_combos` (`cuboid`,`v1`,`v2`);--> statement-breakpoint
ALTER TABLE `events` ADD `first_contact` integer;--> statement-breakpoint
ALTER TABLE `events` ADD `repeat_same_reason_7d` integer;--> statement-breakpoint
ALTER TABLE `events` ADD `repeat_48h` integer;--> statement-breakpoint
ALTER TABLE `events` ADD `linked_contact_seq` integer;