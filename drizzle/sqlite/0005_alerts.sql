CREATE TABLE `alert_history` (
	`id` integer PRIMARY KEY NOT NULL,
	`alert_id` integer NOT NULL,
	`ts` integer NOT NULL,
	`action` text NOT NULL,
	`actor` text,
	`note` text,
	FOREIGN KEY (`alert_id`) REFERENCES `alerts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `alert_history_alert` ON `alert_history` (`alert_id`,`ts`);--> statement-breakpoint
CREATE TABLE `alert_rules` (
	`id` integer PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`config` text NOT NULL,
	`severity` text DEFAULT 'warning' NOT NULL,
	`teams` text,
	`per_team` integer DEFAULT false NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`webhook_url` text,
	`webhook_secret` text,
	`builtin` text,
	`created_by` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `alert_settings` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `alert_state` (
	`rule_id` integer NOT NULL,
	`scope` text NOT NULL,
	`firing` integer NOT NULL,
	`since` integer NOT NULL,
	`clear_since` integer,
	`evaluated_at` integer NOT NULL,
	`value` real,
	PRIMARY KEY(`rule_id`, `scope`),
	FOREIGN KEY (`rule_id`) REFERENCES `alert_rules`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `alerts` (
	`id` integer PRIMARY KEY NOT NULL,
	`rule_id` integer,
	`rule_name` text NOT NULL,
	`kind` text NOT NULL,
	`scope` text NOT NULL,
	`teams` text,
	`severity` text NOT NULL,
	`status` text NOT NULL,
	`summary` text NOT NULL,
	`details` text NOT NULL,
	`value` real,
	`opened_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	`acknowledged_at` integer,
	`acknowledged_by` text,
	`resolved_at` integer,
	`resolved_by` text,
	`snoozed_until` integer,
	`snoozed_by` text,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`rule_id`) REFERENCES `alert_rules`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `alerts_one_unresolved` ON `alerts` (`rule_id`,`scope`) WHERE status <> 'resolved';--> statement-breakpoint
CREATE INDEX `alerts_status_opened` ON `alerts` (`status`,`opened_at`);--> statement-breakpoint
CREATE TABLE `case_notes` (
	`id` integer PRIMARY KEY NOT NULL,
	`case_id` integer NOT NULL,
	`ts` integer NOT NULL,
	`kind` text NOT NULL,
	`text` text NOT NULL,
	`author_id` text,
	`author_name` text,
	FOREIGN KEY (`case_id`) REFERENCES `follow_up_cases`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `case_notes_case` ON `case_notes` (`case_id`,`ts`);--> statement-breakpoint
CREATE TABLE `follow_up_cases` (
	`id` integer PRIMARY KEY NOT NULL,
	`key` text NOT NULL,
	`customer_id` text NOT NULL,
	`reason` text NOT NULL,
	`event_id` text NOT NULL,
	`metric` text,
	`score` real,
	`comment` text,
	`channel` text,
	`team_id` text,
	`agent_id` text,
	`assignee_id` text,
	`status` text NOT NULL,
	`opened_at` integer NOT NULL,
	`due_at` integer NOT NULL,
	`contacted_at` integer,
	`closed_at` integer,
	`closed_by` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `follow_up_cases_key_unique` ON `follow_up_cases` (`key`);--> statement-breakpoint
CREATE INDEX `follow_up_cases_status_due` ON `follow_up_cases` (`status`,`due_at`);--> statement-breakpoint
CREATE INDEX `follow_up_cases_team` ON `follow_up_cases` (`team_id`,`opened_at`);--> statement-breakpoint
CREATE INDEX `follow_up_cases_customer` ON `follow_up_cases` (`customer_id`,`opened_at`);--> statement-breakpoint
CREATE INDEX `follow_up_cases_opened` ON `follow_up_cases` (`opened_at`);--> statement-breakpoint
CREATE TABLE `webhook_deliveries` (
	`id` integer PRIMARY KEY NOT NULL,
	`rule_id` integer,
	`alert_id` integer,
	`event` text NOT NULL,
	`url` text NOT NULL,
	`body` text NOT NULL,
	`status` text NOT NULL,
	`attempts` text DEFAULT '[]' NOT NULL,
	`last_status` integer,
	`next_attempt_at` integer,
	`created_at` integer NOT NULL,
	`finished_at` integer,
	FOREIGN KEY (`rule_id`) REFERENCES `alert_rules`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`alert_id`) REFERENCES `alerts`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `webhook_deliveries_due` ON `webhook_deliveries` (`next_attempt_at`) WHERE status = 'pending';--> statement-breakpoint
CREATE INDEX `webhook_deliveries_created` ON `webhook_deliveries` (`created_at`);