CREATE TABLE `audience_members` (
	`audience_id` integer NOT NULL,
	`customer_id` text NOT NULL,
	`grp` text NOT NULL,
	PRIMARY KEY(`audience_id`, `customer_id`),
	FOREIGN KEY (`audience_id`) REFERENCES `audiences`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `audience_members_group` ON `audience_members` (`audience_id`,`grp`,`customer_id`);--> statement-breakpoint
CREATE INDEX `audience_members_customer` ON `audience_members` (`customer_id`);--> statement-breakpoint
CREATE TABLE `audiences` (
	`id` integer PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`rule` text NOT NULL,
	`outcome` text NOT NULL,
	`holdout_percent` real NOT NULL,
	`teams` text,
	`members` integer NOT NULL,
	`treatment` integer NOT NULL,
	`holdout` integer NOT NULL,
	`created_at` integer NOT NULL,
	`created_by` text
);
--> statement-breakpoint
CREATE INDEX `audiences_created` ON `audiences` (`created_at`);