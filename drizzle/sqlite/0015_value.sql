CREATE TABLE `value_settings` (
	`id` integer PRIMARY KEY NOT NULL,
	`effective_from` integer NOT NULL,
	`rates` text NOT NULL,
	`updated_at` integer NOT NULL,
	`updated_by` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `value_settings_effective_from_unique` ON `value_settings` (`effective_from`);