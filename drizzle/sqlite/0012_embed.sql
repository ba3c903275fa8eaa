CREATE TABLE `embed_integrations` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`origins` text DEFAULT '[]' NOT NULL,
	`secret` text NOT NULL,
	`revoked_before` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`created_by` text
);
--> statement-breakpoint
CREATE TABLE `embed_views` (
	`id` integer PRIMARY KEY NOT NULL,
	`integration_id` text NOT NULL,
	`ts` integer NOT NULL,
	`type` text NOT NULL,
	`key` text,
	`sub` text,
	`origin` text
);
--> statement-breakpoint
CREATE INDEX `embed_views_integration_ts` ON `embed_views` (`integration_id`,`ts`);