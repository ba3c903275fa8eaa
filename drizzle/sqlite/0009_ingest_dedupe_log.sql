PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_event_ids` (
	`seq` integer PRIMARY KEY NOT NULL,
	`hash` integer NOT NULL,
	`seen_at` integer NOT NULL
);
--> statement-breakpoint
INSERT INTO `__new_event_ids`("hash", "seen_at") SELECT "hash", "seen_at" FROM `event_ids` ORDER BY "seen_at";--> statement-breakpoint
DROP TABLE `event_ids`;--> statement-breakpoint
ALTER TABLE `__new_event_ids` RENAME TO `event_ids`;--> statement-breakpoint
CREATE TABLE `__new_customers` (
	`id` text PRIMARY KEY NOT NULL,
	`segment` text,
	`tier` text,
	`region` text,
	`traits` text DEFAULT '{}' NOT NULL,
	`first_seen` integer NOT NULL,
	`last_seen` integer NOT NULL
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `__new_customers` SELECT `id`, `segment`, `tier`, `region`, `traits`, `first_seen`, `last_seen` FROM `customers`;--> statement-breakpoint
DROP TABLE `customers`;--> statement-breakpoint
ALTER TABLE `__new_customers` RENAME TO `customers`;--> statement-breakpoint
PRAGMA foreign_keys=ON;
