CREATE TABLE `text_docs` (
	`seq` integer PRIMARY KEY NOT NULL,
	`ts` integer NOT NULL,
	`customer_id` text NOT NULL,
	`type` text NOT NULL,
	`channel` text,
	`segment` text,
	`journey` text,
	`team_id` text,
	`metric` text,
	`score` real,
	`sentiment` real,
	`terms` text DEFAULT '' NOT NULL,
	`topic_id` text,
	`tag_mask` integer DEFAULT 0 NOT NULL,
	`tags` text DEFAULT '[]' NOT NULL
);
--> statement-breakpoint
CREATE INDEX `text_docs_ts` ON `text_docs` (`ts`);--> statement-breakpoint
CREATE INDEX `text_docs_topic_ts` ON `text_docs` (`topic_id`,`ts`);--> statement-breakpoint
CREATE TABLE `text_state` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `text_tag_rules` (
	`id` text PRIMARY KEY NOT NULL,
	`tag` text NOT NULL,
	`label` text NOT NULL,
	`label_en` text NOT NULL,
	`any` text NOT NULL,
	`with` text DEFAULT '[]' NOT NULL,
	`not` text DEFAULT '[]' NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`position` integer DEFAULT 0 NOT NULL,
	`updated_at` integer NOT NULL,
	`updated_by` text
);
--> statement-breakpoint
CREATE TABLE `text_terms` (
	`term` text PRIMARY KEY NOT NULL,
	`df` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `text_topics` (
	`id` text PRIMARY KEY NOT NULL,
	`label` text NOT NULL,
	`keywords` text NOT NULL,
	`centroid` text NOT NULL,
	`size` integer NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
